"""One validation layer for a checkpoint's ``config.json``: types, ranges and consistency.

A config reaches past the trust boundary if its values are used unchecked: a string where a
size is expected is an internal error deep in PyTorch, ``depth: 2000`` builds a model until
memory runs out, ``pixel_std: [0, 0, 0]`` divides by zero. Every value is checked against its
field's type and a range before anything is built; each refusal is one sentence naming the key.
"""

import math
import typing
from typing import Any, Dict, Tuple

from .errors import CheckpointError

#: Inclusive (low, high) of every numeric key, "section.key"; wide enough for every preset and
#: any model that fits a workstation, narrow enough that nothing absurd is ever allocated.
RANGES: Dict[str, Tuple[float, float]] = {
    "image_encoder.img_size": (32, 4096),
    "image_encoder.patch_size": (1, 64),
    "image_encoder.embed_dim": (8, 4096),
    "image_encoder.depth": (1, 64),
    "image_encoder.num_heads": (1, 64),
    "image_encoder.mlp_ratio": (0.25, 16),
    "image_encoder.out_chans": (8, 4096),
    "image_encoder.window_size": (0, 256),
    "decoder.transformer_depth": (1, 16),
    "decoder.transformer_mlp_dim": (8, 16384),
    "decoder.transformer_heads": (1, 64),
    "decoder.iou_head_depth": (1, 16),
    "decoder.iou_head_hidden_dim": (8, 8192),
    "decoder.relation_layers": (0, 16),
    "decoder.relation_heads": (1, 64),
    "decoder.num_predicates": (2, 256),
    "reasoner.hidden_size": (8, 16384),
    "reasoner.num_layers": (1, 128),
    "reasoner.num_heads": (1, 128),
    "reasoner.intermediate_size": (8, 65536),
    "reasoner.max_positions": (16, 131072),
    "reasoner.vocab_size": (16, 1_000_000),
    "reasoner.context_grid": (1, 64),
    "reasoner.region_pool": (1, 32),
    "reasoner.lora_rank": (0, 1024),
    "reasoner.lora_alpha": (0, 100_000),
    "loss.temperature": (1e-4, 100.0),
    "align_dim": (8, 4096),
    "max_new_tokens": (1, 4096),
    "min_naming_probability": (0.0, 1.0),
    "class_head.pool": (1, 8),
    "class_head.keep": (0.0, 1.0),
    "class_head.replace": (0.0, 1.0),
    "class_head.trust": (0.0, 1.0),
    "mask_refiner.width": (0, 256),
    "mask_refiner.size": (32, 1024),
}
#: Range of every loss weight without its own entry.
LOSS_WEIGHT_RANGE = (0.0, 1000.0)
#: Range of each of the three pixel normalisation values.
PIXEL_RANGES = {"pixel_mean": (-1e4, 1e4), "pixel_std": (1e-6, 1e4)}


def checked_value(key: str, kind: Any, value: Any) -> Any:
    """``value`` of config key ``key`` converted to the field type ``kind``, or CheckpointError.

    Integers are not accepted as booleans nor fractions as integers; lists become tuples
    where the field is a tuple.
    """
    origin = typing.get_origin(kind)
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise _refusal(key, "must be a list", value)
        args = typing.get_args(kind)
        if origin is tuple and args and args[-1] is not Ellipsis and len(value) != len(args):
            raise _refusal(key, f"must be a list of {len(args)} values", value)
        item = args[0] if args else Any
        items = [checked_value(f"{key}[{k}]", item, v) for k, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if kind is bool:
        if not isinstance(value, bool):
            raise _refusal(key, "must be true or false", value)
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _refusal(key, "must be a whole number", value)
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _refusal(key, "must be a number", value)
        if not math.isfinite(value):
            raise _refusal(key, "must be a finite number", value)
        return float(value)
    if kind is str:
        if not isinstance(value, str):
            raise _refusal(key, "must be text", value)
        return value
    return value


def check_section(key: str, value: Any) -> Dict[str, Any]:
    """A config section (``image_encoder``, ...) must be a JSON object."""
    if not isinstance(value, dict):
        raise _refusal(key, "must be an object of settings", value)
    return value


def check_ranges(cfg: Any) -> None:
    """Ranges of every numeric value and the consistency between values of a built config."""
    for key, (low, high) in RANGES.items():
        value = _lookup(cfg, key)
        if value is not None and not low <= value <= high:
            raise _refusal(key, f"must be between {low:g} and {high:g}", value)
    for name in vars(cfg.loss):
        if f"loss.{name}" not in RANGES:
            low, high = LOSS_WEIGHT_RANGE
            value = getattr(cfg.loss, name)
            if not low <= value <= high:
                raise _refusal(f"loss.{name}", f"must be between {low:g} and {high:g}", value)
    for name, (low, high) in PIXEL_RANGES.items():
        for k, value in enumerate(getattr(cfg, name)):
            if not low <= value <= high:
                raise _refusal(f"{name}[{k}]", f"must be between {low:g} and {high:g}", value)
    enc, dec, lm = cfg.image_encoder, cfg.decoder, cfg.reasoner
    _divides("image_encoder.patch_size", enc.patch_size, "image_encoder.img_size", enc.img_size)
    _divides("image_encoder.num_heads", enc.num_heads, "image_encoder.embed_dim", enc.embed_dim)
    _divides("decoder.transformer_heads", dec.transformer_heads, "out_chans", enc.out_chans)
    _divides("decoder.relation_heads", dec.relation_heads, "out_chans", enc.out_chans)
    _divides("reasoner.num_heads", lm.num_heads, "reasoner.hidden_size", lm.hidden_size)
    for k, index in enumerate(enc.global_attn_indexes):
        if not 0 <= index < enc.depth:
            raise _refusal(
                f"image_encoder.global_attn_indexes[{k}]",
                f"must name a block between 0 and depth - 1 = {enc.depth - 1}",
                index,
            )
    head = cfg.class_head
    for name in ("phrases", "plurals", "words"):
        if len(getattr(head, name)) != len(head.kinds):
            raise _refusal(
                f"class_head.{name}",
                f"must have one entry per kind ({len(head.kinds)})",
                getattr(head, name),
            )
    if head.views not in (1, 2, 4, 8):
        raise _refusal("class_head.views", "must be 1, 2, 4 or 8", head.views)
    refiner = cfg.mask_refiner
    if refiner.width % 4:
        raise _refusal("mask_refiner.width", "must be a multiple of 4", refiner.width)
    if refiner.size % 8:
        raise _refusal("mask_refiner.size", "must be a multiple of 8", refiner.size)
    if dec.num_predicates != len(cfg.predicates):
        raise _refusal(
            "decoder.num_predicates",
            f"must equal the number of predicates ({len(cfg.predicates)})",
            dec.num_predicates,
        )


def _lookup(cfg: Any, key: str) -> Any:
    """The value at "section.key" (None for a key this config does not have)."""
    value = cfg
    for part in key.split("."):
        value = getattr(value, part, None)
    return value


def _divides(key: str, divisor: int, other: str, value: int) -> None:
    if value % divisor:
        raise _refusal(key, f"must divide {other} ({value})", divisor)


def _refusal(key: str, rule: str, value: Any) -> CheckpointError:
    shown = "null" if value is None else repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return CheckpointError(f"The checkpoint config key '{key}' {rule}, got {shown}.")
