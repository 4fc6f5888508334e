"""Region token: what the language model knows about the user's box.

RoIAlign of the image features inside the box, plus an encoding of the box coordinates,
projected to the language model's width (ARCHITECTURE 2.2).
"""

import torch
from torch import nn
from torchvision.ops import roi_align


class RegionToken(nn.Module):
    def __init__(self, feat_dim: int, lm_dim: int, pool: int, img_size: int) -> None:
        super().__init__()
        self.pool = pool
        self.img_size = img_size
        self.feature_proj = nn.Sequential(
            nn.Linear(feat_dim * pool * pool, lm_dim), nn.GELU(), nn.Linear(lm_dim, lm_dim)
        )
        self.box_proj = nn.Sequential(nn.Linear(6, lm_dim), nn.GELU(), nn.Linear(lm_dim, lm_dim))

    def forward(self, features: torch.Tensor, boxes: torch.Tensor) -> torch.Tensor:
        """(B, C, g, g) features and (B, 4) pixel boxes -> (B, 1, lm_dim) region tokens."""
        grid = features.shape[-1]
        rois = torch.cat([torch.arange(len(boxes), device=boxes.device)[:, None].float(), boxes], 1)
        pooled = roi_align(
            features.float(),
            rois.float(),
            output_size=self.pool,
            spatial_scale=grid / self.img_size,
            sampling_ratio=2,
            aligned=True,
        ).flatten(1)
        norm = boxes / self.img_size
        size = norm[:, 2:] - norm[:, :2]
        geometry = torch.cat([norm, size], dim=1)
        token = self.feature_proj(pooled.to(features.dtype)) + self.box_proj(geometry)
        return token[:, None, :]
