"""The CLV-Net Processing provider in a real headless QGIS, run through ``processing.run``.

The checkpoint is the untrained "mechanics" one of ``conftest.processing_checkpoint``: every box
gets 4 objects (random masks) and 12 relations, so counts, schemas, CRS, placement and the
carried ID field can be checked; its captions mean nothing.
"""

from typing import Dict, List, Tuple

import pytest
from helpers import real
from qgis.core import (
    NULL,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsGeometry,
    QgsHillshadeRenderer,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelChildParameterSource,
    QgsProcessingModelOutput,
    QgsProcessingModelParameter,
    QgsProcessingParameterRasterLayer,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import Qt
from shapely import wkt as shapely_wkt

from clvnet_qgis.model_server import shared_client
from clvnet_qgis.processing.raster_input import RasterInput
from clvnet_qgis.settings import CONTEXT_RANGE
from model_core.result import DEFAULT_MIN_SCORE
from model_core.vectorize import polygon_area_m2

BOXES_ALG = "clvnet:segment_describe_boxes"
EXTENT_ALG = "clvnet:segment_describe_extent"
OBJECTS_PER_BOX = 4
RELATIONS_PER_BOX = OBJECTS_PER_BOX * (OBJECTS_PER_BOX - 1)
OBJECT_FIELDS = ["box_id", "obj_id", "phrase", "caption", "score", "area_m2", "model", "source"]
RELATION_FIELDS = ["box_id", "subj_id", "predicate", "obj_id", "score"]
PROMPT_FIELDS = ["box_id", "caption", "tagged", "model", "source"]
# Boxes as fractions of the raster extent (x0, y0, x1, y1) and their ID field values.
BOX_FRACTIONS = {
    "road": (0.10, 0.15, 0.25, 0.28),
    "portal": (0.45, 0.40, 0.60, 0.52),
    "forest": (0.70, 0.70, 0.82, 0.86),
}


@pytest.fixture(scope="module")
def run_alg(clvnet_provider):
    """``processing.run`` as scripts call it (temporary outputs come back as layers)."""
    import processing

    def run(alg, params: Dict, feedback=None) -> Dict:
        return processing.run(alg, params, feedback=feedback)

    return run


@pytest.fixture()
def cogeo() -> QgsRasterLayer:
    """cogeo.tif (EPSG:3857), owned by the project: a raster layer fixture that Python owns
    crashes pytest-qgis's teardown under QGIS 3.22."""
    layer = QgsRasterLayer(str(real("cogeo")), "cogeo")
    assert layer.isValid()
    QgsProject.instance().addMapLayer(layer, False)
    yield layer
    QgsProject.instance().removeMapLayer(layer.id())


def fraction_rect(layer: QgsRasterLayer, fractions: Tuple[float, float, float, float]):
    """A rectangle at fractions of the layer's extent, in the layer's CRS."""
    ext = layer.extent()
    x0, y0, x1, y1 = fractions
    return QgsRectangle(
        ext.xMinimum() + x0 * ext.width(),
        ext.yMinimum() + y0 * ext.height(),
        ext.xMinimum() + x1 * ext.width(),
        ext.yMinimum() + y1 * ext.height(),
    )


def corners(rect: QgsRectangle) -> Tuple[float, float, float, float]:
    return (rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum())


def extent_text(rect: QgsRectangle, crs: str) -> str:
    """An EXTENT parameter value as scripts and qgis_process write it."""
    values = (rect.xMinimum(), rect.xMaximum(), rect.yMinimum(), rect.yMaximum())
    return ",".join(repr(v) for v in values) + f" [{crs}]"


def box_layer(raster: QgsRasterLayer, boxes: Dict[str, Tuple], crs: str) -> QgsVectorLayer:
    """A memory polygon layer in ``crs`` with one box per entry and a ``name`` field."""
    layer = QgsVectorLayer(f"Polygon?crs={crs}&field=name:string(20)", "boxes", "memory")
    to_layer = QgsCoordinateTransform(raster.crs(), layer.crs(), QgsProject.instance())
    features = []
    for name, fractions in boxes.items():
        geometry = QgsGeometry.fromRect(fraction_rect(raster, fractions))
        geometry.transform(to_layer)
        feature = QgsFeature(layer.fields())
        feature.setGeometry(geometry)
        feature.setAttributes([name])
        features.append(feature)
    assert layer.dataProvider().addFeatures(features)[0]
    return layer


def in_raster_crs(layer: QgsVectorLayer, raster: QgsRasterLayer) -> Dict[int, QgsRectangle]:
    """Feature id -> extent of the feature reprojected (densified) to the raster's CRS."""
    transform = QgsCoordinateTransform(layer.crs(), raster.crs(), QgsProject.instance())
    extents = {}
    for feature in layer.getFeatures():
        geometry = feature.geometry().densifyByCount(16)
        geometry.transform(transform)
        extents[feature.id()] = geometry.boundingBox()
    return extents


def context_square(rect: QgsRectangle, context: float, tolerance: float) -> QgsGeometry:
    """The square window the model saw around ``rect``, grown by ``tolerance``."""
    half = max(rect.width(), rect.height()) * (1 + 2 * context) / 2 + tolerance
    centre = rect.center()
    return QgsGeometry.fromRect(
        QgsRectangle(centre.x() - half, centre.y() - half, centre.x() + half, centre.y() + half)
    )


def features(path_or_layer) -> Tuple[QgsVectorLayer, List[QgsFeature]]:
    layer = (
        path_or_layer
        if isinstance(path_or_layer, QgsVectorLayer)
        else QgsVectorLayer(path_or_layer)
    )
    assert layer.isValid()
    return layer, list(layer.getFeatures())


def field_names(layer: QgsVectorLayer) -> List[str]:
    return [name for name in layer.fields().names() if name != "fid"]


class RecordedFeedback(QgsProcessingFeedback):
    """Feedback that keeps the info and warning lines an algorithm pushes."""

    def __init__(self) -> None:
        super().__init__()
        self.infos: List[str] = []
        self.warnings: List[str] = []

    def pushInfo(self, text: str) -> None:  # noqa: N802 - QGIS's name
        self.infos.append(text)

    def pushWarning(self, text: str) -> None:  # noqa: N802 - QGIS's name
        self.warnings.append(text)


def test_provider_exposes_the_public_ids_and_parameters(clvnet_provider):
    ids = sorted(alg.id() for alg in clvnet_provider.algorithms())
    assert {BOXES_ALG, EXTENT_ALG} <= set(ids)  # beside the training algorithms
    assert clvnet_provider.name() == "CLV-Net"
    assert not clvnet_provider.icon().isNull()
    outputs = ["OUTPUT", "OUTPUT_RELATIONS", "OUTPUT_PROMPTS"]
    common = ["CHECKPOINT", "DEVICE", "CONTEXT", "MIN_SCORE"]
    boxes = clvnet_provider.algorithm("segment_describe_boxes")
    extent = clvnet_provider.algorithm("segment_describe_extent")
    names = [p.name() for p in boxes.parameterDefinitions()]
    assert names == ["INPUT", "BOXES", "ID_FIELD", *common, *outputs]
    names = [p.name() for p in extent.parameterDefinitions()]
    assert names == ["INPUT", "EXTENT", *common, *outputs]
    device = boxes.parameterDefinition("DEVICE")
    assert device.options() == ["auto", "cpu", "cuda"] and device.defaultValue() == "auto"
    assert boxes.parameterDefinition("CONTEXT").defaultValue() == 0.5
    # one context range for the toolbox and the Settings dialog
    assert (
        boxes.parameterDefinition("CONTEXT").minimum(),
        boxes.parameterDefinition("CONTEXT").maximum(),
    ) == CONTEXT_RANGE
    min_score = extent.parameterDefinition("MIN_SCORE")
    assert min_score.defaultValue() == DEFAULT_MIN_SCORE
    assert (min_score.minimum(), min_score.maximum()) == (0.0, 1.0)
    for optional in ("ID_FIELD", "CHECKPOINT", "MIN_SCORE", "OUTPUT_RELATIONS", "OUTPUT_PROMPTS"):
        assert (
            boxes.parameterDefinition(optional).flags()
            & boxes.parameterDefinition(optional).FlagOptional
        )
    assert {o.name() for o in boxes.outputDefinitions()} >= {
        *outputs,
        "PROCESSED_COUNT",
        "SKIPPED_COUNT",
        "OBJECT_COUNT",
    }


def test_three_boxes_in_another_crs(run_alg, cogeo, processing_checkpoint, tmp_path):
    boxes = box_layer(cogeo, BOX_FRACTIONS, "EPSG:4326")
    out = tmp_path / "objects.gpkg"
    result = run_alg(
        BOXES_ALG,
        {
            "INPUT": cogeo,
            "BOXES": boxes,
            "ID_FIELD": "name",
            "CHECKPOINT": str(processing_checkpoint),
            "DEVICE": "cpu",
            "OUTPUT": str(out),
            "OUTPUT_RELATIONS": str(tmp_path / "relations.gpkg"),
            "OUTPUT_PROMPTS": str(tmp_path / "prompts.gpkg"),
        },
    )
    assert result["PROCESSED_COUNT"] == 3 and result["SKIPPED_COUNT"] == 0
    assert result["OBJECT_COUNT"] == 3 * OBJECTS_PER_BOX

    names = {f.id(): f["name"] for f in boxes.getFeatures()}
    expected = in_raster_crs(boxes, cogeo)
    pixel = cogeo.rasterUnitsPerPixelX()

    layer, objects = features(result["OUTPUT"])
    assert len(objects) == result["OBJECT_COUNT"]
    assert layer.crs() == cogeo.crs()
    assert field_names(layer) == [*OBJECT_FIELDS, "name"]
    assert layer.wkbType() == QgsWkbTypes.MultiPolygon
    assert {f["box_id"] for f in objects} == set(names)
    for feature in objects:
        box_id = feature["box_id"]
        assert feature["name"] == names[box_id]
        assert feature["caption"] == "building building building building"
        assert feature["model"] == "clvnet-tiny" and feature["source"] == str(real("cogeo"))
        assert 0 <= feature["obj_id"] < OBJECTS_PER_BOX and 0.0 <= feature["score"] <= 1.0
        geometry = feature.geometry()
        assert geometry.isGeosValid() and geometry.area() > 0
        # The model sees the box plus half its size on every side: masks stay in there.
        assert context_square(expected[box_id], 0.5, 2 * pixel).contains(geometry)
        # The same area as the command line's writer gives the same polygon.
        shape = shapely_wkt.loads(geometry.asWkt())
        assert feature["area_m2"] == pytest.approx(polygon_area_m2(shape, cogeo.crs().toWkt()))

    layer, prompts = features(result["OUTPUT_PROMPTS"])
    assert field_names(layer) == [*PROMPT_FIELDS, "name"] and layer.crs() == cogeo.crs()
    assert len(prompts) == 3
    for feature in prompts:
        rect = feature.geometry().boundingBox()
        assert corners(rect) == pytest.approx(corners(expected[feature["box_id"]]), abs=0.01)
        assert feature["tagged"].startswith("[SEG] building")
        assert feature["name"] == names[feature["box_id"]]

    layer, relations = features(result["OUTPUT_RELATIONS"])
    assert field_names(layer) == [*RELATION_FIELDS, "name"]
    assert not layer.isSpatial()
    assert len(relations) == 3 * RELATIONS_PER_BOX
    for feature in relations:
        assert feature["predicate"] == "next to"
        assert feature["subj_id"] != feature["obj_id"]
        assert {feature["subj_id"], feature["obj_id"]} <= set(range(OBJECTS_PER_BOX))
        assert feature["name"] == names[feature["box_id"]]


def test_extent_in_another_crs_and_memory_outputs(run_alg, cogeo, processing_checkpoint):
    rect = fraction_rect(cogeo, BOX_FRACTIONS["portal"])
    to_wgs84 = QgsCoordinateTransform(
        cogeo.crs(), QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance()
    )
    extent = extent_text(to_wgs84.transformBoundingBox(rect), "EPSG:4326")
    result = run_alg(
        EXTENT_ALG,
        {
            "INPUT": str(real("cogeo")),
            "EXTENT": extent,
            "CHECKPOINT": str(processing_checkpoint),
            "CONTEXT": 0.25,
            "OUTPUT": "TEMPORARY_OUTPUT",
            "OUTPUT_RELATIONS": "TEMPORARY_OUTPUT",
            "OUTPUT_PROMPTS": "TEMPORARY_OUTPUT",
        },
    )
    assert result["PROCESSED_COUNT"] == 1 and result["OBJECT_COUNT"] == OBJECTS_PER_BOX
    layer, objects = features(result["OUTPUT"])
    assert layer.crs() == cogeo.crs() and field_names(layer) == OBJECT_FIELDS
    _, prompts = features(result["OUTPUT_PROMPTS"])
    (prompt,) = prompts
    assert prompt["box_id"] == 1 and {f["box_id"] for f in objects} == {1}
    box = prompt.geometry().boundingBox()
    # The extent came back to the raster CRS (Web Mercator is conformal: the same rectangle).
    assert corners(box) == pytest.approx(corners(rect), abs=0.01)
    window = context_square(box, 0.25, 2 * cogeo.rasterUnitsPerPixelX())
    assert all(window.contains(f.geometry()) for f in objects)
    _, relations = features(result["OUTPUT_RELATIONS"])
    assert len(relations) == RELATIONS_PER_BOX


def test_zero_feature_box_layer_is_a_clear_error(run_alg, cogeo, processing_checkpoint):
    empty = QgsVectorLayer("Polygon?crs=EPSG:4326", "empty", "memory")
    with pytest.raises(QgsProcessingException, match="no features"):
        run_alg(
            BOXES_ALG,
            {
                "INPUT": cogeo,
                "BOXES": empty,
                "CHECKPOINT": str(processing_checkpoint),
                "OUTPUT": "TEMPORARY_OUTPUT",
            },
        )


def test_boxes_outside_the_raster_are_skipped_and_counted(run_alg, cogeo, processing_checkpoint):
    boxes = {"inside": BOX_FRACTIONS["road"], "east": (1.5, 0.2, 1.7, 0.4)}
    layer = box_layer(cogeo, boxes, "EPSG:32652")
    feedback = RecordedFeedback()
    result = run_alg(
        BOXES_ALG,
        {
            "INPUT": cogeo,
            "BOXES": layer,
            "CHECKPOINT": str(processing_checkpoint),
            "OUTPUT": "TEMPORARY_OUTPUT",
            "OUTPUT_RELATIONS": None,
            "OUTPUT_PROMPTS": "TEMPORARY_OUTPUT",
        },
        feedback=feedback,
    )
    assert result["PROCESSED_COUNT"] == 1 and result["SKIPPED_COUNT"] == 1
    assert f"1 box described, 1 skipped, {OBJECTS_PER_BOX} objects found." in feedback.infos
    assert result["OUTPUT_RELATIONS"] is None
    _, prompts = features(result["OUTPUT_PROMPTS"])
    inside = next(f.id() for f in layer.getFeatures() if f["name"] == "inside")
    assert [f["box_id"] for f in prompts] == [inside]

    only_outside = box_layer(cogeo, {"east": boxes["east"]}, "EPSG:32652")
    with pytest.raises(QgsProcessingException, match="^The box could not be described on the"):
        run_alg(
            BOXES_ALG,
            {
                "INPUT": cogeo,
                "BOXES": only_outside,
                "CHECKPOINT": str(processing_checkpoint),
                "OUTPUT": "TEMPORARY_OUTPUT",
            },
        )


def test_id_field_named_like_a_schema_field_is_renamed(run_alg, cogeo, processing_checkpoint):
    layer = QgsVectorLayer("Polygon?crs=EPSG:3857&field=box_id:integer", "boxes", "memory")
    feature = QgsFeature(layer.fields())
    feature.setGeometry(QgsGeometry.fromRect(fraction_rect(cogeo, BOX_FRACTIONS["forest"])))
    feature.setAttributes([77])
    layer.dataProvider().addFeatures([feature])
    result = run_alg(
        BOXES_ALG,
        {
            "INPUT": cogeo,
            "BOXES": layer,
            "ID_FIELD": "box_id",
            "CHECKPOINT": str(processing_checkpoint),
            "OUTPUT": "TEMPORARY_OUTPUT",
        },
    )
    out, objects = features(result["OUTPUT"])
    assert field_names(out) == [*OBJECT_FIELDS, "in_box_id"]
    assert {f["in_box_id"] for f in objects} == {77}


def test_cancel_stops_after_the_current_box(run_alg, cogeo, processing_checkpoint):
    class CancelOnFirstCaption(QgsProcessingFeedback):
        def pushInfo(self, info: str) -> None:  # noqa: N802 (Qt override)
            super().pushInfo(info)
            if info.startswith("Box "):
                self.cancel()

    result = run_alg(
        BOXES_ALG,
        {
            "INPUT": cogeo,
            "BOXES": box_layer(cogeo, BOX_FRACTIONS, "EPSG:3857"),
            "CHECKPOINT": str(processing_checkpoint),
            "OUTPUT": "TEMPORARY_OUTPUT",
        },
        feedback=CancelOnFirstCaption(),
    )
    assert result["PROCESSED_COUNT"] == 1
    assert result["OBJECT_COUNT"] == OBJECTS_PER_BOX


def test_batch_runs_reuse_one_loaded_model(run_alg, cogeo, processing_checkpoint):
    """Runs share the QGIS process's model server: no new process, no reload, no re-encode."""
    params = {
        "INPUT": cogeo,
        "EXTENT": extent_text(fraction_rect(cogeo, BOX_FRACTIONS["road"]), "EPSG:3857"),
        "CHECKPOINT": str(processing_checkpoint),
        "DEVICE": "cpu",
        "OUTPUT": "TEMPORARY_OUTPUT",
    }
    run_alg(EXTENT_ALG, params)
    client = shared_client()
    pid, starts = client.pid, client.starts
    encoded = {m["handle"]: m["encodes"] for m in client.ping()["models"]}
    run_alg(EXTENT_ALG, params)
    assert client.pid == pid and client.starts == starts
    assert {m["handle"]: m["encodes"] for m in client.ping()["models"]} == encoded


def test_algorithm_runs_inside_a_graphical_model(run_alg, cogeo, processing_checkpoint):
    model = QgsProcessingModelAlgorithm("describe", "tests")
    model.addModelParameter(
        QgsProcessingParameterRasterLayer("raster", "Raster"), QgsProcessingModelParameter("raster")
    )
    child = QgsProcessingModelChildAlgorithm(EXTENT_ALG)
    child.setChildId("clvnet")
    child.addParameterSources(
        "INPUT", [QgsProcessingModelChildParameterSource.fromModelParameter("raster")]
    )
    extent = extent_text(fraction_rect(cogeo, BOX_FRACTIONS["portal"]), "EPSG:3857")
    static = QgsProcessingModelChildParameterSource.fromStaticValue
    child.addParameterSources("EXTENT", [static(extent)])
    child.addParameterSources("CHECKPOINT", [static(str(processing_checkpoint))])
    # The model designer fills in the defaults; a model built in code states them.
    child.addParameterSources("DEVICE", [static("cpu")])
    child.addParameterSources("CONTEXT", [static(0.5)])
    output = QgsProcessingModelOutput("objects")
    output.setChildOutputName("OUTPUT")
    child.setModelOutputs({"objects": output})
    model.addChildAlgorithm(child)
    valid, issues = model.validate()
    assert valid, issues

    result = run_alg(model, {"raster": str(real("cogeo")), "clvnet:objects": "TEMPORARY_OUTPUT"})
    _, objects = features(result["clvnet:objects"])
    assert len(objects) == OBJECTS_PER_BOX


@pytest.mark.parametrize("name", ["cogeo", "berkeley"])
def test_rendered_and_read_windows_agree(cogeo, name):
    """The GDAL read and QGIS's rendering of the same box give the same georeferenced window
    (``berkeley`` has no georeference: QGIS's y-up pixel coordinates must still match)."""
    import numpy as np

    layer = cogeo if name == "cogeo" else QgsRasterLayer(str(real(name)), name)
    context = QgsProcessingContext()
    read = RasterInput.from_layer(layer, context)
    assert read.request.path is not None
    rendered = RasterInput.from_layer(layer, context)
    rendered.request.path, rendered.request.render_layer = None, layer.clone()
    box = fraction_rect(layer, (0.3, 0.4, 0.45, 0.5))
    a, b = read.read_window(box, 0.5, 128), rendered.read_window(box, 0.5, 128)
    assert np.allclose(a.box, b.box, atol=0.01)
    assert np.allclose(tuple(a.transform)[:6], tuple(b.transform)[:6], rtol=1e-6, atol=1e-3)
    assert np.abs(a.image.astype(int) - b.image.astype(int)).mean() < 20


def test_raster_without_georeference_keeps_qgis_pixel_coordinates(run_alg, processing_checkpoint):
    """berkeley.jpg has no CRS: QGIS shows it at y in [-height, 0], GDAL reads rows downwards;
    the polygons must land where QGIS draws the raster."""
    layer = QgsRasterLayer(str(real("berkeley")), "berkeley")
    assert not layer.crs().isValid() and layer.extent().yMaximum() == 0
    box = fraction_rect(layer, (0.40, 0.30, 0.55, 0.45))
    result = run_alg(
        EXTENT_ALG,
        {
            "INPUT": layer,
            "EXTENT": extent_text(box, "").replace(" []", ""),
            "CHECKPOINT": str(processing_checkpoint),
            "OUTPUT": "TEMPORARY_OUTPUT",
            "OUTPUT_PROMPTS": "TEMPORARY_OUTPUT",
        },
    )
    assert result["OBJECT_COUNT"] == OBJECTS_PER_BOX
    _, objects = features(result["OUTPUT"])
    window = context_square(box, 0.5, 2.0)
    for feature in objects:
        assert window.contains(feature.geometry())
        assert feature["area_m2"] == NULL
    _, (prompt,) = features(result["OUTPUT_PROMPTS"])
    assert corners(prompt.geometry().boundingBox()) == pytest.approx(corners(box), abs=1e-6)


def test_layer_shown_with_another_renderer_is_rendered_by_qgis(
    run_alg, cogeo, processing_checkpoint
):
    """A hillshade of the file is not what GDAL's bands show: the model gets QGIS's rendering."""
    layer = cogeo.clone()
    layer.setRenderer(QgsHillshadeRenderer(layer.dataProvider(), 1, 315.0, 45.0))
    assert RasterInput.from_layer(layer, QgsProcessingContext()).request.path is None
    boxes = {name: BOX_FRACTIONS[name] for name in ("road", "portal")}
    box_source = box_layer(cogeo, boxes, "EPSG:4326")
    result = run_alg(
        BOXES_ALG,
        {
            "INPUT": layer,
            "BOXES": box_source,
            "CHECKPOINT": str(processing_checkpoint),
            "OUTPUT": "TEMPORARY_OUTPUT",
        },
    )
    assert result["PROCESSED_COUNT"] == 2 and result["OBJECT_COUNT"] == 2 * OBJECTS_PER_BOX
    expected = in_raster_crs(box_source, cogeo)
    _, objects = features(result["OUTPUT"])
    for feature in objects:
        window = context_square(expected[feature["box_id"]], 0.5, 2 * cogeo.rasterUnitsPerPixelX())
        assert window.contains(feature.geometry())
        assert feature["source"] == str(real("cogeo"))


def test_loaded_outputs_get_the_plugin_names_and_style(
    clvnet_provider, cogeo, processing_checkpoint
):
    """As the toolbox does: outputs loaded into the project, named and styled like the map
    tool's layers (the objects' colours and labels come from the plugin's style)."""
    import processing

    project = QgsProject.instance()
    before = set(project.mapLayers())
    processing.runAndLoadResults(
        EXTENT_ALG,
        {
            "INPUT": cogeo,
            "EXTENT": extent_text(fraction_rect(cogeo, BOX_FRACTIONS["road"]), "EPSG:3857"),
            "CHECKPOINT": str(processing_checkpoint),
            "OUTPUT": "TEMPORARY_OUTPUT",
            "OUTPUT_RELATIONS": "TEMPORARY_OUTPUT",
            "OUTPUT_PROMPTS": "TEMPORARY_OUTPUT",
        },
    )
    added = {project.mapLayer(k).name(): project.mapLayer(k) for k in added_ids(project, before)}
    named = "{} (Segment and describe extent)".format
    try:
        # named apart from the map tool's clvnet_objects, clvnet_relations and clvnet_prompts
        assert set(added) == {
            named("clvnet_objects"),
            named("clvnet_relations"),
            named("clvnet_prompts"),
        }
        objects = added[named("clvnet_objects")]
        assert objects.featureCount() == OBJECTS_PER_BOX
        legend = {c.value() for c in objects.renderer().categories()}  # one entry per phrase
        assert legend == {f["phrase"] for f in objects.getFeatures()} and len(legend) > 1
        assert objects.labelsEnabled() and objects.labeling().settings().fieldName == "phrase"
        outline = added[named("clvnet_prompts")].renderer().symbol().symbolLayer(0)
        assert outline.strokeStyle() == Qt.DashLine
    finally:
        project.removeMapLayers(added_ids(project, before))


def added_ids(project: QgsProject, before) -> List[str]:
    return [k for k in project.mapLayers() if k not in before]


def test_min_score_leaves_out_low_scoring_objects_and_their_relations(
    run_alg, cogeo, processing_checkpoint
):
    params = {
        "INPUT": cogeo,
        "EXTENT": extent_text(fraction_rect(cogeo, BOX_FRACTIONS["portal"]), "EPSG:3857"),
        "CHECKPOINT": str(processing_checkpoint),
        "OUTPUT": "TEMPORARY_OUTPUT",
        "OUTPUT_RELATIONS": "TEMPORARY_OUTPUT",
    }
    everything = run_alg(EXTENT_ALG, params)
    scores = sorted(f["score"] for f in features(everything["OUTPUT"])[1])
    assert len(scores) == OBJECTS_PER_BOX and scores[1] < scores[2]
    assert scores[0] < scores[1]

    one = RecordedFeedback()
    run_alg(EXTENT_ALG, {**params, "MIN_SCORE": (scores[0] + scores[1]) / 2}, feedback=one)
    assert [line for line in one.infos if "minimum score" in line] == [
        f"1 object scored below the minimum score {(scores[0] + scores[1]) / 2:.2f} "
        "and was left out."
    ]
    threshold = (scores[1] + scores[2]) / 2  # keeps the two best of four
    two = RecordedFeedback()
    kept = run_alg(EXTENT_ALG, {**params, "MIN_SCORE": threshold}, feedback=two)
    assert [line for line in two.infos if "minimum score" in line] == [
        f"2 objects scored below the minimum score {threshold:.2f} and were left out."
    ]
    assert kept["OBJECT_COUNT"] == 2
    _, objects = features(kept["OUTPUT"])
    assert sorted(f["score"] for f in objects) == pytest.approx(scores[2:])
    assert sorted(f["obj_id"] for f in objects) == [0, 1]  # renumbered like the caption's [SEG]s
    _, relations = features(kept["OUTPUT_RELATIONS"])
    assert len(relations) == 2  # only the pair of kept objects, both ways
    assert {(f["subj_id"], f["obj_id"]) for f in relations} == {(0, 1), (1, 0)}


def test_a_box_over_nodata_only_is_skipped_with_the_reason(run_alg, processing_checkpoint):
    """landsat.tif has nodata in its corner: that box is skipped with the single-box sentence."""
    raster = QgsRasterLayer(str(real("landsat")), "landsat")
    assert raster.isValid()
    extent, px, py = raster.extent(), raster.rasterUnitsPerPixelX(), raster.rasterUnitsPerPixelY()
    x0, y1 = extent.xMinimum(), extent.yMaximum()
    mx, my = extent.center().x(), extent.center().y()
    layer = QgsVectorLayer(
        f"Polygon?crs={raster.crs().authid()}&field=name:string(20)", "boxes", "memory"
    )
    features = []
    for name, rect in (
        ("corner", QgsRectangle(x0, y1 - 30 * py, x0 + 30 * px, y1)),
        ("middle", QgsRectangle(mx, my, mx + 40 * px, my + 40 * py)),
    ):
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromRect(rect))
        feature.setAttributes([name])
        features.append(feature)
    assert layer.dataProvider().addFeatures(features)[0]

    feedback = RecordedFeedback()
    params = {
        "INPUT": raster,
        "BOXES": layer,
        "CHECKPOINT": str(processing_checkpoint),
        "OUTPUT": "TEMPORARY_OUTPUT",
    }
    result = run_alg(BOXES_ALG, params, feedback=feedback)
    assert result["PROCESSED_COUNT"] == 1 and result["SKIPPED_COUNT"] == 1
    assert any("The box covers only nodata pixels" in line for line in feedback.warnings)
