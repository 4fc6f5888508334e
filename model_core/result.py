"""The prediction result that every entry point shares (ARCHITECTURE section 5)."""

from dataclasses import dataclass, field, replace
from typing import Dict, List, Optional

import numpy as np


@dataclass
class DetectedObject:
    """One grounded phrase: its text, mask in the window grid, score and polygon.

    ``geometry`` is a shapely MultiPolygon in the output CRS (None when the mask vectorised
    to nothing, e.g. every part was below the minimum area). ``score`` is the predicted IoU of
    the mask with the truth (the decoder's quality head; 0..1). ``naming_confidence`` is the
    lowest probability of the phrase's class-word tokens (``model_core.naming``); a phrase
    below the checkpoint's threshold was replaced by a generic noun. With a class head the
    first object's is what the head's verdict rests on (``model_core.naming.head_verdict``).
    """

    phrase: str
    mask: np.ndarray
    score: float
    geometry: Optional[object] = None
    area_m2: Optional[float] = None
    naming_confidence: Optional[float] = None


@dataclass
class Relation:
    """``objects[subject] predicate objects[object]`` with its probability."""

    subject: int
    predicate: str
    object: int
    score: float


@dataclass
class PredictionResult:
    """What one box gives back: caption, objects, relations and per-stage timings (ms).

    ``box_geometry`` is the user's box as a shapely Polygon in ``crs_wkt`` (for the prompts
    layer of the vector output); None when not known. ``kind_probabilities``: the class
    head's probability of each kind of thing for the box (empty without a class head).
    """

    caption: str
    tagged_caption: str
    objects: List[DetectedObject]
    relations: List[Relation]
    timing_ms: Dict[str, float] = field(default_factory=dict)
    crs_wkt: Optional[str] = None
    model: str = ""
    source: str = ""
    box_geometry: Optional[object] = None  # shapely Polygon of the box in the output CRS
    kind_probabilities: Dict[str, float] = field(default_factory=dict)


DEFAULT_MIN_SCORE = 0.4
"""Objects scoring below this are hidden unless the user chooses another minimum score.

Chosen from the bundled model's score calibration: its score predicts the mask's IoU with the
truth, and 0.4 best separated masks with IoU >= 0.5 from worse ones on the calibration images
held out of its training data (highest F1; model card, "Score calibration"). 0.0 shows every
object.
"""


def keep_confident(result: PredictionResult, min_score: float) -> PredictionResult:
    """``result`` without the objects whose score is below ``min_score`` (a copy if any is).

    Every entry point (map tool, Processing, command line) hides objects through this one
    function. A hidden object loses its ``[SEG]`` in the tagged caption, so the n-th ``[SEG]``
    still grounds the n-th object (its phrase stays in the caption, as plain text); relations
    that involve it are dropped and the others are renumbered to the kept objects.
    """
    kept = [i for i, obj in enumerate(result.objects) if obj.score >= min_score]
    if len(kept) == len(result.objects):
        return result
    new_index = {old: new for new, old in enumerate(kept)}
    words, seg_index = [], 0
    for word in result.tagged_caption.split():
        if word == "[SEG]":
            hidden = seg_index < len(result.objects) and seg_index not in new_index
            seg_index += 1
            if hidden:
                continue
        words.append(word)
    return replace(
        result,
        tagged_caption=" ".join(words),
        objects=[result.objects[i] for i in kept],
        relations=[
            replace(r, subject=new_index[r.subject], object=new_index[r.object])
            for r in result.relations
            if r.subject in new_index and r.object in new_index
        ],
    )
