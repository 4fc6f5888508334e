"""The algorithms from the command line: ``qgis_process.bin`` with the repository as the plugin.

Each call starts QGIS and its model server afresh (about 10 s), so this module keeps to few calls.
"""

from pathlib import Path

import pytest
from helpers import REPO, real
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCoordinateTransformContext,
    QgsFeature,
    QgsGeometry,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorFileWriter,
    QgsVectorLayer,
    QgsWkbTypes,
)

BOXES = (0.10, 0.15, 0.25, 0.28), (0.45, 0.40, 0.60, 0.52), (0.70, 0.70, 0.82, 0.86)


@pytest.fixture(scope="module")
def repo_process(qgis_process):
    return qgis_process(REPO)


def write_boxes(path: Path, raster: QgsRasterLayer, fractions) -> Path:
    """A GeoPackage of boxes in EPSG:4326 (the raster is in EPSG:3857) with a ``name`` field."""
    layer = QgsVectorLayer("Polygon?crs=EPSG:4326&field=name:string(20)", "boxes", "memory")
    to_wgs84 = QgsCoordinateTransform(raster.crs(), layer.crs(), QgsCoordinateTransformContext())
    ext = raster.extent()
    features = []
    for k, (x0, y0, x1, y1) in enumerate(fractions):
        rect = QgsRectangle(
            ext.xMinimum() + x0 * ext.width(),
            ext.yMinimum() + y0 * ext.height(),
            ext.xMinimum() + x1 * ext.width(),
            ext.yMinimum() + y1 * ext.height(),
        )
        geometry = QgsGeometry.fromRect(rect)
        geometry.transform(to_wgs84)
        feature = QgsFeature(layer.fields())
        feature.setGeometry(geometry)
        feature.setAttributes([f"box-{k}"])
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    error = QgsVectorFileWriter.writeAsVectorFormatV3(
        layer, str(path), QgsCoordinateTransformContext(), options
    )
    assert error[0] == QgsVectorFileWriter.NoError, error
    return path


def test_list_shows_both_algorithms(repo_process):
    listing = repo_process.run("list")
    assert listing.returncode == 0, listing.stderr
    assert "clvnet:segment_describe_boxes" in listing.stdout
    assert "clvnet:segment_describe_extent" in listing.stdout


def test_run_boxes_into_one_geopackage_with_json_output(
    repo_process, processing_checkpoint, tmp_path
):
    raster = QgsRasterLayer(str(real("cogeo")), "cogeo")
    boxes = write_boxes(tmp_path / "boxes.gpkg", raster, BOXES)
    out = tmp_path / "clvnet.gpkg"

    def table(name: str, geometry: str = " (geom)") -> str:
        return f"ogr:dbname='{out}' table=\"{name}\"{geometry}"

    report = repo_process.run_json(
        "clvnet:segment_describe_boxes",
        INPUT=str(real("cogeo")),
        BOXES=str(boxes),
        ID_FIELD="name",
        CHECKPOINT=str(processing_checkpoint),
        DEVICE="cpu",
        CONTEXT="0.5",
        OUTPUT=table("clvnet_objects"),
        OUTPUT_RELATIONS=table("clvnet_relations", ""),
        OUTPUT_PROMPTS=table("clvnet_prompts"),
    )
    results = report["results"]
    assert results["PROCESSED_COUNT"] == 3 and results["SKIPPED_COUNT"] == 0
    assert results["OBJECT_COUNT"] == 12
    assert results["OUTPUT"] == f"{out}|layername=clvnet_objects"
    assert sum(line.startswith("Box ") for line in report["log"]["info"]) == 3

    objects = QgsVectorLayer(results["OUTPUT"], "objects")
    assert objects.featureCount() == 12
    assert objects.crs() == QgsCoordinateReferenceSystem("EPSG:3857")
    assert QgsWkbTypes.flatType(objects.wkbType()) == QgsWkbTypes.MultiPolygon
    assert {f["name"] for f in objects.getFeatures()} == {"box-0", "box-1", "box-2"}
    prompts = QgsVectorLayer(results["OUTPUT_PROMPTS"], "prompts")
    assert prompts.featureCount() == 3
    relations = QgsVectorLayer(results["OUTPUT_RELATIONS"], "relations")
    assert relations.featureCount() == 36 and not relations.isSpatial()
    field_names = [f.name() for f in relations.fields() if f.name() != "fid"]
    assert field_names == ["box_id", "subj_id", "predicate", "obj_id", "score", "name"]


def test_zero_features_fail_with_the_reason(repo_process, processing_checkpoint, tmp_path):
    raster = QgsRasterLayer(str(real("cogeo")), "cogeo")
    boxes = write_boxes(tmp_path / "empty.gpkg", raster, [])
    done = repo_process.run(
        "run",
        "clvnet:segment_describe_boxes",
        "--",
        f"INPUT={real('cogeo')}",
        f"BOXES={boxes}",
        f"CHECKPOINT={processing_checkpoint}",
        f"OUTPUT={tmp_path / 'out.gpkg'}",
    )
    assert done.returncode != 0
    assert "The box layer has no features" in done.stdout + done.stderr
    assert not (tmp_path / "out.gpkg").exists()


def test_missing_model_packages_say_what_to_install(repo_process, processing_checkpoint, tmp_path):
    """The model's Python lacks torch (Debian's own python3 here): one sentence naming both."""
    python = "/usr/bin/python3"
    done = repo_process.run(
        "run",
        "clvnet:segment_describe_extent",
        "--",
        f"INPUT={real('cogeo')}",
        "EXTENT=14322000,14322150,4532600,4532750",
        f"CHECKPOINT={processing_checkpoint}",
        f"OUTPUT={tmp_path / 'out.gpkg'}",
        CLVNET_MODEL_PYTHON=python,
    )
    assert done.returncode != 0
    message = done.stdout + done.stderr
    assert f"The model's Python '{python}' cannot import 'torch'" in message
    assert "Traceback" not in message
    assert not (tmp_path / "out.gpkg").exists()


def test_the_documentation_describes_the_model_server_flow():
    """README and docs/ tell `qgis_process` users about CLVNET_MODEL_PYTHON, not the old
    in-QGIS install (``clvnet_deps`` on ``sys.path``, model packages on QGIS's PYTHONPATH)."""
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for stale in ("clvnet_deps", "to `sys.path`", "lib/python3.11/site-packages qgis_process"):
            assert stale not in text, f"{page.name} still says {stale!r}"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    headless = readme[readme.index("### Headless: `qgis_process`") :]
    headless = headless[: headless.index("\n## ")]
    assert "CLVNET_MODEL_PYTHON=" in headless and "python -m model_core serve" in headless
