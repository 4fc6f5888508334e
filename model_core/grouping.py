"""Group boxes that can share one encoded window.

Encoding the window is most of the cost of a box. A box whose side is a sensible fraction of
an already planned window, and which lies inside it, is decoded against that window's
features instead of a new one, so one encoder pass serves all boxes of a neighbourhood.
"""

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Hashable, List, Optional, Sequence, Tuple

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


def pack_groups(groups: Sequence[WindowGroup], batch_size: int) -> List[List[WindowGroup]]:
    """Consecutive groups packed so each pack holds at most ``batch_size`` boxes (a larger
    group is a pack of its own): the boxes of one pack are captioned as one batch, across
    windows. Deterministic, so a distributed run can deal whole packs to its ranks and batch
    exactly as one process does."""
    packs: List[List[WindowGroup]] = []
    count = 0
    for group in groups:
        if packs and count + len(group.members) <= batch_size:
            packs[-1].append(group)
            count += len(group.members)
        else:
            packs.append([group])
            count = len(group.members)
    return packs


def _row(box: Box) -> float:
    """A coarse row key so nearby boxes are visited together."""
    size = max(box[2] - box[0], box[3] - box[1], 1.0)
    return (box[1] + box[3]) / 2 // (4 * size)


def box_in_window(box: Box, window: Box, size: int) -> Box:
    """A source-pixel box in the pixel grid of ``window`` resampled to ``size`` x ``size``."""
    wx0, wy0, wx1, _ = window
    scale = size / (wx1 - wx0)
    x0, y0, x1, y1 = box
    return ((x0 - wx0) * scale, (y0 - wy0) * scale, (x1 - wx0) * scale, (y1 - wy0) * scale)


class WindowMemory:
    """The windows encoded recently, per raster, so a new box can reuse one (LRU-bounded)."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._windows: OrderedDict[Tuple[Hashable, Box], None] = OrderedDict()

    def find(self, key: Hashable, box: Box) -> Optional[Box]:
        """The most recent remembered window of ``key`` that ``box`` fits, if any."""
        for k, window in reversed(self._windows):
            if k == key and fits(box, window):
                return window
        return None

    def remember(self, key: Hashable, window: Box) -> None:
        self._windows[(key, window)] = None
        self._windows.move_to_end((key, window))
        while len(self._windows) > self.size:
            self._windows.popitem(last=False)

    def clear(self) -> None:
        self._windows.clear()
