"""Placement bookkeeping for one scene: occupancy, allowed regions, objects and groups.

Objects must not overlap (so every drawn mask is fully visible) and compact objects must lie
inside the image; a footprint is checked on a small rasterised crop, which is cheap enough to
try a few hundred placements per scene.
"""

from __future__ import annotations

import math
import random
from typing import List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image, ImageDraw

from .geometry import Path, bbox
from .objects import SceneObject


class FastRandom:
    """Scalar draws with numpy Generator signatures, backed by ``random.Random``.

    Layout makes thousands of single draws per scene; one numpy call costs microseconds, one
    ``random.Random`` call a tenth of that. Deterministic for a given seed.
    """

    def __init__(self, seed: int) -> None:
        self._r = random.Random(seed)

    def random(self) -> float:
        return self._r.random()

    def uniform(self, low: float = 0.0, high: float = 1.0, size: Optional[int] = None):
        if size is None:
            return low + (high - low) * self._r.random()
        return np.array([low + (high - low) * self._r.random() for _ in range(size)])

    def integers(self, low: int, high: Optional[int] = None) -> int:
        """Integer in [low, high) (or [0, low) when ``high`` is None)."""
        return self._r.randrange(low, high) if high is not None else self._r.randrange(low)


class Layout:
    """Scene under construction at ``size`` x ``size`` pixels of ``gsd`` metres.

    ``rng`` draws layout decisions (scalars); ``np_rng`` draws noise arrays for textures.
    """

    def __init__(self, np_rng: np.random.Generator, size: int, gsd: float) -> None:
        self.np_rng, self.size, self.gsd = np_rng, size, gsd
        self.rng = FastRandom(int(np_rng.integers(2**62)))
        self.taken = np.zeros((size, size), dtype=bool)
        self.surface = np.zeros((size, size), dtype=bool)
        self.region = np.ones((size, size), dtype=bool)
        self.objects: List[SceneObject] = []
        self.groups: List[Tuple[int, ...]] = []
        self.junctions: List[Tuple[float, float, float]] = []
        self.cover = "grass"

    def m(self, metres: float) -> float:
        """Metres to pixels."""
        return metres / self.gsd

    def uniform_m(self, lo: float, hi: float) -> float:
        """Random length in pixels between ``lo`` and ``hi`` metres."""
        return self.rng.uniform(lo, hi) / self.gsd

    def footprint(
        self, polygons: Sequence[np.ndarray], margin: float = 0.0
    ) -> Optional[Tuple[int, int, np.ndarray]]:
        """(x0, y0, crop mask) of the polygons grown by ``margin`` px; None if not in the image."""
        x0, y0, x1, y1 = bbox(polygons)
        if x0 < 1 or y0 < 1 or x1 > self.size - 2 or y1 > self.size - 2:
            return None
        pad = int(math.ceil(margin)) + 1
        cx0, cy0 = max(0, int(x0) - pad), max(0, int(y0) - pad)
        cx1, cy1 = min(self.size, int(x1) + pad + 2), min(self.size, int(y1) + pad + 2)
        w, h = cx1 - cx0, cy1 - cy0
        img = Image.new("L", (w, h), 0)
        draw = ImageDraw.Draw(img)
        for poly in polygons:
            pts = (np.asarray(poly) - (cx0, cy0)).ravel().tolist()
            draw.polygon(pts, fill=1)
            if margin > 0:
                draw.line(pts + pts[:2], fill=1, width=int(2 * margin) + 1)
        return cx0, cy0, np.frombuffer(img.tobytes(), dtype=np.uint8).reshape(h, w).astype(bool)

    def free(self, polygons: Sequence[np.ndarray], region=None) -> bool:
        """True if the polygons lie in the image and touch no reserved pixel (placed objects
        reserve their footprint plus a margin, so neighbours keep that gap). Without
        ``region`` they must also keep off the surfaces (roads, lots, water) and stay in the
        default region; with ``region`` (a mask, e.g. the road a car is on) they must lie
        inside it."""
        return self._check(polygons, region)

    def _check(self, polygons, region) -> bool:
        x0, y0, x1, y1 = bbox(polygons)
        if x0 < 1 or y0 < 1 or x1 > self.size - 2 or y1 > self.size - 2:
            return False
        if region is None:
            region = self.region
        # fast path: nothing reserved in the bounding box and all of it allowed
        bx0, by0, bx1, by1 = int(x0), int(y0), int(x1) + 2, int(y1) + 2
        box_blocked = self.taken[by0:by1, bx0:bx1]
        if region is self.region:
            box_blocked = box_blocked | self.surface[by0:by1, bx0:bx1]
        if not box_blocked.any() and region[by0:by1, bx0:bx1].all():
            return True
        cx0, cy0, mask = self.footprint(polygons)  # type: ignore[misc]
        h, w = mask.shape
        blocked = self.taken[cy0 : cy0 + h, cx0 : cx0 + w]
        if region is self.region:
            blocked = blocked | self.surface[cy0 : cy0 + h, cx0 : cx0 + w]
        return not (blocked & mask).any() and bool(region[cy0 : cy0 + h, cx0 : cx0 + w][mask].all())

    def mask(self, polygons: Sequence[np.ndarray], margin: float = 0.0) -> np.ndarray:
        """Full-size boolean mask of polygons grown by ``margin`` px (parts outside ignored)."""
        img = Image.new("L", (self.size, self.size), 0)
        draw = ImageDraw.Draw(img)
        for poly in polygons:
            pts = np.asarray(poly, dtype=np.float64).ravel().tolist()
            draw.polygon(pts, fill=1)
            if margin > 0:
                draw.line(pts + pts[:2], fill=1, width=int(2 * margin) + 1)
        return np.frombuffer(img.tobytes(), dtype=np.uint8).reshape(self.size, self.size) > 0

    def add_surface(self, obj: SceneObject, margin: float = 0.0) -> int:
        """Add a ground surface (road, lot, water...) that compact objects must keep off."""
        self.surface |= self.mask(obj.polygons, margin)
        return self.add(obj)

    def add(self, obj: SceneObject) -> int:
        """Append an object without any check; returns its index."""
        self.objects.append(obj)
        return len(self.objects) - 1

    def place(self, obj: SceneObject, margin: float = 1.0, region=None) -> Optional[int]:
        """Add ``obj`` if :meth:`free`; reserve its footprint plus ``margin`` px; its index."""
        if not self._check(obj.polygons, region):
            return None
        x0, y0, mask = self.footprint(obj.polygons, margin)  # type: ignore[misc]
        h, w = mask.shape
        self.taken[y0 : y0 + h, x0 : x0 + w] |= mask
        return self.add(obj)

    def place_all(self, objs: Sequence[SceneObject], margin: float = 1.0, region=None) -> List[int]:
        """Add all objects or none (a cluster of tanks, a row of courts); their indices."""
        saved, count = self.taken.copy(), len(self.objects)
        idx = []
        for o in objs:
            i = self.place(o, margin, region)
            if i is None:
                self.taken, self.objects = saved, self.objects[:count]
                return []
            idx.append(i)
        return idx

    def group(self, indices: Sequence[Optional[int]]) -> None:
        """Register placed objects (at least two) as a group a record may target together."""
        idx = tuple(i for i in indices if i is not None)
        if len(idx) >= 2:
            self.groups.append(idx)

    def random_point(self, border: float = 0.0) -> Tuple[float, float]:
        """Uniform point at least ``border`` px inside the image."""
        lo, hi = border, self.size - 1 - border
        return float(self.rng.uniform(lo, hi)), float(self.rng.uniform(lo, hi))


def road_frame(path: Path, s: float, side: int, dist: float) -> Tuple[float, float, float]:
    """(x, y, angle) of a point ``dist`` px to one side (+1 right, -1 left) of a road's centre
    line at arc length ``s``; ``angle`` is the local direction of the road."""
    x, y, ang = path.at(s)
    return x - side * math.sin(ang) * dist, y + side * math.cos(ang) * dist, ang
