"""Global context tokens: the whole window, pooled to a small grid, for the language model."""

import torch
from torch import nn
from torch.nn import functional as F


class ContextTokens(nn.Module):
    def __init__(self, feat_dim: int, lm_dim: int, grid: int) -> None:
        super().__init__()
        self.grid = grid
        self.proj = nn.Sequential(nn.Linear(feat_dim, lm_dim), nn.GELU(), nn.Linear(lm_dim, lm_dim))
        self.position = nn.Parameter(torch.zeros(1, grid * grid, lm_dim))
        nn.init.normal_(self.position, std=0.02)

    @property
    def num_tokens(self) -> int:
        return self.grid * self.grid

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """(B, C, g, g) features -> (B, grid*grid, lm_dim) tokens."""
        pooled = F.adaptive_avg_pool2d(features, self.grid).flatten(2).transpose(1, 2)
        return self.proj(pooled) + self.position
