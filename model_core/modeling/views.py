"""The eight dihedral views of a square window (quarter turns and a mirror), boxes included.

The mask refiner trains on them; the class head averages its probabilities over the first
``views`` of :data:`VIEW_ORDER` (a view-averaged guess is steadier than one view's).
"""

from typing import List, Sequence, Tuple

import torch

#: (quarter turns, mirrored) of each view, in the order the class head uses them: 2 views add
#: the mirror image, 4 the half turn and its mirror, 8 every quarter turn.
VIEW_ORDER: Tuple[Tuple[int, bool], ...] = (
    (0, False), (0, True), (2, False), (2, True), (1, False), (1, True), (3, False), (3, True),
)  # fmt: skip


def turn(
    planes: Sequence[torch.Tensor], boxes: torch.Tensor, quarter_turns: int, flip: bool, side: int
) -> Tuple[List[torch.Tensor], torch.Tensor]:
    """Rotate (B, ..., H, W) planes by quarter turns and optionally mirror them left-right,
    with their (B, 4) boxes in a ``side``-pixel square."""
    planes = list(planes)
    for _ in range(quarter_turns):  # torch.rot90: (x, y) -> (y, side - x)
        planes = [torch.rot90(p, 1, (-2, -1)) for p in planes]
        x0, y0, x1, y1 = boxes.unbind(1)
        boxes = torch.stack([y0, side - x1, y1, side - x0], 1)
    if flip:
        planes = [p.flip(-1) for p in planes]
        x0, y0, x1, y1 = boxes.unbind(1)
        boxes = torch.stack([side - x1, y0, side - x0, y1], 1)
    return planes, boxes
