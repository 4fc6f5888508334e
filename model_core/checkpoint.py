"""Checkpoint I/O (ARCHITECTURE section 5) and SAM ``.pth`` initialisation.

A checkpoint is a folder: ``config.json``, ``model.safetensors``, ``tokenizer.json`` and
``MODEL_CARD.md``. Ours load through safetensors only; official SAM ``.pth`` files load with
``torch.load(weights_only=True)``, and a language model folder named by the config loads without
remote code and offline (``modeling.vp_reasoner``), so no file can run code while loading.

A folder is untrusted until checked: its config's types and ranges (``config_checks``), then the
number of values the config implies against the number ``model.safetensors`` holds, read from
its header, all before a weight is read or a module allocated.
"""

import datetime
import json
import math
import pickle
import struct
from dataclasses import replace
from pathlib import Path
from typing import Dict, Iterable, Optional, Tuple

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from .config import ModelConfig, preset
from .errors import CheckpointError
from .modeling.build import build_clvnet
from .modeling.clvnet import CLVNet
from .modeling.vp_reasoner import language_model_folder
from .tokenizer import CaptionTokenizer

CHECKPOINT_FILES = ("config.json", "model.safetensors", "tokenizer.json", "MODEL_CARD.md")
#: Largest safetensors header read (the JSON index of tensors; a few MB for the largest model).
MAX_HEADER_BYTES = 100 * 1024 * 1024
#: Prefix of the language model's tensors; a pretrained one is sized by its own folder.
LM_PREFIX = "reasoner.lm."


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
    check_weights_fit_config(folder / "model.safetensors", cfg, tokenizer)
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


def safetensors_sizes(path: Path) -> Dict[str, int]:
    """Number of values of every tensor in a safetensors file, read from its header only.

    Raises:
        CheckpointError: a header that is too large, not JSON, or indexes bytes past the end
            of the file (truncated).
    """
    try:
        with Path(path).open("rb") as handle:
            (length,) = struct.unpack("<Q", handle.read(8))
            size = Path(path).stat().st_size
            if length > min(size - 8, MAX_HEADER_BYTES):
                raise ValueError(f"a header of {length} bytes")
            header = json.loads(handle.read(length))
        sizes = {}
        end = 0
        for name, entry in header.items():
            if name != "__metadata__":
                sizes[name] = math.prod(int(n) for n in entry["shape"])
                end = max(end, int(entry["data_offsets"][1]))
        if 8 + length + end > size:
            raise ValueError(f"{8 + length + end} bytes indexed in a file of {size}")
    except (OSError, ValueError, KeyError, TypeError, IndexError, struct.error) as exc:
        raise CheckpointError(
            f"The weights in '{path}' are corrupt or truncated ({exc})."
        ) from None
    return sizes


def implied_sizes(cfg: ModelConfig, tokenizer: CaptionTokenizer) -> Dict[str, int]:
    """Number of values of every saved tensor of the model ``cfg`` describes, without
    allocating it: the model is built on PyTorch's ``meta`` device, which holds only shapes.

    With a pretrained language model its tensors are left out (its own folder sizes them);
    the other modules are sized for its hidden size, read from that folder's ``config.json``.
    """
    counted = cfg
    if cfg.reasoner.pretrained_path:
        lm_config = language_model_folder(cfg.reasoner.pretrained_path) / "config.json"
        hidden = _hidden_size(lm_config)
        reasoner = replace(cfg.reasoner, pretrained_path="", hidden_size=hidden, num_heads=1)
        counted = replace(cfg, reasoner=reasoner)
    with torch.device("meta"):
        model = build_clvnet(counted, tokenizer)
    sizes = {name: p.numel() for name, p in model.named_parameters()}
    for module_name, module in model.named_modules():
        for name, buffer in module.named_buffers(recurse=False):
            if name not in module._non_persistent_buffers_set:
                sizes[f"{module_name}.{name}" if module_name else name] = buffer.numel()
    if cfg.reasoner.pretrained_path:
        sizes = {k: v for k, v in sizes.items() if not k.startswith(LM_PREFIX)}
    return sizes


def check_weights_fit_config(weights: Path, cfg: ModelConfig, tokenizer: CaptionTokenizer) -> None:
    """Refuse weights whose number of values differs from what the config implies (a config
    that would build a model larger or smaller than its weights), before loading either."""
    stored = safetensors_sizes(weights)
    implied = sum(implied_sizes(cfg, tokenizer).values())
    if cfg.reasoner.pretrained_path:
        stored = {k: v for k, v in stored.items() if not k.startswith(LM_PREFIX)}
    held = sum(stored.values())
    if held != implied:
        raise CheckpointError(
            f"The weights in '{weights}' hold {held:,} values but its config.json implies "
            f"{implied:,}, so the config does not describe these weights."
        )


def _hidden_size(lm_config: Path) -> int:
    """Hidden size from a Hugging Face config.json (its name differs between families)."""
    try:
        data = json.loads(lm_config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    for key in ("hidden_size", "n_embd", "d_model"):
        value = data.get(key) if isinstance(data, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and 8 <= value <= 65536:
            return value
    raise CheckpointError(f"The language model config '{lm_config}' has no valid hidden size.")


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


def replace_part(
    folder: Path, cfg: ModelConfig, prefix: str, tensors: Dict[str, torch.Tensor]
) -> None:
    """Write ``cfg`` and replace the weights of one module (names under ``prefix.``) in a
    checkpoint folder: how parts fitted after training (class head, mask refiner) are installed.
    """
    folder = Path(folder)
    weights = load_file(str(folder / "model.safetensors"))
    state = {k: v for k, v in weights.items() if not k.startswith(prefix + ".")}
    state.update({f"{prefix}.{k}": v.detach().cpu().contiguous() for k, v in tensors.items()})
    save_file(state, str(folder / "model.safetensors"))
    cfg.to_json(folder / "config.json")


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
    except pickle.UnpicklingError:
        raise CheckpointError(
            f"The SAM checkpoint '{path}' cannot be read safely: it holds objects other than "
            "tensors, which only a loader that may run code would read."
        ) from None
    except Exception as exc:  # torch raises many types for a bad file
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(".")
        raise CheckpointError(f"The SAM checkpoint '{path}' cannot be read ({reason}).") from None
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
