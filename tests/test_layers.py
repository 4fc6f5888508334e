"""Result layers: schema, group, appending, styling, CRS handling and removing the last box."""

import numpy as np
import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsProject,
    QgsSymbolLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtGui import QColor
from shapely.geometry import MultiPolygon, Polygon, box

from clvnet_qgis.layers import (
    FILL_ALPHA,
    GROUP_NAME,
    OBJECTS,
    PROMPTS,
    RELATIONS,
    ResultLayers,
    object_color,
)
from model_core.result import DetectedObject, PredictionResult, Relation

WEB_MERCATOR = QgsCoordinateReferenceSystem("EPSG:3857")
X0, Y0 = 14321900.0, 4532500.0
TAGGED = "<p> a building </p> [SEG] beside <p> a road </p> [SEG] <p> a car </p> [SEG]"


def make_result(offset: float = 0.0, caption: str = "a building beside a road") -> PredictionResult:
    """A georeferenced result in EPSG:3857: two objects with polygons, one without, a relation."""
    mask = np.zeros((8, 8), bool)
    objects = [
        DetectedObject(
            "a building", mask, 0.9, MultiPolygon([box(X0, Y0, X0 + 50, Y0 + 40)]), 2000.0
        ),
        DetectedObject(
            "a road", mask, 0.7, MultiPolygon([box(X0 + 60, Y0, X0 + 70, Y0 + 90)]), 900.0
        ),
        DetectedObject("a car", mask, 0.2, None, None),
    ]
    for obj in objects:
        if obj.geometry is not None:
            obj.geometry = MultiPolygon(
                [
                    Polygon([(x + offset, y) for x, y in p.exterior.coords])
                    for p in obj.geometry.geoms
                ]
            )
    result = PredictionResult(
        caption=caption,
        tagged_caption=TAGGED,
        objects=objects,
        relations=[Relation(0, "next to", 1, 0.8)],
        crs_wkt=WEB_MERCATOR.toWkt(),
        model="clvnet-tiny",
        source="/data/x.tif",
    )
    result.box_geometry = box(X0 - 10 + offset, Y0 - 10, X0 + 100 + offset, Y0 + 100)
    return result


def test_results_append_in_a_group_with_the_schema(qgis_new_project):
    layers = ResultLayers(QgsProject.instance())
    assert not layers.exist()
    first = layers.add_result(make_result(), "/data/x.tif", WEB_MERCATOR)
    second = layers.add_result(make_result(200.0, "two"), "/data/x.tif", WEB_MERCATOR)
    assert (first.box_id, second.box_id) == (1, 2)
    assert first.created_layers and not second.created_layers
    assert sorted(first.object_feature_ids) == [0, 1]  # the object without polygon is skipped

    objects, prompts, relations = (layers.layer(n) for n in (OBJECTS, PROMPTS, RELATIONS))
    group = QgsProject.instance().layerTreeRoot().findGroup(GROUP_NAME)
    assert group is not None
    assert {node.layer().name() for node in group.findLayers()} == {OBJECTS, PROMPTS, RELATIONS}
    assert all(layer.providerType() == "memory" for layer in (objects, prompts, relations))
    assert objects.fields().names() == [
        "box_id",
        "obj_id",
        "phrase",
        "caption",
        "score",
        "area_m2",
        "model",
        "source",
    ]
    assert relations.fields().names() == ["box_id", "subj_id", "predicate", "obj_id", "score"]
    assert prompts.fields().names() == ["box_id", "caption", "tagged", "model", "source"]
    assert objects.wkbType() == QgsWkbTypes.MultiPolygon
    assert not relations.isSpatial()
    assert objects.crs() == WEB_MERCATOR

    assert objects.featureCount() == 4 and prompts.featureCount() == 2
    assert relations.featureCount() == 2
    feature = next(f for f in objects.getFeatures() if f["box_id"] == 2 and f["obj_id"] == 1)
    assert feature["phrase"] == "a road" and feature["caption"] == "two"
    assert feature["area_m2"] == pytest.approx(900.0) and feature["source"] == "/data/x.tif"
    assert feature.geometry().boundingBox().xMinimum() == pytest.approx(X0 + 260)
    assert objects.labelsEnabled()
    fill = objects.renderer().symbol().symbolLayer(0)
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(objects))
    context.setFeature(feature)
    colour, ok = fill.dataDefinedProperties().valueAsColor(
        QgsSymbolLayer.PropertyFillColor, context, QColor()
    )
    assert ok and colour.name() == object_color(2, 1).name() and colour.alpha() == FILL_ALPHA
    assert layers.box_ids() == [1, 2]


def test_each_object_gets_its_own_colour():
    for box_id in range(1, 6):
        assert len({object_color(box_id, o).name() for o in range(12)}) == 12
    assert len({object_color(b, o).name() for b in range(1, 6) for o in range(6)}) == 30
    assert object_color(1, 0, alpha=100).alpha() == 100


def test_output_crs_and_remove_last(qgis_new_project):
    layers = ResultLayers(QgsProject.instance())
    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    layers.add_result(make_result(), "/data/x.tif", WEB_MERCATOR, output_crs=wgs84)
    layers.add_result(make_result(500.0), "/data/x.tif", WEB_MERCATOR, output_crs=wgs84)
    objects = layers.layer(OBJECTS)
    assert objects.crs() == wgs84
    lon_lat = next(objects.getFeatures()).geometry().boundingBox()
    assert 128.0 < lon_lat.xMinimum() < 129.0 and 37.0 < lon_lat.yMinimum() < 38.0

    assert layers.remove_last() == 2
    assert layers.box_ids() == [1]
    assert {f["box_id"] for f in objects.getFeatures()} == {1}
    assert {f["box_id"] for f in layers.layer(RELATIONS).getFeatures()} == {1}
    assert layers.remove_last() == 1
    assert layers.remove_last() is None
    assert not layers.exist()


def test_panel_links_each_grounded_phrase_to_its_polygon(qgis_iface, qgis_new_project):
    from clvnet_qgis.panel import ClvnetPanel, caption_segments, highlight

    assert caption_segments(TAGGED) == [
        ("a building", 0),
        ("beside", None),
        ("a road", 1),
        ("a car", 2),
    ]
    layers = ResultLayers(QgsProject.instance())
    added = layers.add_result(make_result(), "/data/x.tif", WEB_MERCATOR)
    panel = ClvnetPanel(qgis_iface, layers, [])
    panel.refresh_history()
    assert panel.history_list.count() == 1
    html = panel.caption_view.toHtml()
    assert "clvnet:1/0" in html and "clvnet:1/1" in html
    assert "clvnet:1/2" not in html  # "a car" has no polygon: plain text
    assert highlight(1, 0) != highlight(1, 1)
    assert panel.relations_list.item(0).text() == "a building - next to - a road (0.80)"

    panel.caption_view.anchorClicked.emit(QUrl("clvnet:1/1"))
    objects = layers.layer(OBJECTS)
    assert objects.selectedFeatureIds() == [added.object_feature_ids[1]]
    panel.disconnect_iface()
    panel.deleteLater()
