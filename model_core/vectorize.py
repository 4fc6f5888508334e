"""Mask -> polygon conversion and ground areas of polygons.

Masks are vectorised in their own pixel grid (integer pixel edges, so the shapes are exact), cleaned
and simplified there, and only then mapped to map coordinates with the window's affine; tolerances
are therefore in pixels whatever the CRS.
"""

import math
from typing import TYPE_CHECKING, List, Optional

import numpy as np
from affine import Affine
from rasterio.features import shapes
from shapely import wkb as shapely_wkb
from shapely.affinity import affine_transform
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.validation import make_valid

if TYPE_CHECKING:
    from osgeo import osr

# 4-connectivity: pixels that touch only at a corner are separate parts. 8-connectivity would
# join them into one ring that touches itself at that corner, which is not a valid polygon.
CONNECTIVITY = 4


def mask_to_multipolygon(
    mask: np.ndarray, transform: Affine, min_area_px: float = 4.0, simplify_px: float = 0.0
) -> Optional[MultiPolygon]:
    """Vectorise a boolean mask into one valid MultiPolygon in map coordinates.

    Steps, all in pixel space: polygonise the pixels that are True (4-connected, holes kept),
    simplify with ``simplify_px`` (topology preserving), make valid, then drop holes and parts
    whose area is below ``min_area_px`` pixels; finally map to ``transform``'s coordinates.

    Args:
        mask: (H, W) array; nonzero / True marks the object.
        transform: affine map from pixel (col, row) of ``mask`` to map coordinates.
        min_area_px: parts and holes smaller than this many pixels are removed (slivers, specks).
        simplify_px: Douglas-Peucker tolerance in pixels; 0 keeps every pixel-edge vertex.

    Returns:
        The MultiPolygon (even for a single part), or None when nothing remains.
    """
    binary = np.asarray(mask).astype(bool)
    if binary.ndim != 2:
        raise ValueError(f"mask must be 2-D, got shape {binary.shape}")
    if not binary.any():
        return None
    parts = [
        shape(geom)
        for geom, _ in shapes(binary.astype(np.uint8), mask=binary, connectivity=CONNECTIVITY)
    ]
    geom = MultiPolygon(parts)
    if simplify_px > 0:
        geom = geom.simplify(simplify_px, preserve_topology=True)
    if not geom.is_valid:
        geom = make_valid(geom)
    kept = []
    for part in _polygon_parts(geom):
        holes = [ring for ring in part.interiors if Polygon(ring).area >= min_area_px]
        cleaned = Polygon(part.exterior, holes)
        if cleaned.area >= min_area_px:
            kept.append(cleaned)
    if not kept:
        return None
    t = transform
    return affine_transform(MultiPolygon(kept), [t.a, t.b, t.d, t.e, t.xoff, t.yoff])


def _polygon_parts(geom) -> List[Polygon]:
    """The non-empty polygons inside any shapely geometry (lines and points left out)."""
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in _polygon_parts(g)]
    return []


def polygon_area_m2(geom, crs_wkt: Optional[str]) -> Optional[float]:
    """Ground area of a shapely (Multi)Polygon in square metres.

    Geographic and projected CRSs: area after projecting to a Lambert azimuthal equal-area
    projection on the same ellipsoid centred on the geometry, which keeps areas (a planar area
    in e.g. Web Mercator overstates ground area by 1/cos^2(latitude)). Edges are taken as
    straight in that projection, negligible for objects. Local CRS: planar area times the square
    of its metres per unit.

    Returns:
        The area, or None without a geometry, without a CRS, or for a geocentric CRS.
    """
    if geom is None or crs_wkt is None:
        return None
    # GDAL's bindings are imported here, not at the top: the model server's own environment
    # has no GDAL bindings and never asks for areas (its windows carry no CRS).
    from osgeo import ogr, osr

    ogr.UseExceptions()
    osr.UseExceptions()
    srs = osr.SpatialReference()
    srs.ImportFromWkt(crs_wkt)
    if srs.IsProjected():
        geographic = srs.CloneGeogCS()
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        geographic.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        lon_lat = ogr.CreateGeometryFromWkb(bytes(geom.wkb))
        lon_lat.Transform(osr.CoordinateTransformation(srs, geographic))
        return _geographic_area_m2(shapely_wkb.loads(bytes(lon_lat.ExportToWkb())), geographic)
    if srs.IsLocal():
        return float(geom.area) * srs.GetLinearUnits() ** 2
    if srs.IsGeographic():
        return _geographic_area_m2(geom, srs)
    return None


def _geographic_area_m2(geom, srs: "osr.SpatialReference") -> float:
    """Area in m^2 of ``geom`` given in the geographic ``srs`` (lon, lat in its angular unit)."""
    from osgeo import ogr, osr

    to_degrees = srs.GetAngularUnits() * 180.0 / math.pi
    centre = geom.centroid
    srs = srs.Clone()
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    laea = osr.SpatialReference()
    laea.CopyGeogCSFrom(srs)
    laea.SetLAEA(centre.y * to_degrees, centre.x * to_degrees, 0.0, 0.0)
    laea.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    projected = ogr.CreateGeometryFromWkb(bytes(geom.wkb))
    projected.Transform(osr.CoordinateTransformation(srs, laea))
    return float(projected.GetArea())
