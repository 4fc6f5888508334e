"""Phrases and caption templates: words that the pixels of the context window determine.

An object's phrase is a fixed function of its kind and attributes (size, colour, shape, count),
so the same object is always named the same way; variety comes from a few sentence templates
and the choice of context objects. Direction words are exactly the predicate words, so an
augmentation that flips the image can swap them (see :mod:`.relations`).
"""

from __future__ import annotations

import random
from typing import Dict, Sequence, Tuple

from .objects import SceneObject

COUNTS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}

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
#: (singular, plural) verb of a kind in "<target> <verb> <clauses>".
VERBS = {
    "building": ("stands", "stand"),
    "storage tank": ("stands", "stand"),
    "small vehicle": ("is parked", "are parked"),
    "large vehicle": ("is parked", "are parked"),
    "plane": ("is parked", "are parked"),
    "helicopter": ("is parked", "are parked"),
    "ship": ("floats", "float"),
    "tree": ("grows", "grow"),
    "tree cluster": ("grows", "grow"),
}
#: Verbs that depend on where the target is (the surface it is on, or a pier it lies at):
#: (target kind, that kind) -> (singular, plural).
SITUATION_VERBS = {
    ("small vehicle", "road"): ("drives", "drive"),
    ("large vehicle", "road"): ("drives", "drive"),
    ("small vehicle", "bridge"): ("drives", "drive"),
    ("large vehicle", "bridge"): ("drives", "drive"),
    ("plane", "runway"): ("is taxiing", "are taxiing"),
    ("ship", "pier"): ("is moored", "are moored"),
}
DEFAULT_VERB = ("lies", "lie")
#: Caption words for a predicate P in "<target> P <object>"; direction words stay verbatim.
CLAUSE_WORDS = {
    "inside": "inside",
    "on": "on",
    "next to": "next to",
    "along": "along",
    "surrounded by": "surrounded by",
    "north of": "north of",
    "south of": "south of",
    "east of": "east of",
    "west of": "west of",
}
#: Occasional synonyms (word, probability) of clause words; directions never vary.
SYNONYMS = {"next to": ("beside", 0.25)}
#: Predicates stated as a modifier right after the target ("a parking lot with ...").
MODIFIER_WORDS = {"contains": "with", "surrounds": "around"}

TEMPLATES_WITH_CLAUSES = (
    "{t} {verb} {c} .",
    "{t} {verb} {c} .",
    "{t} {be} located {c} .",
    "{t} can be seen {c} .",
    "there {be} {t} {c} .",
)
TEMPLATES_PLAIN = ("{t} .", "there {be} {t} .", "{t} can be seen .", "the image shows {t} .")


def phrase(obj: SceneObject) -> str:
    """The noun phrase of an object or group: article or count, attributes, noun."""
    attrs, singular, plural = NOUNS[obj.kind]
    if obj.kind == "tree cluster" and obj.attributes.get("shape") == "ring":
        return "a ring of trees"
    count = int(obj.attributes.get("count", 1))
    words = [obj.attributes[a] for a in attrs if obj.attributes.get(a)]
    if obj.kind in FIXED_SIZE:
        words.insert(0, FIXED_SIZE[obj.kind])
    noun = plural if count > 1 else singular
    if obj.kind == "water":
        return "the water"
    if count > 1:
        return " ".join([COUNTS[count], *words, noun])
    first = (words or [noun])[0]
    article = "an" if first[0] in "aeiou" else "a"
    return " ".join([article, *words, noun])


def detail(obj: SceneObject) -> str:
    """Ungrounded words about the target itself (its roof), or ''."""
    if obj.kind == "building" and obj.attributes.get("roof"):
        return f"with a {obj.attributes['roof']} roof"
    return ""


def tagged(text: str) -> str:
    return f"<p> {text} </p> [SEG]"


def compose(
    target: SceneObject,
    clauses: Sequence[Tuple[str, str]],
    rng: random.Random,
    situation: Sequence[str] = (),
) -> str:
    """Caption for ``target`` and (predicate, context phrase) clauses, target phrase first.

    ``contains`` / ``surrounds`` clauses become modifiers of the target ("with", "around");
    the others are joined as "A", "A and B", "A , B and C" after a verb from a template. The
    verb depends on the target's kind and ``situation`` (kinds of what it stands on or at,
    e.g. "road": a vehicle on a road drives, one elsewhere is parked).
    """
    plural = int(target.attributes.get("count", 1)) > 1
    head = [tagged(phrase(target))]
    if detail(target):
        head.append(detail(target))
    head += [f"{MODIFIER_WORDS[p]} {tagged(c)}" for p, c in clauses if p in MODIFIER_WORDS]
    preds = [f"{_clause_word(p, rng)} {tagged(c)}" for p, c in clauses if p not in MODIFIER_WORDS]
    t = " ".join(head)
    be = "are" if plural else "is"
    if not preds:
        return rng.choice(TEMPLATES_PLAIN).format(t=t, be=be)
    joined = preds[0] if len(preds) == 1 else " , ".join(preds[:-1]) + " and " + preds[-1]
    verb = VERBS.get(target.kind, DEFAULT_VERB)
    for kind in situation:
        verb = SITUATION_VERBS.get((target.kind, kind), verb)
    template = rng.choice(TEMPLATES_WITH_CLAUSES)
    return template.format(t=t, verb=verb[1 if plural else 0], be=be, c=joined)


def _clause_word(pred: str, rng: random.Random) -> str:
    word = CLAUSE_WORDS[pred]
    if pred in SYNONYMS and rng.random() < SYNONYMS[pred][1]:
        word = SYNONYMS[pred][0]
    return word
