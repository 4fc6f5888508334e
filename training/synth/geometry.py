"""Polygon helpers for the scene generator: shapes, rasterisation, clipping, shadows.

Polygons are float arrays of shape (N, 2) holding (x, y) pixel coordinates, x to the right and
y down, in PIL ``ImageDraw`` convention (integer coordinates are pixel centres). An object is a
list of such polygons; its mask is the union of their rasterisations.
"""

from __future__ import annotations

import bisect
import math
from typing import List, Sequence, Tuple

import numpy as np
from PIL import Image, ImageDraw
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.geometry import box as shapely_box
from shapely.ops import unary_union

Box = Tuple[float, float, float, float]


def transform(local: np.ndarray, cx: float, cy: float, angle: float) -> np.ndarray:
    """Rotate local points (N, 2) by ``angle`` radians (clockwise on screen) and translate."""
    c, s = math.cos(angle), math.sin(angle)
    return np.asarray(local, dtype=np.float64) @ np.array([[c, s], [-s, c]]) + (cx, cy)


_CORNERS = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
_CIRCLES: dict = {}


def rect(cx: float, cy: float, w: float, h: float, angle: float = 0.0) -> np.ndarray:
    """Rectangle (4, 2) of width ``w`` along ``angle`` and height ``h`` across it."""
    return transform(_CORNERS * (w, h), cx, cy, angle)


def circle(cx: float, cy: float, r: float, n: int = 0) -> np.ndarray:
    """Regular polygon approximating a circle; ``n`` vertices (0: chosen from the radius)."""
    n = n or int(min(48, max(12, r * 1.6)))
    unit = _CIRCLES.get(n)
    if unit is None:
        t = np.linspace(0.0, 2.0 * math.pi, n, endpoint=False)
        unit = _CIRCLES[n] = np.stack([np.cos(t), np.sin(t)], axis=1)
    return unit * r + (cx, cy)


def blob(rng, cx: float, cy: float, r: float, rough: float = 0.25) -> np.ndarray:
    """Irregular round shape (a pond): a circle whose radius varies smoothly with the angle."""
    n = 28
    t = np.linspace(0.0, 2.0 * math.pi, n, endpoint=False)
    radius = np.ones(n)
    for k in (2, 3, 5):
        radius += rough / k * rng.uniform(0.5, 1.0) * np.cos(k * t + rng.uniform(0, 2 * math.pi))
    return np.stack([cx + r * radius * np.cos(t), cy + r * radius * np.sin(t)], axis=1)


def sweep(part: np.ndarray, offset: Tuple[float, float]) -> List[np.ndarray]:
    """Area swept by a convex polygon moved by ``offset`` (the shadow of a convex prism),
    minus the polygon itself: the moved copy plus the band joining the two."""
    d = np.asarray(offset, dtype=np.float64)
    proj = part @ np.array([-d[1], d[0]])
    lo, hi = part[int(proj.argmin())], part[int(proj.argmax())]
    return [part + d, np.array([lo, hi, hi + d, lo + d])]


def bbox(polygons: Sequence[np.ndarray]) -> Box:
    """(x0, y0, x1, y1) of the vertices of a list of polygons."""
    pts = polygons[0] if len(polygons) == 1 else np.concatenate(polygons, axis=0)
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def rasterize(polygons: Sequence[np.ndarray], height: int, width: int) -> np.ndarray:
    """Boolean mask (height, width): the union of the filled polygons."""
    img = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(img)
    for poly in polygons:
        if len(poly) >= 3:
            draw.polygon(np.asarray(poly, dtype=np.float64).ravel().tolist(), fill=1)
    return np.frombuffer(img.tobytes(), dtype=np.uint8).reshape(height, width) > 0


def to_shape(polygons: Sequence[np.ndarray]):
    """Valid shapely geometry of the union of polygons (for areas, distances, relations)."""
    parts = [Polygon(p).buffer(0) for p in polygons if len(p) >= 3]
    return unary_union(parts) if len(parts) > 1 else parts[0]


def from_shape(geom) -> List[np.ndarray]:
    """Exterior rings of a (multi)polygon as arrays (holes are dropped; none arise here)."""
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        geoms = [geom]
    elif isinstance(geom, MultiPolygon):
        geoms = list(geom.geoms)
    else:
        geoms = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)]
    return [np.asarray(g.exterior.coords, dtype=np.float64)[:-1] for g in geoms if g.area > 0.5]


def clip(polygons: Sequence[np.ndarray], window: Box) -> List[np.ndarray]:
    """Parts of polygons inside an axis-aligned box."""
    return from_shape(to_shape(polygons).intersection(shapely_box(*window)))


def band(centerline: np.ndarray, width: float) -> List[np.ndarray]:
    """Polygon(s) of a strip of ``width`` around a polyline (a road, a river) with flat ends."""
    return from_shape(LineString(centerline).buffer(width / 2.0, cap_style=2, join_style=2))


def bezier(p0, p1, p2, n: int = 24) -> np.ndarray:
    """Points (n, 2) along a quadratic Bezier curve from p0 via control p1 to p2."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    p0, p1, p2 = (np.asarray(p, dtype=np.float64) for p in (p0, p1, p2))
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2


class Path:
    """A polyline (N, 2) with cached arc lengths, for placing things along roads and rivers."""

    def __init__(self, points: np.ndarray) -> None:
        self.points = np.asarray(points, dtype=np.float64)
        seg = np.diff(self.points, axis=0)
        self._cum = np.concatenate([[0.0], np.cumsum(np.hypot(seg[:, 0], seg[:, 1]))])
        self._angles = np.arctan2(seg[:, 1], seg[:, 0])
        self._cum_list = self._cum.tolist()
        self._pts_list = self.points.tolist()
        self._angle_list = self._angles.tolist()
        self.length = float(self._cum[-1])

    def at(self, s: float) -> Tuple[float, float, float]:
        """(x, y, direction angle) at arc length ``s`` (clamped to the path)."""
        s = min(max(s, 0.0), self.length)
        i = min(bisect.bisect_right(self._cum_list, s) - 1, len(self._angle_list) - 1)
        seg = self._cum_list[i + 1] - self._cum_list[i]
        f = (s - self._cum_list[i]) / seg if seg > 0 else 0.0
        (x0, y0), (x1, y1) = self._pts_list[i], self._pts_list[i + 1]
        return x0 + f * (x1 - x0), y0 + f * (y1 - y0), self._angle_list[i]

    def span_inside(self, size: float, margin: float = 0.0) -> Tuple[float, float]:
        """(first, last) arc length at which the path is within ``margin`` px of a
        ``size`` x ``size`` image (the whole path if it never is)."""
        s = np.arange(0.0, self.length + 4.0, 4.0)
        (x, y), _ = self.sample(s)
        inside = (x > -margin) & (x < size + margin) & (y > -margin) & (y < size + margin)
        if not inside.any():
            return 0.0, self.length
        idx = np.flatnonzero(inside)
        return float(s[idx[0]]), float(s[idx[-1]])

    def sample(self, s: np.ndarray) -> Tuple[Tuple[np.ndarray, np.ndarray], np.ndarray]:
        """Points ((x, y) arrays) and direction angles at the arc lengths ``s`` (1-D array)."""
        s = np.clip(s, 0.0, self.length)
        x = np.interp(s, self._cum, self.points[:, 0])
        y = np.interp(s, self._cum, self.points[:, 1])
        i = np.clip(np.searchsorted(self._cum, s, side="right") - 1, 0, len(self._angles) - 1)
        return (x, y), self._angles[i]
