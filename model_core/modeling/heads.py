"""Projection heads: [SEG] hidden state -> object query, and the alignment-loss embeddings."""

import torch
from torch import nn


class ProjectionHeads(nn.Module):
    def __init__(self, lm_dim: int, feat_dim: int, align_dim: int) -> None:
        super().__init__()
        self.query = nn.Sequential(
            nn.Linear(lm_dim, lm_dim), nn.GELU(), nn.Linear(lm_dim, feat_dim)
        )
        self.text = nn.Sequential(
            nn.Linear(lm_dim, align_dim), nn.GELU(), nn.Linear(align_dim, align_dim)
        )
        self.visual = nn.Sequential(
            nn.Linear(feat_dim, align_dim), nn.GELU(), nn.Linear(align_dim, align_dim)
        )

    def object_query(self, seg_hidden: torch.Tensor) -> torch.Tensor:
        """(N, lm_dim) hidden states at [SEG] -> (N, feat_dim) decoder queries."""
        return self.query(seg_hidden)

    def phrase_embedding(self, phrase_hidden: torch.Tensor) -> torch.Tensor:
        """(N, lm_dim) mean hidden state over a phrase's tokens -> (N, align_dim)."""
        return self.text(phrase_hidden)

    def visual_embedding(self, pooled: torch.Tensor) -> torch.Tensor:
        """(N, feat_dim) mask-pooled image features -> (N, align_dim)."""
        return self.visual(pooled)
