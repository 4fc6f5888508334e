"""Mask refiner: sharpen the decoder's mask of the boxed object with the window's own pixels.

The decoder draws its masks from 16 x 16 image features; edges between two surfaces of
different colour (a roof and its yard, sand and road) are blurred or missed. The refiner is a
small U-Net over the window's RGB pixels, the decoder's mask logits and the box, that adds a
correction to those logits (its last layer starts at zero, so untrained it changes nothing).
It is trained after the network, on the frozen network's masks (``training.mask_refiner``).
"""

import torch
from torch import nn
from torch.nn import functional as F


def _block(in_chans: int, out_chans: int) -> nn.Sequential:
    """Two 3 x 3 convolutions, each with group norm and GELU."""
    return nn.Sequential(
        nn.Conv2d(in_chans, out_chans, 3, padding=1),
        nn.GroupNorm(4, out_chans),
        nn.GELU(),
        nn.Conv2d(out_chans, out_chans, 3, padding=1),
        nn.GroupNorm(4, out_chans),
        nn.GELU(),
    )


def box_plane(boxes: torch.Tensor, size: int, img_size: int) -> torch.Tensor:
    """(B, 4) boxes in ``img_size`` pixels -> (B, 1, size, size) plane, 1 inside each box."""
    scale = size / img_size
    centres = torch.arange(size, device=boxes.device, dtype=torch.float32) + 0.5
    b = boxes.float() * scale
    inside_x = (centres[None] >= b[:, 0, None]) & (centres[None] <= b[:, 2, None])
    inside_y = (centres[None] >= b[:, 1, None]) & (centres[None] <= b[:, 3, None])
    return (inside_y[:, :, None] & inside_x[:, None, :]).float()[:, None]


class MaskRefiner(nn.Module):
    """U-Net with three poolings: (pixels, coarse logits, box) -> refined logits.

    Args:
        width: channels of the first level (the levels have 1, 2, 3 and 4 times it).
        size: side at which it works; inputs are resized to it.
        img_size: side of the model's input, in which boxes are given.
    """

    #: Coarse logits are divided by this before they enter the network (they reach +-20).
    LOGIT_SCALE = 4.0

    def __init__(self, width: int, size: int, img_size: int) -> None:
        super().__init__()
        self.size = size
        self.img_size = img_size
        c = [width, 2 * width, 3 * width, 4 * width]
        self.down = nn.ModuleList(
            [_block(5, c[0]), _block(c[0], c[1]), _block(c[1], c[2]), _block(c[2], c[3])]
        )
        self.up = nn.ModuleList(
            [_block(c[3] + c[2], c[2]), _block(c[2] + c[1], c[1]), _block(c[1] + c[0], c[0])]
        )
        self.out = nn.Conv2d(c[0], 1, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(
        self, pixels: torch.Tensor, coarse: torch.Tensor, boxes: torch.Tensor
    ) -> torch.Tensor:
        """Refined mask logits.

        Args:
            pixels: (B, 3, H, W) normalised window pixels (any H, W).
            coarse: (B, h, w) the decoder's mask logits of the boxed objects.
            boxes: (B, 4) the boxes, in ``img_size`` pixels.

        Returns:
            (B, size, size) logits: the coarse logits resized, plus the correction.
        """
        side = (self.size, self.size)
        image = F.interpolate(pixels.float(), size=side, mode="bilinear", antialias=True)
        prior = F.interpolate(coarse.float()[:, None], size=side, mode="bilinear")
        x = torch.cat(
            [image, prior / self.LOGIT_SCALE, box_plane(boxes, self.size, self.img_size)], 1
        )
        skips = []
        for k, block in enumerate(self.down):
            x = block(x if k == 0 else F.max_pool2d(x, 2))
            skips.append(x)
        for block, skip in zip(self.up, reversed(skips[:-1])):
            x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear")
            x = block(torch.cat([x, skip], 1))
        return (prior + self.out(x))[:, 0]
