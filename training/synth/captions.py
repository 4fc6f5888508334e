"""Phrases of generated objects: words that the pixels of the context window determine.

An object's phrase is a fixed function of its kind and attributes (size, colour, shape, count),
so the same object is always named the same way; variety comes from the shared sentence
templates (:mod:`training.grammar.phrases`) and the choice of context objects.
"""

from __future__ import annotations

import random
from typing import Dict, Sequence, Tuple

from training.grammar.phrases import noun_phrase, sentence, verb_for

from .objects import SceneObject

#: kind -> (attributes named before the noun, singular noun, plural noun)
NOUNS: Dict[str, Tuple[Tuple[str, ...], str, str]] = {
    "building": (("size", "colour", "shape"), "building", "buildings"),
    "small vehicle": (("colour",), "vehicle", "vehicles"),
    "large vehicle": (("colour",), "vehicle", "vehicles"),
    "storage tank": (("size", "colour"), "storage tank", "storage tanks"),
    "tennis court": (("colour",), "tennis court", "tennis courts"),
    "basketball court": (("colour",), "basketball court", "basketball courts"),
    "swimming pool": (("size",), "swimming pool", "swimming pools"),
    "soccer field": ((), "soccer field", "soccer fields"),
    "running track": ((), "running track", "running tracks"),
    "roundabout": ((), "roundabout", "roundabouts"),
    "ship": (("size", "colour", "type"), "ship", "ships"),
    "helicopter": (("colour",), "helicopter", "helicopters"),
    "baseball diamond": ((), "baseball diamond", "baseball diamonds"),
    "container stack": ((), "stack of containers", "stacks of containers"),
    "bridge": ((), "bridge", "bridges"),
    "plane": (("size", "colour"), "plane", "planes"),
    "tree": ((), "tree", "trees"),
    "tree cluster": ((), "cluster of trees", "clusters of trees"),
    "pond": (("size",), "pond", "ponds"),
    "parking lot": ((), "parking lot", "parking lots"),
    "road": ((), "road", "roads"),
    "river": ((), "river", "rivers"),
    "water": ((), "water", "water"),
    "apron": ((), "apron", "aprons"),
    "runway": ((), "runway", "runways"),
    "pier": ((), "pier", "piers"),
}
#: Kinds whose class name carries the size word ("a small white vehicle").
FIXED_SIZE = {"small vehicle": "small", "large vehicle": "large"}


def phrase(obj: SceneObject) -> str:
    """The noun phrase of an object or group: article or count, attributes, noun."""
    attrs, singular, plural = NOUNS[obj.kind]
    if obj.kind == "tree cluster" and obj.attributes.get("shape") == "ring":
        return "a ring of trees"
    if obj.kind == "water":
        return "the water"
    words = [obj.attributes[a] for a in attrs if obj.attributes.get(a)]
    if obj.kind in FIXED_SIZE:
        words.insert(0, FIXED_SIZE[obj.kind])
    return noun_phrase(words, singular, plural, int(obj.attributes.get("count", 1)))


def detail(obj: SceneObject) -> str:
    """Ungrounded words about the target itself (its roof), or ''."""
    if obj.kind == "building" and obj.attributes.get("roof"):
        return f"with a {obj.attributes['roof']} roof"
    return ""


def compose(
    target: SceneObject,
    clauses: Sequence[Tuple[str, str]],
    rng: random.Random,
    situation: Sequence[str] = (),
) -> str:
    """Caption for ``target`` and (predicate, context phrase) clauses, target phrase first.

    The verb depends on the target's kind and ``situation`` (kinds of what it stands on or at,
    e.g. "road": a vehicle on a road drives, one elsewhere is parked); the rest is
    :func:`training.grammar.phrases.sentence`.
    """
    plural = int(target.attributes.get("count", 1)) > 1
    verb = verb_for(target.kind, situation)
    return sentence(phrase(target), [detail(target)], clauses, plural, verb, rng)
