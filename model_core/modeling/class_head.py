"""Class head: what kind of thing the user's box holds, from the frozen image features.

A linear classifier (a probe) over three views of the box: RoIAlign of the image features on a
``pool`` x ``pool`` grid inside the box, the mean feature of the whole window (its context),
and the mean and spread of the box's RGB pixels. It is fitted after the network is trained
(``training.class_head``), so it adds no training cost; its probabilities let the naming rule
(``model_core.naming.head_verdict``) keep, replace or withhold the caption's first phrase.
The predictor averages them over the config's ``views`` of the window (``views.VIEW_ORDER``).
"""

import numpy as np
import torch
from torch import nn
from torchvision.ops import roi_align


def box_colour(image: np.ndarray, box) -> np.ndarray:
    """(6,) mean and standard deviation of each RGB channel inside ``box``, in 0..1.

    Args:
        image: (H, W, 3) uint8 window pixels; box: (x0, y0, x1, y1) in those pixels.
    """
    h, w = image.shape[:2]
    x0, y0, x1, y1 = (int(round(float(c))) for c in box)
    x0, y0 = min(max(x0, 0), w - 1), min(max(y0, 0), h - 1)
    x1, y1 = max(min(x1, w), x0 + 1), max(min(y1, h), y0 + 1)
    pixels = image[y0:y1, x0:x1].reshape(-1, 3).astype(np.float32)
    return np.concatenate([pixels.mean(0), pixels.std(0)]) / 255.0


class ClassHead(nn.Module):
    def __init__(self, feat_dim: int, num_kinds: int, pool: int, img_size: int) -> None:
        super().__init__()
        self.pool = pool
        self.img_size = img_size
        self.linear = nn.Linear(feat_dim * pool * pool + feat_dim + 6, num_kinds)

    def box_features(
        self, features: torch.Tensor, boxes: torch.Tensor, colour: torch.Tensor
    ) -> torch.Tensor:
        """(B, C, g, g) features, (B, 4) pixel boxes, (B, 6) box colours -> (B, D) inputs."""
        grid = features.shape[-1]
        index = torch.arange(len(boxes), device=boxes.device, dtype=torch.float32)[:, None]
        rois = torch.cat([index, boxes.float()], 1)
        pooled = roi_align(
            features.float(),
            rois,
            output_size=self.pool,
            spatial_scale=grid / self.img_size,
            sampling_ratio=2,
            aligned=True,
        ).flatten(1)
        context = features.float().mean(dim=(2, 3))
        return torch.cat([pooled, context, colour.float().to(features.device)], dim=1)

    def forward(
        self, features: torch.Tensor, boxes: torch.Tensor, colour: torch.Tensor
    ) -> torch.Tensor:
        """(B, K) probability of each kind for each box."""
        return torch.softmax(self.linear(self.box_features(features, boxes, colour)), dim=-1)
