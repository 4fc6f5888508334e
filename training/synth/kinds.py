"""Object factories: one function per kind, returning an unplaced :class:`SceneObject`.

Sizes are drawn in metres from ranges with a gap between "small" and "large", so the size word
of a caption is never borderline; colours are named palette entries with a little jitter, so the
colour word is what the pixels show.
"""

from __future__ import annotations

import math
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from shapely.geometry import Polygon
from shapely.geometry import box as sbox
from shapely.ops import unary_union

from .geometry import Path, band, blob, circle, from_shape, rect, transform
from .layout import Layout
from .objects import SceneObject
from .painters import stadium

RGB = Tuple[float, float, float]

ROOF = {
    "red": (158, 74, 58),
    "brown": (124, 94, 70),
    "grey": (134, 134, 132),
    "white": (214, 214, 208),
    "blue": (74, 104, 144),
}
CAR = {
    "white": (226, 226, 224),
    "black": (40, 40, 44),
    "grey": (142, 144, 148),
    "red": (172, 44, 40),
    "blue": (46, 66, 144),
}
TRUCK = {
    "white": (224, 224, 222),
    "grey": (152, 154, 157),
    "red": (170, 52, 42),
    "blue": (52, 82, 152),
    "yellow": (214, 180, 52),
}
TANK = {"white": (224, 224, 220), "grey": (150, 150, 148)}
TENNIS = {"green": (66, 130, 86), "blue": (60, 100, 154), "red": (170, 86, 64)}
BASKETBALL = {"orange": (206, 124, 64), "blue": (62, 104, 158), "green": (72, 136, 90)}
SHIP = {
    "white": (222, 222, 220),
    "grey": (130, 134, 138),
    "red": (152, 60, 50),
    "blue": (54, 74, 124),
}
PLANE = {"white": (234, 234, 234), "grey": (166, 168, 171)}
HELICOPTER = {
    "white": (230, 230, 228),
    "red": (176, 52, 44),
    "yellow": (214, 184, 56),
    "grey": (120, 124, 128),
}
TAILS = {
    "red": (170, 50, 45),
    "blue": (50, 70, 150),
    "white": (236, 236, 236),
    "grey": (120, 122, 126),
}
GREENS = ((62, 86, 46), (72, 96, 50), (52, 74, 44), (80, 100, 56))
ASPHALT = (84, 85, 87)
WATER = (42, 70, 84)


def choose(L: Layout, options: Sequence, weights: Optional[Sequence[float]] = None):
    """One of ``options`` (uniform, or by ``weights`` that sum to 1); cheaper than rng.choice."""
    if weights is None:
        return options[int(L.rng.integers(len(options)))]
    u, acc = L.rng.random(), 0.0
    for opt, w in zip(options, weights):
        acc += w
        if u < acc:
            return opt
    return options[-1]


def pick(
    L: Layout, palette: Dict[str, RGB], name: Optional[str] = None, weights=None
) -> Tuple[str, RGB]:
    """A colour name (given or drawn) and its RGB with a small random jitter."""
    if name is None:
        name = choose(L, list(palette), weights)
    f = L.rng.uniform(0.94, 1.06)
    return name, tuple(
        min(255.0, max(0.0, c * f + d)) for c, d in zip(palette[name], L.rng.uniform(-6, 6, 3))
    )


def jitter(L: Layout, rgb: Sequence[float], amount: float = 8.0) -> RGB:
    return tuple(
        min(255.0, max(0.0, c + d)) for c, d in zip(rgb, L.rng.uniform(-amount, amount, 3))
    )


# --- buildings ------------------------------------------------------------------------------


def building_dims(L: Layout, size: str) -> Tuple[float, float]:
    """(frontage, depth) in pixels of a small (< 200 m2) or large (> 450 m2) building."""
    if size == "small":
        return L.uniform_m(9, 16), L.uniform_m(7, 12)
    return L.uniform_m(26, 56), L.uniform_m(18, 32)


def building(
    L: Layout,
    cx: float,
    cy: float,
    angle: float,
    dims: Tuple[float, float],
    size: str,
    colour: Optional[str] = None,
    roof: Optional[str] = None,
    l_shaped: Optional[bool] = None,
) -> SceneObject:
    """A building footprint (rectangle or L) with a flat or gabled roof, ``dims`` in pixels."""
    w, d = dims
    rng = L.rng
    if l_shaped is None:
        l_shaped = roof != "gabled" and rng.random() < (0.3 if size == "large" else 0.15)
    if roof is None:
        roof = (
            "flat" if l_shaped or rng.random() < (0.85 if size == "large" else 0.25) else "gabled"
        )
    weights = [0.15, 0.1, 0.35, 0.3, 0.1] if size == "large" else [0.35, 0.25, 0.25, 0.05, 0.1]
    name, rgb = pick(L, ROOF, colour, None if colour else weights)
    attrs = {"size": size, "colour": name, "roof": roof}
    style = {
        "colour": rgb,
        "roof": roof,
        "height": rng.uniform(4, 7) if size == "small" else rng.uniform(6, 12),
    }
    if l_shaped:
        attrs["shape"] = "L-shaped"
        fw, fd = rng.uniform(0.4, 0.6) * w, rng.uniform(0.4, 0.6) * d
        sx, sy = choose(L, (-1, 1)), choose(L, (-1, 1))
        a = np.array([[-w / 2, -d / 2], [w / 2, -d / 2], [w / 2, d / 2], [-w / 2, d / 2]])
        notch_x, notch_y = sx * (w / 2 - fw), sy * (d / 2 - fd)
        corner = np.array([sx * w / 2, sy * d / 2])
        outline = []
        for k, p in enumerate(a):
            if np.allclose(p, corner):
                along_x = np.isclose(a[k - 1][1], p[1])  # reached along a horizontal edge
                cut = [[notch_x, p[1]], [notch_x, notch_y], [p[0], notch_y]]
                outline += cut if along_x else cut[::-1]
            else:
                outline.append(list(p))
        poly = transform(np.array(outline), cx, cy, angle)
        part_a = rect(0, 0, w, d - fd)
        part_a = transform(part_a + np.array([0, -sy * fd / 2]), cx, cy, angle)
        part_b = rect(0, 0, w - fw, fd)
        part_b = transform(part_b + np.array([-sx * fw / 2, sy * (d - fd) / 2]), cx, cy, angle)
        style["parts"] = [part_a, part_b]
        polys = [poly]
    else:
        polys = [rect(cx, cy, w, d, angle)]
        style["parts"] = polys
        long_w, long_d, ridge = (w, d, angle) if w >= d else (d, w, angle + math.pi / 2)
        style["rect"] = (cx, cy, long_w, long_d, ridge)
        if roof == "flat":
            style["inner"] = [rect(cx, cy, w - 3, d - 3, angle)] if min(w, d) > 8 else []
            if size == "large":
                units = []
                for _ in range(int(rng.integers(0, 5))):
                    u = rng.uniform(-0.35, 0.35) * w
                    v = rng.uniform(-0.3, 0.3) * d
                    c, s = math.cos(angle), math.sin(angle)
                    units.append(
                        rect(
                            cx + u * c - v * s,
                            cy + u * s + v * c,
                            L.uniform_m(2, 4),
                            L.uniform_m(1.5, 3),
                            angle,
                        )
                    )
                style["units"] = units
                style["unit_colour"] = (196, 198, 200) if name != "white" else (160, 162, 165)
    return SceneObject("building", polys, attrs, style)


# --- vehicles -------------------------------------------------------------------------------


def vehicle(
    L: Layout, cx: float, cy: float, angle: float, large: bool = False, colour: Optional[str] = None
) -> SceneObject:
    """A car (small vehicle) or a truck or bus (large vehicle) pointing along ``angle``."""
    rng = L.rng
    if not large:
        name, rgb = pick(L, CAR, colour, None if colour else [0.32, 0.18, 0.26, 0.12, 0.12])
        length, width = L.uniform_m(4.2, 5.0), L.uniform_m(1.8, 2.0)
        style = {"type": "car", "height": 1.5}
        kind, size = "small vehicle", "small"
    else:
        name, rgb = pick(L, TRUCK, colour, None if colour else [0.4, 0.2, 0.15, 0.15, 0.1])
        vtype = "bus" if rng.random() < 0.25 else "truck"
        length = L.uniform_m(12, 16.5) if vtype == "truck" else L.uniform_m(12, 13.5)
        width = L.m(2.55)
        style = {"type": vtype, "height": 3.6, "cab": jitter(L, CAR[choose(L, list(CAR))])}
        kind, size = "large vehicle", "large"
    style.update(colour=rgb, cx=cx, cy=cy, angle=angle, length=length, width=width)
    return SceneObject(
        kind, [rect(cx, cy, length, width, angle)], {"size": size, "colour": name}, style
    )


# --- industrial -----------------------------------------------------------------------------


def tank(
    L: Layout, cx: float, cy: float, r: float, size: str, colour: Optional[str] = None
) -> SceneObject:
    name, rgb = pick(L, TANK, colour)
    style = {
        "cx": cx,
        "cy": cy,
        "r": r,
        "colour": rgb,
        "height": r * L.gsd * L.rng.uniform(0.8, 1.3),
    }
    return SceneObject("storage tank", [circle(cx, cy, r)], {"size": size, "colour": name}, style)


def tank_radius(L: Layout, size: str) -> float:
    return L.uniform_m(4, 6.5) if size == "small" else L.uniform_m(9, 15)


# --- vegetation and water --------------------------------------------------------------------


def tree(L: Layout, cx: float, cy: float, r: Optional[float] = None) -> SceneObject:
    r = L.uniform_m(2.2, 4.8) if r is None else r
    style = {
        "crowns": [(cx, cy, r)],
        "colours": [jitter(L, GREENS[int(L.rng.integers(len(GREENS)))])],
        "height": L.rng.uniform(6, 14),
    }
    return SceneObject("tree", [circle(cx, cy, r, 14)], {}, style)


def tree_cluster(L: Layout, cx: float, cy: float, radius: float) -> SceneObject:
    """Overlapping crowns inside ``radius`` px: one object with one polygon per crown."""
    rng = L.rng
    n = int(np.clip(radius * radius / L.m(3.5) ** 2 * 0.9, 5, 18))
    crowns, colours = [], []
    base = GREENS[int(rng.integers(len(GREENS)))]
    for _ in range(n):
        a, d = rng.uniform(0, 2 * math.pi), radius * math.sqrt(rng.random()) * 0.8
        r = L.uniform_m(2.6, 4.6)
        crowns.append((cx + d * math.cos(a), cy + d * math.sin(a), r))
        colours.append(jitter(L, base, 10))
    polys = [circle(x, y, r, 14) for x, y, r in crowns]
    return SceneObject(
        "tree cluster",
        polys,
        {},
        {"crowns": crowns, "colours": colours, "height": rng.uniform(8, 16)},
    )


def pond(L: Layout, cx: float, cy: float, size: str) -> SceneObject:
    r = L.uniform_m(8, 13) if size == "small" else L.uniform_m(17, 27)
    colour = jitter(L, WATER, 6)
    poly = blob(L.rng, cx, cy, r, 0.3)
    style = {
        "colour": colour,
        "edge": (118, 116, 88),
        "edge_px": 1.5,
        "deep": tuple(c * 0.85 for c in colour),
        "deep_px": r * 0.35,
    }
    return SceneObject("pond", [poly], {"size": size}, style)


# --- sports ---------------------------------------------------------------------------------


def tennis_court(
    L: Layout, cx: float, cy: float, angle: float, colour: Optional[str] = None
) -> SceneObject:
    name, rgb = pick(L, TENNIS, colour)
    surround = jitter(L, (84, 120, 84) if name != "red" else (150, 92, 72), 6)
    style = {"cx": cx, "cy": cy, "angle": angle, "colour": rgb, "surround": surround}
    return SceneObject(
        "tennis court", [rect(cx, cy, L.m(34.0), L.m(17.0), angle)], {"colour": name}, style
    )


def basketball_court(
    L: Layout, cx: float, cy: float, angle: float, colour: Optional[str] = None
) -> SceneObject:
    name, rgb = pick(L, BASKETBALL, colour)
    style = {
        "cx": cx,
        "cy": cy,
        "angle": angle,
        "colour": rgb,
        "surround": jitter(L, (120, 120, 116), 6),
    }
    return SceneObject(
        "basketball court", [rect(cx, cy, L.m(31.0), L.m(18.0), angle)], {"colour": name}, style
    )


def swimming_pool(L: Layout, cx: float, cy: float, angle: float, size: str) -> SceneObject:
    """A pool (water polygon) with a deck around it; large pools have lane lines."""
    if size == "small":
        lm, wm = L.rng.uniform(9, 14), L.rng.uniform(4.5, 7)
    else:
        lm, wm = choose(L, (25.0, 33.0, 50.0)), L.rng.uniform(12, 20)
    deck = L.m(1.5 if size == "small" else 4.0)
    style = {
        "cx": cx,
        "cy": cy,
        "angle": angle,
        "length": lm,
        "width": wm,
        "lanes": size == "large",
        "colour": jitter(L, (64, 184, 204), 8),
        "deck_colour": jitter(L, (206, 200, 186), 8),
        "deck": rect(cx, cy, L.m(lm) + 2 * deck, L.m(wm) + 2 * deck, angle),
    }
    return SceneObject(
        "swimming pool", [rect(cx, cy, L.m(lm), L.m(wm), angle)], {"size": size}, style
    )


def soccer_field(L: Layout, cx: float, cy: float, angle: float) -> Tuple[SceneObject, SceneObject]:
    """A soccer field and the running track around it (two half-ring polygons)."""
    lm = L.rng.uniform(48, 60)
    wm = lm * L.rng.uniform(0.6, 0.68)
    style = {
        "cx": cx,
        "cy": cy,
        "angle": angle,
        "length": lm,
        "width": wm,
        "colour": jitter(L, (80, 136, 64), 6),
    }
    field = SceneObject("soccer field", [rect(cx, cy, L.m(lm + 5), L.m(wm + 5), angle)], {}, style)
    half_w = wm / 2 + 2.5
    r_in = half_w + 1.5
    straight = lm + 5 - 2 * math.sqrt(max(0.0, r_in**2 - half_w**2)) + 2
    r_out = r_in + 7.3
    halves = []
    for sgn in (1, -1):
        outer = _half_stadium(straight, r_out) * [sgn, 1]
        inner = _half_stadium(straight, r_in)[::-1] * [sgn, 1]
        halves.append(transform(np.concatenate([outer, inner]) / L.gsd, cx, cy, angle))
    tstyle = {
        "cx": cx,
        "cy": cy,
        "angle": angle,
        "straight": straight,
        "r_in": r_in,
        "r_out": r_out,
        "colour": jitter(L, (170, 88, 68), 6),
    }
    return field, SceneObject("running track", halves, {}, tstyle)


def _half_stadium(straight: float, radius: float, n: int = 16) -> np.ndarray:
    """Right half (x >= 0) of a stadium outline in metres, from (0, -r) round to (0, r)."""
    t = np.linspace(-math.pi / 2, math.pi / 2, n)
    arc = np.stack([straight / 2 + radius * np.cos(t), radius * np.sin(t)], 1)
    return np.concatenate([[[0.0, -radius]], arc, [[0.0, radius]]])


def track_outline(L: Layout, track: SceneObject) -> np.ndarray:
    st = track.style
    return transform(stadium(st["straight"], st["r_out"]) / L.gsd, st["cx"], st["cy"], st["angle"])


# --- transport ------------------------------------------------------------------------------


def road(
    L: Layout,
    centerline: np.ndarray,
    width: float,
    colour: RGB = ASPHALT,
    exclude=None,
    marks: bool = True,
) -> SceneObject:
    """A road strip along ``centerline`` (px) clipped to the image, with lane markings."""
    geom = Polygon(band(centerline, width)[0]).buffer(0)
    if exclude is not None:
        geom = geom.difference(exclude)
    polys = from_shape(geom.intersection(sbox(0, 0, L.size - 1, L.size - 1)))
    path = Path(centerline)
    style = {
        "centerline": centerline,
        "path": path,
        "width": width,
        "colour": jitter(L, colour, 5),
        "lines": _road_marks(L, path, width) if marks else [],
        "bank": jitter(L, (128, 126, 110), 6),
        "bank_px": L.m(0.6),
    }
    return SceneObject("road", polys, {}, style)


def _road_marks(L: Layout, path: Path, width: float) -> list:
    """Dashed centre line (and solid edge lines on wide roads) as (points, colour, width)
    triples, only where they are inside the image and away from junctions."""
    white = (222, 222, 216)
    dash, gap = L.m(3.0), L.m(6.0)
    starts = np.arange(L.rng.uniform(0, dash + gap), path.length - dash, dash + gap)
    offsets = [0.0]
    if width > L.m(8.5):
        offsets += [-(width / 2 - L.m(0.6)), width / 2 - L.m(0.6)]
    lines = []
    for off in offsets:
        seg = dash if off == 0.0 else L.m(4.0)
        s0 = starts if off == 0.0 else np.arange(0.0, path.length - seg, seg)
        (xa, ya), ang = path.sample(s0)
        (xb, yb), _ = path.sample(s0 + seg)
        nx, ny = -np.sin(ang) * off, np.cos(ang) * off
        xa, ya, xb, yb = xa + nx, ya + ny, xb + nx, yb + ny
        keep = (np.minimum(xa, xb) > -5) & (np.maximum(xa, xb) < L.size + 5)
        keep &= (np.minimum(ya, yb) > -5) & (np.maximum(ya, yb) < L.size + 5)
        for jx, jy, r in L.junctions:
            keep &= (np.hypot(xa - jx, ya - jy) > r) & (np.hypot(xb - jx, yb - jy) > r)
        for k in np.flatnonzero(keep):
            lines.append((np.array([[xa[k], ya[k]], [xb[k], yb[k]]]), white, 1))
    return lines


def roundabout(L: Layout, cx: float, cy: float, r: float) -> SceneObject:
    style = {
        "cx": cx,
        "cy": cy,
        "r": r,
        "r_island": r - L.uniform_m(6.5, 8.0),
        "colour": jitter(L, ASPHALT, 4),
        "island": jitter(L, (92, 122, 62), 8),
    }
    return SceneObject("roundabout", [circle(cx, cy, r, 40)], {}, style)


LOT_PLANS = {1: "ra", 2: "rar", 4: "rarrar"}  # r: a row of stalls, a: an aisle


def lot_size(L: Layout, stalls: int, rows: int) -> Tuple[float, float]:
    """(length, depth) in pixels of a parking lot with ``rows`` rows of ``stalls`` stalls."""
    plan = LOT_PLANS[rows]
    depth = plan.count("r") * 5.2 + plan.count("a") * 6.5 + 2.0
    return L.m(stalls * 2.6 + 2.0), L.m(depth)


def parking_lot(
    L: Layout, cx: float, cy: float, angle: float, stalls: int, rows: int
) -> Tuple[SceneObject, List[List[Tuple[float, float, float]]]]:
    """A lot with 1, 2 or 4 rows of ``stalls`` stalls facing aisles; returns it and, per row,
    the stall frames (x, y, angle of a car parked nose to the aisle)."""
    sw, sd, edge = L.m(2.6), L.m(5.2), L.m(1.0)
    plan = LOT_PLANS[rows]
    starts, v = [], edge
    for ch in plan:
        if ch == "r":
            starts.append(v)
        v += sd if ch == "r" else L.m(6.5)
    lw, depth = lot_size(L, stalls, rows)
    c, s = math.cos(angle), math.sin(angle)
    white = (214, 214, 208)
    lines, frames = [], []
    r_index = [i for i, ch in enumerate(plan) if ch == "r"]
    for k, v0 in enumerate(starts):
        faces_down = r_index[k] + 1 < len(plan) and plan[r_index[k] + 1] == "a"
        row = []
        for j in range(stalls + 1):
            u = -lw / 2 + edge + j * sw
            ends = np.array([(u, v0 - depth / 2), (u, v0 + sd - depth / 2)])
            lines.append((transform(ends, cx, cy, angle), white, 1))
            if j < stalls:
                uc, vc = u + sw / 2, v0 + sd / 2 - depth / 2
                car_angle = angle + (math.pi / 2 if faces_down else -math.pi / 2)
                row.append((cx + uc * c - vc * s, cy + uc * s + vc * c, car_angle))
        frames.append(row)
    style = {"colour": jitter(L, (112, 112, 110), 8), "lines": lines}
    return SceneObject("parking lot", [rect(cx, cy, lw, depth, angle)], {}, style), frames


# --- harbour and airport ----------------------------------------------------------------------


def ship_dims(L: Layout, size: str) -> Tuple[float, float]:
    """(length, beam) in pixels of a small boat (12-22 m) or a large ship (40-62 m)."""
    if size == "small":
        lm = L.rng.uniform(12, 22)
        return L.m(lm), L.m(lm * L.rng.uniform(0.28, 0.35))
    lm = L.rng.uniform(40, 62)
    return L.m(lm), L.m(lm * L.rng.uniform(0.15, 0.18))


SHIP_HULL = np.array(
    [[-0.5, -0.45], [0.25, -0.5], [0.4, -0.35], [0.5, 0.0], [0.4, 0.35], [0.25, 0.5], [-0.5, 0.45]]
)
CONTAINERS = (
    (176, 58, 46),
    (52, 92, 150),
    (64, 124, 74),
    (206, 124, 48),
    (150, 150, 146),
    (220, 220, 214),
    (118, 82, 60),
)


def local_rect(
    u: float, v: float, w: float, h: float, cx: float, cy: float, angle: float
) -> np.ndarray:
    """Rectangle centred at (u, v) of an object's local frame (px), placed at (cx, cy, angle)."""
    return transform(rect(u, v, w, h), cx, cy, angle)


def ship(
    L: Layout,
    cx: float,
    cy: float,
    angle: float,
    size: str,
    dims: Optional[Tuple[float, float]] = None,
    colour: Optional[str] = None,
) -> SceneObject:
    """A ship pointing along ``angle`` (``dims`` = length, beam in px): a boat with a cabin,
    or a large ship with a bridge at the stern and hatch covers or (a "container ship")
    rows of coloured containers."""
    rng = L.rng
    name, rgb = pick(L, SHIP, colour, None if colour else [0.35, 0.25, 0.2, 0.2])
    ln, wd = dims or ship_dims(L, size)
    attrs = {"size": size, "colour": name}
    white = (232, 232, 230) if name != "white" else (176, 180, 186)
    if size == "small":
        details = [(local_rect(-0.08 * ln, 0, 0.3 * ln, 0.55 * wd, cx, cy, angle), white)]
    else:
        details = [(local_rect(-0.38 * ln, 0, 0.1 * ln, 0.8 * wd, cx, cy, angle), white)]
        bays = [u for u in np.arange(-0.28, 0.3, 0.1) * ln]
        if rng.random() < 0.5:
            attrs["type"] = "container"
            lanes = max(2, int(wd / L.m(2.6)))
            for u in bays:
                for k in range(lanes):
                    v = (k - (lanes - 1) / 2) * 0.75 * wd / lanes
                    colour = jitter(L, CONTAINERS[int(rng.integers(len(CONTAINERS)))], 8)
                    details.append(
                        (local_rect(u, v, 0.09 * ln, 0.7 * wd / lanes, cx, cy, angle), colour)
                    )
        else:
            cargo = jitter(
                L,
                [(120, 70, 50), (60, 90, 120), (70, 110, 80), (150, 140, 120)][
                    int(rng.integers(4))
                ],
                10,
            )
            details += [(local_rect(u, 0, 0.08 * ln, 0.7 * wd, cx, cy, angle), cargo) for u in bays]
    style = {
        "colour": rgb,
        "deck": transform(SHIP_HULL * [ln - 2.0, max(1.0, wd - 2.0)], cx, cy, angle),
        "details": details,
        "height": 2.5 if size == "small" else 7.0,
    }
    return SceneObject("ship", [transform(SHIP_HULL * [ln, wd], cx, cy, angle)], attrs, style)


def helicopter(
    L: Layout, cx: float, cy: float, angle: float, colour: Optional[str] = None
) -> SceneObject:
    """A helicopter: cabin, tail boom and two crossed rotor blades (all in the outline)."""
    name, rgb = pick(L, HELICOPTER, colour)
    ln = L.uniform_m(11, 16)
    cabin = local_rect(0.12 * ln, 0, 0.42 * ln, 0.2 * ln, cx, cy, angle)
    boom = local_rect(-0.25 * ln, 0, 0.5 * ln, max(1.5, 0.05 * ln), cx, cy, angle)
    blade = max(1.2, L.m(0.5))
    rot = angle + L.rng.uniform(0, math.pi / 2)
    centre = transform(np.array([[0.1 * ln, 0.0]]), cx, cy, angle)[0]
    blades = [rect(centre[0], centre[1], 0.95 * ln, blade, rot + k * math.pi / 2) for k in (0, 1)]
    outline = from_shape(unary_union([Polygon(p).buffer(0) for p in [cabin, boom, *blades]]))
    style = {"colour": rgb, "parts": [cabin, boom], "cabin": cabin, "blades": blades, "height": 2.5}
    return SceneObject(
        "helicopter", [max(outline, key=lambda p: Polygon(p).area)], {"colour": name}, style
    )


def baseball_diamond(L: Layout, cx: float, cy: float, angle: float) -> SceneObject:
    """A baseball field: home plate at (cx, cy), the fan of the outfield along ``angle``."""
    radius = L.uniform_m(42, 62)
    t = np.linspace(-math.pi / 4, math.pi / 4, 14)
    back = np.linspace(3 * math.pi / 4, 5 * math.pi / 4, 6)
    fan = np.concatenate(
        [
            np.stack([radius * np.cos(t), radius * np.sin(t)], 1),
            0.08 * radius * np.stack([np.cos(back), np.sin(back)], 1),
        ]
    )
    style = {
        "cx": cx,
        "cy": cy,
        "angle": angle,
        "radius": radius,
        "colour": jitter(L, (96, 142, 70), 6),
        "dirt": jitter(L, (170, 126, 88), 8),
    }
    return SceneObject("baseball diamond", [transform(fan, cx, cy, angle)], {}, style)


def container_stack(
    L: Layout, cx: float, cy: float, angle: float, rows: int, cols: int
) -> SceneObject:
    """A block of ``rows`` x ``cols`` shipping containers (12 m x 2.4 m) seen from above."""
    cl, cw, gap = L.m(12.2), L.m(2.44), L.m(0.4)
    width, depth = cols * (cl + gap) - gap, rows * (cw + gap) - gap
    boxes = []
    for r in range(rows):
        for c in range(cols):
            u = -width / 2 + cl / 2 + c * (cl + gap)
            v = -depth / 2 + cw / 2 + r * (cw + gap)
            colour = jitter(L, CONTAINERS[int(L.rng.integers(len(CONTAINERS)))], 8)
            boxes.append((local_rect(u, v, cl, cw, cx, cy, angle), colour))
    style = {"boxes": boxes, "height": 2.6 * L.rng.integers(1, 4)}
    return SceneObject("container stack", [rect(cx, cy, width, depth, angle)], {}, style)


def bridge(
    L: Layout, cx: float, cy: float, angle: float, length: float, width: float
) -> SceneObject:
    """A road bridge deck (length along ``angle``) with railings."""
    deck = rect(cx, cy, length, width, angle)
    rails = [
        local_rect(0, v, length, max(1.0, L.m(0.4)), cx, cy, angle)
        for v in (-width / 2 + 0.5, width / 2 - 0.5)
    ]
    style = {
        "colour": jitter(L, (150, 148, 142), 6),
        "rails": rails,
        "height": 5.0,
        "parts": [deck],
    }
    return SceneObject("bridge", [deck], {}, style)


def plane(
    L: Layout,
    cx: float,
    cy: float,
    angle: float,
    size: str,
    length: Optional[float] = None,
    colour: Optional[str] = None,
) -> SceneObject:
    """An airliner (large) or light aircraft (small), nose along ``angle``; ``length`` in px."""
    name, rgb = pick(L, PLANE, colour, None if colour else [0.75, 0.25])
    ln = length or (L.uniform_m(32, 58) if size == "large" else L.uniform_m(11, 17))
    if size == "large":
        fus = [[-0.5, -0.045], [0.43, -0.045], [0.5, 0.0], [0.43, 0.045], [-0.5, 0.045]]
        wing = [[0.1, 0.03], [-0.1, 0.03], [-0.3, 0.48], [-0.22, 0.48]]
        stab = [[-0.36, 0.03], [-0.46, 0.03], [-0.52, 0.19], [-0.46, 0.19]]
        engines = [[0.06, 0.16], [-0.06, 0.16], [-0.06, 0.2], [0.06, 0.2]]
    else:
        fus = [[-0.5, -0.05], [0.42, -0.06], [0.5, 0.0], [0.42, 0.06], [-0.5, 0.05]]
        wing = [[0.2, 0.03], [0.05, 0.03], [0.06, 0.58], [0.16, 0.58]]
        stab = [[-0.38, 0.03], [-0.48, 0.03], [-0.48, 0.2], [-0.42, 0.2]]
        engines = []

    def place(pts, mirror=False):
        arr = np.asarray(pts, dtype=np.float64) * ln
        if mirror:
            arr = arr * [1, -1]
        return transform(arr, cx, cy, angle)

    parts = [place(fus), place(wing), place(wing, True), place(stab), place(stab, True)]
    outline = unary_union([Polygon(p) for p in parts])
    polys = from_shape(outline)
    polys = [max(polys, key=lambda p: Polygon(p).area)]
    tail = TAILS[choose(L, list(TAILS))]
    style = {
        "colour": rgb,
        "parts": parts,
        "engines": [place(engines), place(engines, True)] if engines else [],
        "tail": place([[-0.44, -0.02], [-0.5, -0.02], [-0.5, 0.02], [-0.44, 0.02]]),
        "tail_colour": jitter(L, tail),
        "height": 4.0 if size == "large" else 1.5,
    }
    return SceneObject("plane", polys, {"size": size, "colour": name}, style)


def strip(
    L: Layout, kind: str, centerline: np.ndarray, width: float, colour: RGB, lines=(), bank=None
) -> SceneObject:
    """A long surface (river, runway) along a centreline, clipped to the image."""
    polys = from_shape(
        Polygon(band(centerline, width)[0])
        .buffer(0)
        .intersection(sbox(0, 0, L.size - 1, L.size - 1))
    )
    style = {
        "centerline": centerline,
        "path": Path(centerline),
        "width": width,
        "colour": colour,
        "lines": list(lines),
    }
    if bank is not None:
        style.update(bank=bank, bank_px=L.m(1.5))
    return SceneObject(kind, polys, {}, style)


def area(
    L: Layout, kind: str, polygon: np.ndarray, colour: RGB, lines=(), edge=None
) -> SceneObject:
    """A large surface (water, apron, pier) given as a polygon, clipped to the image."""
    polys = from_shape(Polygon(polygon).buffer(0).intersection(sbox(0, 0, L.size - 1, L.size - 1)))
    style = {"colour": colour, "lines": list(lines)}
    if edge is not None:
        style.update(edge=edge, edge_px=L.m(1.0))
    return SceneObject(kind, polys, {}, style)
