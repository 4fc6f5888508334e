"""Objects from label rasters: connected regions of one class become one object each."""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import numpy as np
import rasterio
from affine import Affine
from scipy import ndimage

from model_core.vectorize import mask_to_multipolygon

from .objects import LabelledObject, Skips, outlines

#: Douglas-Peucker tolerance (pixels) for region outlines: keeps records small, masks close.
SIMPLIFY_PX = 1.0
#: Side (pixels) of the cells stuff regions are cut into: the context window of a target
#: of about 100 px.
STUFF_CELL = 256


def region_objects(
    classes: np.ndarray,
    names: Dict[int, Tuple[str, bool]],
    where: str,
    skips: Skips,
    min_area: int = 64,
) -> List[LabelledObject]:
    """One object per 8-connected region of each class index in ``classes`` (H, W): thin
    diagonal lines (roads drawn one pixel wide) stay one object. Regions of a stuff class
    (roads, water, land) are cut into cells of :data:`STUFF_CELL` pixels first, so "a road" is
    a stretch of road one can see in a window, not a whole network.

    Args:
        classes: int array of class indices; indices missing from ``names`` are ignored.
        names: index -> (class name, stuff?).
        min_area: regions with fewer pixels are dropped (counted as "region below min area").
    """
    h, w = classes.shape
    out: List[LabelledObject] = []
    with rasterio.Env():  # one GDAL environment for every outline, not one per region
        for index in sorted(names):
            name, stuff = names[index]
            step_y, step_x = (STUFF_CELL, STUFF_CELL) if stuff else (h, w)
            for y0 in range(0, h, step_y):
                for x0 in range(0, w, step_x):
                    cell = (slice(y0, y0 + step_y), slice(x0, x0 + step_x))
                    found = _regions(
                        classes[cell] == index, (y0, x0), name, stuff, where, skips, min_area
                    )
                    out.extend(found)
    return out


def _regions(mask, offset, name: str, stuff: bool, where: str, skips: Skips, min_area: int):
    labels, count = ndimage.label(mask, structure=np.ones((3, 3), dtype=int))
    if not count:
        return []
    areas = np.bincount(labels.ravel())
    out = []
    for k, (rows, cols) in enumerate(ndimage.find_objects(labels), start=1):
        if areas[k] < min_area:
            skips.note(f"{where} {name}", "region below min area")
            continue
        sl = (
            slice(rows.start + offset[0], rows.stop + offset[0]),
            slice(cols.start + offset[1], cols.stop + offset[1]),
        )
        obj = _region(
            labels[rows, cols] == k,
            sl,
            name,
            stuff,
            f"{where} {name} at {sl[1].start},{sl[0].start}",
        )
        if obj is not None:
            out.append(obj)
    return out


def _region(mask, sl, name: str, stuff: bool, where: str) -> Optional[LabelledObject]:
    rows, cols = sl
    # pixel-edge outlines shifted by half a pixel: the record format's pixel-centre convention
    shift = Affine.translation(cols.start - 0.5, rows.start - 0.5)
    geom = mask_to_multipolygon(mask, shift, min_area_px=4.0, simplify_px=SIMPLIFY_PX)
    if geom is None:
        return None
    polygons = [np.round(ring, 2) for ring in outlines(geom)]
    box = (float(cols.start), float(rows.start), float(cols.stop), float(rows.stop))
    return LabelledObject(name, polygons, box, where, stuff)
