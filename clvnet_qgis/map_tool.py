"""The box map tool: drag a rectangle on the canvas over the raster layer chosen in the panel.

The rectangle is drawn in the canvas CRS and handed on in the raster layer's CRS (its bounding
box, with densified edges, so a project CRS other than the raster's gives the same result).
Esc or a right click cancels a drag; a click on a non-raster layer or outside the raster says
why in the message bar. The outline of a box that was handed on stays on the canvas until its
result arrives (``clear_box``), so the user sees what the model is working on.
"""

from typing import Callable, Optional, Tuple

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsGeometry,
    QgsMapLayer,
    QgsPointXY,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsWkbTypes,
)
from qgis.gui import QgsMapCanvas, QgsMapMouseEvent, QgsMapTool, QgsMessageBar, QgsRubberBand
from qgis.PyQt.QtCore import QPoint, Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor, QKeyEvent

from .i18n import tr

# A drag shorter than this many screen pixels is a click, not a box.
MIN_DRAG_PX = 3


def canvas_to_layer(
    rect: QgsRectangle,
    canvas_crs: QgsCoordinateReferenceSystem,
    layer: QgsMapLayer,
    project: Optional[QgsProject] = None,
) -> QgsRectangle:
    """Bounding box in the layer's CRS of a rectangle in the canvas CRS.

    QGIS densifies the edges, so curved images of straight edges are bounded correctly. Raises
    ``QgsCsException`` when the rectangle cannot be transformed.
    """
    target = layer.crs()
    if not canvas_crs.isValid() or not target.isValid() or canvas_crs == target:
        return QgsRectangle(rect)
    transform = QgsCoordinateTransform(canvas_crs, target, project or QgsProject.instance())
    return transform.transformBoundingBox(rect, QgsCoordinateTransform.ForwardTransform, False)


class BoxMapTool(QgsMapTool):
    """Drag a box with a rubber band; emits ``boxDrawn(layer, rectangle in the layer CRS)``."""

    boxDrawn = pyqtSignal(object, object)

    def __init__(
        self,
        canvas: QgsMapCanvas,
        target_layer: Callable[[], Optional[QgsMapLayer]],
        message_bar: QgsMessageBar,
    ) -> None:
        super().__init__(canvas)
        self.setObjectName("ClvnetBoxMapTool")
        self.target_layer = target_layer
        self.message_bar = message_bar
        self.setCursor(Qt.CrossCursor)
        self.rubber_band = QgsRubberBand(canvas, QgsWkbTypes.PolygonGeometry)
        self.rubber_band.setColor(QColor(255, 200, 0, 200))
        self.rubber_band.setFillColor(QColor(255, 200, 0, 40))
        self.rubber_band.setWidth(2)
        self._layer: Optional[QgsRasterLayer] = None
        self._start: Optional[QgsPointXY] = None
        self._start_px = None

    # -- events -----------------------------------------------------------------------------

    def canvasPressEvent(self, event: QgsMapMouseEvent) -> None:
        """Left button: start a box on the target raster; right button: cancel."""
        if event.button() == Qt.RightButton:
            self.cancel()
            return
        if event.button() != Qt.LeftButton:
            return
        layer = self.target_layer()
        if layer is None:
            self._warn(tr("Add a raster layer and choose it in the CLV-Net panel first."))
            return
        if not isinstance(layer, QgsRasterLayer):
            self._warn(
                tr(
                    "'{name}' is not a raster layer; choose a raster layer in the CLV-Net panel."
                ).format(name=layer.name())
            )
            return
        self._layer = layer
        self._start = event.mapPoint()
        self._start_px = event.pos()
        self._show(self._start, self._start)

    def canvasMoveEvent(self, event: QgsMapMouseEvent) -> None:
        """Stretch the rubber band while dragging."""
        if self._start is not None:
            self._show(self._start, event.mapPoint())

    def canvasReleaseEvent(self, event: QgsMapMouseEvent) -> None:
        """Finish the box: check it and emit it in the raster's CRS."""
        if self._start is None or event.button() != Qt.LeftButton:
            return
        layer, start, start_px = self._layer, self._start, self._start_px
        self._start = self._start_px = self._layer = None
        box, reason = self._checked_box(layer, start, start_px, event)
        if box is None:
            self.clear_box()
            self._warn(reason)
            return
        self._show(start, event.mapPoint())  # stays until the plugin calls clear_box()
        self.boxDrawn.emit(layer, box)

    def _checked_box(
        self, layer: QgsRasterLayer, start: QgsPointXY, start_px: QPoint, event: QgsMapMouseEvent
    ) -> Tuple[Optional[QgsRectangle], str]:
        """(the box in the layer's CRS, "") or (None, why the drag makes no box)."""
        drag = event.pos() - start_px
        if abs(drag.x()) < MIN_DRAG_PX or abs(drag.y()) < MIN_DRAG_PX:
            return None, tr("Drag a box over the raster; a click alone does not make one.")
        rect = QgsRectangle(start, event.mapPoint())
        rect.normalize()
        canvas_crs = self.canvas().mapSettings().destinationCrs()
        try:
            box = canvas_to_layer(rect, canvas_crs, layer)
        except QgsCsException:
            return None, tr("The box cannot be transformed to the CRS of '{name}'.").format(
                name=layer.name()
            )
        if not box.intersects(layer.extent()):
            return None, tr("The box lies outside the raster '{name}'.").format(name=layer.name())
        return box, ""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc cancels the box being drawn."""
        if event.key() == Qt.Key_Escape:
            if self.is_drawing():
                self.cancel()
            event.accept()
        else:
            event.ignore()

    def deactivate(self) -> None:
        """Leaving the tool drops a half-drawn box (a box being described stays outlined)."""
        if self.is_drawing():
            self.cancel()
        super().deactivate()

    # -- helpers ----------------------------------------------------------------------------

    def cancel(self) -> None:
        """Forget the box being drawn and hide the rubber band."""
        self._start = None
        self._start_px = None
        self._layer = None
        self.clear_box()

    def clear_box(self) -> None:
        """Hide the outline of the last box (its result arrived, failed or was cancelled)."""
        self.rubber_band.reset(QgsWkbTypes.PolygonGeometry)

    def dispose(self) -> None:
        """Take the rubber band off the canvas (before the tool is deleted)."""
        self.cancel()
        scene = self.canvas().scene()
        if scene is not None:
            scene.removeItem(self.rubber_band)

    def is_drawing(self) -> bool:
        """True while a box is being dragged."""
        return self._start is not None

    def _show(self, a: QgsPointXY, b: QgsPointXY) -> None:
        rect = QgsRectangle(a, b)
        self.rubber_band.setToGeometry(QgsGeometry.fromRect(rect), None)

    def _warn(self, text: str) -> None:
        self.message_bar.pushMessage("CLV-Net", text, Qgis.Warning, 5)
