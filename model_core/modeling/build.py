"""Builder: a config and a tokenizer make a CLV-Net."""

from ..config import ModelConfig
from ..tokenizer import CaptionTokenizer
from .clvnet import CLVNet


def build_clvnet(cfg: ModelConfig, tokenizer: CaptionTokenizer) -> CLVNet:
    """Assemble every module of ``cfg``; weights are random until a checkpoint is loaded."""
    return CLVNet(cfg, tokenizer)
