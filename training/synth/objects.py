"""Scene data: objects with their pixel polygons and attributes, and the generated scene."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

import numpy as np

from .geometry import Box, bbox, rasterize, to_shape

#: Kinds that extend beyond any box (roads, water, aprons...): when a caption mentions one, its
#: polygons are clipped to the model's context window, i.e. "a road" is the visible road.
CLIPPED_KINDS = frozenset(
    {"road", "river", "water", "apron", "runway", "pier", "parking lot", "running track"}
)


@dataclass
class SceneObject:
    """One drawn object (or, in records, a group of them).

    Attributes:
        kind: class name, e.g. "building", "small vehicle", "storage tank".
        polygons: list of (N, 2) float arrays of (x, y) pixel points (x right, y down, PIL
            convention: integer coordinates are pixel centres); the object mask is the union of
            their rasterisations. In a generated scene they are rounded to 0.1 px before
            drawing, so the values drawn are the values written.
        attributes: words that describe it: "size" (small/large), "colour", "shape"
            ("L-shaped"), "roof" (flat/gabled), "count" for groups.
        style: painter parameters (colours as RGB, heights in metres, detail polygons).
    """

    kind: str
    polygons: List[np.ndarray]
    attributes: Dict[str, str] = field(default_factory=dict)
    style: Dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._shape = None

    def round(self) -> None:
        """Round the polygons to 0.1 px: done once, before drawing, so that the drawn shapes
        and the written polygons are the same numbers."""
        self.polygons = [np.round(np.asarray(p, dtype=np.float64), 1) for p in self.polygons]
        self._shape = None

    @property
    def bbox(self) -> Box:
        """(x0, y0, x1, y1) of the polygon vertices in pixels."""
        return bbox(self.polygons)

    @property
    def shape(self):
        """Shapely geometry of the polygons (cached)."""
        if self._shape is None:
            self._shape = to_shape(self.polygons)
        return self._shape

    def mask(self, height: int, width: int) -> np.ndarray:
        """Boolean mask (height, width) of the object: its rasterised polygons."""
        return rasterize(self.polygons, height, width)


@dataclass
class Scene:
    """A generated aerial scene.

    Attributes:
        image: uint8 RGB array (H, W, 3).
        objects: every drawn object, each with its polygons and attributes.
        gsd: ground sampling distance in metres per pixel.
        seed: the seed that reproduces the scene.
        scene_type: residential, industrial, harbour, airport, sports or rural.
        sun_azimuth: degrees clockwise from north of the direction the light comes from.
        groups: tuples of object indices that form natural groups (a row of parked vehicles,
            a cluster of tanks, a row of courts); records may use a group as one target.
    """

    image: np.ndarray
    objects: List[SceneObject]
    gsd: float
    seed: int
    scene_type: str
    sun_azimuth: float
    groups: List[Tuple[int, ...]] = field(default_factory=list)

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    @property
    def width(self) -> int:
        return int(self.image.shape[1])
