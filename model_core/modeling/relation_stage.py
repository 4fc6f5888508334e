"""Relation stage of the Context-Aware Mask Decoder.

The object queries of one caption attend to each other, each carrying an encoding of its
provisional mask's geometry and of the user's box, so every target is decoded knowing where
the others are (ARCHITECTURE 2.4). A pairwise head scores the relation predicates.
"""

from typing import List

import torch
from torch import nn

#: Geometry features per object: provisional-mask centre (2), spread (2), area (1), user box (4).
GEOMETRY_DIM = 9


def mask_geometry(mask_logits: torch.Tensor, user_boxes: torch.Tensor) -> torch.Tensor:
    """Soft geometry of provisional masks.

    Args:
        mask_logits: (N, h, w) low-resolution mask logits.
        user_boxes: (N, 4) the user's box of each object's caption, normalised to 0..1.

    Returns:
        (N, 9): centre x/y, spread x/y and area of the soft mask (all 0..1), and the user box.
    """
    n, h, w = mask_logits.shape
    prob = torch.sigmoid(mask_logits.detach().float())
    mass = prob.sum(dim=(1, 2)).clamp_min(1e-6)
    ys = (torch.arange(h, device=prob.device, dtype=prob.dtype) + 0.5) / h
    xs = (torch.arange(w, device=prob.device, dtype=prob.dtype) + 0.5) / w
    cx = (prob.sum(1) * xs).sum(1) / mass
    cy = (prob.sum(2) * ys).sum(1) / mass
    sx = ((prob.sum(1) * (xs - cx[:, None]) ** 2).sum(1) / mass).sqrt()
    sy = ((prob.sum(2) * (ys - cy[:, None]) ** 2).sum(1) / mass).sqrt()
    area = mass / (h * w)
    geometry = torch.stack([cx, cy, sx, sy, area], dim=1)
    return torch.cat([geometry, user_boxes.float()], dim=1).to(mask_logits.dtype)


def pad_groups(values: torch.Tensor, groups: torch.Tensor, num_groups: int):
    """Scatter (N, D) rows into (G, M, D) by group, with a (G, M) validity mask."""
    counts = torch.bincount(groups, minlength=num_groups)
    width = int(counts.max().item()) if len(groups) else 0
    starts = torch.cumsum(counts, 0) - counts
    slot = torch.arange(len(groups), device=groups.device) - starts[groups]
    padded = values.new_zeros(num_groups, max(width, 1), values.shape[-1])
    valid = torch.zeros(num_groups, max(width, 1), dtype=torch.bool, device=values.device)
    padded[groups, slot] = values
    valid[groups, slot] = True
    return padded, valid, slot


class RelationStage(nn.Module):
    """Self-attention across the object queries of each caption."""

    def __init__(self, dim: int, heads: int, layers: int) -> None:
        super().__init__()
        self.geometry = nn.Sequential(nn.Linear(GEOMETRY_DIM, dim), nn.GELU(), nn.Linear(dim, dim))
        layer = nn.TransformerEncoderLayer(
            dim, heads, dim * 4, dropout=0.0, batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)

    def forward(self, queries: torch.Tensor, geometry: torch.Tensor, groups: torch.Tensor):
        """(N, C) queries, (N, 9) geometry, (N,) caption index -> (N, C) context-aware queries."""
        num_groups = int(groups.max().item()) + 1
        padded, valid, _ = pad_groups(queries + self.geometry(geometry), groups, num_groups)
        out = self.encoder(padded, src_key_padding_mask=~valid)
        return queries + out[valid]


class RelationHead(nn.Module):
    """Predicate logits for every ordered pair of objects of one caption."""

    def __init__(self, dim: int, num_predicates: int) -> None:
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Linear(2 * dim + GEOMETRY_DIM, dim), nn.GELU(), nn.Linear(dim, num_predicates)
        )

    def forward(
        self, queries: torch.Tensor, geometry: torch.Tensor, groups: torch.Tensor
    ) -> List[torch.Tensor]:
        """Per caption, a (n, n, P) tensor: logits of ``object i <predicate> object j``."""
        out: List[torch.Tensor] = []
        for g in range(int(groups.max().item()) + 1 if len(groups) else 0):
            q, geo = queries[groups == g], geometry[groups == g]
            n = len(q)
            pair = torch.cat(
                [
                    q[:, None].expand(n, n, -1),
                    q[None, :].expand(n, n, -1),
                    geo[:, None] - geo[None, :],
                ],
                dim=-1,
            )
            out.append(self.mlp(pair))
        return out
