"""Words and sentence templates of grounded captions, shared by generated and real data.

A caption is ``<target phrase> [details] [modifiers] <verb> <clauses> .`` where every phrase
is tagged ``<p> ... </p> [SEG]``. Direction words are exactly the predicate words, so an
augmentation that flips the image can swap them (see :mod:`.relations`).
"""

from __future__ import annotations

import random
from typing import Sequence, Tuple

COUNTS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}
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


def tagged(text: str) -> str:
    """A phrase with its grounding tags: ``<p> text </p> [SEG]``."""
    return f"<p> {text} </p> [SEG]"


def noun_phrase(words: Sequence[str], singular: str, plural: str, count: int) -> str:
    """ "a large white building", "an orange car", "three trees": article or count word,
    attribute words, noun."""
    if count > 1:
        return " ".join([COUNTS.get(count, "several"), *words, plural])
    first = (list(words) or [singular])[0]
    article = "an" if first[0] in "aeiou" else "a"
    return " ".join([article, *words, singular])


def verb_for(kind: str, situation: Sequence[str] = ()) -> Tuple[str, str]:
    """(singular, plural) verb of a target of ``kind`` standing on or at ``situation`` kinds."""
    verb = VERBS.get(kind, DEFAULT_VERB)
    for where in situation:
        verb = SITUATION_VERBS.get((kind, where), verb)
    return verb


def sentence(
    target_phrase: str,
    details: Sequence[str],
    clauses: Sequence[Tuple[str, str]],
    plural: bool,
    verb: Tuple[str, str],
    rng: random.Random,
) -> str:
    """Caption for a target phrase and (predicate, context phrase) clauses, target first.

    ``details`` are ungrounded words about the target ("with a flat roof"). ``contains`` /
    ``surrounds`` clauses become modifiers of the target ("with", "around"); the others are
    joined as "A", "A and B", "A , B and C" after ``verb`` (or another template's words).
    """
    head = [tagged(target_phrase), *[d for d in details if d]]
    head += [f"{MODIFIER_WORDS[p]} {tagged(c)}" for p, c in clauses if p in MODIFIER_WORDS]
    preds = [f"{_clause_word(p, rng)} {tagged(c)}" for p, c in clauses if p not in MODIFIER_WORDS]
    t = " ".join(head)
    be = "are" if plural else "is"
    if not preds:
        return rng.choice(TEMPLATES_PLAIN).format(t=t, be=be)
    joined = preds[0] if len(preds) == 1 else " , ".join(preds[:-1]) + " and " + preds[-1]
    template = rng.choice(TEMPLATES_WITH_CLAUSES)
    return template.format(t=t, verb=verb[1 if plural else 0], be=be, c=joined)


def _clause_word(pred: str, rng: random.Random) -> str:
    word = CLAUSE_WORDS[pred]
    if pred in SYNONYMS and rng.random() < SYNONYMS[pred][1]:
        word = SYNONYMS[pred][0]
    return word
