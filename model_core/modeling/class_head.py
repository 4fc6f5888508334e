"""Class head: what kind of thing the user's box holds, from the frozen image features.

A linear classifier (a probe) over three views of the box: RoIAlign of the image features on a
``pool`` x ``pool`` grid inside the box, the mean feature of the whole window (its context),
and the mean and spread of the box's RGB pixels. Optionally a second opinion from the pixels
themselves (:class:`PixelClassifier`, a small CNN that also sees the object's mask); the head's
probabilities are then the mean of the two. Both are fitted after the network is trained
(``training.class_head``); the probabilities let the naming rule
(``model_core.naming.head_verdict``) keep, replace or withhold the caption's first phrase.
"""

from typing import Optional

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torchvision.ops import roi_align

from .mask_refiner import box_plane, conv_block


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


class PixelClassifier(nn.Module):
    """A small CNN: (window pixels, the object's mask, the box) -> logits of each kind.

    Four levels of two 3 x 3 convolutions (width 1, 2, 4, 6 times ``width``, a max pooling
    between levels); the last level's features are averaged inside the mask, inside the box
    and over the window, and a two-layer MLP reads the three.

    Args:
        width: channels of the first level; size: side at which it works (inputs are resized);
        img_size: side of the model's input, in which boxes are given.
    """

    def __init__(self, width: int, num_kinds: int, size: int, img_size: int) -> None:
        super().__init__()
        self.size, self.img_size = size, img_size
        c = [width, 2 * width, 4 * width, 6 * width]
        self.levels = nn.ModuleList(
            [conv_block(5, c[0]), conv_block(c[0], c[1]), conv_block(c[1], c[2])]
            + [conv_block(c[2], c[3])]
        )
        self.mlp = nn.Sequential(
            nn.Linear(3 * c[3], 128), nn.GELU(), nn.Dropout(0.2), nn.Linear(128, num_kinds)
        )

    def forward(
        self, pixels: torch.Tensor, mask: torch.Tensor, boxes: torch.Tensor
    ) -> torch.Tensor:
        """(B, 3, H, W) normalised pixels, (B, h, w) mask logits, (B, 4) boxes -> (B, K)."""
        side = (self.size, self.size)
        image = F.interpolate(pixels.float(), size=side, mode="bilinear", antialias=True)
        inside = torch.sigmoid(F.interpolate(mask.float()[:, None], size=side, mode="bilinear"))
        box = box_plane(boxes, self.size, self.img_size)
        x = torch.cat([image, box, inside], 1)
        for k, level in enumerate(self.levels):
            x = level(x if k == 0 else F.max_pool2d(x, 2))
        weights = F.interpolate(torch.cat([inside, box], 1), size=x.shape[-2:], mode="area")

        def mean_under(weight: torch.Tensor) -> torch.Tensor:
            return (x * weight).sum((2, 3)) / weight.sum((2, 3)).clamp_min(1e-3)

        pooled = [mean_under(weights[:, :1]), mean_under(weights[:, 1:]), x.mean((2, 3))]
        return self.mlp(torch.cat(pooled, 1))


class ClassHead(nn.Module):
    """Linear probe of the box's features, with an optional :class:`PixelClassifier`
    (``pixel_width`` > 0) whose probabilities are averaged with the probe's."""

    def __init__(
        self,
        feat_dim: int,
        num_kinds: int,
        pool: int,
        img_size: int,
        pixel_width: int = 0,
        pixel_size: int = 128,
    ) -> None:
        super().__init__()
        self.pool = pool
        self.img_size = img_size
        self.linear = nn.Linear(feat_dim * pool * pool + feat_dim + 6, num_kinds)
        self.pixels: Optional[PixelClassifier] = (
            PixelClassifier(pixel_width, num_kinds, pixel_size, img_size) if pixel_width else None
        )

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
        self,
        features: torch.Tensor,
        boxes: torch.Tensor,
        colour: torch.Tensor,
        pixels: Optional[torch.Tensor] = None,
        mask: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        """(B, K) probability of each kind for each box.

        ``pixels`` (B, 3, H, W, normalised) and ``mask`` (B, h, w logits of the boxed object)
        feed the pixel classifier when the head has one.
        """
        probs = torch.softmax(self.linear(self.box_features(features, boxes, colour)), dim=-1)
        if self.pixels is None or pixels is None or mask is None:
            return probs
        return 0.5 * (probs + torch.softmax(self.pixels(pixels, mask, boxes), dim=-1))
