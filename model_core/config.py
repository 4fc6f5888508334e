"""Model configuration: dataclasses with a JSON round trip, a format version, and presets.

A checkpoint's ``config.json`` is ``ModelConfig.to_dict()``; ``ModelConfig.from_dict`` refuses a
config written for another format version, so an old or foreign folder fails loudly at load time,
and checks every value's type and range (``config_checks``) before anything is built.
"""

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from .config_checks import check_ranges, check_section, checked_value
from .errors import CheckpointError

FORMAT_VERSION = 1

#: Relation predicates the decoder scores for every ordered pair of objects; index 0 = no relation.
PREDICATES: Tuple[str, ...] = (
    "none",
    "next to",
    "north of",
    "south of",
    "east of",
    "west of",
    "inside",
    "contains",
    "on",
    "along",
    "surrounded by",
    "surrounds",
)


@dataclass
class ImageEncoderConfig:
    """SAM ``ImageEncoderViT`` hyper-parameters (defaults: the tiny preset)."""

    img_size: int = 256
    patch_size: int = 16
    embed_dim: int = 192
    depth: int = 6
    num_heads: int = 6
    mlp_ratio: float = 4.0
    out_chans: int = 128
    window_size: int = 0
    global_attn_indexes: List[int] = field(default_factory=list)
    use_rel_pos: bool = False

    @property
    def grid_size(self) -> int:
        """Side of the feature map (img_size / patch_size)."""
        return self.img_size // self.patch_size


@dataclass
class DecoderConfig:
    """Context-Aware Mask Decoder: SAM's two-way transformer plus the relation stage."""

    transformer_depth: int = 2
    transformer_mlp_dim: int = 512
    transformer_heads: int = 4
    iou_head_depth: int = 3
    iou_head_hidden_dim: int = 128
    relation_layers: int = 2
    relation_heads: int = 4
    num_predicates: int = len(PREDICATES)


@dataclass
class ReasonerConfig:
    """VPReasoner: a causal LM built from scratch (``pretrained_path`` empty) or loaded locally."""

    pretrained_path: str = ""
    hidden_size: int = 256
    num_layers: int = 4
    num_heads: int = 4
    intermediate_size: int = 704
    max_positions: int = 256
    vocab_size: int = 2048
    context_grid: int = 4
    region_pool: int = 4
    lora_rank: int = 0
    lora_alpha: int = 16
    instruction: str = "describe the boxed region in its context ."


@dataclass
class LossConfig:
    """Weights of the training loss terms; a weight of 0 switches a term off."""

    caption_ce: float = 1.0
    mask_bce: float = 2.0
    mask_dice: float = 0.5
    semantic: float = 0.5
    relation_align: float = 0.5
    relation_ce: float = 0.5
    mask_box: float = 1.0  # box-only objects: projections of the mask against the box (BoxInst)
    quality: float = 1.0  # quality head: MSE against each mask's measured IoU (objects with masks)
    temperature: float = 0.07


@dataclass
class ClassHeadConfig:
    """The class head: a linear classifier of what kind of thing the user's box holds.

    It is fitted on the frozen image features after training (``python -m
    training.class_head``) and judges the first phrase of a caption (``model_core.naming``):
    the phrase is kept when the language model was sure of it (``trust``) or the head gives its
    kind at least ``keep``, replaced by the head's own phrase when the head's best kind has at
    least ``replace``, else made generic. No kinds: no head (every phrase is judged by its
    token probabilities alone).
    """

    kinds: List[str] = field(default_factory=list)
    #: per kind: the singular and plural phrase that replaces a phrase the head overrules
    phrases: List[str] = field(default_factory=list)
    plurals: List[str] = field(default_factory=list)
    #: per kind: the nouns that name it in a phrase (how the caption's phrase is read)
    words: List[List[str]] = field(default_factory=list)
    #: side of the RoIAlign grid of box features
    pool: int = 2
    #: dihedral views of the window whose probabilities are averaged (1, 2, 4 or 8; see
    #: ``model_core.modeling.views.VIEW_ORDER``): each view after the first is one more encoding
    views: int = 1
    keep: float = 0.0
    replace: float = 1.0
    #: a phrase whose class words the language model wrote with at least this probability is
    #: kept whatever the head says (0: the head always judges)
    trust: float = 0.0


@dataclass
class MaskRefinerConfig:
    """The mask refiner: a small U-Net that sharpens the boxed object's mask with the window's
    pixels (``model_core.modeling.mask_refiner``), trained after the network on its frozen
    masks (``python -m training.mask_refiner``). Width 0: no refiner (the decoder's masks).
    """

    #: channels of the U-Net's first level (0: no refiner)
    width: int = 0
    #: side, in pixels, at which it works (a multiple of 8)
    size: int = 128


@dataclass
class ModelConfig:
    """Everything needed to rebuild a CLV-Net; stored as ``config.json`` in a checkpoint."""

    name: str = "clvnet-tiny"
    preset: str = "tiny"
    format_version: int = FORMAT_VERSION
    image_encoder: ImageEncoderConfig = field(default_factory=ImageEncoderConfig)
    decoder: DecoderConfig = field(default_factory=DecoderConfig)
    reasoner: ReasonerConfig = field(default_factory=ReasonerConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    align_dim: int = 128
    max_new_tokens: int = 64
    pixel_mean: Tuple[float, float, float] = (123.675, 116.28, 103.53)
    pixel_std: Tuple[float, float, float] = (58.395, 57.12, 57.375)
    predicates: Tuple[str, ...] = PREDICATES
    #: True once the decoder's quality head was trained to predict mask IoU (the ``quality``
    #: loss); the object score is then that prediction, else the mean mask probability.
    quality_head_trained: bool = False
    #: A phrase whose class words were generated with a lower token probability than this is
    #: replaced by a generic noun ("an object"); 0 never replaces (``model_core.naming``).
    min_naming_probability: float = 0.0
    class_head: ClassHeadConfig = field(default_factory=ClassHeadConfig)
    mask_refiner: MaskRefinerConfig = field(default_factory=MaskRefinerConfig)

    def to_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "ModelConfig":
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise CheckpointError(
                f"The checkpoint config has format version {version}; this CLV-Net reads "
                f"version {FORMAT_VERSION}."
            )
        sections = {
            "image_encoder": ImageEncoderConfig,
            "decoder": DecoderConfig,
            "reasoner": ReasonerConfig,
            "loss": LossConfig,
            "class_head": ClassHeadConfig,
            "mask_refiner": MaskRefinerConfig,
        }
        fields = {f.name: f for f in dataclasses.fields(cls)}
        kwargs: Dict[str, Any] = {}
        for key, value in data.items():
            if key in sections:
                kwargs[key] = _build(sections[key], key, check_section(key, value))
            elif key in fields:
                kwargs[key] = checked_value(key, fields[key].type, value)
        cfg = cls(**kwargs)
        check_ranges(cfg)
        return cfg

    @classmethod
    def from_json(cls, path: Path) -> "ModelConfig":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CheckpointError(f"The checkpoint config '{path}' cannot be read: {exc}.") from exc
        if not isinstance(data, dict):
            raise CheckpointError(f"The checkpoint config '{path}' is not a JSON object.")
        return cls.from_dict(data)


def _build(section: type, name: str, values: Dict[str, Any]) -> Any:
    """One config section from its JSON object, every value checked against its field type."""
    fields = {f.name: f for f in dataclasses.fields(section)}
    unknown = set(values) - set(fields)
    if unknown:
        raise CheckpointError(f"The checkpoint config has unknown keys {sorted(unknown)}.")
    return section(
        **{k: checked_value(f"{name}.{k}", fields[k].type, v) for k, v in values.items()}
    )


def preset(name: str, lm_path: Optional[str] = None) -> ModelConfig:
    """A named configuration.

    ``tiny`` trains on a 2-core CPU in under an hour. ``sam-vit-b`` and ``sam-vit-h`` use SAM's
    encoder sizes at 1024 px and a local Hugging Face causal LM folder (``lm_path``) as VPReasoner.
    """
    if name == "tiny":
        return ModelConfig()
    sam_sizes = {
        "sam-vit-b": dict(embed_dim=768, depth=12, num_heads=12, global_attn_indexes=[2, 5, 8, 11]),
        "sam-vit-h": dict(
            embed_dim=1280, depth=32, num_heads=16, global_attn_indexes=[7, 15, 23, 31]
        ),
    }
    if name not in sam_sizes:
        raise ValueError(f"Unknown preset '{name}'; choose tiny, sam-vit-b or sam-vit-h.")
    encoder = ImageEncoderConfig(
        img_size=1024,
        patch_size=16,
        out_chans=256,
        window_size=14,
        use_rel_pos=True,
        **sam_sizes[name],
    )
    decoder = DecoderConfig(
        transformer_mlp_dim=2048, transformer_heads=8, iou_head_hidden_dim=256, relation_heads=8
    )
    reasoner = ReasonerConfig(pretrained_path=lm_path or "", lora_rank=8, max_positions=2048)
    return ModelConfig(
        name=f"clvnet-{name}",
        preset=name,
        image_encoder=encoder,
        decoder=decoder,
        reasoner=reasoner,
        align_dim=256,
        max_new_tokens=128,
    )


PRESETS = ("tiny", "sam-vit-b", "sam-vit-h")
