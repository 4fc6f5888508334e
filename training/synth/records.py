"""Training records from a scene: a box around a target, a grounded caption, relations.

A record follows ARCHITECTURE section 3 (GeoPixelD plus ``box`` and ``relations``). Rules that
make the caption predictable from what the model sees, the context window
``model_core.window.context_window(box, 0.5)``:

- the target (one object, or a natural group as one ``[SEG]``) has a box of 24..160 px: its
  bounding box plus a random margin of 2..15 % of its longer side on each side;
- every other object in the caption has at least 70 % of its pixels (80 % of its exact area)
  inside the window; roads, water, aprons, lots and other extended surfaces are clipped to
  the window ("a road" is the visible road);
- a context object is mentioned only if no other visible object has the same phrase;
- if other visible objects share the target's phrase (look-alikes), the caption includes a
  clause that holds for the target and for none of them (a single look-alike may itself be
  the reference: "west of another large white building"), so the words single out the target.

Boxes and polygons use the same pixel coordinates (PIL convention, see ``objects``).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np
from shapely.geometry import box as shapely_box

from model_core.window import context_window
from training.grammar.relations import (
    CLAUSE_ORDER,
    SURFACE_KINDS,
    context_clause,
    draw_count,
    pair,
    relations,
)

from .captions import compose, phrase
from .geometry import from_shape, to_shape
from .objects import CLIPPED_KINDS, Scene, SceneObject
from .scene import generate_scene

GENERATOR_VERSION = "1.0"
CONTEXT = 0.5
BOX_MIN_PX, BOX_MAX_PX = 24.0, 160.0
MARGIN = (0.02, 0.15)
#: Share of a compact context object's exact area inside the window: the rule is 70 % of its
#: pixels, and small objects lose or gain up to ~10 % when rasterised.
MIN_INSIDE = 0.8
#: A clipped surface is mentioned only if it covers this share of the window.
MIN_CLIPPED_SHARE = 0.04
#: ... and is at least this wide (mean width over its length, as a share of the window side).
MIN_CLIPPED_WIDTH = 0.1
CONTEXT_COUNTS = ((0, 0.05), (1, 0.35), (2, 0.4), (3, 0.2))
SHARED_ATTRIBUTES = ("size", "colour", "shape")
#: Share of targets with nothing to relate to in their window that are skipped (captions
#: without context teach less).
SKIP_ISOLATED = 0.7
#: A ship this close to a pier is moored there.
MOORED_M = 4.0


@dataclass(eq=False)
class Referent:
    """Something a phrase can name: one object or a group of objects of one kind."""

    obj: SceneObject
    members: Tuple[int, ...]

    @property
    def kind(self) -> str:
        return self.obj.kind


def referents(scene: Scene) -> List[Referent]:
    """Every object, then every registered group (one object with its members' polygons)."""
    refs = [Referent(o, (i,)) for i, o in enumerate(scene.objects)]
    for members in scene.groups:
        objs = [scene.objects[i] for i in members]
        attrs = {"count": str(len(objs))}
        for key in SHARED_ATTRIBUTES:
            values = {o.attributes.get(key) for o in objs}
            if len(values) == 1 and None not in values:
                attrs[key] = values.pop()  # type: ignore[assignment]
        polys = [p for o in objs for p in o.polygons]
        refs.append(Referent(SceneObject(objs[0].kind, polys, attrs), tuple(members)))
    return refs


@dataclass(eq=False)
class _Context:
    ref: Referent
    polygons: List[np.ndarray]
    geom: object
    clause: str
    phrase: str
    rank: float


def make_records(scene: Scene, seed: int, n_records: int = 1, img: str = "") -> List[dict]:
    """Up to ``n_records`` records with distinct targets (fewer if the scene has fewer; rarely
    none, e.g. scene seed 237393, which ``SyntheticDataset`` then replaces).

    Targets are drawn round-robin over kinds (in a random order), so one scene gives records
    about different things; ``seed`` makes the choice reproducible.
    """
    rng = random.Random(int(seed) * 1_000_003 + 17)
    refs = referents(scene)
    counts = Counter(o.kind for o in scene.objects)
    by_kind: Dict[str, List[Referent]] = {}
    for ref in refs:
        if _target_ok(ref, counts):
            by_kind.setdefault(ref.kind, []).append(ref)
    kinds = sorted(by_kind)
    rng.shuffle(kinds)
    for kind in kinds:
        rng.shuffle(by_kind[kind])
    records: List[dict] = []
    used: set = set()
    skipped: List[Referent] = []
    while len(records) < n_records and any(by_kind.values()):
        for kind in kinds:
            if not by_kind[kind] or len(records) >= n_records:
                continue
            ref = by_kind[kind].pop()
            if used.intersection(ref.members):
                continue
            rec = _record(scene, ref, refs, rng, seed, len(records), img, skip_isolated=True)
            if rec is None:
                skipped.append(ref)
            else:
                records.append(rec)
                used.update(ref.members)
    # isolated targets (nothing around them to mention) only when nothing better was found;
    # as a last resort (about 1 scene in 1000), one target whose look-alikes no clause tells apart
    for strict in (True, False):
        for ref in skipped:
            if len(records) >= (n_records if strict else 1):
                break
            if not used.intersection(ref.members):
                rec = _record(scene, ref, refs, rng, seed, len(records), img, False, strict)
                if rec is not None:
                    records.append(rec)
                    used.update(ref.members)
    return records


def _target_ok(ref: Referent, counts: Counter) -> bool:
    """A kind with look-alikes in the scene, and a size that fits the box limits."""
    if ref.kind in CLIPPED_KINDS and ref.kind != "parking lot":
        return False
    if counts[ref.kind] < 2:
        return False
    x0, y0, x1, y1 = ref.obj.bbox
    side = max(x1 - x0, y1 - y0)
    return side * (1 + 2 * MARGIN[0]) <= BOX_MAX_PX and side * (1 + 2 * MARGIN[1]) >= BOX_MIN_PX


def _box(scene: Scene, obj: SceneObject, rng: random.Random) -> Optional[Tuple[float, ...]]:
    x0, y0, x1, y1 = obj.bbox
    side = max(x1 - x0, y1 - y0)
    for _ in range(4):
        m = [rng.uniform(*MARGIN) * side for _ in range(4)]
        box = (
            round(max(0.0, x0 - m[0]), 1),
            round(max(0.0, y0 - m[1]), 1),
            round(min(scene.width - 1.0, x1 + m[2]), 1),
            round(min(scene.height - 1.0, y1 + m[3]), 1),
        )
        if BOX_MIN_PX <= max(box[2] - box[0], box[3] - box[1]) <= BOX_MAX_PX:
            return box
    return None


def _visible(ref: Referent, window_geom, window_area: float) -> Optional[List[np.ndarray]]:
    """The polygons to write for a context object seen in the window, or None if it is not
    visible enough (clipped surfaces: the part inside the window)."""
    if ref.kind in CLIPPED_KINDS:
        part = ref.obj.shape.intersection(window_geom)
        if part.area < MIN_CLIPPED_SHARE * window_area:
            return None
        rect = part.minimum_rotated_rectangle.exterior.coords
        sides = [math.dist(rect[0], rect[1]), math.dist(rect[1], rect[2])]
        if part.area / max(sides) < MIN_CLIPPED_WIDTH * math.sqrt(window_area):
            return None  # a sliver along the window's edge
        return [np.round(p, 1) for p in from_shape(part)]
    area = ref.obj.shape.area
    if area < max(20.0, 0.004 * window_area):
        return None
    if ref.obj.shape.intersection(window_geom).area < MIN_INSIDE * area:
        return None
    return ref.obj.polygons


def _situation(scene: Scene, target: Referent) -> List[str]:
    """Kinds of the surfaces the target stands on, plus "pier" for a ship moored at one."""
    tgeom = target.obj.shape
    supports = [o for o in scene.objects if o.kind in SURFACE_KINDS or o.kind == "parking lot"]
    out = [
        o.kind
        for o in supports
        if _overlaps(o.bbox, tgeom.bounds) and o.shape.intersection(tgeom).area >= 0.8 * tgeom.area
    ]
    if target.kind == "ship":
        near = MOORED_M / scene.gsd
        if any(o.kind == "pier" and o.shape.distance(tgeom) <= near for o in scene.objects):
            out.append("pier")
    return out


def _overlaps(bb, window) -> bool:
    return bb[0] < window[2] and bb[2] > window[0] and bb[1] < window[3] and bb[3] > window[1]


def _record(
    scene: Scene,
    target: Referent,
    refs: List[Referent],
    rng: random.Random,
    seed: int,
    index: int,
    img: str,
    skip_isolated: bool,
    distinguish: bool = True,
) -> Optional[dict]:
    """One record for ``target``, or None if its box or its caption would break the rules
    (with ``distinguish`` False, look-alikes need not be told apart)."""
    box = _box(scene, target.obj, rng)
    if box is None:
        return None
    window = shapely_box(*context_window(box, CONTEXT))
    contexts, lookalikes = _contexts(scene, target, refs, window, rng)
    if skip_isolated and not contexts and rng.random() < SKIP_ISOLATED:
        return None
    chosen = _choose(scene, contexts, lookalikes if distinguish else [], rng)
    if chosen is None:
        return None
    situation = _situation(scene, target)
    caption = compose(target.obj, [(c.clause, c.phrase) for c in chosen], rng, situation)
    geoms = [target.obj.shape] + [c.geom for c in chosen]
    kinds = [target.kind] + [c.ref.kind for c in chosen]
    polygons = [target.obj.polygons] + [c.polygons for c in chosen]
    return {
        "id": f"{seed}_{index}",
        "img": img,
        "gcg_description": caption,
        "polygons": [
            [[[round(float(x), 1), round(float(y), 1)] for x, y in p] for p in obj]
            for obj in polygons
        ],
        "box": [float(v) for v in box],
        "relations": _primary_first(relations(geoms, kinds, scene.gsd), chosen),
        "width": scene.width,
        "height": scene.height,
        "generator": GENERATOR_VERSION,
        "seed": int(seed),
    }


def _primary_first(triples: List[list], chosen: List[_Context]) -> List[list]:
    """Triples grouped by ordered pair (subject, object); within a pair the predicate the
    caption states comes first, then the others in ``relations.pair`` order. A trainer that
    learns one predicate per pair can take the first."""
    stated = {(0, k + 1, c.clause) for k, c in enumerate(chosen)}
    order = {id(t): n for n, t in enumerate(triples)}
    return sorted(
        triples, key=lambda t: (t[0], t[2], (t[0], t[2], t[1]) not in stated, order[id(t)])
    )


def _contexts(
    scene: Scene, target: Referent, refs: List[Referent], window, rng: random.Random
) -> Tuple[List[_Context], List[Referent]]:
    """Objects that may be mentioned with the target, and the target's look-alikes (same
    phrase) in the window. A single look-alike may itself be mentioned as "another ..."."""
    warea = window.area
    tgeom, tphrase = target.obj.shape, phrase(target.obj)
    contexts: List[_Context] = []
    lookalikes: List[Referent] = []
    visible: Counter = Counter()
    for ref in refs:
        if set(ref.members) & set(target.members) or not _overlaps(ref.obj.bbox, window.bounds):
            continue
        ph = phrase(ref.obj)
        if ref.kind == target.kind and ph == tphrase:
            if ref.obj.shape.intersection(window).area >= 0.5 * ref.obj.shape.area:
                lookalikes.append(ref)
            if len(ref.members) > 1:
                continue
            ph = "another " + ph.split(" ", 1)[1]
        polys = _visible(ref, window, warea)
        if polys is None:
            continue
        visible[ph] += 1
        geom = to_shape(polys) if ref.kind in CLIPPED_KINDS else ref.obj.shape
        clause, weight = context_clause(tgeom, geom, target.kind, ref.kind, scene.gsd)
        if clause:
            rank = weight + min(1.0, geom.area / (0.1 * warea))
            contexts.append(_Context(ref, polys, geom, clause, ph, rank + rng.random()))
    # a context phrase must name one visible thing only ("another X" needs one look-alike)
    contexts = [c for c in contexts if visible[c.phrase] == 1]
    if len(lookalikes) != 1:
        contexts = [c for c in contexts if not c.phrase.startswith("another ")]
    return contexts, lookalikes


def _choose(
    scene: Scene, contexts: List[_Context], lookalikes: List[Referent], rng: random.Random
) -> Optional[List[_Context]]:
    """Context clauses for the caption: first one that no look-alike satisfies (None if
    look-alikes exist and no clause tells the target apart), then the best ranked others."""
    ranked = sorted(contexts, key=lambda c: -c.rank)
    chosen: List[_Context] = []
    if lookalikes:
        for c in ranked:
            look = [d for d in lookalikes if d is not c.ref]
            if all(
                c.clause not in pair(d.obj.shape, c.geom, d.kind, c.ref.kind, scene.gsd)
                for d in look
            ):
                chosen.append(c)
                break
        if not chosen:
            return None
    want = draw_count(CONTEXT_COUNTS, rng)
    for c in ranked:
        if len(chosen) >= want:
            break
        if all(not (set(c.ref.members) & set(o.ref.members)) for o in chosen):
            chosen.append(c)
    return sorted(chosen, key=lambda c: CLAUSE_ORDER.index(c.clause))


def generate_records(
    seed: int, size: int = 384, gsd: float = 0.5, n_records: int = 1, img: str = ""
) -> Tuple[np.ndarray, List[dict]]:
    """Image (size, size, 3) uint8 and up to ``n_records`` records of the scene ``seed``."""
    scene = generate_scene(seed, size, gsd)
    return scene.image, make_records(scene, seed, n_records, img)
