"""The one object type every reader yields: an image (or a raster window) and its labels.

Coordinates are image pixels of the :class:`AnnotatedImage` (its window, when it is one):
x right, y down. Polygons follow the record format's convention (integer coordinates are pixel
centres, as PIL draws them); boxes are pixel edges ``(x0, y0, x1, y1)``. An object from a box
label has no polygon (``box_only``): no mask is ever invented for it.

Bad input is collected in :class:`Skips` (where, reason) and counted, or refused at once with
:class:`ReaderError` when ``strict``.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional, Tuple

import numpy as np

from model_core.errors import InputError

Box = Tuple[float, float, float, float]
#: (col_off, row_off, width, height) of a raster window, in raster pixels.
Window = Tuple[int, int, int, int]


class ReaderError(InputError):
    """A label file or object that cannot be used (raised at once only in strict mode)."""


@dataclass
class LabelledObject:
    """One labelled object.

    Attributes:
        class_name: the label's class, as written in the source (``Small_Vehicle``, ``Vårbyg``).
        polygons: (K, 2) float arrays in image pixels; their union is the mask. Empty for a
            box label.
        box: pixel-edge bounding box (x0, y0, x1, y1), inside the image.
        source_id: where the label came from (file and line, feature id...).
        stuff: True for a region class (land, water, vegetation) rather than a countable thing.
    """

    class_name: str
    polygons: List[np.ndarray]
    box: Box
    source_id: str
    stuff: bool = False

    @property
    def box_only(self) -> bool:
        return not self.polygons

    def outline(self) -> List[np.ndarray]:
        """The polygons, or the box as one rectangle (pixel-centre convention) when box-only."""
        if self.polygons:
            return self.polygons
        x0, y0, x1, y1 = self.box
        return [np.array([[x0, y0], [x1 - 1, y0], [x1 - 1, y1 - 1], [x0, y1 - 1]], dtype=float)]


@dataclass
class AnnotatedImage:
    """An image file, or a window of a raster, with its labelled objects.

    Attributes:
        source_id: identifies the image (and window) in messages and record ids.
        image_path: the image or raster file.
        objects: labels in this image's pixel coordinates.
        size: (width, height) of the image, or of the window.
        split: "train" or "validation".
        window: the raster window read, or None for the whole file.
        bands: 1-based bands shown as R, G, B (a raster with fewer than 3 shows band 1 as grey).
        blank_is_nodata: treat pure white pixels as no data (scans with blank margins).
        gsd: ground size of a pixel in metres, when known.
    """

    source_id: str
    image_path: Path
    objects: List[LabelledObject]
    size: Tuple[int, int]
    split: str = "train"
    window: Optional[Window] = None
    bands: Tuple[int, int, int] = (1, 2, 3)
    blank_is_nodata: bool = False
    gsd: Optional[float] = None

    def pixels(self) -> Tuple[np.ndarray, np.ndarray]:
        """(rgb uint8 (H, W, 3), valid bool (H, W)); 16-bit and float bands are stretched."""
        from .pixels import load_pixels

        return load_pixels(self.image_path, self.window, self.bands, self.blank_is_nodata)


@dataclass
class Skips:
    """Skipped labels, files or images with their reasons; ``strict`` raises on the first."""

    strict: bool = False
    items: List[Tuple[str, str]] = field(default_factory=list)

    def add(self, where: str, reason: str, detail: str = "") -> None:
        """Record that ``where`` was skipped for ``reason`` (a short category, counted)."""
        if self.strict:
            raise ReaderError(f"{where}: {reason}{' (' + detail + ')' if detail else ''}.")
        self.items.append((where, reason))

    def note(self, where: str, reason: str) -> None:
        """Count something left out that is not bad input (a speck below the minimum area):
        never refused, even in strict mode."""
        self.items.append((where, reason))

    def counts(self) -> Counter:
        return Counter(reason for _, reason in self.items)


# ------------------------------------------------------------------------ object helpers
def box_object(
    class_name: str,
    box: Tuple[float, float, float, float],
    size: Tuple[int, int],
    source_id: str,
    skips: Skips,
) -> Optional[LabelledObject]:
    """A box-only object, clipped to the image; None (skipped) when degenerate or outside."""
    w, h = size
    if not all(math.isfinite(float(v)) for v in box):
        skips.add(source_id, "box not finite")
        return None
    x0, y0, x1, y1 = (float(v) for v in box)
    if x1 <= x0 or y1 <= y0:
        skips.add(source_id, "empty box", f"{box}")
        return None
    if x1 <= 0 or y1 <= 0 or x0 >= w or y0 >= h:
        skips.add(source_id, "box outside image", f"{box} in {w}x{h}")
        return None
    clipped = (max(x0, 0.0), max(y0, 0.0), min(x1, float(w)), min(y1, float(h)))
    if clipped[2] - clipped[0] < 1 or clipped[3] - clipped[1] < 1:
        skips.add(source_id, "box outside image", f"{box} in {w}x{h}")
        return None
    return LabelledObject(class_name, [], clipped, source_id)


def polygon_object(
    class_name: str,
    rings: List[np.ndarray],
    size: Tuple[int, int],
    source_id: str,
    skips: Skips,
    stuff: bool = False,
) -> Optional[LabelledObject]:
    """An object from polygon rings (pixel-centre convention), clipped to the image.

    None (skipped) when no ring has 3 distinct points and an area, or nothing lies inside.
    """
    from shapely.geometry import Polygon, box
    from shapely.validation import make_valid

    w, h = size
    parts = []
    for ring in rings:
        pts = np.asarray(ring, dtype=float).reshape(-1, 2)
        if len(np.unique(pts, axis=0)) < 3 or not np.isfinite(pts).all():
            continue
        poly = Polygon(pts)
        poly = poly if poly.is_valid else make_valid(poly)
        if poly.area > 0:
            parts.append(poly)
    if not parts:
        skips.add(source_id, "degenerate polygon")
        return None
    frame = box(-0.5, -0.5, w - 0.5, h - 0.5)
    geom = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    clipped = geom.intersection(frame)
    if clipped.area < 1.0:
        skips.add(source_id, "polygon outside image", f"in {w}x{h}")
        return None
    polygons = [np.round(ring, 2) for ring in outlines(clipped)]
    return LabelledObject(class_name, polygons, pixel_box(clipped.bounds, size), source_id, stuff)


def polygon_parts(geom) -> list:
    """The polygons of any shapely geometry with area (lines and points left out)."""
    if geom.geom_type == "Polygon":
        return [geom] if geom.area > 0 else []
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in polygon_parts(g)]
    return []


def outlines(geom) -> List[np.ndarray]:
    """Outer rings (K, 2) whose union is ``geom``, holes included: the record format has no
    holes, so a polygon with holes is cut into hole-free pieces (a land region keeps its
    buildings out, a field its farmyard)."""
    return [np.asarray(p.exterior.coords)[:-1] for p in _hole_free_parts(geom)]


def _hole_free_parts(geom) -> list:
    from shapely.geometry import box

    out = []
    for poly in polygon_parts(geom):
        if not poly.interiors:
            out.append(poly)
            continue
        # a vertical cut through the first hole opens it; the halves have fewer holes
        x = poly.interiors[0].centroid.x
        x0, y0, x1, y1 = poly.bounds
        for side in (box(x0 - 1, y0 - 1, x, y1 + 1), box(x, y0 - 1, x1 + 1, y1 + 1)):
            out.extend(_hole_free_parts(poly.intersection(side)))
    return out


def pixel_box(bounds: Tuple[float, float, float, float], size: Tuple[int, int]) -> Box:
    """Pixel-edge box of pixel-centre polygon bounds, clipped to the image."""
    x0, y0, x1, y1 = bounds
    w, h = size
    return (
        max(0.0, math.floor(x0 + 0.5)),
        max(0.0, math.floor(y0 + 0.5)),
        min(float(w), math.ceil(x1 + 0.5)),
        min(float(h), math.ceil(y1 + 0.5)),
    )


def find_image(folder: Path, stem: str, suffixes=(".png", ".jpg", ".jpeg", ".tif", ".tiff")):
    """The image ``stem`` + one of ``suffixes`` (any letter case) in ``folder``, or None."""
    for suffix in suffixes:
        for candidate in (suffix, suffix.upper()):
            path = folder / f"{stem}{candidate}"
            if path.is_file():
                return path
    return None


def image_size(path: Path) -> Tuple[int, int]:
    """(width, height) from the file header."""
    import warnings

    import rasterio
    from rasterio.errors import NotGeoreferencedWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(path) as src:
            return (src.width, src.height)


SplitRule = Callable[[str], str]


def everything_train(_name: str) -> str:
    """The default split rule: every image is a training image."""
    return "train"
