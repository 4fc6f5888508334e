"""Vector output: GPKG / Shapefile / GeoJSON round trips, truncation, CRS and safe replacement."""

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest
from osgeo import ogr, osr
from rasterio.crs import CRS
from shapely.geometry import MultiPolygon, Point, Polygon, box

from model_core.errors import InputError
from model_core.result import DetectedObject, PredictionResult, Relation
from model_core.writers import (
    OBJECT_FIELDS,
    PROMPT_FIELDS,
    RELATION_FIELDS,
    write_results,
)

ogr.UseExceptions()

UTM18 = CRS.from_epsg(32618).to_wkt()
MASK = np.zeros((4, 4), dtype=bool)
X0, Y0 = 500000.0, 4000000.0


def _result(caption="a house beside a road", crs_wkt=UTM18, shift=0.0):
    house = MultiPolygon([box(X0 + shift, Y0, X0 + shift + 20, Y0 + 10)])
    road = Polygon([(X0 + shift, Y0 - 5), (X0 + shift + 50, Y0 - 5), (X0 + shift + 50, Y0 - 1)])
    objects = [
        DetectedObject("a house", MASK, 0.9, house, area_m2=200.0),
        DetectedObject("a road", MASK, 0.7, road),  # area computed by the writer
        DetectedObject("a speck", MASK, 0.1, None),  # nothing left after vectorising: skipped
    ]
    relations = [Relation(0, "north of", 1, 0.8), Relation(1, "south of", 0, 0.6)]
    return PredictionResult(
        caption=caption,
        tagged_caption=caption.replace("a house", "<p> a house </p> [SEG]"),
        objects=objects,
        relations=relations,
        crs_wkt=crs_wkt,
        model="clvnet-tiny",
        source="/data/scene.tif",
        box_geometry=box(X0 + shift - 10, Y0 - 10, X0 + shift + 60, Y0 + 20),
    )


def _paths(path: Path):
    """(objects, relations, prompts) dataset paths and layer names for each format."""
    ext = path.suffix
    if ext == ".gpkg":
        return [(path, "clvnet_objects"), (path, "clvnet_relations"), (path, "clvnet_prompts")]
    stem = path.with_suffix("")
    if ext == ".shp":
        return [
            (path, path.stem),
            (Path(f"{stem}_relations.dbf"), f"{path.stem}_relations"),
            (Path(f"{stem}_prompts.shp"), f"{path.stem}_prompts"),
        ]
    return [
        (path, "clvnet_objects"),
        (Path(f"{stem}_relations{ext}"), "clvnet_relations"),
        (Path(f"{stem}_prompts{ext}"), "clvnet_prompts"),
    ]


def _features(dataset_path: Path, layer_name: str):
    """(field schema, features as dicts with '_geom', srs) of one layer."""
    ds = ogr.Open(str(dataset_path))
    layer = ds.GetLayerByName(layer_name) if ds.GetLayerCount() > 1 else ds.GetLayer(0)
    assert layer is not None, f"{layer_name} missing in {dataset_path}"
    defn = layer.GetLayerDefn()
    schema = [
        (defn.GetFieldDefn(i).GetName(), defn.GetFieldDefn(i).GetType())
        for i in range(defn.GetFieldCount())
    ]
    rows = []
    for feature in layer:
        row = feature.items()
        geometry = feature.GetGeometryRef()
        row["_geom"] = geometry.ExportToWkt() if geometry is not None else None
        row["_type"] = geometry.GetGeometryName() if geometry is not None else None
        rows.append(row)
    srs = layer.GetSpatialRef()
    return schema, rows, (srs.ExportToWkt() if srs is not None else None), layer.GetGeomType()


def _same_crs(wkt, epsg):
    srs = osr.SpatialReference()
    srs.ImportFromWkt(wkt)
    ref = osr.SpatialReference()
    ref.ImportFromEPSG(epsg)
    return bool(srs.IsSame(ref))


def _digest(paths):
    return {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths}


def test_field_names_fit_shapefile():
    for name, _ in OBJECT_FIELDS + RELATION_FIELDS + PROMPT_FIELDS:
        assert len(name) <= 10


@pytest.mark.parametrize("ext", [".gpkg", ".shp", ".geojson"])
def test_round_trip(tmp_path, ext):
    path = tmp_path / f"out{ext}"
    warnings = write_results(str(path), [_result(), _result(shift=1000.0)], box_ids=[7, 9])

    assert warnings == [
        "2 object(s) had no polygon (mask empty after removing small parts) and were not written."
    ]
    (obj_path, obj_layer), (rel_path, rel_layer), (prompt_path, prompt_layer) = _paths(path)
    schema, rows, wkt, geom_type = _features(obj_path, obj_layer)
    assert schema == [
        ("box_id", ogr.OFTInteger),
        ("obj_id", ogr.OFTInteger),
        ("phrase", ogr.OFTString),
        ("caption", ogr.OFTString),
        ("score", ogr.OFTReal),
        ("area_m2", ogr.OFTReal),
        ("model", ogr.OFTString),
        ("source", ogr.OFTString),
    ]
    if ext == ".gpkg":
        assert geom_type == ogr.wkbMultiPolygon
    assert _same_crs(wkt, 32618)
    assert len(rows) == 4
    assert [(r["box_id"], r["obj_id"], r["phrase"]) for r in rows] == [
        (7, 0, "a house"),
        (7, 1, "a road"),
        (9, 0, "a house"),
        (9, 1, "a road"),
    ]
    # Shapefile has one polygon type; a single-part MultiPolygon reads back as a Polygon.
    assert all(r["_type"] == "MULTIPOLYGON" or ext == ".shp" for r in rows)
    assert all(r["_type"] in ("POLYGON", "MULTIPOLYGON") for r in rows)
    assert rows[0]["caption"] == "a house beside a road"
    assert rows[0]["score"] == pytest.approx(0.9)
    assert rows[0]["area_m2"] == pytest.approx(200.0)
    # the triangle 50 x 4 / 2 from its geometry, as ground area (UTM scale: within 0.2 %)
    assert rows[1]["area_m2"] == pytest.approx(100.0, rel=2e-3)
    assert rows[2]["model"] == "clvnet-tiny" and rows[2]["source"] == "/data/scene.tif"
    assert ogr.CreateGeometryFromWkt(rows[2]["_geom"]).GetEnvelope() == pytest.approx(
        (X0 + 1000, X0 + 1020, Y0, Y0 + 10)
    )

    schema, rows, _, geom_type = _features(rel_path, rel_layer)
    assert schema == [
        ("box_id", ogr.OFTInteger),
        ("subj_id", ogr.OFTInteger),
        ("predicate", ogr.OFTString),
        ("obj_id", ogr.OFTInteger),
        ("score", ogr.OFTReal),
    ]
    assert geom_type == ogr.wkbNone or ext == ".geojson"  # GeoJSON has no geometry-less layers
    assert [(r["box_id"], r["subj_id"], r["predicate"], r["obj_id"]) for r in rows] == [
        (7, 0, "north of", 1),
        (7, 1, "south of", 0),
        (9, 0, "north of", 1),
        (9, 1, "south of", 0),
    ]
    assert all(r["_geom"] is None for r in rows)

    schema, rows, wkt, _ = _features(prompt_path, prompt_layer)
    assert [name for name, _ in schema] == ["box_id", "caption", "tagged", "model", "source"]
    assert _same_crs(wkt, 32618)
    assert [r["box_id"] for r in rows] == [7, 9]
    assert rows[0]["tagged"] == "<p> a house </p> [SEG] beside a road"
    assert rows[0]["_type"] == "POLYGON"
    assert not any(name.startswith(".out") for name in os.listdir(tmp_path))  # no temp left


def test_shapefile_truncates_long_text_and_says_so(tmp_path):
    long_caption = "a very long caption " * 20  # 400 characters
    path = tmp_path / "long.shp"
    warnings = write_results(str(path), [_result(caption=long_caption)])
    truncation = [w for w in warnings if "truncated" in w]
    assert len(truncation) == 3  # captions of objects and prompts layers, tagged caption
    assert "'caption' in 'long'" in truncation[0] and "2 value(s)" in truncation[0]
    assert "'caption' in 'long_prompts'" in truncation[1] and "1 value(s)" in truncation[1]
    assert "'tagged' in 'long_prompts'" in truncation[2]
    _, rows, _, _ = _features(path, "long")
    assert rows[0]["caption"] == long_caption[:254]
    # GeoPackage keeps the whole text.
    assert not [
        w
        for w in write_results(str(tmp_path / "long.gpkg"), [_result(long_caption)])
        if "truncated" in w
    ]


def test_reprojects_to_requested_crs(tmp_path):
    path = tmp_path / "wgs84.gpkg"
    write_results(str(path), [_result()], crs_wkt=CRS.from_epsg(4326).to_wkt())
    _, rows, wkt, _ = _features(path, "clvnet_objects")
    assert _same_crs(wkt, 4326)
    minx, maxx, miny, maxy = ogr.CreateGeometryFromWkt(rows[0]["_geom"]).GetEnvelope()
    assert -76 < minx < maxx < -74 and 36 < miny < maxy < 37  # UTM 18N, x=500 km: lon -75
    assert rows[0]["area_m2"] == pytest.approx(200.0)


def test_without_crs_writes_no_crs(tmp_path):
    path = tmp_path / "pixels.gpkg"
    write_results(str(path), [_result(crs_wkt=None)])
    _, rows, wkt, _ = _features(path, "clvnet_objects")
    # GeoPackage's "undefined Cartesian" CRS (srs_id -1), not "undefined geographic" (0).
    assert wkt is None or "Undefined Cartesian SRS" in wkt
    assert rows[1]["area_m2"] is None  # no CRS: no ground area
    _, _, wkt, _ = _features(path, "clvnet_prompts")
    assert wkt is None or "Undefined Cartesian SRS" in wkt
    write_results(str(tmp_path / "pixels.shp"), [_result(crs_wkt=None)])
    assert not (tmp_path / "pixels.prj").exists()


def test_geojson_warns_when_crs_has_no_epsg_code(tmp_path):
    custom = osr.SpatialReference()
    custom.ImportFromProj4("+proj=tmerc +lat_0=0 +lon_0=10.3 +k=1 +x_0=0 +y_0=0 +ellps=GRS80")
    warnings = write_results(
        str(tmp_path / "custom.geojson"), [_result(crs_wkt=None)], crs_wkt=custom.ExportToWkt()
    )
    assert any("no EPSG code" in w for w in warnings)


@pytest.mark.parametrize("name", ["missing/out.gpkg", "out.txt"])
def test_bad_output_paths(tmp_path, name):
    with pytest.raises(InputError):
        write_results(str(tmp_path / name), [_result()])


def test_unwritable_folder_is_refused_before_any_work(tmp_path, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    if os.access(folder, os.W_OK):  # root ignores permissions: make the check see them
        monkeypatch.setattr(
            "model_core.writers.os.access",
            lambda p, mode: not (mode & os.W_OK and p == str(folder)),
        )
    try:
        with pytest.raises(InputError, match="not writable"):
            write_results(str(folder / "out.gpkg"), [_result()])
        assert os.listdir(folder) == []
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize("ext", [".gpkg", ".shp", ".geojson"])
def test_failed_write_keeps_existing_output(tmp_path, ext):
    path = tmp_path / f"keep{ext}"
    write_results(str(path), [_result()])
    files = sorted(p for p in tmp_path.iterdir())
    before = _digest(files)

    broken = _result(shift=1000.0)
    broken.objects[1].geometry = Point(X0, Y0)  # fails in the middle of the objects layer
    with pytest.raises(ValueError, match="POINT"):
        write_results(str(path), [_result(caption="a new caption"), broken])

    assert sorted(p for p in tmp_path.iterdir()) == files  # nothing added, no temp left
    assert _digest(files) == before
    # A successful run replaces the output.
    write_results(str(path), [_result(caption="a new caption")])
    _, rows, _, _ = _features(*_paths(path)[0])
    assert rows[0]["caption"] == "a new caption"


def test_overwritten_shapefile_loses_stale_projection(tmp_path):
    path = tmp_path / "stale.shp"
    write_results(str(path), [_result()])
    assert (tmp_path / "stale.prj").exists()
    write_results(str(path), [_result(crs_wkt=None)])
    assert not (tmp_path / "stale.prj").exists()
    assert not (tmp_path / "stale_prompts.prj").exists()
