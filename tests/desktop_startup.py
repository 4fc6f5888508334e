"""Startup script of the desktop smoke test: runs inside a real QGIS (``qgis --code``).

``tests/test_desktop.py`` starts QGIS under Xvfb with this file. It drives the installed plugin
the way a user does - picks the box tool and drags a box over ``cogeo.tif`` with mouse events
on the map canvas - waits for the result layers, saves a screenshot of the main window and
writes ``result.json`` in ``$CLVNET_SMOKE_OUT``; then it waits for a ``quit`` file there and
closes QGIS. It never blocks the event loop (every step is a timer tick) and catches every
error, because an uncaught one would open a modal dialog and hang QGIS.
"""

import json
import os
import sys
import time
import traceback
from pathlib import Path

from qgis.core import Qgis, QgsPointXY, QgsProject, QgsRasterLayer
from qgis.PyQt.QtCore import QEvent, QPoint, Qt, QTimer
from qgis.PyQt.QtGui import QMouseEvent
from qgis.PyQt.QtWidgets import QApplication
from qgis.utils import iface, plugins

OUT = Path(os.environ["CLVNET_SMOKE_OUT"])
RASTER = os.environ["CLVNET_SMOKE_RASTER"]
PLUGIN = "clvnet"
BOX_PX = (350, 490, 490, 630)  # a building on cogeo.tif: col0, row0, col1, row1
HEAVY = ("torch", "transformers", "segment_anything", "triton", "torchvision")
TICK_MS = 200
STEP_TIMEOUT_S = float(os.environ.get("CLVNET_SMOKE_STEP_TIMEOUT", "300"))


class Smoke:
    """A small state machine: each ``tick`` advances one step when it can."""

    def __init__(self) -> None:
        self.state = "wait_plugin"
        self.since = time.monotonic()
        self.started = time.monotonic()
        self.report = {"steps": [], "messages": []}
        self.layer = None
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)

    # -- plumbing ---------------------------------------------------------------------------

    def collect_messages(self) -> None:
        """Record the message bar's messages (each once)."""
        for item in iface.messageBar().items():
            message = {"level": int(item.level()), "title": item.title(), "text": item.text()}
            if message not in self.report["messages"]:
                self.report["messages"].append(message)

    def go(self, state: str) -> None:
        self.report["steps"].append([state, round(time.monotonic() - self.started, 2)])
        self.state, self.since = state, time.monotonic()

    def tick(self) -> None:
        try:
            self.collect_messages()
            modal = QApplication.activeModalWidget()
            if modal is not None and self.state != "wait_quit":
                raise RuntimeError(f"a modal dialog is open: {modal.windowTitle()!r}")
            if time.monotonic() - self.since > STEP_TIMEOUT_S:
                raise RuntimeError(f"step {self.state!r} timed out after {STEP_TIMEOUT_S:.0f} s")
            getattr(self, "step_" + self.state)()
        except Exception:  # noqa: BLE001 - report it: a dialog would hang QGIS
            self.report["error"] = traceback.format_exc()
            self.finish()
            modal = QApplication.activeModalWidget()
            if modal is not None:
                modal.close()

    def finish(self) -> None:
        """Screenshot, result file, then wait for the test to say quit."""
        self.report["heavy_modules"] = [m for m in HEAVY if m in sys.modules]
        self.report["pid"] = os.getpid()
        self.report["elapsed_s"] = round(time.monotonic() - self.started, 2)
        shot = OUT / "desktop.png"
        screen = QApplication.primaryScreen().grabWindow(0)  # the whole display, dialogs too
        picture = screen if not screen.isNull() else iface.mainWindow().grab()
        self.report["screenshot"] = str(shot) if picture.save(str(shot)) else ""
        partial = OUT / "result.json.part"
        partial.write_text(json.dumps(self.report, indent=2), encoding="utf-8")
        partial.replace(OUT / "result.json")
        self.go("wait_quit")

    # -- steps ------------------------------------------------------------------------------

    def step_wait_plugin(self) -> None:
        if PLUGIN not in plugins:
            return
        self.plugin = plugins[PLUGIN]
        rasters = [
            layer
            for layer in QgsProject.instance().mapLayers().values()
            if isinstance(layer, QgsRasterLayer)
        ]
        self.layer = rasters[0] if rasters else iface.addRasterLayer(RASTER, "cogeo")
        if self.layer is None or not self.layer.isValid():
            raise RuntimeError(f"cannot open {RASTER}")
        iface.setActiveLayer(self.layer)
        # No window manager on Xvfb: fill the screen by hand, as a maximised window would.
        iface.mainWindow().setGeometry(QApplication.primaryScreen().availableGeometry())
        canvas = iface.mapCanvas()
        canvas.setExtent(self.layer.extent())
        canvas.refresh()
        # What the toolbar button does; a timer of its own, as a dialog it opens would block.
        QTimer.singleShot(0, self.plugin.box_action.trigger)
        self.go("wait_tool")

    def step_wait_tool(self) -> None:
        canvas = iface.mapCanvas()
        if canvas.mapTool() is not self.plugin.tool or canvas.isDrawing():
            return
        self.report["panel_layer"] = self.plugin.panel.chosen_layer().name()
        self.drag_box()
        self.go("wait_result")

    def step_wait_result(self) -> None:
        band = self.plugin.tool.rubber_band
        self.report.setdefault("rubber_band_while_running", band.numberOfVertices() > 0)
        failed = [m for m in self.report["messages"] if m["level"] == Qgis.Critical]
        if failed:
            raise RuntimeError("the plugin reported: " + failed[0]["text"])
        objects = self.plugin.layers.layer("clvnet_objects")
        prompts = self.plugin.layers.layer("clvnet_prompts")
        if objects is None or prompts is None or prompts.featureCount() == 0:
            return
        self.report["rubber_band_after_result"] = band.numberOfVertices() > 0
        self.report["captions"] = [f["caption"] for f in prompts.getFeatures()]
        self.report["objects"] = [
            {"phrase": f["phrase"], "score": f["score"], "caption": f["caption"]}
            for f in objects.getFeatures()
        ]
        self.report["panel_model"] = self.plugin.panel.model_label.text()
        self.report["panel_caption"] = self.plugin.panel.caption_view.toPlainText()
        iface.layerTreeView().expandAll()  # the screenshot shows the objects' legend
        iface.mapCanvas().refreshAllLayers()
        self.go("wait_render")

    def step_wait_render(self) -> None:
        if iface.mapCanvas().isDrawing() or time.monotonic() - self.since < 1.0:
            return
        self.finish()

    def step_wait_quit(self) -> None:
        if not (OUT / "quit").exists():
            return
        self.timer.stop()
        QgsProject.instance().setDirty(False)
        iface.actionExit().trigger()

    # -- the user's gesture -----------------------------------------------------------------

    def drag_box(self) -> None:
        """Press, move and release the left button over ``BOX_PX`` of the raster."""
        extent = self.layer.extent()
        res_x = extent.width() / self.layer.width()
        res_y = extent.height() / self.layer.height()
        col0, row0, col1, row1 = BOX_PX
        to_screen = iface.mapCanvas().getCoordinateTransform()
        corners = []
        for col, row in ((col0, row0), (col1, row1)):
            point = QgsPointXY(extent.xMinimum() + col * res_x, extent.yMaximum() - row * res_y)
            screen = to_screen.transform(point)
            corners.append(QPoint(round(screen.x()), round(screen.y())))
        start, end = corners
        middle = (start + end) / 2
        self.report["drag_px"] = [start.x(), start.y(), end.x(), end.y()]
        viewport = iface.mapCanvas().viewport()
        for kind, pos, buttons in (
            (QEvent.MouseButtonPress, start, Qt.LeftButton),
            (QEvent.MouseMove, middle, Qt.LeftButton),
            (QEvent.MouseMove, end, Qt.LeftButton),
            (QEvent.MouseButtonRelease, end, Qt.NoButton),
        ):
            button = Qt.NoButton if kind == QEvent.MouseMove else Qt.LeftButton
            event = QMouseEvent(kind, pos, button, buttons, Qt.NoModifier)
            QApplication.sendEvent(viewport, event)
            QApplication.processEvents()


SMOKE = Smoke()
SMOKE.timer.start()
