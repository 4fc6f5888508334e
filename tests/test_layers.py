"""Result layers: schema, group, appending, styling, CRS handling and removing the last box."""

import shutil

import numpy as np
import pytest
from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsLayerTreeModel,
    QgsProject,
    QgsRenderContext,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import Qt, QUrl
from shapely.geometry import MultiPolygon, Polygon, box

from clvnet_qgis.layers import (
    FILL_ALPHA,
    GROUP_NAME,
    OBJECTS,
    PROMPTS,
    RELATIONS,
    ResultLayers,
    category_color,
    phrase_colors,
)
from clvnet_qgis.worker import ModelStatus
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
    assert layers.box_ids() == [1, 2]
    # The legend explains the colours: one entry per phrase, each in a colour of its own.
    renderer = objects.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer)
    assert renderer.classAttribute() == "phrase"
    assert [(c.value(), c.label()) for c in renderer.categories()] == [
        ("a building", "a building"),
        ("a road", "a road"),
    ]
    legend = [item.label() for item in renderer.legendSymbolItems()]
    assert legend == ["a building", "a road"]
    context = QgsRenderContext()
    renderer.startRender(context, objects.fields())
    fill = renderer.symbolForFeature(feature, context).symbolLayer(0).fillColor()
    renderer.stopRender(context)
    assert fill.name() == category_color(1).name() and fill.alpha() == FILL_ALPHA
    assert phrase_colors(objects)["a road"].name() == category_color(1).name()


def test_legend_follows_the_phrases_and_each_gets_its_own_colour(qgis_new_project):
    assert len({category_color(i).name() for i in range(12)}) == 12
    assert category_color(0, alpha=100).alpha() == 100
    layers = ResultLayers(QgsProject.instance())
    layers.add_result(make_result(), "/data/x.tif", WEB_MERCATOR)
    objects = layers.layer(OBJECTS)
    tree = QgsLayerTreeModel(QgsProject.instance().layerTreeRoot())  # what the Layers panel shows
    node = QgsProject.instance().layerTreeRoot().findLayer(objects.id())
    other = make_result(300.0)
    other.objects[0].phrase = "a pond"
    layers.add_result(other, "/data/x.tif", WEB_MERCATOR)
    shown = [legend.data(Qt.DisplayRole) for legend in tree.layerLegendNodes(node)]
    assert shown == ["a building", "a road", "a pond"]
    assert set(phrase_colors(objects)) == {"a building", "a road", "a pond"}
    assert len({c.name() for c in phrase_colors(objects).values()}) == 3
    road = phrase_colors(objects)["a road"].name()
    layers.remove_last()  # "a pond" has no feature left: its entry goes, the others stay
    assert set(phrase_colors(objects)) == {"a building", "a road"}
    assert phrase_colors(objects)["a road"].name() == road


def test_objects_below_the_minimum_score_are_left_out(qgis_new_project):
    layers = ResultLayers(QgsProject.instance())
    added = layers.add_result(make_result(), "/data/x.tif", WEB_MERCATOR, min_score=0.8)
    assert added.hidden_objects == 2  # "a road" (0.7) and "a car" (0.2, no polygon anyway)
    objects = layers.layer(OBJECTS)
    assert [f["phrase"] for f in objects.getFeatures()] == ["a building"]
    assert layers.layer(RELATIONS).featureCount() == 0  # its relation involved "a road"
    tagged = next(layers.layer(PROMPTS).getFeatures())["tagged"]
    assert tagged.count("[SEG]") == 1 and "a road" in tagged


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
    from clvnet_qgis.panel import ClvnetPanel, caption_segments

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
    # each grounded phrase is followed by its object's score
    assert panel.caption_view.toPlainText() == "a building 0.90 beside a road 0.70 a car"
    assert panel.relations_list.item(0).text() == "a building - next to - a road (0.80)"

    panel.caption_view.anchorClicked.emit(QUrl("clvnet:1/1"))
    objects = layers.layer(OBJECTS)
    assert objects.selectedFeatureIds() == [added.object_feature_ids[1]]
    panel.disconnect_iface()
    panel.deleteLater()


def test_panel_says_why_the_model_is_not_loaded_and_warns_about_generated_scenes(
    qgis_iface, qgis_new_project
):
    from clvnet_qgis.panel import ClvnetPanel

    panel = ClvnetPanel(qgis_iface, ResultLayers(QgsProject.instance()), [])
    panel.set_model_status(ModelStatus("not loaded", "/models/a"))
    assert "loads on first use" in panel.model_label.text()
    failed = "Could not load the checkpoint /models/a: config.json is missing."
    panel.set_model_status(ModelStatus("not loaded", "/models/a", error=failed))
    text = panel.model_label.text()
    assert "loads on first use" not in text and "config.json is missing" in text
    loaded = ModelStatus("loaded", "/models/b", "cpu", "clvnet-tiny", 256, generated_only=True)
    panel.set_model_status(loaded)
    assert "trained on generated scenes only" in panel.model_label.text()
    loaded.generated_only = False
    panel.set_model_status(loaded)
    assert "generated scenes" not in panel.model_label.text()
    panel.disconnect_iface()
    panel.deleteLater()


def test_a_checkpoint_folder_is_saved_only_once_it_loads(
    plugin, tmp_path, wait_until, model_checkpoint
):
    """Settings -> OK with a new checkpoint: the model server loads it first (the plugin's
    ``apply_settings``); a folder that fails is never saved, so the next session still works."""
    from dataclasses import replace

    from clvnet_qgis.settings import ClvnetSettings

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{}", encoding="utf-8")
    current = ClvnetSettings.load()
    plugin.apply_settings(replace(current, checkpoint=str(broken), device="cpu"), current)
    assert ClvnetSettings.load().device == "cpu"  # the other settings are saved at once
    wait_until(lambda: not plugin._checkpoint_trial, timeout=180, what="the trial load")
    assert ClvnetSettings.load().checkpoint == ""
    label = plugin.panel.model_label.text()
    assert "not loaded" in label and "loads on first use" not in label

    good = tmp_path / "good"
    shutil.copytree(model_checkpoint, good)
    current = ClvnetSettings.load()
    plugin.apply_settings(replace(current, checkpoint=str(good)), current)
    wait_until(lambda: not plugin._checkpoint_trial, timeout=180, what="the trial load")
    assert ClvnetSettings.load().checkpoint == str(good)
    assert "loaded on cpu" in plugin.panel.model_label.text()
