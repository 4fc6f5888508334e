"""Scene-type builders: lay out a residential, industrial, harbour, airport, sports or rural
scene on a :class:`Layout`.

Every builder places several objects of its main kinds (buildings, vehicles, tanks, courts,
ships, planes) that differ only in size, colour or position, so each target has look-alike
distractors, and registers natural groups (a run of parked cars, a row of tanks or courts).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Callable, List, Optional, Tuple

import numpy as np
from shapely.geometry import LineString, Point

from . import kinds
from .geometry import bezier, circle, rect, transform
from .kinds import choose
from .layout import Layout, road_frame
from .objects import CLIPPED_KINDS, SceneObject

VEGETATION = frozenset({"tree", "tree cluster"})
SCENE_TYPES = ("residential", "industrial", "harbour", "airport", "sports", "rural")


def _base_angle(L: Layout) -> float:
    """Main street direction: axis-aligned about half the time, otherwise a little rotated."""
    jitter = 0.0 if L.rng.random() < 0.45 else L.rng.uniform(-0.35, 0.35)
    return jitter + (math.pi / 2 if L.rng.random() < 0.5 else 0.0)


def _unit(angle: float) -> np.ndarray:
    return np.array([math.cos(angle), math.sin(angle)])


def _line(p: np.ndarray, angle: float, reach: float) -> np.ndarray:
    d = _unit(angle)
    return np.array([p - d * reach, p + d * reach])


def add_roads(
    L: Layout,
    mode: str,
    width: float,
    angle: Optional[float] = None,
    centre=None,
    colour=kinds.ASPHALT,
) -> List[int]:
    """Roads of a network ``mode`` (straight, cross, tee, curve, roundabout); their indices."""
    rng, s = L.rng, L.size
    angle = _base_angle(L) if angle is None else angle
    p = (
        np.array([s / 2, s / 2]) + rng.uniform(-0.22, 0.22, 2) * s
        if centre is None
        else np.asarray(centre)
    )
    reach = 1.6 * s
    exclude = None
    if mode == "straight":
        lines = [_line(p, angle, reach)]
    elif mode == "cross":
        lines = [_line(p, angle, reach), _line(p, angle + math.pi / 2, reach)]
        L.junctions.append((p[0], p[1], width * 0.9))
    elif mode == "tee":
        side = choose(L, [-1, 1])
        lines = [
            _line(p, angle, reach),
            np.array([p, p + _unit(angle + side * math.pi / 2) * reach]),
        ]
        L.junctions.append((p[0], p[1], width * 0.9))
    elif mode == "curve":
        n = _unit(angle + math.pi / 2)
        a = p - _unit(angle) * 1.2 * s + n * rng.uniform(-0.3, 0.3) * s
        b = p + _unit(angle) * 1.2 * s + n * rng.uniform(-0.3, 0.3) * s
        lines = [bezier(a, p + n * rng.uniform(-0.35, 0.35) * s, b, 40)]
    else:
        r = L.uniform_m(14, 21)
        arms = [k for k in range(4) if k == 0 or rng.random() > 0.25]
        lines = [np.array([p, p + _unit(angle + k * math.pi / 2) * reach]) for k in arms]
        exclude = Point(p[0], p[1]).buffer(r - 1.0)
        L.junctions.append((p[0], p[1], r + width * 0.6))
    idx = []
    for cl in lines:
        obj = kinds.road(
            L,
            cl,
            width,
            colour=colour,
            exclude=exclude,
            marks=width > L.m(5.5) and colour == kinds.ASPHALT,
        )
        if obj.polygons:
            idx.append(L.add_surface(obj, L.m(1.5)))
    if mode == "roundabout":
        rb = kinds.roundabout(L, p[0], p[1], r)
        if L.free(rb.polygons, region=np.ones_like(L.taken)):
            L.add_surface(rb, L.m(1.5))
    return idx


def frontage(
    L: Layout,
    road_idx: int,
    make: Callable[[], Tuple[float, float, Callable[[float, float, float], SceneObject]]],
    gap_m: Tuple[float, float],
    setback_m: Tuple[float, float],
    margin_m: float = 1.5,
) -> List[Tuple[int, float, int, float]]:
    """Objects lined up on both sides of a road, facing it.

    ``make()`` returns (frontage px, depth px, factory(x, y, angle)). Returns, per placed
    object, (index, arc length, side, distance of its far edge from the centreline).
    """
    road = L.objects[road_idx]
    cl, half = road.style["path"], road.style["width"] / 2
    start, end = cl.span_inside(L.size, margin=half + L.m(40))
    placed = []
    for side in (1, -1):
        s = start + L.uniform_m(0, 12)
        while s < end:
            w, d, factory = make()
            dist = half + L.uniform_m(*setback_m) + d / 2
            x, y, ang = road_frame(cl, s + w / 2, side, dist)
            if -w < x < L.size + w and -w < y < L.size + w and L.free([rect(x, y, w, d, ang)]):
                i = L.place(factory(x, y, ang), L.m(margin_m))
                if i is not None:
                    placed.append((i, s + w / 2, side, dist + d / 2))
                    s += w + L.uniform_m(*gap_m)
                    continue
            s += L.m(5)
    return placed


def queue(L: Layout, road_idx: int, max_cars: int = 4, large: float = 0.15) -> None:
    """A few vehicles driving in one lane of a road, one behind the other (a group)."""
    road = L.objects[road_idx]
    cl, width = road.style["path"], road.style["width"]
    region = L.mask(road.polygons)
    lane = choose(L, [-1, 1])
    s = L.rng.uniform(0.2, 0.8) * cl.length
    idx = []
    for _ in range(int(L.rng.integers(1, max_cars + 1))):
        is_large = L.rng.random() < large
        x, y, ang = road_frame(cl, s, lane, width / 4)
        heading = ang if lane > 0 else ang + math.pi
        i = L.place(kinds.vehicle(L, x, y, heading, is_large), L.m(0.5), region)
        if i is None:
            break
        idx.append(i)
        s += L.uniform_m(6.5, 8.5) if not is_large else L.uniform_m(16, 19)
    if all(L.objects[i].kind == "small vehicle" for i in idx):
        L.group(idx)


def scatter(
    L: Layout,
    make: Callable[[float, float], SceneObject],
    n: int,
    margin_m: float = 1.0,
    border: float = 0.0,
    region=None,
) -> List[int]:
    """Up to ``n`` objects made at random points; returns the indices placed."""
    idx = []
    for _ in range(n * 3):
        if len(idx) >= n:
            break
        i = L.place(make(*L.random_point(border)), L.m(margin_m), region)
        if i is not None:
            idx.append(i)
    return idx


def lot(
    L: Layout, cx: float, cy: float, angle: float, stalls: int, rows: int, fill: float
) -> Optional[int]:
    """A parking lot with cars in some stalls; each run of 2..7 adjacent cars is a group."""
    if not L.free([rect(cx, cy, *kinds.lot_size(L, stalls, rows), angle)]):
        return None
    obj, frames = kinds.parking_lot(L, cx, cy, angle, stalls, rows)
    lot_idx = L.add_surface(obj, L.m(1.0))
    region = L.mask(obj.polygons)
    for row in frames:
        run: List[int] = []
        for x, y, a in row:
            i = None
            if L.rng.random() < fill:
                i = L.place(kinds.vehicle(L, x, y, a + L.rng.uniform(-0.06, 0.06)), 0.0, region)
            if i is None:
                if 2 <= len(run) <= 7:
                    L.group(run)
                run = []
            else:
                run.append(i)
        if 2 <= len(run) <= 7:
            L.group(run)
    return lot_idx


def random_lot(L: Layout, angle: float, tries: int = 12) -> Optional[int]:
    for _ in range(tries):
        rows = choose(L, [1, 2, 4], [0.2, 0.5, 0.3])
        stalls = int(L.rng.integers(6, 15))
        x, y = L.random_point(L.m(20))
        i = lot(L, x, y, angle, stalls, rows, L.rng.uniform(0.35, 0.85))
        if i is not None:
            return i
    return None


def tank_cluster(L: Layout, angle: float, size: Optional[str] = None, tries: int = 15) -> List[int]:
    """A grid of identical storage tanks (one group)."""
    rng = L.rng
    size = size or choose(L, ["small", "large"])
    rows, cols = [(1, 2), (1, 3), (2, 2), (2, 3), (1, 4)][int(rng.integers(5))]
    if size == "large":
        rows, cols = min(rows, 2), min(cols, 3)
    colour = choose(L, list(kinds.TANK))
    r = kinds.tank_radius(L, size)
    step = 2 * r + L.uniform_m(2.5, 6)
    for _ in range(tries):
        x, y = L.random_point(r)
        if not L.free([rect(x, y, cols * step, rows * step, angle)]):
            continue
        offs = np.array(
            [
                [(c - (cols - 1) / 2) * step, (k - (rows - 1) / 2) * step]
                for k in range(rows)
                for c in range(cols)
            ]
        )
        centres = transform(offs, x, y, angle)
        tanks = [
            kinds.tank(L, cx, cy, r * rng.uniform(0.97, 1.03), size, colour) for cx, cy in centres
        ]
        idx = L.place_all(tanks, L.m(1.5))
        if idx:
            L.group(idx)
            return idx
    return []


def vehicle_row(
    L: Layout, angle: float, n: int, large: bool, anchor=None, region=None, tries: int = 15
) -> List[int]:
    """Vehicles parked side by side (trucks at a loading bay): one group."""
    for _ in range(tries):
        x, y = L.random_point(L.m(10)) if anchor is None else anchor()
        gap = L.uniform_m(1.2, 2.2) + (L.m(2.55) if large else L.m(1.9))
        if not L.free([rect(x, y, L.m(16.5 if large else 5.0), n * gap, angle)], region):
            continue
        offs = np.array([[0.0, (k - (n - 1) / 2) * gap] for k in range(n)])
        pts = transform(offs, x, y, angle)
        objs = [kinds.vehicle(L, px, py, angle, large) for px, py in pts]
        idx = L.place_all(objs, L.m(0.4), region)
        if idx:
            L.group(idx)
            return idx
    return []


def row(
    L: Layout,
    make: Callable[[float, float], SceneObject],
    n: int,
    step: float,
    angle: float,
    region=None,
    tries: int = 12,
) -> List[int]:
    """``n`` objects ``step`` px apart on a line along ``angle`` (one group)."""
    for _ in range(tries):
        x, y = L.random_point(L.m(10))
        pts = transform(np.array([[(k - (n - 1) / 2) * step, 0.0] for k in range(n)]), x, y, angle)
        idx = L.place_all([make(px, py) for px, py in pts], L.m(1.0), region)
        if idx:
            L.group(idx)
            return idx
    return []


def trees(L: Layout, n_single: int, n_clusters: int) -> None:
    scatter(L, lambda x, y: kinds.tree(L, x, y), n_single, 0.5)
    scatter(L, lambda x, y: kinds.tree_cluster(L, x, y, L.uniform_m(8, 16)), n_clusters, 1.0)


def tree_row(L: Layout, road_idx: int) -> None:
    """Evenly spaced trees along one side of a road; runs of 2..6 become groups."""
    road = L.objects[road_idx]
    cl, half = road.style["path"], road.style["width"] / 2
    side = choose(L, [-1, 1])
    step = L.uniform_m(7, 11)
    r = L.uniform_m(2.4, 3.6)
    s = L.rng.uniform(0.1, 0.5) * cl.length
    run: List[int] = []
    for _ in range(int(L.rng.integers(3, 9))):
        x, y, _a = road_frame(cl, s, side, half + L.m(2.0) + r)
        i = L.place(kinds.tree(L, x, y, r * L.rng.uniform(0.9, 1.1)), 0.5)
        if i is not None:
            run.append(i)
        s += step
    if 2 <= len(run) <= 6:
        L.group(run)


def pond_with_trees(L: Layout, ring: bool) -> None:
    """A pond, sometimes ringed by trees (one tree-cluster object around it)."""
    size = choose(L, ["small", "large"])
    for _ in range(10):
        x, y = L.random_point(L.m(30))
        obj = kinds.pond(L, x, y, size)
        reach = float(np.hypot(*(obj.polygons[0] - [x, y]).T).max()) + L.m(8 if ring else 2)
        if not L.free([circle(x, y, reach)]):
            continue
        L.place(obj, L.m(1.0))
        if ring:
            r0 = max(np.hypot(*(obj.polygons[0] - [x, y]).T)) + L.m(3.5)
            n = int(2 * math.pi * r0 / L.m(5.5))
            crowns, colours = [], []
            base = kinds.GREENS[int(L.rng.integers(len(kinds.GREENS)))]
            for k in range(n):
                if L.rng.random() < 0.12:
                    continue
                t = 2 * math.pi * k / n
                rr = r0 + L.uniform_m(0, 1.5)
                crowns.append((x + rr * math.cos(t), y + rr * math.sin(t), L.uniform_m(2.6, 3.6)))
                colours.append(kinds.jitter(L, base, 10))
            polys = [circle(cx, cy, r, 14) for cx, cy, r in crowns]
            style = {"crowns": crowns, "colours": colours, "height": L.rng.uniform(8, 14)}
            L.place(SceneObject("tree cluster", polys, {"shape": "ring"}, style), 0.0)
        return


def _house(L: Layout, large_p: float = 0.12, colour: Optional[str] = None):
    size = "large" if L.rng.random() < large_p else "small"
    dims = kinds.building_dims(L, size)
    return dims[0], dims[1], lambda x, y, a: kinds.building(L, x, y, a, dims, size, colour)


def _spot(
    L: Layout,
    make: Callable[[float, float], SceneObject],
    margin_m: float,
    footprint=None,
    tries: int = 20,
) -> Optional[int]:
    """Place one object at the first random point where it (or its ``footprint``) is free."""
    for _ in range(tries):
        obj = make(*L.random_point(L.m(10)))
        polys = footprint(obj) if footprint else obj.polygons
        if L.free(polys):
            L.taken |= L.mask(polys, L.m(margin_m))
            return L.add(obj)
    return None


def court_row(L: Layout, angle: float, basket: bool = False) -> None:
    """One to four courts side by side with one surface colour (a group when two or more)."""
    n = choose(L, [1, 2, 3, 4], [0.3, 0.3, 0.25, 0.15] if not basket else [0.6, 0.4, 0.0, 0.0])
    palette = kinds.BASKETBALL if basket else kinds.TENNIS
    colour = choose(L, list(palette))
    across = L.m(18.0 if basket else 17.0) + L.m(1.5)
    for _ in range(15):
        x, y = L.random_point(L.m(20))
        if not L.free([rect(x, y, L.m(34.0), n * across, angle)]):
            continue
        offs = np.array([[0.0, (k - (n - 1) / 2) * across] for k in range(n)])
        make = kinds.basketball_court if basket else kinds.tennis_court
        courts = [make(L, px, py, angle, colour) for px, py in transform(offs, x, y, angle)]
        idx = L.place_all(courts, L.m(0.5))
        if idx:
            L.group(idx)
            return


# --- scene types ----------------------------------------------------------------------------


def residential(L: Layout) -> None:
    rng = L.rng
    L.cover = "grass"
    mode = choose(
        L, ["straight", "cross", "tee", "curve", "roundabout"], [0.2, 0.25, 0.2, 0.2, 0.15]
    )
    roads = add_roads(L, mode, L.uniform_m(7, 10))
    base = L.objects[roads[0]].style["centerline"]
    angle = math.atan2(*(base[-1] - base[0])[::-1])
    if rng.random() < 0.35:
        random_lot(L, angle)
    for r in roads:
        for _i, s, side, far in frontage(L, r, lambda: _house(L), (3, 9), (3, 8)):
            if rng.random() < 0.3:
                size = "small" if rng.random() < 0.8 else "large"
                x, y, a = road_frame(
                    L.objects[r].style["path"],
                    s,
                    side,
                    far + L.uniform_m(5, 9) + L.m(6 if size == "small" else 12),
                )
                pool = kinds.swimming_pool(L, x, y, a, size)
                if L.free([pool.style["deck"]]):
                    L.taken |= L.mask([pool.style["deck"]], L.m(1.0))
                    L.add(pool)
        for _ in range(int(rng.integers(1, 3))):
            queue(L, r)
    if rng.random() < 0.3:
        court_row(L, angle)
    if rng.random() < 0.2:
        court_row(L, angle, basket=True)
    if rng.random() < 0.35:
        pond_with_trees(L, rng.random() < 0.5)
    if rng.random() < 0.4:
        tree_row(L, roads[0])
    trees(L, int(rng.integers(8, 22)), int(rng.integers(1, 4)))


def industrial(L: Layout) -> None:
    rng = L.rng
    L.cover = "concrete" if rng.random() < 0.6 else "soil"
    roads = add_roads(L, choose(L, ["straight", "cross", "tee"]), L.uniform_m(9, 12))
    cl = L.objects[roads[0]].style["centerline"]
    angle = math.atan2(*(cl[-1] - cl[0])[::-1])
    for _ in range(int(rng.integers(1, 3))):
        vehicle_row(L, angle + math.pi / 2, int(rng.integers(2, 5)), True)
    for _ in range(int(rng.integers(1, 4))):
        tank_cluster(L, angle)
    for r in roads:
        frontage(L, r, lambda: _house(L, 0.85), (6, 15), (5, 14), 3.0)
        for _ in range(int(rng.integers(0, 3))):
            queue(L, r, 2, large=0.6)
    for _ in range(int(rng.integers(1, 3))):
        random_lot(L, angle)
    scatter(
        L,
        lambda x, y: kinds.vehicle(L, x, y, angle + choose(L, [0, math.pi / 2]), True),
        int(rng.integers(0, 3)),
    )
    trees(L, int(rng.integers(2, 8)), int(rng.integers(0, 2)))


def harbour(L: Layout) -> None:
    rng, s = L.rng, L.size
    L.cover = "concrete"
    phi = rng.integers(4) * math.pi / 2 + rng.uniform(-0.12, 0.12)
    n, t = _unit(phi), _unit(phi + math.pi / 2)
    c = np.array([s / 2, s / 2]) + n * rng.uniform(-0.12, 0.12) * s
    quay = (np.array([c - t * 1.5 * s, c + t * 1.5 * s]), (176, 174, 166), max(2.0, L.m(1.2)))
    water = kinds.area(
        L,
        "water",
        rect(*(c + n * s), 2 * s, 3 * s, phi),
        kinds.jitter(L, (40, 66, 80), 6),
        lines=[quay],
    )
    L.add_surface(water)
    water_mask = L.mask(water.polygons)
    L.region = ~water_mask
    piers = []
    for k in range(int(rng.integers(1, 4))):
        off = (k - 1) * L.uniform_m(55, 75) + L.uniform_m(-10, 10)
        ln, wd = L.uniform_m(45, 100), L.uniform_m(12, 20)
        centre = c + t * off + n * (ln / 2 - L.m(2))
        pier = kinds.area(
            L,
            "pier",
            rect(*centre, ln, wd, phi),
            kinds.jitter(L, (178, 176, 170), 6),
            edge=(142, 140, 136),
        )
        if (
            pier.polygons
            and not (L.surface & ~water_mask & L.mask(pier.polygons)).sum()
            > 0.3 * L.mask(pier.polygons).sum()
        ):
            piers.append((off, ln, wd))
            L.add_surface(pier)
    ship_region = water_mask & ~L.mask(
        [rect(*(c + t * o + n * (ln / 2 - L.m(2))), ln, wd, phi) for o, ln, wd in piers], L.m(1.2)
    )
    for off, ln, wd in piers:
        for side in (-1, 1):
            u = L.uniform_m(4, 10)
            while u < ln:
                size = "large" if rng.random() < 0.45 else "small"
                sl, sw = kinds.ship_dims(L, size)
                centre = c + t * (off + side * (wd / 2 + L.m(2.5) + sw / 2)) + n * (u + sl / 2)
                heading = phi if rng.random() < 0.5 else phi + math.pi
                L.place(
                    kinds.ship(L, centre[0], centre[1], heading, size, (sl, sw)),
                    L.m(1.0),
                    ship_region,
                )
                u += sl + L.uniform_m(3, 15)
    scatter(
        L,
        lambda x, y: kinds.ship(
            L, x, y, rng.uniform(0, 2 * math.pi), choose(L, ["small", "large"])
        ),
        int(rng.integers(1, 4)),
        4.0,
        region=ship_region,
    )
    road_c = c - n * L.uniform_m(22, 40)
    roads = add_roads(L, "straight", L.uniform_m(8, 11), angle=phi + math.pi / 2, centre=road_c)
    for r in roads:
        frontage(L, r, lambda: _house(L, 0.8), (6, 14), (4, 10), 2.5)
        queue(L, r, 3, large=0.6)
    angle = phi + math.pi / 2

    def stack(x: float, y: float) -> SceneObject:
        return kinds.container_stack(L, x, y, angle, rng.integers(3, 9), rng.integers(1, 4))

    scatter(L, stack, int(rng.integers(0, 6)), 2.0)
    tank_cluster(L, angle)
    vehicle_row(L, phi, int(rng.integers(2, 5)), True)
    scatter(L, lambda x, y: kinds.vehicle(L, x, y, angle, True), int(rng.integers(1, 4)))
    if rng.random() < 0.5:
        random_lot(L, angle)


def airport(L: Layout) -> None:
    rng, s = L.rng, L.size
    L.cover = "grass"
    phi = rng.integers(4) * math.pi / 2 + rng.uniform(-0.08, 0.08)
    n, t = _unit(phi), _unit(phi + math.pi / 2)
    c = np.array([s / 2, s / 2])
    depth = L.uniform_m(20, 30)
    edge = -s / 2 + L.m(3)
    tdims = (L.uniform_m(60, 95), depth)
    tc = c + n * (edge + depth / 2) + t * L.uniform_m(-30, 30)
    L.place(
        kinds.building(
            L,
            tc[0],
            tc[1],
            phi + math.pi / 2,
            tdims,
            "large",
            choose(L, ["white", "grey"]),
            "flat",
            False,
        ),
        L.m(1),
    )
    a = edge + depth + L.m(4)
    b = a + L.uniform_m(72, 95)
    plane_len = L.uniform_m(32, 58)
    taxi = a + L.m(6) + plane_len + L.m(8)
    yellow = (206, 176, 58)
    taxi_line = (np.array([c + n * taxi - t * s, c + n * taxi + t * s]), yellow, 1)
    apron = kinds.area(
        L,
        "apron",
        rect(*(c + n * (a + b) / 2), b - a, 3 * s, phi),
        kinds.jitter(L, (170, 170, 164), 6),
        lines=[taxi_line],
    )
    L.add_surface(apron)
    apron_mask = L.mask(apron.polygons)
    rw = L.uniform_m(30, 45)
    rc = b + L.uniform_m(30, 50) + rw / 2
    cl = np.array([c + n * rc - t * 1.6 * s, c + n * rc + t * 1.6 * s])
    white = (226, 226, 222)
    marks = [
        (np.array([c + n * rc + t * u, c + n * rc + t * (u + L.m(15))]), white, 2)
        for u in np.arange(-s, s, L.m(45))
    ]
    marks += [(cl + n * side * (rw / 2 - L.m(1.5)), white, 1) for side in (-1, 1)]
    runway = kinds.strip(L, "runway", cl, rw, kinds.jitter(L, (74, 74, 76), 4), marks)
    if runway.polygons:
        L.add_surface(runway, L.m(2))
    u = -s * 0.7 + L.uniform_m(0, 20)
    while u < s * 0.7:
        size = "large" if rng.random() < 0.75 else "small"
        ln = plane_len * rng.uniform(0.85, 1.0) if size == "large" else L.uniform_m(11, 17)
        centre = c + n * (a + L.m(5) + ln / 2) + t * u
        pl = kinds.plane(L, centre[0], centre[1], phi + math.pi, size, ln)
        if L.place(pl, L.m(2), apron_mask) is not None:
            stand = (np.array([c + n * (a + L.m(3)) + t * u, c + n * taxi + t * u]), yellow, 1)
            apron.style["lines"].append(stand)
        u += ln * 1.1 + L.uniform_m(8, 16)
    if runway.polygons and rng.random() < 0.3:
        centre = c + n * rc + t * L.uniform_m(-60, 60)
        L.place(
            kinds.plane(L, centre[0], centre[1], phi + math.pi / 2, "large"),
            L.m(2),
            L.mask(runway.polygons),
        )
    if rng.random() < 0.6:
        row(
            L,
            lambda x, y: kinds.helicopter(L, x, y, phi + math.pi),
            int(rng.integers(2, 4)),
            L.uniform_m(20, 26),
            phi + math.pi / 2,
            apron_mask,
        )
    for _ in range(int(rng.integers(1, 3))):
        vehicle_row(L, phi + math.pi / 2, int(rng.integers(2, 4)), True, region=apron_mask)
    scatter(
        L,
        lambda x, y: kinds.vehicle(L, x, y, phi + choose(L, [0, math.pi / 2]), True),
        int(rng.integers(1, 4)),
        region=apron_mask,
    )
    for _ in range(int(rng.integers(1, 3))):
        vehicle_row(L, phi + math.pi / 2, int(rng.integers(2, 5)), False, region=apron_mask)
    scatter(
        L,
        lambda x, y: kinds.vehicle(L, x, y, phi + choose(L, [0, math.pi / 2])),
        int(rng.integers(2, 7)),
        region=apron_mask,
    )
    L.region = ~apron_mask
    trees(L, int(rng.integers(0, 6)), 0)


def sports(L: Layout) -> None:
    rng = L.rng
    L.cover = "grass"
    angle = _base_angle(L)
    side = choose(L, [-1, 1])
    centre = np.array([L.size / 2, L.size / 2]) + _unit(
        angle + math.pi / 2
    ) * side * L.size * rng.uniform(0.33, 0.42)
    roads = add_roads(L, "straight", L.uniform_m(7, 10), angle=angle, centre=centre)
    fields = 0 if rng.random() < 0.2 else (2 if rng.random() < 0.4 else 1)
    for k in range(fields):
        fa = angle + (math.pi / 2 if rng.random() < 0.3 else 0.0)
        with_track = k == 0 and rng.random() < 0.55
        for _ in range(20):
            field, track = kinds.soccer_field(L, *L.random_point(L.m(30)), fa)
            outline = [kinds.track_outline(L, track)] if with_track else field.polygons
            if L.free(outline):
                L.taken |= L.mask(outline, L.m(3))
                L.add(field)
                if with_track:
                    L.add(track)
                break
    diamonds = 0 if rng.random() < 0.55 else (1 if rng.random() < 0.6 else 2)
    turn = choose(L, [0.25, 0.75, 1.25, 1.75]) * math.pi
    scatter(L, lambda x, y: kinds.baseball_diamond(L, x, y, angle + turn), diamonds, 2.0)
    for _ in range(int(rng.integers(1, 3))):
        court_row(L, angle + choose(L, [0, math.pi / 2]))
    for _ in range(int(rng.integers(1, 3))):
        court_row(L, angle + choose(L, [0, math.pi / 2]), basket=True)
    if rng.random() < 0.55:
        _spot(
            L,
            lambda x, y: kinds.swimming_pool(L, x, y, angle, "large"),
            1.0,
            lambda o: [o.style["deck"]],
        )
    random_lot(L, angle)
    for r in roads:
        queue(L, r)
    scatter(
        L,
        lambda x, y: kinds.building(L, x, y, angle, kinds.building_dims(L, "large"), "large"),
        int(rng.integers(1, 3)),
        2.0,
    )
    scatter(
        L,
        lambda x, y: kinds.building(L, x, y, angle, kinds.building_dims(L, "small"), "small"),
        int(rng.integers(1, 4)),
        2.0,
    )
    trees(L, int(rng.integers(8, 20)), int(rng.integers(1, 4)))


def rural(L: Layout) -> None:
    rng = L.rng
    L.cover = "fields"
    angle = _base_angle(L)
    if rng.random() < 0.4:
        p = np.array([L.size / 2, L.size / 2]) + rng.uniform(-0.3, 0.3, 2) * L.size
        na = _unit(angle + math.pi / 2)
        a, b = p - _unit(angle) * 1.3 * L.size, p + _unit(angle) * 1.3 * L.size
        cl = bezier(
            a + na * rng.uniform(-0.3, 0.3) * L.size,
            p + na * rng.uniform(-0.4, 0.4) * L.size,
            b,
            40,
        )
        river = kinds.strip(
            L,
            "river",
            cl,
            L.uniform_m(12, 24),
            kinds.jitter(L, (52, 78, 84), 6),
            bank=kinds.jitter(L, (112, 104, 80), 6),
        )
        if river.polygons:
            L.add_surface(river, L.m(2.0))
        else:
            river = None
    else:
        river = None
    dirt = rng.random() < 0.4
    colour = (150, 132, 104) if dirt else kinds.ASPHALT
    road_angle = angle + (math.pi / 2 + rng.uniform(-0.4, 0.4) if river else 0.3)
    roads = add_roads(
        L, choose(L, ["straight", "curve"]), L.uniform_m(5, 7.5), angle=road_angle, colour=colour
    )
    if river is not None:
        _bridges(L, L.objects[roads[0]], river)
    for _ in range(int(rng.integers(1, 4))):
        _farmstead(L, roads[0])
    for r in roads:
        if rng.random() < 0.6:
            tree_row(L, r)
        if rng.random() < 0.6:
            queue(L, r, 2, 0.4)
    if rng.random() < 0.5:
        pond_with_trees(L, rng.random() < 0.5)
    trees(L, int(rng.integers(3, 10)), int(rng.integers(2, 5)))


def _bridges(L: Layout, road: SceneObject, river: SceneObject) -> None:
    """A bridge deck wherever the road's centre line crosses the river's."""
    crossing = LineString(road.style["centerline"]).intersection(
        LineString(river.style["centerline"])
    )
    points = [crossing] if crossing.geom_type == "Point" else list(getattr(crossing, "geoms", []))
    for pt in points:
        s_road = LineString(road.style["centerline"]).project(pt)
        s_river = LineString(river.style["centerline"]).project(pt)
        _, _, a_road = road.style["path"].at(s_road)
        _, _, a_river = river.style["path"].at(s_river)
        sin = max(0.35, abs(math.sin(a_road - a_river)))
        span = (river.style["width"] + 2 * river.style.get("bank_px", 0.0)) / sin + L.m(8)
        deck = kinds.bridge(L, pt.x, pt.y, a_road, span, road.style["width"] + L.m(1.5))
        if L.footprint(deck.polygons) is not None:
            L.taken |= L.mask(deck.polygons, L.m(1.0))
            L.add(deck)


def _farmstead(L: Layout, road_idx: int) -> None:
    """A farmhouse, a barn, a row of silos and a farm vehicle near a point beside the road."""
    rng = L.rng
    road = L.objects[road_idx]
    cl, half = road.style["path"], road.style["width"] / 2
    for _ in range(8):
        x, y, ang = road_frame(
            cl, rng.uniform(0.1, 0.9) * cl.length, choose(L, [-1, 1]), half + L.uniform_m(14, 26)
        )
        if 0 < x < L.size and 0 < y < L.size:
            break
    else:
        return

    def near(spread: float = 30.0):
        return x + L.uniform_m(-spread, spread), y + L.uniform_m(-spread, spread)

    for size, roof in (("small", "gabled"), ("large", None)):
        dims = kinds.building_dims(L, size)
        for _ in range(10):
            if L.place(kinds.building(L, *near(), ang, dims, size, roof=roof), L.m(2)) is not None:
                break
    sr = kinds.tank_radius(L, "small")
    colour = choose(L, list(kinds.TANK))
    for _ in range(10):
        px, py = near(35)
        k = int(rng.integers(2, 4))
        centres = transform(
            np.array([[j * (2 * sr + L.m(2.5)), 0.0] for j in range(k)]), px, py, ang
        )
        idx = L.place_all(
            [kinds.tank(L, cx, cy, sr, "small", colour) for cx, cy in centres], L.m(1.0)
        )
        if idx:
            L.group(idx)
            break
    vehicle_row(L, ang, int(rng.integers(1, 3)), True, anchor=lambda: near(30), tries=8)


BUILDERS = {
    "residential": residential,
    "industrial": industrial,
    "harbour": harbour,
    "airport": airport,
    "sports": sports,
    "rural": rural,
}


def build(L: Layout, scene_type: str) -> None:
    """Lay out a scene of ``scene_type``; if it came out with too few objects a record can
    target (fewer than three, or no two of a kind, trees aside), add a few small buildings."""
    BUILDERS[scene_type](L)
    sizes = Counter()
    for obj in L.objects:
        x0, y0, x1, y1 = obj.bbox
        if 19 <= max(x1 - x0, y1 - y0) <= 150 and obj.kind not in CLIPPED_KINDS | VEGETATION:
            sizes[obj.kind] += 1
    if sum(sizes.values()) < 3 or max(sizes.values(), default=0) < 2:
        angle = _base_angle(L)

        def house(x: float, y: float) -> SceneObject:
            return kinds.building(L, x, y, angle, kinds.building_dims(L, "small"), "small")

        scatter(L, house, 3, 2.0)
