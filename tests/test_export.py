"""Export of the result layers through QgsVectorFileWriter: GPKG and Shapefile round trips."""

import numpy as np
import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsProject, QgsVectorLayer
from shapely.geometry import MultiPolygon, box

from clvnet_qgis.export import export_message, export_results, output_paths
from clvnet_qgis.layers import ResultLayers
from model_core.errors import InputError
from model_core.result import DetectedObject, PredictionResult, Relation

WEB_MERCATOR = QgsCoordinateReferenceSystem("EPSG:3857")
X0, Y0 = 14321900.0, 4532500.0


def result(caption: str) -> PredictionResult:
    mask = np.zeros((4, 4), bool)
    out = PredictionResult(
        caption=caption,
        tagged_caption=f"<p> {caption} </p> [SEG] <p> a road </p> [SEG]",
        objects=[
            DetectedObject(caption, mask, 0.9, MultiPolygon([box(X0, Y0, X0 + 50, Y0 + 40)]), 2e3),
            DetectedObject("a road", mask, 0.6, MultiPolygon([box(X0 + 60, Y0, X0 + 70, Y0 + 90)])),
        ],
        relations=[Relation(1, "south of", 0, 0.7)],
        crs_wkt=WEB_MERCATOR.toWkt(),
        model="clvnet-tiny",
        source="cogeo.tif",
    )
    out.box_geometry = box(X0 - 10, Y0 - 10, X0 + 100, Y0 + 100)
    return out


@pytest.fixture()
def layers(qgis_new_project) -> ResultLayers:
    results = ResultLayers(QgsProject.instance())
    results.add_result(result("a white building"), "cogeo.tif", WEB_MERCATOR)
    results.add_result(result("x" * 300), "cogeo.tif", WEB_MERCATOR)
    return results


def read(uri: str) -> QgsVectorLayer:
    layer = QgsVectorLayer(uri, "read", "ogr")
    assert layer.isValid(), uri
    return layer


def test_geopackage_round_trip_in_a_chosen_crs(layers, tmp_path):
    path = tmp_path / "results.gpkg"
    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    assert export_results(layers, str(path), wgs84) == []
    assert export_message(str(path), []) == (
        f"Exported the objects, boxes and relations to results.gpkg in {tmp_path.resolve()}."
    )
    objects = read(f"{path}|layername=clvnet_objects")
    prompts = read(f"{path}|layername=clvnet_prompts")
    relations = read(f"{path}|layername=clvnet_relations")
    assert objects.crs().authid() == "EPSG:4326"
    assert (objects.featureCount(), prompts.featureCount(), relations.featureCount()) == (4, 2, 2)
    names = objects.fields().names()
    for field in ("box_id", "obj_id", "phrase", "caption", "score", "area_m2", "model", "source"):
        assert field in names
    first = next(f for f in objects.getFeatures() if f["box_id"] == 1 and f["obj_id"] == 0)
    assert first["phrase"] == "a white building" and first["area_m2"] == pytest.approx(2000.0)
    lon = first.geometry().boundingBox().xMinimum()
    assert 128.0 < lon < 129.0
    long_caption = next(f["caption"] for f in prompts.getFeatures() if f["box_id"] == 2)
    assert len(long_caption) == 300  # GeoPackage keeps long text
    assert {f["predicate"] for f in relations.getFeatures()} == {"south of"}


def test_shapefile_round_trip_announces_cut_text(layers, tmp_path):
    path = tmp_path / "results.shp"
    notes = export_results(layers, str(path))
    assert any("254" in note and "'caption'" in note for note in notes)
    paths = output_paths(str(path))
    objects = read(paths["clvnet_objects"])
    assert objects.crs().authid() == "EPSG:3857"
    assert objects.featureCount() == 4
    captions = {f["box_id"]: f["caption"] for f in objects.getFeatures()}
    assert captions[1] == "a white building"
    assert captions[2] == "x" * 254
    relations = read(paths["clvnet_relations"])
    assert paths["clvnet_relations"].endswith("_relations.dbf")
    assert [f["predicate"] for f in relations.getFeatures()] == ["south of", "south of"]
    assert read(paths["clvnet_prompts"]).featureCount() == 2
    assert all(len(name) <= 10 for name in objects.fields().names())
    message = export_message(str(path), notes)
    written = ("results.shp", "results_prompts.shp", "results_relations.dbf")
    assert message.startswith(f"Exported {written[0]}, {written[1]} and {written[2]} to ")
    assert all((tmp_path / name).is_file() for name in written)  # the files it names exist
    assert notes[0] in message


def test_bad_paths_and_nothing_to_export_are_clear(layers, tmp_path, qgis_new_project):
    with pytest.raises(InputError, match="missing or not writable"):
        export_results(layers, str(tmp_path / "no" / "such" / "folder" / "out.gpkg"))
    with pytest.raises(InputError, match=r"\.gpkg, \.shp or \.geojson"):
        export_results(layers, str(tmp_path / "out.csv"))
    QgsProject.instance().clear()
    with pytest.raises(InputError, match="no CLV-Net results"):
        export_results(ResultLayers(QgsProject.instance()), str(tmp_path / "out.gpkg"))


def test_geojson_writes_one_file_per_layer(layers, tmp_path):
    path = tmp_path / "results.geojson"
    assert export_results(layers, str(path)) == []
    paths = output_paths(str(path))
    assert read(paths["clvnet_objects"]).featureCount() == 4
    assert read(paths["clvnet_prompts"]).featureCount() == 2
    assert read(paths["clvnet_relations"]).featureCount() == 2
