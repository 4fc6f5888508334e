"""VPReasoner: the causal language model that writes the grounded caption.

A small Llama-style model built from scratch for the tiny preset, or any local Hugging Face
causal LM folder (optionally adapted with LoRA through ``peft``) for the large presets.

A checkpoint config names that folder, so it is untrusted: only an existing local folder with
safetensors weights is accepted (checked before transformers sees the name), it loads with
``trust_remote_code=False`` and with the hub libraries in offline mode, so no file runs code
and nothing is downloaded.
"""

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Tuple

import torch
from torch import nn

from ..config import ReasonerConfig
from ..errors import CheckpointError


class VPReasoner(nn.Module):
    def __init__(self, cfg: ReasonerConfig, vocab_size: int) -> None:
        super().__init__()
        self.lm = _build_lm(cfg, vocab_size)
        if cfg.lora_rank > 0 and cfg.pretrained_path:
            from peft import LoraConfig, get_peft_model

            lora = LoraConfig(
                r=cfg.lora_rank,
                lora_alpha=cfg.lora_alpha,
                target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],
                modules_to_save=["embed_tokens", "lm_head"],
            )
            self.lm = get_peft_model(self.lm, lora)
        self.hidden_size = self.lm.config.hidden_size

    def embed(self, input_ids: torch.Tensor) -> torch.Tensor:
        """(B, L) ids -> (B, L, hidden) input embeddings."""
        return self.lm.get_input_embeddings()(input_ids)

    def forward(
        self,
        inputs_embeds: torch.Tensor,
        attention_mask: Optional[torch.Tensor] = None,
        past_key_values: Any = None,
        use_cache: bool = False,
    ) -> Tuple[torch.Tensor, torch.Tensor, Any]:
        """Run the decoder stack.

        Returns:
            logits (B, L, vocab), last hidden states (B, L, hidden), the KV cache (or None).
        """
        out = self.lm.get_decoder()(
            inputs_embeds=inputs_embeds,
            attention_mask=attention_mask,
            past_key_values=past_key_values,
            use_cache=use_cache,
        )
        hidden = out.last_hidden_state
        logits = self.lm.get_output_embeddings()(hidden)
        return logits, hidden, out.past_key_values if use_cache else None


#: Environment variables that keep huggingface_hub and transformers off the network.
OFFLINE_VARIABLES = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
#: Weight files that are pickles (loading them can run code); never loaded.
PICKLED_WEIGHTS = (".bin", ".pt", ".pth", ".ckpt", ".pkl")


def language_model_folder(pretrained_path: str) -> Path:
    """The local folder ``reasoner.pretrained_path`` names, checked before any library sees it.

    Raises:
        CheckpointError: not an existing local folder (a hub name such as "gpt2" would be
            downloaded), no ``config.json``, or weights only as pickles.
    """
    folder = Path(pretrained_path).expanduser()
    if not folder.is_dir():
        raise CheckpointError(
            f"The language model '{pretrained_path}' (reasoner.pretrained_path in the checkpoint "
            "config) is not a local folder; only local folders are loaded, nothing is downloaded."
        )
    if not (folder / "config.json").is_file():
        raise CheckpointError(f"The language model folder '{folder}' has no config.json.")
    names = [p.name for p in folder.iterdir()]
    if not any(name.endswith(".safetensors") for name in names):
        pickled = sorted(n for n in names if n.endswith(PICKLED_WEIGHTS))
        raise CheckpointError(
            f"The language model folder '{folder}' has no safetensors weights"
            + (f" (only the pickled {', '.join(pickled)}, which could run code)" if pickled else "")
            + "; convert them to safetensors."
        )
    return folder


@contextmanager
def offline_hub() -> Iterator[None]:
    """Offline mode of the hub libraries for the duration of a load, then the earlier state.

    huggingface_hub reads its variable once at import, so its module flag is set as well.
    """
    saved: Dict[str, Optional[str]] = {name: os.environ.get(name) for name in OFFLINE_VARIABLES}
    os.environ.update(OFFLINE_VARIABLES)
    from huggingface_hub import constants

    was_offline = constants.HF_HUB_OFFLINE
    constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = was_offline
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _load_pretrained_lm(pretrained_path: str) -> nn.Module:
    """A causal LM from a checked local folder: no remote code, safetensors only, offline."""
    folder = language_model_folder(pretrained_path)
    with offline_hub():
        from transformers import AutoModelForCausalLM

        try:
            return AutoModelForCausalLM.from_pretrained(
                str(folder), local_files_only=True, trust_remote_code=False, use_safetensors=True
            )
        except Exception as exc:  # transformers raises many types for a folder it cannot use
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(".")
            raise CheckpointError(
                f"The language model folder '{folder}' cannot be loaded ({reason})."
            ) from None


def _build_lm(cfg: ReasonerConfig, vocab_size: int) -> nn.Module:
    if cfg.pretrained_path:
        lm = _load_pretrained_lm(cfg.pretrained_path)
        if lm.get_input_embeddings().num_embeddings < vocab_size:
            lm.resize_token_embeddings(vocab_size)
        return lm
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=cfg.hidden_size,
        intermediate_size=cfg.intermediate_size,
        num_hidden_layers=cfg.num_layers,
        num_attention_heads=cfg.num_heads,
        num_key_value_heads=cfg.num_heads,
        max_position_embeddings=cfg.max_positions,
        tie_word_embeddings=True,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=2,
    )
    return LlamaForCausalLM(config)
