"""Vector labels (GeoPackage, Shapefile, GeoJSON...) over a georeferenced raster.

The layer is read with geopandas and reprojected to the raster's CRS; polygons go to raster
pixels and are cut into windows of at most ``tile`` x ``tile`` pixels, so the raster is only
ever read window by window. Each window with objects is one :class:`AnnotatedImage`.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Iterator, Optional, Tuple

import numpy as np
import rasterio
from rasterio.errors import NotGeoreferencedWarning
from shapely.affinity import affine_transform, translate
from shapely.geometry import box as shapely_box

from .objects import (
    AnnotatedImage,
    ReaderError,
    Skips,
    SplitRule,
    everything_train,
    outlines,
    polygon_object,
    polygon_parts,
)
from .pixels import ground_size

#: Default window side in raster pixels.
TILE = 1024


def read_vector(
    raster: Path,
    labels: Path,
    class_field: str,
    skips: Skips,
    split: SplitRule = everything_train,
    tile: int = TILE,
    bands: Tuple[int, int, int] = (1, 2, 3),
    extent: Optional[Tuple[float, float, float, float]] = None,
) -> Iterator[AnnotatedImage]:
    """Windows of ``raster`` with the polygons of ``labels`` (class from ``class_field``).

    Args:
        extent: optional (minx, miny, maxx, maxy) in the raster's CRS; only windows inside it.
    """
    import geopandas

    raster, labels = Path(raster), Path(labels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(raster) as src:
            crs, transform, width, height = src.crs, src.transform, src.width, src.height
    if crs is None or transform.is_identity:
        skips.add(str(labels), "labels over a raster without georeference", raster.name)
        return
    try:
        frame = geopandas.read_file(labels)
    except Exception as exc:  # fiona/pyogrio raise driver-specific types
        raise ReaderError(f"The label layer {labels} cannot be read ({exc}).") from None
    if class_field not in frame.columns:
        fields = ", ".join(c for c in frame.columns if c != "geometry")
        skips.add(str(labels), "missing class field", f"no field {class_field!r}; has {fields}")
        return
    if frame.crs is None:
        skips.add(str(labels), "label layer without CRS")
        return
    frame = frame.to_crs(crs)
    to_pixels = ~transform
    coefficients = [
        to_pixels.a,
        to_pixels.b,
        to_pixels.d,
        to_pixels.e,
        to_pixels.xoff,
        to_pixels.yoff,
    ]
    shapes = []
    for k, row in frame.iterrows():
        where = f"{labels.name} feature {k}"
        geom, name = row.geometry, row[class_field]
        if geom is None or geom.is_empty or not polygon_parts(geom):
            skips.add(where, "degenerate polygon", "empty or not a polygon")
            continue
        if name is None or (isinstance(name, float) and np.isnan(name)) or not str(name).strip():
            skips.add(where, "unknown class", "empty class field")
            continue
        pixels = translate(affine_transform(geom, coefficients), -0.5, -0.5)
        shapes.append((where, str(name).strip(), pixels))
    if not shapes:
        skips.add(str(labels), "no usable object")
        return
    bounds = _pixel_extent(extent, to_pixels, width, height)
    gsd = ground_size(raster)
    placed, cut = set(), _Pieces()
    for row0 in range(bounds[1], bounds[3], tile):
        for col0 in range(bounds[0], bounds[2], tile):
            w, h = min(tile, bounds[2] - col0), min(tile, bounds[3] - row0)
            window = shapely_box(col0 - 0.5, row0 - 0.5, col0 + w - 0.5, row0 + h - 0.5)
            objects = []
            for where, name, geom in shapes:
                if not geom.intersects(window):
                    continue
                local = translate(geom.intersection(window), -col0, -row0)
                rings = outlines(local)
                obj = polygon_object(name, rings, (w, h), where, cut)
                if obj is not None:
                    objects.append(obj)
                    placed.add(where)
            if objects:
                source_id = f"{raster.stem}_{col0}_{row0}"
                yield AnnotatedImage(
                    source_id,
                    raster,
                    objects,
                    (w, h),
                    split(raster.name),
                    (col0, row0, w, h),
                    bands,
                    gsd=gsd,
                )
    # every feature is an object or a counted skip: say why the ones without a piece left
    outside = "outside the extent" if extent is not None else "outside the raster"
    for where, _name, _geom in shapes:
        if where not in placed:
            skips.note(where, "sliver below one pixel" if where in cut.dropped else outside)


class _Pieces(Skips):
    """Pieces of a polygon dropped in one window (a sliver cut off by the window's edge) are
    not bad input: not counted here; ``dropped`` names the features that lost a piece, so a
    feature with no piece left anywhere is counted once, with its reason, at the end."""

    def __init__(self) -> None:
        super().__init__()
        self.dropped: set = set()

    def add(self, where: str, reason: str, detail: str = "") -> None:
        self.dropped.add(where)


def _pixel_extent(extent, to_pixels, width: int, height: int) -> Tuple[int, int, int, int]:
    if extent is None:
        return (0, 0, width, height)
    x0, y0, x1, y1 = extent
    cols, rows = zip(*(to_pixels * (x, y) for x, y in ((x0, y0), (x1, y1))))
    c0, c1 = max(0, int(np.floor(min(cols)))), min(width, int(np.ceil(max(cols))))
    r0, r1 = max(0, int(np.floor(min(rows)))), min(height, int(np.ceil(max(rows))))
    if c1 <= c0 or r1 <= r0:
        raise ReaderError("The extent does not overlap the raster.")
    return (c0, r0, c1, r1)
