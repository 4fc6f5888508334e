"""Objects from label rasters: connected regions of one class become one object each."""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import numpy as np
from affine import Affine
from scipy import ndimage

from model_core.vectorize import mask_to_multipolygon

from .objects import LabelledObject, Skips

#: Douglas-Peucker tolerance (pixels) for region outlines: keeps records small, masks close.
SIMPLIFY_PX = 1.0


def region_objects(
    classes: np.ndarray,
    names: Dict[int, Tuple[str, bool]],
    where: str,
    skips: Skips,
    min_area: int = 64,
) -> List[LabelledObject]:
    """One object per 4-connected region of each class index in ``classes`` (H, W).

    Args:
        classes: int array of class indices; indices missing from ``names`` are ignored.
        names: index -> (class name, stuff?).
        min_area: regions with fewer pixels are dropped (counted as "region below min area").
    """
    out: List[LabelledObject] = []
    for index in sorted(names):
        name, stuff = names[index]
        labels, count = ndimage.label(classes == index)
        if not count:
            continue
        areas = np.bincount(labels.ravel())
        slices = ndimage.find_objects(labels)
        for k, sl in enumerate(slices, start=1):
            if areas[k] < min_area:
                skips.items.append((f"{where} {name}", "region below min area"))
                continue
            obj = _region(labels[sl] == k, sl, name, stuff, f"{where} {name} #{k}")
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
    polygons = [np.round(np.asarray(p.exterior.coords)[:-1], 2) for p in geom.geoms]
    box = (float(cols.start), float(rows.start), float(cols.stop), float(rows.stop))
    return LabelledObject(name, polygons, box, where, stuff)
