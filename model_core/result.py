"""The prediction result that every entry point shares (ARCHITECTURE section 5)."""

from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np


@dataclass
class DetectedObject:
    """One grounded phrase: its text, mask in the window grid, score and polygon.

    ``geometry`` is a shapely MultiPolygon in the output CRS (None when the mask vectorised
    to nothing, e.g. every part was below the minimum area). ``score`` is the predicted IoU of
    the mask with the truth (the decoder's quality head; 0..1). ``naming_confidence`` is the
    lowest probability of the phrase's class-word tokens (``model_core.naming``); a phrase
    below the checkpoint's threshold was replaced by a generic noun.
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
    layer of the vector output); None when not known.
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
