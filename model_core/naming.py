"""No confident nonsense: a phrase whose class the model was unsure of gets a generic noun.

During greedy generation the model gives each token a probability. A phrase such as
``a large red storage tank`` decides its class on the *class words* (``storage tank``): every
word that is not an article, count, size, colour, shape or type word. The phrase's naming
confidence is the lowest probability among the tokens of those words (a multi-word class is
decided on its first token, later ones follow almost surely). Below the checkpoint's
``min_naming_probability`` the phrase is replaced by a generic one: ``an object`` (``some
objects`` for a count), or ``an area`` / ``some areas`` when the mask covers more than
:data:`AREA_FRACTION` of the window (a region, not a thing). The ``[SEG]`` and its mask stay.
"""

import re
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

from .tokenizer import strip_tags

#: Count words that make a generic replacement plural.
PLURAL_WORDS = frozenset(
    [
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "several",
        "many",
        "some",
    ]
)
#: Words that describe an object without saying what it is (the grammar's modifiers).
MODIFIER_WORDS = PLURAL_WORDS | frozenset(
    (
        "a",
        "an",
        "the",
        "one",
        "few",
        "small",
        "large",
        "big",
        "medium",
        "tiny",
        "huge",
        "long",
        "short",
        "wide",
        "narrow",
        "tall",
        "white",
        "black",
        "grey",
        "gray",
        "red",
        "blue",
        "green",
        "yellow",
        "orange",
        "brown",
        "beige",
        "dark",
        "light",
        "pale",
        "round",
        "square",
        "rectangular",
        "circular",
        "l-shaped",
        "irregular",
        "container",
    )
)
GENERIC_OBJECT, GENERIC_OBJECTS = "an object", "some objects"
GENERIC_AREA, GENERIC_AREAS = "an area", "some areas"
#: Every phrase the replacement can produce (how an evaluation recognises an abstention).
GENERIC_PHRASES = frozenset((GENERIC_OBJECT, GENERIC_OBJECTS, GENERIC_AREA, GENERIC_AREAS))
#: A mask covering more of the window than this is named an area (the box with the default
#: context margin covers a quarter of the window; a region runs past it).
AREA_FRACTION = 0.3


def seg_naming_confidences(
    ids: Sequence[int],
    probs: Sequence[float],
    word_starts: Sequence[bool],
    words: Sequence[str],
    p_open: int,
    p_close: int,
    seg: int,
) -> List[Optional[float]]:
    """Per ``[SEG]`` of a generated caption: the naming confidence of its phrase.

    Args:
        ids / probs / word_starts: the generated tokens, each one's probability and whether it
            begins a word (``CaptionTokenizer.word_starts``).
        words: each token's text (only the tokens inside phrases are read).
        p_open / p_close / seg: the ids of ``<p>``, ``</p>`` and ``[SEG]``.

    Returns:
        one value per ``[SEG]`` in order: the lowest probability of the tokens of the class
        words of the last ``<p> ... </p>`` before it; 1.0 when the phrase has only modifier
        words; None when no phrase precedes the ``[SEG]``.
    """
    out: List[Optional[float]] = []
    inside: Optional[List[int]] = None
    pending: Optional[List[int]] = None
    for k, token in enumerate(ids):
        if token == p_open:
            inside = []
        elif token == p_close and inside is not None:
            pending, inside = inside, None
        elif token == seg:
            confidence = None
            if pending is not None:
                confidence = _class_confidence(pending, probs, word_starts, words)
            out.append(confidence)
            pending = None
        elif inside is not None:
            inside.append(k)
    return out


def _class_confidence(
    positions: List[int],
    probs: Sequence[float],
    word_starts: Sequence[bool],
    words: Sequence[str],
) -> float:
    """Lowest probability over the tokens of a phrase's non-modifier words."""
    groups: List[List[int]] = []
    for k in positions:
        if word_starts[k] or not groups:
            groups.append([k])
        else:
            groups[-1].append(k)
    lowest = 1.0
    for group in groups:
        word = "".join(words[k] for k in group).strip().lower()
        if word not in MODIFIER_WORDS:
            lowest = min(lowest, min(float(probs[k]) for k in group))
    return lowest


def generic_phrase(phrase: str, mask_fraction: float) -> str:
    """The generic stand-in of ``phrase`` for a mask covering ``mask_fraction`` of the window."""
    plural = (phrase.split() or [""])[0].lower() in PLURAL_WORDS
    if mask_fraction > AREA_FRACTION:
        return GENERIC_AREAS if plural else GENERIC_AREA
    return GENERIC_OBJECTS if plural else GENERIC_OBJECT


def replace_seg_phrases(tagged: str, replacements: Dict[int, str]) -> str:
    """``tagged`` with the phrase of the k-th ``[SEG]`` replaced by ``replacements[k]``."""
    words = tagged.split()
    out: List[str] = []
    opened: Optional[int] = None  # index in ``out`` of the open phrase's "<p>"
    last_phrase: Optional[tuple] = None  # (start, end) in ``out`` of the last closed phrase
    seg = 0
    for word in words:
        if word == "<p>":
            opened = len(out)
        elif word == "</p>" and opened is not None:
            last_phrase, opened = (opened + 1, len(out)), None
        elif word == "[SEG]":
            if seg in replacements and last_phrase is not None:
                start, end = last_phrase
                out[start:end] = replacements[seg].split()
            last_phrase = None
            seg += 1
        out.append(word)
    return " ".join(out)


def abstain_unsure(result, threshold: float, first: int = 0) -> None:
    """Give every object of a ``PredictionResult`` from index ``first`` on whose
    ``naming_confidence`` is below ``threshold`` a generic phrase, in the object and in the
    caption (in place)."""
    replacements: Dict[int, str] = {}
    for k, obj in enumerate(result.objects):
        if k < first:
            continue
        if obj.naming_confidence is not None and obj.naming_confidence < threshold:
            obj.phrase = generic_phrase(obj.phrase, float(obj.mask.mean()))
            replacements[k] = obj.phrase
    if replacements:
        result.tagged_caption = replace_seg_phrases(result.tagged_caption, replacements)
        result.caption = strip_tags(result.tagged_caption)


# ------------------------------------------------------------------------ the class head
KEEP, REPLACE, ABSTAIN = "keep", "replace", "abstain"


def phrase_kinds(phrase: str, words: Sequence[Sequence[str]]) -> List[int]:
    """Indices of the kinds whose nouns (``words[k]``) the phrase uses; the generic phrases
    name the kind whose own nouns include them (``an area`` for unfamiliar ground)."""
    return list(_phrase_kinds(phrase, tuple(tuple(nouns) for nouns in words)))


@lru_cache(maxsize=4096)
def _phrase_kinds(phrase: str, words: Tuple[Tuple[str, ...], ...]) -> Tuple[int, ...]:
    text = f" {phrase.lower()} "
    if phrase in GENERIC_PHRASES:
        return tuple(k for k, nouns in enumerate(words) if phrase in nouns)
    return tuple(
        k
        for k, nouns in enumerate(words)
        if any(
            re.search(rf"\b{re.escape(noun)}\b", text)
            for noun in nouns
            if noun not in GENERIC_PHRASES
        )
    )


def head_verdict(
    phrase: str,
    probabilities: Sequence[float],
    head,
    naming_confidence: Optional[float] = None,
) -> Tuple[str, str, float]:
    """What the class head makes of the first phrase: (decision, phrase, confidence).

    Args:
        phrase: the phrase the language model wrote for the box's object, and
        naming_confidence: the lowest probability of its class-word tokens.
        probabilities: the head's probability of each kind (``head.kinds`` order).
        head: a ``ClassHeadConfig`` with the thresholds to apply.

    Returns:
        ``keep`` with the phrase when it is already generic (the head never names what the
        language model would not), when the language model was at least ``trust`` sure of
        it, when the head gives the kind it names at least ``keep``, or when that kind is the
        head's best and has at least ``replace`` (the two agree);
        else ``replace`` with the head's phrase for its best kind when that has at least
        ``replace``; else ``abstain`` (the caller makes the phrase generic). The confidence
        is what the name rests on: the head's probability of the kind named (the language
        model's own when it was trusted and the head gave less), of its best kind on
        abstaining.
    """
    keep, replace = head.keep, head.replace
    sure = head.trust > 0 and naming_confidence is not None and naming_confidence >= head.trust
    kinds = phrase_kinds(phrase, head.words)
    named = max((probabilities[k] for k in kinds), default=0.0)
    best = max(range(len(probabilities)), key=lambda k: probabilities[k])
    top = float(probabilities[best])
    agrees = best in kinds and top >= replace
    if named >= keep or agrees or sure or phrase in GENERIC_PHRASES:
        return KEEP, phrase, max(float(named), float(naming_confidence) if sure else 0.0)
    if top >= replace and head.phrases[best] not in GENERIC_PHRASES:
        plural = (phrase.split() or [""])[0].lower() in PLURAL_WORDS
        return REPLACE, (head.plurals if plural else head.phrases)[best], top
    return ABSTAIN, phrase, top


def judge_first_object(result, probabilities: Sequence[float], head) -> None:
    """Apply :func:`head_verdict` to the first object of a ``PredictionResult`` (in place):
    its phrase and naming confidence, and the caption's first phrase."""
    if not result.objects:
        return
    first = result.objects[0]
    decision, phrase, confidence = head_verdict(
        first.phrase, probabilities, head, first.naming_confidence
    )
    first.naming_confidence = confidence
    if decision == KEEP:
        return
    if decision == ABSTAIN:
        phrase = generic_phrase(first.phrase, float(first.mask.mean()))
    first.phrase = phrase
    result.tagged_caption = replace_seg_phrases(result.tagged_caption, {0: phrase})
    result.caption = strip_tags(result.tagged_caption)
