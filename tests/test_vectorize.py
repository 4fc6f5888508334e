"""Mask -> MultiPolygon: exact coordinates, holes, slivers, simplification, validity, areas."""

import math

import numpy as np
import pytest
from affine import Affine
from rasterio.crs import CRS
from shapely.geometry import MultiPolygon, box

from model_core.vectorize import mask_to_multipolygon, polygon_area_m2

TRANSFORM = Affine(0.5, 0.0, 1000.0, 0.0, -0.5, 2000.0)


def _ring(coords):
    """Vertex set of a ring (orientation and start point do not matter)."""
    return set(coords)


def _known_mask() -> np.ndarray:
    mask = np.zeros((12, 14), dtype=bool)
    mask[2:8, 2:8] = True  # part A, 6 x 6 ...
    mask[4:6, 4:6] = False  # ... with a 2 x 2 hole (4 px, kept at min_area_px=4)
    mask[1:5, 9:12] = True  # part B, 3 x 4 ...
    mask[3, 10] = False  # ... with a 1 px hole (dropped)
    mask[10, 0:2] = True  # a 2 px sliver (dropped)
    return mask


def test_known_mask_gives_exact_map_coordinates():
    geom = mask_to_multipolygon(_known_mask(), TRANSFORM, min_area_px=4.0)

    assert isinstance(geom, MultiPolygon)
    assert geom.is_valid
    parts = sorted(geom.geoms, key=lambda p: p.bounds[0])
    assert len(parts) == 2
    a, b = parts
    # Pixel (col, row) -> (1000 + col / 2, 2000 - row / 2); pixel edges are integers.
    assert _ring(a.exterior.coords) == {
        (1001.0, 1999.0),
        (1004.0, 1999.0),
        (1004.0, 1996.0),
        (1001.0, 1996.0),
    }
    assert len(a.interiors) == 1
    assert _ring(a.interiors[0].coords) == {
        (1002.0, 1998.0),
        (1003.0, 1998.0),
        (1003.0, 1997.0),
        (1002.0, 1997.0),
    }
    assert _ring(b.exterior.coords) == {
        (1004.5, 1999.5),
        (1006.0, 1999.5),
        (1006.0, 1997.5),
        (1004.5, 1997.5),
    }
    assert len(b.interiors) == 0  # the 1 px hole is below min_area_px
    assert a.area == pytest.approx((36 - 4) * 0.25)
    assert b.area == pytest.approx(12 * 0.25)


def test_min_area_keeps_small_parts_when_lowered():
    geom = mask_to_multipolygon(_known_mask(), TRANSFORM, min_area_px=1.0)
    assert len(geom.geoms) == 3  # the 2 px sliver is back
    b = max(geom.geoms, key=lambda p: p.bounds[0])
    assert len(b.interiors) == 1  # and the 1 px hole


def test_simplification_reduces_vertices_and_stays_valid():
    yy, xx = np.mgrid[0:80, 0:80]
    disk = (xx - 40) ** 2 + (yy - 40) ** 2 < 30**2
    disk[38:42, 38:42] = False  # a hole that must survive simplification
    raw = mask_to_multipolygon(disk, Affine.identity(), simplify_px=0.0)
    simple = mask_to_multipolygon(disk, Affine.identity(), simplify_px=1.5)

    def count(g):
        return sum(
            len(p.exterior.coords) + sum(len(r.coords) for r in p.interiors) for p in g.geoms
        )

    assert simple.is_valid
    assert count(simple) < count(raw) / 2
    assert simple.area == pytest.approx(raw.area, rel=0.03)
    assert len(simple.geoms[0].interiors) == 1


def test_diagonal_pixels_are_separate_valid_parts():
    mask = np.zeros((6, 6), dtype=bool)
    mask[0:2, 0:2] = True
    mask[2:4, 2:4] = True  # touches the first block at one corner only
    geom = mask_to_multipolygon(mask, Affine.identity(), min_area_px=1.0)
    assert geom.is_valid
    assert len(geom.geoms) == 2


def test_hole_touching_the_outline_at_a_corner_is_valid():
    mask = np.zeros((7, 7), dtype=bool)
    mask[1:6, 1:6] = True
    mask[2:5, 2:5] = False  # a hole ...
    mask[1, 1] = False  # ... and a notch that touches its corner diagonally
    mask[2, 2] = True
    geom = mask_to_multipolygon(mask, Affine.identity(), min_area_px=1.0)
    assert geom.is_valid
    assert geom.area == pytest.approx(mask.sum())


def test_invalid_polygonizer_output_is_made_valid(monkeypatch):
    # 8-connected polygonising gives a ring that touches itself; the result must still be valid.
    bowtie = {
        "type": "Polygon",
        "coordinates": [[(0, 0), (0, 2), (2, 2), (2, 4), (4, 4), (4, 2), (2, 2), (2, 0), (0, 0)]],
    }
    monkeypatch.setattr("model_core.vectorize.shapes", lambda *a, **k: iter([(bowtie, 1.0)]))
    geom = mask_to_multipolygon(np.ones((4, 4), bool), Affine.identity(), min_area_px=1.0)
    assert geom.is_valid
    assert len(geom.geoms) == 2
    assert geom.area == pytest.approx(8.0)


def test_nothing_left_gives_none():
    assert mask_to_multipolygon(np.zeros((5, 5), bool), TRANSFORM) is None
    speck = np.zeros((5, 5), bool)
    speck[2, 2] = True
    assert mask_to_multipolygon(speck, TRANSFORM, min_area_px=4.0) is None


def test_area_projected_is_ground_area():
    # Near a UTM central meridian the map scale is 0.9996: ground area = planar / 0.9996^2.
    square = box(500000, 4500000, 500100, 4500100)
    utm = CRS.from_epsg(32618).to_wkt()
    assert polygon_area_m2(square, utm) == pytest.approx(10000.0 / 0.9996**2, rel=1e-4)
    feet = CRS.from_epsg(2263).to_wkt()  # NY Long Island, US survey feet
    ny = box(1000000, 200000, 1000100, 200100)
    assert polygon_area_m2(ny, feet) == pytest.approx(10000.0 * (1200 / 3937) ** 2, rel=1e-3)
    # EPSG:3857 is spherical Mercator on WGS 84 coordinates: ground/map area at latitude phi is
    # cos^2(phi) * (1 - e^2) / (1 - e^2 sin^2(phi))^2 (prime-vertical and meridian radii).
    y60 = 6378137.0 * math.log(math.tan(math.pi / 4 + math.radians(60) / 2))
    mercator = box(0, y60, 100, y60 + 100)
    e2 = 0.00669437999014
    expected = 2500.0 * (1 - e2) / (1 - e2 * math.sin(math.radians(60)) ** 2) ** 2
    assert polygon_area_m2(mercator, CRS.from_epsg(3857).to_wkt()) == pytest.approx(
        expected, rel=1e-4
    )
    assert polygon_area_m2(square, None) is None
    assert polygon_area_m2(None, feet) is None


def test_area_geographic_is_ellipsoidal():
    # 1 x 1 degree cells on WGS 84; references from pyproj Geod (geodesic edges).
    wgs84 = CRS.from_epsg(4326).to_wkt()
    assert polygon_area_m2(box(0, 0, 1, 1), wgs84) == pytest.approx(12308778361.0, rel=1e-4)
    assert polygon_area_m2(box(0, 60, 1, 61), wgs84) == pytest.approx(6122943163.0, rel=1e-4)
