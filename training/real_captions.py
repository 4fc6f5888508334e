"""Grounded captions for real annotations, in the synthetic generator's grammar.

For a target (one labelled object, or a group of same-class neighbours) of an
:class:`~training.readers.objects.AnnotatedImage`, :func:`caption_records` writes records of the
project's format (ARCHITECTURE section 3: GeoPixelD + ``box`` + ``relations``):

- the box is the target's bounding box plus a random margin of 2..15 % of its longer side (the
  jitter); the caption mentions only what the model sees in ``context_window(box, 0.5)``, the
  window inference reads;
- a phrase is the class's natural noun (``training/class_names.json``: ``Small_Vehicle`` -> car,
  ``Land (unpaved area)`` -> bare ground, ``Vårbyg`` -> barley field) with a count for groups,
  a size word relative to the other objects of its class in the image, and the dominant colour
  of its pixels where the class map asks for one;
- clauses relate the target to context objects with the relation stage's predicates, computed
  from the geometry (:mod:`training.grammar.relations`) and worded by the shared grammar
  (:mod:`training.grammar.phrases`);
- targets are drawn round-robin over classes, so records spread over classes; the same seed
  gives the same records.

Extra record keys: ``box_only`` (``[SEG]`` indices whose polygon is only the label's box: no
mask; trainers supervise them with the box) and ``classes`` (source class name per ``[SEG]``).
"""

from __future__ import annotations

import json
import math
import random
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry import box as shapely_box

from model_core.window import context_window
from training.grammar.phrases import noun_phrase, sentence, verb_for
from training.grammar.relations import (
    CLAUSE_ORDER,
    SURFACE_KINDS,
    context_clause,
    draw_count,
    relations,
)
from training.readers.objects import AnnotatedImage, LabelledObject, outlines, polygon_parts

CLASS_NAMES_FILE = Path(__file__).with_name("class_names.json")
#: Context margin of inference (``model_core.window.context_window``).
CONTEXT = 0.5
#: Random margin around the target's bounding box, as a share of its longer side.
MARGIN = (0.02, 0.15)
#: Targets smaller than this (longer box side, pixels) are not captioned.
MIN_TARGET_PX = 8.0
#: Share of targets written as a group with their same-class neighbours, when they have some.
GROUP_SHARE = 0.25
#: Neighbours join a group when their gap is at most this share of the target's longer side.
GROUP_GAP = 0.6
MAX_GROUP = 5
#: A context region (stuff) is mentioned if it covers this share of the window.
MIN_REGION_SHARE = 0.04
#: A context thing is mentioned if this share of it is inside the window.
MIN_INSIDE = 0.7
CONTEXT_COUNTS = ((0, 0.1), (1, 0.4), (2, 0.35), (3, 0.15))
#: Colour words of the generator's palettes.
COLOURS = ("black", "blue", "brown", "green", "grey", "orange", "red", "white", "yellow")
#: Share of an object's pixels that must have its colour word for the word to be used.
MIN_COLOUR_SHARE = 0.4
#: Default metres per pixel when the image says nothing.
DEFAULT_GSD = 0.5


# ------------------------------------------------------------------------------ class map
@dataclass(frozen=True)
class ClassWords:
    """How captions name one class."""

    noun: str
    plural: str
    kind: str
    phrase: str = ""
    stuff: bool = False
    attributes: Tuple[str, ...] = ()
    accept: Tuple[str, ...] = ()


def normalise(name: str) -> str:
    """Class names compared lower-case, '_' as space, runs of spaces as one."""
    return re.sub(r"\s+", " ", str(name).replace("_", " ")).strip().lower()


@lru_cache(maxsize=4)
def _class_map(path: str) -> Tuple[Dict[str, ClassWords], Dict[str, ClassWords]]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))

    def words(entry: dict) -> ClassWords:
        return ClassWords(
            noun=entry["noun"],
            plural=entry.get("plural", entry["noun"] + "s"),
            kind=entry.get("kind", entry["noun"]),
            phrase=entry.get("phrase", ""),
            stuff=bool(entry.get("stuff", False)),
            attributes=tuple(entry.get("attributes", ())),
            accept=tuple(entry.get("accept", (entry["noun"],))),
        )

    exact = {normalise(k): words(v) for k, v in data["classes"].items()}
    prefixes = {normalise(k): words(v) for k, v in data.get("prefixes", {}).items()}
    return exact, prefixes


def all_class_words(path: Path = CLASS_NAMES_FILE) -> List[ClassWords]:
    """Every entry of the class-name map: its classes, then its name prefixes."""
    exact, prefixes = _class_map(str(path))
    return list(exact.values()) + list(prefixes.values())


def class_words(
    class_name: str, default_noun: Optional[str] = None, path: Path = CLASS_NAMES_FILE
) -> ClassWords:
    """The words for ``class_name``: exact entry, else the longest matching prefix, else
    ``default_noun`` (e.g. "field" for a crop register), else the class name itself (kept
    whole when it is already a phrase, as GeoPixelD's objects are named)."""
    exact, prefixes = _class_map(str(path))
    key = normalise(class_name)
    if key in exact:
        return exact[key]
    hits = [p for p in prefixes if key.startswith(p)]
    if hits:
        return prefixes[max(hits, key=len)]
    if default_noun is None and re.match(r"(a|an|the) ", key):  # a GeoPixelD phrase
        noun = key.split(" ", 1)[1]
        return ClassWords(noun, noun + "s", noun, phrase=key, accept=(noun,))
    noun = default_noun or key
    return ClassWords(noun, noun + "s", noun, accept=(noun,))


def named_correctly(class_name: str, text: str, default_noun: Optional[str] = None) -> bool:
    """True when ``text`` (a phrase or caption) names ``class_name`` with an accepted word."""
    words = class_words(class_name, default_noun)
    lowered = f" {normalise(text)} "
    return any(re.search(rf"\b{re.escape(w)}", lowered) for w in (words.noun, *words.accept))


# ------------------------------------------------------------------------------ pixels
def colour_name(pixels: np.ndarray) -> str:
    """The palette colour word most of (N, 3) uint8 pixels have, or '' when no word covers
    at least :data:`MIN_COLOUR_SHARE` of them (a mixed object gets no colour word)."""
    if len(pixels) == 0:
        return ""
    words = pixel_colours(np.asarray(pixels).reshape(-1, 3))
    values, counts = np.unique(words, return_counts=True)
    best = int(np.argmax(counts))
    return str(values[best]) if counts[best] >= MIN_COLOUR_SHARE * len(words) else ""


def pixel_colours(pixels: np.ndarray) -> np.ndarray:
    """The palette colour word of every (N, 3) uint8 pixel, from its hue, saturation, value."""
    rgb = pixels.astype(np.float64) / 255.0
    val = rgb.max(axis=1)
    chroma = val - rgb.min(axis=1)
    sat = np.where(val > 0, chroma / np.maximum(val, 1e-9), 0.0)
    r, g, b = rgb.T
    safe = np.maximum(chroma, 1e-9)
    hue = (
        np.where(
            val == r,
            ((g - b) / safe) % 6.0,
            np.where(val == g, (b - r) / safe + 2.0, (r - g) / safe + 4.0),
        )
        * 60.0
    )
    words = np.full(len(pixels), "grey", dtype=object)
    chromatic = (sat >= 0.28) & (val >= 0.3)
    words[~chromatic & (val > 0.72)] = "white"
    words[val < 0.2] = "black"
    bins = (
        ((hue < 15) | (hue >= 330), "red"),
        ((hue >= 15) & (hue < 45), "orange"),
        ((hue >= 45) & (hue < 70), "yellow"),
        ((hue >= 70) & (hue < 180), "green"),
        ((hue >= 180) & (hue < 260), "blue"),
    )
    for test, word in bins:
        words[chromatic & test] = word
    words[chromatic & (hue < 70) & (val < 0.55)] = "brown"
    return words


def _object_pixels(obj: LabelledObject, rgb: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Valid pixels of the object's mask, or of the middle half of its box when box-only."""
    from PIL import Image, ImageDraw

    x0, y0, x1, y1 = (int(round(v)) for v in obj.box)
    if x1 <= x0 or y1 <= y0:
        return np.zeros((0, 3), dtype=np.uint8)
    if obj.box_only:
        dx, dy = (x1 - x0) // 4, (y1 - y0) // 4
        sl = (slice(y0 + dy, max(y1 - dy, y0 + dy + 1)), slice(x0 + dx, max(x1 - dx, x0 + dx + 1)))
        return rgb[sl][valid[sl]]
    canvas = Image.new("L", (x1 - x0, y1 - y0), 0)
    draw = ImageDraw.Draw(canvas)
    for poly in obj.polygons:
        draw.polygon([(float(x) - x0, float(y) - y0) for x, y in poly], fill=1)
    inside = np.asarray(canvas, dtype=bool) & valid[y0:y1, x0:x1]
    return rgb[y0:y1, x0:x1][inside]


# ------------------------------------------------------------------------------ referents
@dataclass(eq=False)
class _Referent:
    """One object or a group of same-class objects, as a phrase names it."""

    members: Tuple[int, ...]
    class_name: str
    words: ClassWords
    geom: object
    polygons: List[np.ndarray]
    box: Tuple[float, float, float, float]
    box_only: bool
    phrase: str = ""

    @property
    def kind(self) -> str:
        return self.words.kind


@dataclass
class _Scene:
    image: AnnotatedImage
    objects: List[LabelledObject]
    words: List[ClassWords]
    geoms: list
    attributes: List[Dict[str, str]] = field(default_factory=list)
    gsd: float = DEFAULT_GSD


def _geometry(obj: LabelledObject):
    if obj.box_only:
        x0, y0, x1, y1 = obj.box
        return shapely_box(x0 - 0.5, y0 - 0.5, x1 - 0.5, y1 - 0.5)
    parts = [Polygon(p) for p in obj.polygons if len(p) >= 3]
    parts = [p if p.is_valid else p.buffer(0) for p in parts]
    geom = MultiPolygon([q for p in parts for q in polygon_parts(p)])
    return geom if geom.is_valid else geom.buffer(0)


def _scene(
    image: AnnotatedImage, rgb: np.ndarray, valid: np.ndarray, default_noun: Optional[str]
) -> _Scene:
    words = [class_words(o.class_name, default_noun) for o in image.objects]
    # the reader knows which classes are regions (a road mask) even if the map counts them
    words = [replace(w, stuff=True) if o.stuff else w for o, w in zip(image.objects, words)]
    scene = _Scene(image, image.objects, words, [_geometry(o) for o in image.objects])
    scene.gsd = image.gsd or DEFAULT_GSD
    areas: Dict[str, List[float]] = {}
    for obj, geom in zip(image.objects, scene.geoms):
        areas.setdefault(obj.class_name, []).append(geom.area)
    for obj, w, geom in zip(image.objects, words, scene.geoms):
        attrs: Dict[str, str] = {}
        same = areas[obj.class_name]
        if "size" in w.attributes and len(same) >= 3:
            median = float(np.median(same))
            if geom.area < 0.5 * median:
                attrs["size"] = "small"
            elif geom.area > 2.0 * median:
                attrs["size"] = "large"
        if "colour" in w.attributes:
            colour = colour_name(_object_pixels(obj, rgb, valid))
            if colour:
                attrs["colour"] = colour
        scene.attributes.append(attrs)
    return scene


def _phrase(words: ClassWords, attrs: Dict[str, str], count: int) -> str:
    if words.stuff or (words.phrase and count == 1):
        return words.phrase or noun_phrase([], words.noun, words.plural, 1)
    adjectives = [attrs[a] for a in ("size", "colour") if attrs.get(a)]
    return noun_phrase(adjectives, words.noun, words.plural, count)


def _referent(scene: _Scene, members: Sequence[int]) -> _Referent:
    first = members[0]
    objs = [scene.objects[i] for i in members]
    shared = {
        key: value
        for key, value in scene.attributes[first].items()
        if all(scene.attributes[i].get(key) == value for i in members)
    }
    geom = scene.geoms[first]
    for i in members[1:]:
        geom = geom.union(scene.geoms[i])
    boxes = np.array([o.box for o in objs])
    box = (boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max())
    ref = _Referent(
        tuple(members),
        objs[0].class_name,
        scene.words[first],
        geom,
        [p for o in objs for p in o.outline()],
        tuple(float(v) for v in box),
        objs[0].box_only,
    )
    ref.phrase = _phrase(ref.words, shared, len(members))
    return ref


# ------------------------------------------------------------------------------ records
def caption_records(
    image: AnnotatedImage,
    rgb: np.ndarray,
    valid: np.ndarray,
    seed: int,
    n_records: int,
    img: str,
    default_noun: Optional[str] = None,
) -> List[dict]:
    """Up to ``n_records`` records about different targets of ``image`` (pixels ``rgb`` with
    ``valid``), deterministic for ``seed``; ``img`` is the image name the records point to."""
    rng = random.Random(f"{seed}:{image.source_id}")
    scene = _scene(image, rgb, valid, default_noun)
    by_class: Dict[str, List[int]] = {}
    for i, obj in enumerate(scene.objects):
        side = max(obj.box[2] - obj.box[0], obj.box[3] - obj.box[1])
        if side >= MIN_TARGET_PX:
            by_class.setdefault(obj.class_name, []).append(i)
    classes = sorted(by_class)
    rng.shuffle(classes)
    for members in by_class.values():
        rng.shuffle(members)
    records: List[dict] = []
    used: set = set()
    while len(records) < n_records and any(by_class.values()):
        for name in classes:
            if len(records) >= n_records or not by_class[name]:
                continue
            index = by_class[name].pop()
            if index in used:
                continue
            members = _group(scene, index, used, rng)
            record = _record(scene, members, rng, f"{image.source_id}_{len(records)}", img)
            if record is not None:
                records.append(record)
                used.update(members)
    return records


def _group(scene: _Scene, index: int, used: set, rng: random.Random) -> List[int]:
    """The target alone, or (sometimes) with its nearest same-class neighbours."""
    obj = scene.objects[index]
    if scene.words[index].stuff or rng.random() >= GROUP_SHARE:
        return [index]
    side = max(obj.box[2] - obj.box[0], obj.box[3] - obj.box[1])
    geom = scene.geoms[index]
    near = [
        (geom.distance(scene.geoms[j]), j)
        for j, other in enumerate(scene.objects)
        if j != index
        and j not in used
        and other.class_name == obj.class_name
        and _close(obj.box, other.box, GROUP_GAP * side)
        and geom.distance(scene.geoms[j]) <= GROUP_GAP * side
    ]
    if not near:
        return [index]
    near.sort()
    return [index] + [j for _, j in near[: MAX_GROUP - 1]]


def _close(a, b, gap: float) -> bool:
    return a[0] - gap < b[2] and b[0] - gap < a[2] and a[1] - gap < b[3] and b[1] - gap < a[3]


def _record(
    scene: _Scene, members: List[int], rng: random.Random, rid: str, img: str
) -> Optional[dict]:
    target = _referent(scene, members)
    w, h = scene.image.size
    x0, y0, x1, y1 = target.box
    side = max(x1 - x0, y1 - y0)
    m = [rng.uniform(*MARGIN) * side for _ in range(4)]
    box = (
        round(max(0.0, x0 - m[0]), 1),
        round(max(0.0, y0 - m[1]), 1),
        round(min(float(w), x1 + m[2]), 1),
        round(min(float(h), y1 + m[3]), 1),
    )
    window = shapely_box(*context_window(box, CONTEXT)).intersection(shapely_box(0, 0, w, h))
    contexts = _contexts(scene, target, window)
    chosen = _choose(contexts, rng)
    situation = [
        scene.words[i].kind
        for i, g in enumerate(scene.geoms)
        if i not in members
        and scene.words[i].kind in SURFACE_KINDS
        and _close(scene.objects[i].box, target.box, 0)
        and g.intersection(target.geom).area >= 0.8 * target.geom.area
    ]
    clauses = [(c[1], c[0].phrase) for c in chosen]
    plural = len(members) > 1
    verb = verb_for(target.kind, situation)
    caption = sentence(target.phrase, [], clauses, plural, verb, rng)
    refs = [target] + [c[0] for c in chosen]
    geoms = [r.geom for r in refs]
    triples = relations(geoms, [r.kind for r in refs], scene.gsd)
    stated = {(0, k + 1, c[1]) for k, c in enumerate(chosen)}
    order = {id(t): n for n, t in enumerate(triples)}
    triples.sort(key=lambda t: (t[0], t[2], (t[0], t[2], t[1]) not in stated, order[id(t)]))
    return {
        "id": rid,
        "img": img,
        "gcg_description": caption,
        "polygons": [
            [[[round(float(x), 1), round(float(y), 1)] for x, y in p] for p in r.polygons]
            for r in refs
        ],
        "box": [float(v) for v in box],
        "relations": triples,
        "width": int(w),
        "height": int(h),
        "box_only": [k for k, r in enumerate(refs) if r.box_only],
        "classes": [r.class_name for r in refs],
    }


def _contexts(scene: _Scene, target: _Referent, window) -> List[Tuple[_Referent, str, float]]:
    """(referent, clause, rank) of objects that may be mentioned with the target: visible in
    the window, with a phrase no other visible object shares, and a predicate that holds."""
    warea = window.area
    found = []
    counts: Dict[str, int] = {}
    bounds = window.bounds
    for i, obj in enumerate(scene.objects):
        if i in target.members or not _close(obj.box, bounds, 0):
            continue
        ref = _referent(scene, [i])
        geom = scene.geoms[i]
        if ref.words.stuff:
            part = geom.intersection(window)
            if part.area < MIN_REGION_SHARE * warea:
                continue
            ref.geom = part
            ref.polygons = outlines(part)
        elif geom.area < max(12.0, 0.002 * warea) or (
            geom.intersection(window).area < MIN_INSIDE * geom.area
        ):
            continue
        if ref.phrase == target.phrase:
            if ref.words.stuff:  # "the water" next to "the water": one region, not two
                continue
            ref.phrase = "another " + ref.phrase.split(" ", 1)[1]
        counts[ref.phrase] = counts.get(ref.phrase, 0) + 1
        clause, weight = context_clause(target.geom, ref.geom, target.kind, ref.kind, scene.gsd)
        if clause:
            rank = weight + min(1.0, ref.geom.area / warea)
            found.append((ref, clause, rank))
    return [c for c in found if counts[c[0].phrase] == 1]


def _choose(contexts, rng: random.Random):
    want = draw_count(CONTEXT_COUNTS, rng)
    ranked = sorted(contexts, key=lambda c: (-c[2], c[0].members))
    chosen = ranked[:want]
    return sorted(chosen, key=lambda c: CLAUSE_ORDER.index(c[1]))


def records_per_image(n_objects: int, maximum: int) -> int:
    """How many records an image with ``n_objects`` labels gives: about one per two labels."""
    return max(1, min(maximum, math.ceil(n_objects / 2)))
