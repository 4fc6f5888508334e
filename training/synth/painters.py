"""Painters: draw each object kind top-down with PIL, from the polygons and style of its object.

A painter draws exactly the object's polygons as its footprint (so the object mask is the
rasterised polygon list) and may add detail inside it (lines, roof halves, windows). Shadows are
returned as polygons by :func:`shadow_parts` and darkened in one pass by the scene renderer.
"""

from __future__ import annotations

import math
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np
from PIL import ImageDraw

from .geometry import circle, rect, sweep, transform

Colour = Tuple[int, int, int]


def shade(colour: Sequence[float], factor: float = 1.0, add: float = 0.0) -> Colour:
    """Colour scaled by ``factor`` plus ``add``, clipped to 0..255 ints (PIL fill)."""
    return tuple(int(min(255, max(0, c * factor + add))) for c in colour)  # type: ignore[return-value]


def _pts(poly: np.ndarray) -> List[float]:
    """Flat [x0, y0, x1, y1, ...] list, the fastest form PIL's drawing accepts."""
    return np.asarray(poly, dtype=np.float64).ravel().tolist()


class Painter:
    """Draws objects on one image; ``sun`` is the unit vector (x, y) from ground towards the sun."""

    def __init__(self, draw: ImageDraw.ImageDraw, sun: Tuple[float, float], gsd: float) -> None:
        self.draw, self.sun, self.gsd = draw, sun, gsd

    def poly(self, poly: np.ndarray, colour: Sequence[float]) -> None:
        self.draw.polygon(_pts(poly), fill=shade(colour))

    def line(self, pts: np.ndarray, colour: Sequence[float], width: float = 1.0) -> None:
        self.draw.line(_pts(pts), fill=shade(colour), width=max(1, int(round(width))))

    def local_line(self, st: Dict, pts: Sequence[Tuple[float, float]], colour, width=1.0) -> None:
        """A polyline given in the object's local frame, in metres."""
        m = np.asarray(pts, dtype=np.float64) / self.gsd
        self.line(transform(m, st["cx"], st["cy"], st["angle"]), colour, width)

    def lit(self, normal_angle: float) -> float:
        """Brightness factor of a roof face whose outward normal points at ``normal_angle``."""
        return 1.0 + 0.22 * (
            math.cos(normal_angle) * self.sun[0] + math.sin(normal_angle) * self.sun[1]
        )


# --- ground-level kinds -------------------------------------------------------------------


def paint_surface(p: Painter, obj) -> None:
    """Flat surfaces (water, apron, parking lot, pier, pond): the fill, then optional lines."""
    st = obj.style
    for poly in obj.polygons:
        if st.get("edge"):
            p.draw.polygon(_pts(poly), fill=shade(st["edge"]))
            p.poly(_shrink(poly, st.get("edge_px", 1.5)), st["colour"])
        else:
            p.poly(poly, st["colour"])
    if st.get("deep"):
        for poly in obj.polygons:
            p.poly(_shrink(poly, st["deep_px"]), st["deep"])
    for pts, colour, width in st.get("lines", ()):
        p.line(pts, colour, width)


def _shrink(poly: np.ndarray, d: float) -> np.ndarray:
    """Polygon pulled ``d`` pixels towards its centroid along each vertex direction (approx.)."""
    c = poly.mean(axis=0)
    v = poly - c
    n = np.hypot(v[:, 0], v[:, 1])[:, None]
    return c + v * np.clip((n - d) / np.maximum(n, 1e-6), 0.0, 1.0)


def paint_band(p: Painter, obj) -> None:
    """Roads and rivers: banks/verge strip, then the body along the centreline."""
    st = obj.style
    if st.get("bank"):
        p.line(st["centerline"], st["bank"], st["width"] + st["bank_px"] * 2)
    for poly in obj.polygons:
        p.poly(poly, st["colour"])


def paint_road_marks(p: Painter, obj) -> None:
    """Lane markings of a road: dashed centre line, solid edge lines; none near junctions."""
    st = obj.style
    for pts, colour, width in st.get("lines", ()):
        p.line(pts, colour, width)


def paint_tennis(p: Painter, obj) -> None:
    st = obj.style
    p.poly(obj.polygons[0], st["surround"])
    p.poly(rect(st["cx"], st["cy"], 23.77 / p.gsd, 10.97 / p.gsd, st["angle"]), st["colour"])
    w = (235, 235, 230)
    a, b, s = 11.885, 5.485, 4.115
    p.local_line(st, [(-a, -b), (a, -b), (a, b), (-a, b), (-a, -b)], w)
    p.local_line(st, [(-a, -s), (a, -s)], w)
    p.local_line(st, [(-a, s), (a, s)], w)
    p.local_line(st, [(-6.4, -s), (-6.4, s)], w)
    p.local_line(st, [(6.4, -s), (6.4, s)], w)
    p.local_line(st, [(-6.4, 0), (6.4, 0)], w)
    p.local_line(st, [(0, -b - 0.9), (0, b + 0.9)], (40, 40, 40))


def paint_basketball(p: Painter, obj) -> None:
    st = obj.style
    p.poly(obj.polygons[0], st["surround"])
    p.poly(rect(st["cx"], st["cy"], 28.0 / p.gsd, 15.0 / p.gsd, st["angle"]), st["colour"])
    w = (235, 235, 230)
    a, b = 14.0, 7.5
    p.local_line(st, [(-a, -b), (a, -b), (a, b), (-a, b), (-a, -b)], w)
    p.local_line(st, [(0, -b), (0, b)], w)
    t = np.linspace(0, 2 * math.pi, 20)
    p.local_line(st, np.stack([1.8 * np.cos(t), 1.8 * np.sin(t)], 1), w)
    arc = np.linspace(-1.2, 1.2, 16)
    for sgn in (-1, 1):
        p.local_line(
            st,
            [(sgn * a, -2.45), (sgn * (a - 5.8), -2.45), (sgn * (a - 5.8), 2.45), (sgn * a, 2.45)],
            w,
        )
        pts = np.stack([sgn * (a - 1.575 - 6.75 * np.cos(arc)), 6.75 * np.sin(arc)], 1)
        p.local_line(st, pts, w)


def paint_soccer(p: Painter, obj) -> None:
    st = obj.style
    length, width = st["length"], st["width"]
    p.poly(obj.polygons[0], st["colour"])
    n = 10
    for k in range(0, n, 2):
        x = -length / 2 + (k + 0.5) * length / n
        p.poly(
            rect(*_local_point(st, x, 0, p.gsd), length / n / p.gsd, width / p.gsd, st["angle"]),
            shade(st["colour"], 1.1),
        )
    w = (235, 235, 230)
    a, b = length / 2, width / 2
    k = length / 105.0
    p.local_line(st, [(-a, -b), (a, -b), (a, b), (-a, b), (-a, -b)], w)
    p.local_line(st, [(0, -b), (0, b)], w)
    t = np.linspace(0, 2 * math.pi, 24)
    p.local_line(st, np.stack([9.15 * k * np.cos(t), 9.15 * k * np.sin(t)], 1), w)
    for sgn in (-1, 1):
        for depth, half in ((16.5 * k, min(20.15 * k, b - 1)), (5.5 * k, 9.16 * k)):
            p.local_line(
                st,
                [
                    (sgn * a, -half),
                    (sgn * (a - depth), -half),
                    (sgn * (a - depth), half),
                    (sgn * a, half),
                ],
                w,
            )


def _local_point(st: Dict, x: float, y: float, gsd: float) -> Tuple[float, float]:
    pt = transform(np.array([[x / gsd, y / gsd]]), st["cx"], st["cy"], st["angle"])[0]
    return float(pt[0]), float(pt[1])


def paint_track(p: Painter, obj) -> None:
    st = obj.style
    for poly in obj.polygons:
        p.poly(poly, st["colour"])
    for r in np.linspace(st["r_in"], st["r_out"], 5)[1:-1]:
        p.local_line(st, stadium(st["straight"], r), shade(st["colour"], 1.0, 45))


def stadium(straight: float, radius: float, n: int = 14) -> np.ndarray:
    """Closed outline (local metres) of a running-track shape: two straights, two half circles."""
    t = np.linspace(-math.pi / 2, math.pi / 2, n)
    right = np.stack([straight / 2 + radius * np.cos(t), radius * np.sin(t)], 1)
    left = np.stack([-straight / 2 - radius * np.cos(t), -radius * np.sin(t)], 1)
    return np.concatenate([right, left, right[:1]], 0)


def paint_pool(p: Painter, obj) -> None:
    st = obj.style
    p.poly(st["deck"], st["deck_colour"])
    p.poly(obj.polygons[0], shade(st["colour"], 0.85))
    p.poly(
        rect(st["cx"], st["cy"], st["length"] / p.gsd - 2, st["width"] / p.gsd - 2, st["angle"]),
        st["colour"],
    )
    if st.get("lanes"):
        lanes = max(2, int(st["width"] / 2.5))
        for k in range(1, lanes):
            y = -st["width"] / 2 + k * st["width"] / lanes
            p.local_line(
                st,
                [(-st["length"] / 2 + 1.5, y), (st["length"] / 2 - 1.5, y)],
                shade(st["colour"], 0.7),
            )


def paint_roundabout(p: Painter, obj) -> None:
    st = obj.style
    p.poly(obj.polygons[0], st["colour"])
    p.poly(circle(st["cx"], st["cy"], st["r_island"] + 0.6 / p.gsd), (200, 200, 195))
    p.poly(circle(st["cx"], st["cy"], st["r_island"]), st["island"])
    r_mid = (st["r"] + st["r_island"]) / 2
    t = np.linspace(0, 2 * math.pi, 40)
    pts = np.stack([st["cx"] + r_mid * np.cos(t), st["cy"] + r_mid * np.sin(t)], 1)
    for k in range(0, 39, 2):
        p.line(pts[k : k + 2], (220, 220, 215))


# --- elevated kinds (cast shadows) --------------------------------------------------------


def paint_building(p: Painter, obj) -> None:
    st = obj.style
    colour = st["colour"]
    if st["roof"] == "gabled":
        cx, cy, w, h, ang = st["rect"]
        half_a = rect(*_offset(cx, cy, ang, 0.0, -h / 4), w, h / 2, ang)
        half_b = rect(*_offset(cx, cy, ang, 0.0, h / 4), w, h / 2, ang)
        p.poly(half_a, shade(colour, p.lit(ang - math.pi / 2)))
        p.poly(half_b, shade(colour, p.lit(ang + math.pi / 2)))
        c, s = math.cos(ang), math.sin(ang)
        ridge = np.array([[cx - c * w / 2, cy - s * w / 2], [cx + c * w / 2, cy + s * w / 2]])
        p.line(ridge, shade(colour, 1.15))
        return
    for poly in obj.polygons:
        p.draw.polygon(_pts(poly), fill=shade(colour, 0.88), outline=shade(colour, 1.08))
    for poly in st.get("inner", ()):
        p.poly(poly, colour)
    for poly in st.get("units", ()):
        p.draw.polygon(
            _pts(poly), fill=shade(st["unit_colour"]), outline=shade(st["unit_colour"], 0.75)
        )


def _offset(cx: float, cy: float, angle: float, u: float, v: float) -> Tuple[float, float]:
    c, s = math.cos(angle), math.sin(angle)
    return cx + u * c - v * s, cy + u * s + v * c


def paint_tank(p: Painter, obj) -> None:
    st = obj.style
    cx, cy, r = st["cx"], st["cy"], st["r"]
    p.poly(obj.polygons[0], shade(st["colour"], 0.78))
    sx, sy = p.sun
    for k, (fr, fc) in enumerate(((0.92, 0.9), (0.75, 1.0), (0.55, 1.07), (0.3, 1.12))):
        off = r * 0.08 * (k + 1)
        p.poly(circle(cx + sx * off, cy + sy * off, r * fr), shade(st["colour"], fc))
    p.poly(circle(cx, cy, max(1.0, r * 0.08), 8), shade(st["colour"], 0.7))


def paint_tree(p: Painter, obj) -> None:
    st = obj.style
    sx, sy = p.sun
    for (cx, cy, r), colour in zip(st["crowns"], st["colours"]):
        p.poly(circle(cx, cy, r), shade(colour, 0.8))
        p.poly(circle(cx + sx * r * 0.25, cy + sy * r * 0.25, r * 0.7), colour)
        p.poly(circle(cx + sx * r * 0.45, cy + sy * r * 0.45, r * 0.35), shade(colour, 1.18))


def paint_vehicle(p: Painter, obj) -> None:
    st = obj.style
    cx, cy, ang, length, width = st["cx"], st["cy"], st["angle"], st["length"], st["width"]
    p.poly(obj.polygons[0], st["colour"])
    if st["type"] == "car":
        glass = (40, 44, 50)
        p.poly(
            rect(*_offset(cx, cy, ang, length * 0.17, 0), length * 0.18, width * 0.82, ang), glass
        )
        p.poly(
            rect(*_offset(cx, cy, ang, -length * 0.3, 0), length * 0.1, width * 0.78, ang), glass
        )
    elif st["type"] == "truck":
        p.poly(rect(*_offset(cx, cy, ang, length * 0.41, 0), length * 0.18, width, ang), st["cab"])
        p.poly(
            rect(*_offset(cx, cy, ang, length * 0.31, 0), max(1.0, length * 0.03), width, ang),
            (50, 50, 50),
        )
    else:
        for u in (-0.25, 0.05):
            p.poly(
                rect(*_offset(cx, cy, ang, length * u, 0), length * 0.12, width * 0.6, ang),
                shade(st["colour"], 0.8, 20),
            )


def paint_plane(p: Painter, obj) -> None:
    st = obj.style
    p.poly(obj.polygons[0], shade(st["colour"], 0.92))
    for part in st["parts"][:1]:
        p.poly(part, st["colour"])
    for eng in st["engines"]:
        p.poly(eng, (90, 92, 96))
    p.poly(st["tail"], st["tail_colour"])


def paint_ship(p: Painter, obj) -> None:
    st = obj.style
    p.poly(obj.polygons[0], shade(st["colour"], 0.7))
    p.poly(st["deck"], st["colour"])
    for poly, colour in st["details"]:
        p.poly(poly, colour)


def paint_baseball(p: Painter, obj) -> None:
    """Outfield grass, dirt infield arc, grass diamond, foul lines, bases and the mound."""
    st = obj.style
    r = st["radius"]
    p.poly(obj.polygons[0], st["colour"])
    t = np.linspace(-math.pi / 4, math.pi / 4, 10)
    ri = 0.45 * r
    infield = np.concatenate([[[0.0, 0.0]], np.stack([ri * np.cos(t), ri * np.sin(t)], 1)])
    p.poly(transform(infield, st["cx"], st["cy"], st["angle"]), st["dirt"])
    side = 0.3 * r
    diamond = np.array([[0.0, 0.0], [side, -side], [2 * side, 0.0], [side, side]]) * 0.72
    p.poly(
        transform(diamond + [0.12 * side, 0], st["cx"], st["cy"], st["angle"]),
        shade(st["colour"], 1.08),
    )
    white = (236, 236, 230)
    for sgn in (-1, 1):
        foul = np.array([[0.0, 0.0], [r * 0.7071, sgn * r * 0.7071]])
        p.line(transform(foul, st["cx"], st["cy"], st["angle"]), white)
    mound = transform(np.array([[0.42 * side * 1.7, 0.0]]), st["cx"], st["cy"], st["angle"])[0]
    p.poly(circle(mound[0], mound[1], max(1.5, 0.03 * r), 10), st["dirt"])


def paint_helicopter(p: Painter, obj) -> None:
    st = obj.style
    p.poly(obj.polygons[0], shade(st["colour"], 0.85))
    p.poly(st["cabin"], st["colour"])
    for blade in st["blades"]:
        p.poly(blade, (54, 56, 60))


def paint_containers(p: Painter, obj) -> None:
    p.poly(obj.polygons[0], (70, 70, 68))
    for poly, colour in obj.style["boxes"]:
        p.draw.polygon(_pts(poly), fill=shade(colour), outline=shade(colour, 0.8))


def paint_bridge(p: Painter, obj) -> None:
    st = obj.style
    p.poly(obj.polygons[0], st["colour"])
    for rail in st["rails"]:
        p.poly(rail, shade(st["colour"], 1.2))


GROUND_PAINTERS: Dict[str, Callable] = {
    "water": paint_surface,
    "river": paint_band,
    "apron": paint_surface,
    "runway": paint_surface,
    "road": paint_band,
    "parking lot": paint_surface,
    "pier": paint_surface,
    "pond": paint_surface,
    "soccer field": paint_soccer,
    "running track": paint_track,
    "tennis court": paint_tennis,
    "basketball court": paint_basketball,
    "swimming pool": paint_pool,
    "roundabout": paint_roundabout,
    "baseball diamond": paint_baseball,
}
ELEVATED_PAINTERS: Dict[str, Callable] = {
    "bridge": paint_bridge,
    "helicopter": paint_helicopter,
    "container stack": paint_containers,
    "small vehicle": paint_vehicle,
    "large vehicle": paint_vehicle,
    "plane": paint_plane,
    "ship": paint_ship,
    "building": paint_building,
    "storage tank": paint_tank,
    "tree": paint_tree,
    "tree cluster": paint_tree,
}


def shadow_parts(obj, offset: Tuple[float, float]) -> List[np.ndarray]:
    """Shadow polygons of an elevated object for a shadow vector ``offset`` per metre of height."""
    st = obj.style
    h = st.get("height", 0.0)
    if h <= 0:
        return []
    off = np.array([offset[0] * h, offset[1] * h])
    if obj.kind in ("tree", "tree cluster"):
        out = []
        for cx, cy, r in st["crowns"]:
            out += sweep(circle(cx, cy, r, 12) + off * 0.35, off * 0.65)
        return out
    if obj.kind == "plane":
        return [part + off for part in st["parts"]]
    out = []
    for part in st.get("parts", obj.polygons):
        out += sweep(part, off)
    return out
