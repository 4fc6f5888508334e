"""Geometric relations between objects, and how flips change their words.

Shared by the synthetic generator (``training.synth``) and the caption writer for real
annotations (``training.real_captions``): one set of predicates, computed one way.

Rules (A is the subject, B the object; geometries in pixels, y down, north = up):

- ``inside`` / ``on``: at least 80 % of A lies in B and A is smaller; ``on`` when B is a ground
  surface (road, water, apron, runway, river, pier, bridge), else ``inside`` with ``contains``
  for (B, A) (``on`` has no inverse).
- ``surrounded by``: A is not inside B, B's convex hull holds at least 90 % of A, and B covers
  at least 25 % of a ring around A (ring width 35 % of A's size); ``surrounds`` for (B, A).
- ``along``: B is linear (road, river, runway, pier, bridge), A is elongated (aspect >= 2)
  within 20 degrees of B's local direction and at most ``NEXT_TO_M`` metres away.
- ``next to``: the gap between A and B is at most ``NEXT_TO_M`` metres and neither contains or
  surrounds the other.
- directions: unless one contains or surrounds the other, the dominant axis of the centroid
  offset decides (``north of`` = smaller y), if that offset is at least ``MIN_OFFSET_PX`` and
  not within ``DIAGONAL_MARGIN_PX`` of a diagonal.
"""

from __future__ import annotations

import math
import random
from typing import Dict, List, Sequence, Tuple

from model_core.config import PREDICATES as MODEL_PREDICATES

#: Ground surfaces a vehicle, plane or ship stands "on" (other containers hold things "inside").
SURFACE_KINDS = frozenset({"road", "river", "water", "apron", "runway", "pier", "bridge"})
#: Kinds with a long axis that objects can lie "along".
LINEAR_KINDS = frozenset({"road", "river", "runway", "pier", "bridge"})

#: The words a relation may use: the model's predicates less its "none" (index 0).
PREDICATES: Tuple[str, ...] = MODEL_PREDICATES[1:]
DIRECTIONS = ("north of", "south of", "east of", "west of")
#: Word maps for augmentations: a horizontal flip (mirror left-right) swaps east and west, a
#: vertical flip swaps north and south. Captions use no other direction words.
DIRECTION_SWAPS_HFLIP: Dict[str, str] = {"east": "west", "west": "east"}
DIRECTION_SWAPS_VFLIP: Dict[str, str] = {"north": "south", "south": "north"}
INVERSE = {
    "inside": "contains",
    "contains": "inside",
    "surrounded by": "surrounds",
    "surrounds": "surrounded by",
    "north of": "south of",
    "south of": "north of",
    "east of": "west of",
    "west of": "east of",
    "next to": "next to",
}
NEXT_TO_M = 8.0
MIN_OFFSET_PX = 3.0
#: No direction when the offset is this close to a diagonal (the axis would be a coin toss).
DIAGONAL_MARGIN_PX = 2.0
INSIDE_FRACTION = 0.8
#: Clauses that say most about the target come first; directions need a clear dominant axis.
CLAUSE_PRIORITY = ("inside", "on", "surrounded by", "contains", "surrounds", "along")
CLEAR_DIRECTION = 1.5


def flip_predicate(pred: str, horizontal: bool) -> str:
    """The predicate after flipping the image horizontally (True) or vertically (False)."""
    swaps = DIRECTION_SWAPS_HFLIP if horizontal else DIRECTION_SWAPS_VFLIP
    words = pred.split(" ")
    return " ".join(swaps.get(w, w) for w in words)


def flip_caption(text: str, horizontal: bool) -> str:
    """A caption with its direction words swapped for a horizontal or vertical flip."""
    swaps = DIRECTION_SWAPS_HFLIP if horizontal else DIRECTION_SWAPS_VFLIP
    return " ".join(swaps.get(w, w) for w in text.split(" "))


def direction(a, b) -> Tuple[str, float]:
    """Direction of A from B by the dominant axis of the centroid offset, and how clear it is
    (dominant / minor offset); ("", 0) when too close or too near a diagonal."""
    ca, cb = a.centroid, b.centroid
    dx, dy = ca.x - cb.x, ca.y - cb.y
    if max(abs(dx), abs(dy)) < MIN_OFFSET_PX or abs(abs(dx) - abs(dy)) < DIAGONAL_MARGIN_PX:
        return "", 0.0
    if abs(dy) >= abs(dx):
        return ("north of" if dy < 0 else "south of"), abs(dy) / max(abs(dx), 1e-9)
    return ("east of" if dx > 0 else "west of"), abs(dx) / max(abs(dy), 1e-9)


def _axis(geom) -> Tuple[float, float, float]:
    """(long side, short side, angle of the long side in radians) of the minimum rectangle."""
    rect = geom.minimum_rotated_rectangle
    if rect.geom_type != "Polygon":
        return 0.0, 0.0, 0.0
    (x0, y0), (x1, y1), (x2, y2) = list(rect.exterior.coords)[:3]
    e1, e2 = math.hypot(x1 - x0, y1 - y0), math.hypot(x2 - x1, y2 - y1)
    if e1 >= e2:
        return e1, e2, math.atan2(y1 - y0, x1 - x0)
    return e2, e1, math.atan2(y2 - y1, x2 - x1)


def _angle_diff(a: float, b: float) -> float:
    d = abs(a - b) % math.pi
    return min(d, math.pi - d)


def pair(a, b, kind_a: str, kind_b: str, gsd: float) -> List[str]:
    """Every predicate P with "A P B" for shapely geometries ``a`` and ``b`` (pixels)."""
    area_a, area_b = a.area, b.area
    if area_a <= 0 or area_b <= 0:
        return []
    near = NEXT_TO_M / gsd
    inter = a.intersection(b).area
    out: List[str] = []
    enclosed = False
    if inter >= INSIDE_FRACTION * area_a and area_a < area_b:
        out.append("on" if kind_b in SURFACE_KINDS else "inside")
        enclosed = True
    elif inter >= INSIDE_FRACTION * area_b and area_b < area_a:
        if kind_a not in SURFACE_KINDS:  # "on" has no inverse predicate
            out.append("contains")
        enclosed = True
    elif _surrounded(a, b, inter):
        out.append("surrounded by")
        enclosed = True
    elif _surrounded(b, a, inter):
        out.append("surrounds")
        enclosed = True
    gap = a.distance(b)
    if not enclosed:
        if kind_b in LINEAR_KINDS and gap <= near and inter < 0.2 * area_a:
            long_a, short_a, ang_a = _axis(a)
            local = b.intersection(a.buffer(max(long_a, near)))
            long_b, short_b, ang_b = _axis(local) if not local.is_empty else (0.0, 0.0, 0.0)
            if (
                short_a > 0
                and long_a >= 2 * short_a
                and long_b >= 1.5 * short_b
                and _angle_diff(ang_a, ang_b) <= math.radians(20)
            ):
                out.append("along")
        if gap <= near:
            out.append("next to")
        d, _ = direction(a, b)
        if d:
            out.append(d)
    return out


def _surrounded(a, b, inter: float) -> bool:
    """A is surrounded by B: B's hull holds A, B barely overlaps A and covers A's ring."""
    if inter > 0.2 * a.area or b.area < 0.5 * a.area:
        return False
    if b.convex_hull.intersection(a).area < 0.9 * a.area:
        return False
    width = max(3.0, 0.35 * math.sqrt(a.area))
    ring = a.buffer(width).difference(a)
    return ring.area > 0 and ring.intersection(b).area >= 0.25 * ring.area


def relations(geoms: Sequence, kinds: Sequence[str], gsd: float) -> List[list]:
    """All [i, predicate, j] triples that hold among the objects (i != j), by subject."""
    out = []
    for i, (ga, ka) in enumerate(zip(geoms, kinds)):
        for j, (gb, kb) in enumerate(zip(geoms, kinds)):
            if i != j:
                out.extend([i, p, j] for p in pair(ga, gb, ka, kb, gsd))
    return out


def stated_clause(preds: Sequence[str], clarity: float, dir_word: str) -> str:
    """The one predicate a caption states for a pair: the most telling containment or
    alignment, else a clear direction, else "next to"; '' when none holds."""
    for p in CLAUSE_PRIORITY:
        if p in preds:
            return p
    if dir_word and clarity >= CLEAR_DIRECTION and dir_word in preds:
        return dir_word
    return "next to" if "next to" in preds else ""


#: Order of the context clauses within a caption: containment and alignment, directions,
#: "next to".
CLAUSE_ORDER = CLAUSE_PRIORITY + DIRECTIONS + ("next to",)


def context_clause(a, b, kind_a: str, kind_b: str, gsd: float) -> Tuple[str, float]:
    """The clause a caption about A states of B ('' when none holds) and its weight when
    contexts are ranked: 2 for a containment or alignment, 1 for a direction or "next to"."""
    preds = pair(a, b, kind_a, kind_b, gsd)
    dir_word, clarity = direction(a, b)
    clause = stated_clause(preds, clarity, dir_word)
    return clause, 2.0 if clause in CLAUSE_PRIORITY else 1.0


def draw_count(weights: Sequence[Tuple[int, float]], rng: random.Random) -> int:
    """A count drawn from ``(count, probability)`` pairs with one ``rng.random()``
    (the last count when the probabilities sum to less than the draw)."""
    u, acc = rng.random(), 0.0
    for count, probability in weights:
        acc += probability
        if u < acc:
            return count
    return weights[-1][0]
