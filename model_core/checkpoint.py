"""Checkpoint I/O (ARCHITECTURE section 5) and SAM ``.pth`` initialisation.

A checkpoint is a folder: ``config.json``, ``model.safetensors``, ``tokenizer.json`` and
``MODEL_CARD.md``. Ours load through safetensors only; official SAM ``.pth`` files load with
``torch.load(weights_only=True)``, so no file can run code while loading.
"""

import datetime
from pathlib import Path
from typing import Dict, Iterable, Optional, Tuple

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from .config import ModelConfig, preset
from .errors import CheckpointError
from .modeling.build import build_clvnet
from .modeling.clvnet import CLVNet
from .tokenizer import CaptionTokenizer

CHECKPOINT_FILES = ("config.json", "model.safetensors", "tokenizer.json", "MODEL_CARD.md")


def load_checkpoint(path: Path) -> Tuple[CLVNet, CaptionTokenizer]:
    """Model (eval mode, CPU) and tokenizer from a checkpoint folder; ``CheckpointError`` if bad."""
    folder = Path(path)
    if not folder.is_dir():
        raise CheckpointError(f"The checkpoint folder '{folder}' does not exist.")
    missing = [name for name in CHECKPOINT_FILES[:3] if not (folder / name).is_file()]
    if missing:
        raise CheckpointError(
            f"The checkpoint folder '{folder}' is incomplete: {', '.join(missing)} missing."
        )
    cfg = ModelConfig.from_json(folder / "config.json")
    tokenizer = CaptionTokenizer.from_file(folder / "tokenizer.json")
    try:
        state = load_file(str(folder / "model.safetensors"))
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        raise CheckpointError(
            f"The weights in '{folder / 'model.safetensors'}' are corrupt or truncated ({exc})."
        ) from exc
    model = build_clvnet(cfg, tokenizer)
    result = model.load_state_dict(state, strict=False)
    missing = set(result.missing_keys) - _tied_keys(model)
    if missing or result.unexpected_keys:
        raise CheckpointError(
            f"The weights in '{folder}' do not match its config "
            f"({len(missing)} missing, {len(result.unexpected_keys)} unexpected tensors)."
        )
    return model.eval(), tokenizer


def _tied_keys(model: CLVNet) -> set:
    """Keys whose tensor shares storage with an earlier key (saved once, e.g. tied LM head)."""
    seen: Dict[int, str] = {}
    tied = set()
    for key, tensor in model.state_dict().items():
        ptr = tensor.data_ptr()
        if ptr in seen and tensor.numel() > 0:
            tied.add(key)
        seen.setdefault(ptr, key)
    return tied


def save_checkpoint(
    model: CLVNet, tokenizer: CaptionTokenizer, folder: Path, model_card: str
) -> None:
    """Write the four checkpoint files (tied weights stored once, tensors made contiguous)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.cfg.to_json(folder / "config.json")
    tokenizer.save(folder / "tokenizer.json")
    save_file(_unique_tensors(model.state_dict()), str(folder / "model.safetensors"))
    (folder / "MODEL_CARD.md").write_text(model_card, encoding="utf-8")


def _unique_tensors(state: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    seen: Dict[int, str] = {}
    out: Dict[str, torch.Tensor] = {}
    for key, tensor in state.items():
        ptr = tensor.data_ptr()
        if ptr in seen and tensor.numel() > 0:
            continue
        seen[ptr] = key
        out[key] = tensor.detach().cpu().contiguous()
    return out


def init_checkpoint(
    preset_name: str,
    folder: Path,
    corpus: Optional[Iterable[str]] = None,
    lm_path: Optional[str] = None,
    sam_checkpoint: Optional[Path] = None,
    seed: int = 0,
) -> Path:
    """An untrained checkpoint of a preset: the starting point of training.

    ``corpus`` (captions) trains the tokenizer; without it the built-in base corpus is used.
    """
    torch.manual_seed(seed)
    cfg = preset(preset_name, lm_path)
    vocab = cfg.reasoner.vocab_size
    tokenizer = (
        CaptionTokenizer.train(corpus, vocab)
        if corpus
        else CaptionTokenizer.from_base_corpus(vocab)
    )
    model = build_clvnet(cfg, tokenizer)
    if sam_checkpoint is not None:
        load_sam_weights(model, sam_checkpoint)
    created = datetime.date.today().isoformat()
    card = (
        f"# {cfg.name} (untrained)\n\n"
        f"**This checkpoint is untrained**: random weights of the `{preset_name}` preset made by "
        f"`python -m model_core init` on {created}"
        + (f", with SAM weights from `{sam_checkpoint}`" if sam_checkpoint else "")
        + ". Its captions and masks are meaningless; it is the starting point of training.\n\n"
        "## Metrics\n\nNone: not trained.\n"
    )
    save_checkpoint(model, tokenizer, folder, card)
    return Path(folder)


#: Prefix map from an official SAM state dict to CLV-Net's modules.
SAM_PREFIXES = {
    "image_encoder.": "image_encoder.",
    "prompt_encoder.": "prompt_encoder.",
    "mask_decoder.": "mask_decoder.sam.",
}


def load_sam_weights(model: CLVNet, path: Path) -> Dict[str, int]:
    """Copy an official SAM ``.pth`` into the encoder, prompt encoder and SAM decoder.

    Returns counts of loaded and skipped tensors; shapes must match the config (use the
    preset of the same ViT size).
    """
    try:
        state = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for a bad file
        raise CheckpointError(f"The SAM checkpoint '{path}' cannot be read safely: {exc}.") from exc
    if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict):
        state = state["model"]
    own = model.state_dict()
    mapped: Dict[str, torch.Tensor] = {}
    skipped = 0
    for key, tensor in state.items():
        prefix = next((p for p in SAM_PREFIXES if key.startswith(p)), None)
        if prefix is None:
            skipped += 1
            continue
        target = SAM_PREFIXES[prefix] + key[len(prefix) :]
        if target not in own or own[target].shape != tensor.shape:
            raise CheckpointError(
                f"The SAM checkpoint '{path}' does not fit this model at '{key}' "
                f"(choose the preset of the same ViT size)."
            )
        mapped[target] = tensor
    model.load_state_dict(mapped, strict=False)
    return {"loaded": len(mapped), "skipped": skipped}


def parameter_count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
