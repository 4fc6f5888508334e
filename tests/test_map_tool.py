"""The box map tool driven by synthetic mouse and key events on a real (offscreen) canvas."""

from typing import List, Tuple

import pytest
from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.gui import QgsMapMouseEvent
from qgis.PyQt.QtCore import QEvent, QPoint, Qt
from qgis.PyQt.QtGui import QKeyEvent

from clvnet_qgis.map_tool import BoxMapTool


class Target:
    """The layer the tool should read (what the panel's chooser would return)."""

    def __init__(self, layer=None) -> None:
        self.layer = layer

    def __call__(self):
        return self.layer


@pytest.fixture()
def tool(shown_canvas, qgis_iface):
    target = Target()
    box_tool = BoxMapTool(shown_canvas, target, qgis_iface.messageBar())
    box_tool.target = target
    box_tool.drawn = []
    box_tool.boxDrawn.connect(lambda layer, box: box_tool.drawn.append((layer, box)))
    shown_canvas.setMapTool(box_tool)
    qgis_iface.messageBar().clear_messages()
    yield box_tool
    shown_canvas.unsetMapTool(box_tool)
    box_tool.dispose()


def show(canvas, layer, crs_id: str) -> None:
    """Show ``layer`` on the canvas in ``crs_id`` with its whole extent in view."""
    crs = QgsCoordinateReferenceSystem(crs_id)
    canvas.setDestinationCrs(crs)
    canvas.setLayers([layer])
    to_canvas = QgsCoordinateTransform(layer.crs(), crs, QgsProject.instance())
    canvas.setExtent(to_canvas.transformBoundingBox(layer.extent()))


def to_pixel(canvas, layer, point: QgsPointXY) -> QPoint:
    """The canvas pixel of a point given in the layer's CRS."""
    to_canvas = QgsCoordinateTransform(
        layer.crs(), canvas.mapSettings().destinationCrs(), QgsProject.instance()
    )
    pixel = canvas.getCoordinateTransform().transform(to_canvas.transform(point))
    return QPoint(round(pixel.x()), round(pixel.y()))


def mouse(canvas, kind, pos: QPoint, button=Qt.LeftButton) -> QgsMapMouseEvent:
    buttons = Qt.NoButton if kind == QEvent.MouseButtonRelease else button
    return QgsMapMouseEvent(canvas, kind, pos, button, buttons, Qt.NoModifier)


def drag(tool, a: QPoint, b: QPoint) -> None:
    canvas = tool.canvas()
    tool.canvasPressEvent(mouse(canvas, QEvent.MouseButtonPress, a))
    tool.canvasMoveEvent(mouse(canvas, QEvent.MouseMove, (a + b) / 2, Qt.NoButton))
    tool.canvasMoveEvent(mouse(canvas, QEvent.MouseMove, b, Qt.NoButton))
    tool.canvasReleaseEvent(mouse(canvas, QEvent.MouseButtonRelease, b))


def fraction_points(layer, fx0, fy0, fx1, fy1) -> Tuple[QgsPointXY, QgsPointXY]:
    ext = layer.extent()
    return (
        QgsPointXY(ext.xMinimum() + fx0 * ext.width(), ext.yMaximum() - fy0 * ext.height()),
        QgsPointXY(ext.xMinimum() + fx1 * ext.width(), ext.yMaximum() - fy1 * ext.height()),
    )


def warnings(iface) -> List[str]:
    return iface.messageBar().get_messages(Qgis.Warning)


def test_box_in_raster_crs_is_the_same_under_another_project_crs(tool, shown_canvas, cogeo_layer):
    tool.target.layer = cogeo_layer
    a, b = fraction_points(cogeo_layer, 0.2, 0.3, 0.6, 0.7)
    direct = QgsRectangle(a, b)
    direct.normalize()
    boxes = {}
    for crs_id in ("EPSG:3857", "EPSG:4326"):
        show(shown_canvas, cogeo_layer, crs_id)
        assert shown_canvas.mapSettings().destinationCrs().authid() == crs_id
        drag(tool, to_pixel(shown_canvas, cogeo_layer, a), to_pixel(shown_canvas, cogeo_layer, b))
        layer, box = tool.drawn[-1]
        assert layer is cogeo_layer
        boxes[crs_id] = box
        # Mouse positions are whole pixels: allow two canvas pixels, in raster units.
        tolerance = 2 * cogeo_layer.extent().width() / shown_canvas.width()
        for got, want in zip(
            (box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()),
            (direct.xMinimum(), direct.yMinimum(), direct.xMaximum(), direct.yMaximum()),
        ):
            assert got == pytest.approx(want, abs=tolerance), crs_id
    assert len(tool.drawn) == 2
    a3857, a4326 = boxes["EPSG:3857"], boxes["EPSG:4326"]
    assert a3857.width() == pytest.approx(a4326.width(), rel=0.01)
    assert a3857.height() == pytest.approx(a4326.height(), rel=0.01)


def test_escape_and_right_click_cancel(tool, shown_canvas, cogeo_layer):
    tool.target.layer = cogeo_layer
    show(shown_canvas, cogeo_layer, "EPSG:3857")
    a, b = QPoint(100, 100), QPoint(300, 250)
    tool.canvasPressEvent(mouse(shown_canvas, QEvent.MouseButtonPress, a))
    tool.canvasMoveEvent(mouse(shown_canvas, QEvent.MouseMove, b, Qt.NoButton))
    assert tool.is_drawing()
    assert tool.rubber_band.numberOfVertices() > 0
    tool.keyPressEvent(QKeyEvent(QEvent.KeyPress, Qt.Key_Escape, Qt.NoModifier))
    assert not tool.is_drawing()
    assert tool.rubber_band.numberOfVertices() == 0
    tool.canvasReleaseEvent(mouse(shown_canvas, QEvent.MouseButtonRelease, b))
    assert tool.drawn == []

    tool.canvasPressEvent(mouse(shown_canvas, QEvent.MouseButtonPress, a))
    tool.canvasPressEvent(mouse(shown_canvas, QEvent.MouseButtonPress, b, Qt.RightButton))
    assert not tool.is_drawing()
    tool.canvasReleaseEvent(mouse(shown_canvas, QEvent.MouseButtonRelease, b))
    assert tool.drawn == []


def test_no_layer_and_non_raster_layer_say_why(tool, shown_canvas, cogeo_layer, qgis_iface):
    show(shown_canvas, cogeo_layer, "EPSG:3857")
    drag(tool, QPoint(100, 100), QPoint(300, 300))
    assert tool.drawn == []
    assert any("raster layer" in m for m in warnings(qgis_iface))

    qgis_iface.messageBar().clear_messages()
    points = QgsVectorLayer("Point?crs=EPSG:3857", "points", "memory")
    QgsProject.instance().addMapLayer(points)
    tool.target.layer = points
    drag(tool, QPoint(100, 100), QPoint(300, 300))
    assert tool.drawn == []
    assert any("'points' is not a raster layer" in m for m in warnings(qgis_iface))


def test_box_outside_raster_and_click_without_drag_say_why(
    tool, shown_canvas, cogeo_layer, qgis_iface
):
    tool.target.layer = cogeo_layer
    show(shown_canvas, cogeo_layer, "EPSG:3857")
    extent = cogeo_layer.extent()
    # Look at an area east of the raster: the whole canvas is outside it.
    shown_canvas.setExtent(
        QgsRectangle(
            extent.xMaximum() + extent.width(),
            extent.yMinimum(),
            extent.xMaximum() + 2 * extent.width(),
            extent.yMaximum(),
        )
    )
    drag(tool, QPoint(100, 100), QPoint(300, 300))
    assert tool.drawn == []
    assert any("outside the raster 'cogeo'" in m for m in warnings(qgis_iface))

    qgis_iface.messageBar().clear_messages()
    show(shown_canvas, cogeo_layer, "EPSG:3857")
    drag(tool, QPoint(200, 200), QPoint(201, 200))
    assert tool.drawn == []
    assert any("click alone" in m for m in warnings(qgis_iface))


def test_the_box_outline_stays_until_the_result_arrives(tool, shown_canvas, cogeo_layer):
    tool.target.layer = cogeo_layer
    show(shown_canvas, cogeo_layer, "EPSG:3857")
    drag(tool, QPoint(100, 100), QPoint(300, 250))
    assert len(tool.drawn) == 1 and not tool.is_drawing()
    outline = tool.rubber_band.asGeometry().boundingBox()
    assert outline.width() == pytest.approx(tool.drawn[0][1].width())
    shown_canvas.unsetMapTool(tool)  # e.g. the user pans while the box runs
    assert tool.rubber_band.numberOfVertices() > 0
    tool.clear_box()  # what the plugin does when the result, a failure or a cancel arrives
    assert tool.rubber_band.numberOfVertices() == 0

    shown_canvas.setMapTool(tool)
    drag(tool, QPoint(100, 100), QPoint(300, 250))
    drag(tool, QPoint(200, 200), QPoint(201, 200))  # a click: no box, no outline left
    assert len(tool.drawn) == 2 and tool.rubber_band.numberOfVertices() == 0
