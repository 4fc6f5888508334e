"""VPReasoner: the causal language model that writes the grounded caption.

A small Llama-style model built from scratch for the tiny preset, or any local Hugging Face
causal LM folder (optionally adapted with LoRA through ``peft``) for the large presets.
"""

from typing import Any, Optional, Tuple

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


def _build_lm(cfg: ReasonerConfig, vocab_size: int) -> nn.Module:
    from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM

    if cfg.pretrained_path:
        try:
            lm = AutoModelForCausalLM.from_pretrained(cfg.pretrained_path, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise CheckpointError(
                f"The language model folder '{cfg.pretrained_path}' cannot be loaded: {exc}."
            ) from exc
        if lm.get_input_embeddings().num_embeddings < vocab_size:
            lm.resize_token_embeddings(vocab_size)
        return lm
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
