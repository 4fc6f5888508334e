"""Group boxes that can share one encoded window.

Encoding the window is most of the cost of a box. A box whose side is a sensible fraction of
an already planned window, and which lies inside it, is decoded against that window's
features instead of a new one, so one encoder pass serves all boxes of a neighbourhood.
"""

from dataclasses import dataclass, field
from typing import List, Sequence, Tuple

from .window import context_window

Box = Tuple[float, float, float, float]

#: A box may reuse a window when its longer side is within this fraction of the window side
#: (the model is trained with the box at 1 / (1 + 2 * context) of the window: 0.5 by default).
MIN_FILL, MAX_FILL = 0.3, 0.75


@dataclass
class WindowGroup:
    """A square window (source pixels) and the indices of the boxes decoded in it."""

    window: Box
    members: List[int] = field(default_factory=list)


def fits(box: Box, window: Box, min_fill: float = MIN_FILL, max_fill: float = MAX_FILL) -> bool:
    """True when ``box`` lies inside ``window`` at a scale the model handles well."""
    x0, y0, x1, y1 = box
    wx0, wy0, wx1, wy1 = window
    side = wx1 - wx0
    fill = max(x1 - x0, y1 - y0) / side
    inside = x0 >= wx0 and y0 >= wy0 and x1 <= wx1 and y1 <= wy1
    return inside and min_fill <= fill <= max_fill


def group_boxes(boxes: Sequence[Box], context: float, lookback: int = 64) -> List[WindowGroup]:
    """Greedy grouping in reading order (rows of windows, then columns).

    Each box joins the most recent of the last ``lookback`` groups whose window it fits;
    otherwise it opens a group with its own context window. Deterministic for a given input,
    so every process of a distributed run plans the same groups.
    """
    order = sorted(range(len(boxes)), key=lambda i: (_row(boxes[i]), boxes[i][0], i))
    groups: List[WindowGroup] = []
    for index in order:
        box = boxes[index]
        for group in reversed(groups[-lookback:]):
            if fits(box, group.window):
                group.members.append(index)
                break
        else:
            groups.append(WindowGroup(context_window(box, context), [index]))
    return groups


def _row(box: Box) -> float:
    """A coarse row key so nearby boxes are visited together."""
    size = max(box[2] - box[0], box[3] - box[1], 1.0)
    return (box[1] + box[3]) / 2 // (4 * size)
