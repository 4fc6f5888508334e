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

from typing import Dict, List, Optional, Sequence

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


def abstain_unsure(result, threshold: float) -> None:
    """Give every object of a ``PredictionResult`` whose ``naming_confidence`` is below
    ``threshold`` a generic phrase, in the object and in the caption (in place)."""
    replacements: Dict[int, str] = {}
    for k, obj in enumerate(result.objects):
        if obj.naming_confidence is not None and obj.naming_confidence < threshold:
            obj.phrase = generic_phrase(obj.phrase, float(obj.mask.mean()))
            replacements[k] = obj.phrase
    if replacements:
        result.tagged_caption = replace_seg_phrases(result.tagged_caption, replacements)
        result.caption = strip_tags(result.tagged_caption)
