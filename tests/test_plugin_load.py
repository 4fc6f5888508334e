"""Loading and unloading the plugin: nothing heavy imported, nothing left behind."""

import json
import subprocess
import sys
from pathlib import Path
from typing import List

from qgis.core import Qgis, QgsApplication
from qgis.gui import QgsRubberBand
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QCoreApplication, QEvent, QTimer
from qgis.PyQt.QtWidgets import QAction, QApplication, QDockWidget, QToolBar

from clvnet_qgis.settings import ClvnetSettings
from clvnet_qgis.settings_dialog import SettingsDialog

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "transformers", "segment_anything", "rasterio")

PROBE = """
import importlib.util, json, pkgutil, sys
from unittest.mock import MagicMock
from qgis.core import QgsApplication
app = QgsApplication([], False)
app.initQgis()
repo = sys.argv[1]
spec = importlib.util.spec_from_file_location(
    "clvnet_probe", repo + "/__init__.py", submodule_search_locations=[repo]
)
package = importlib.util.module_from_spec(spec)
sys.modules["clvnet_probe"] = package
spec.loader.exec_module(package)
plugin = package.classFactory(MagicMock())
plugin.initProcessing()
import clvnet_qgis
for module in pkgutil.walk_packages(clvnet_qgis.__path__, "clvnet_qgis."):
    importlib.import_module(module.name)
print(json.dumps([name for name in %r if name in sys.modules]))
"""


def test_loading_the_plugin_imports_nothing_heavy():
    out = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,), str(REPO)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_load_and_unload_leave_nothing_behind(
    plugin_package, qgis_iface, qgis_new_project, clean_settings, cogeo_layer
):
    main = qgis_iface.mainWindow()
    canvas = qgis_iface.mapCanvas()
    registry = QgsApplication.processingRegistry()
    plugin = plugin_package.classFactory(qgis_iface)
    plugin.initGui()

    assert registry.providerById("clvnet") is not None
    toolbar = main.findChild(QToolBar, "ClvnetToolbar")
    assert toolbar is not None and len(toolbar.actions()) == 5
    assert qgis_iface.addPluginToRasterMenu.call_count == len(plugin.actions) == 6
    assert {call.args[0] for call in qgis_iface.addPluginToRasterMenu.call_args_list} == {"CLV-Net"}
    assert main.findChild(QDockWidget, "ClvnetPanel") is plugin.panel
    assert plugin.panel.chosen_layer() is cogeo_layer

    plugin.box_action.trigger()
    assert canvas.mapTool() is plugin.tool and plugin.box_action.isChecked()
    assert not plugin.panel.isHidden()
    plugin.remove_action.trigger()
    assert any("no CLV-Net result" in m for m in qgis_iface.messageBar().get_messages(Qgis.Info))
    worker = plugin._ensure_worker()
    worker.configure(ClvnetSettings().model_config())
    thread = worker.thread
    assert thread.isRunning()

    actions = list(plugin.actions)
    plugin.unload()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    assert registry.providerById("clvnet") is None
    assert canvas.mapTool() is None
    assert main.findChild(QToolBar, "ClvnetToolbar") is None
    assert main.findChild(QDockWidget, "ClvnetPanel") is None
    assert all(sip.isdeleted(action) for action in actions)
    assert not [a for a in main.findChildren(QAction) if a.objectName().startswith("clvnet_")]
    assert qgis_iface.removePluginRasterMenu.call_count == 6
    assert thread.isFinished()
    assert not [i for i in canvas.scene().items() if isinstance(i, QgsRubberBand)]


def test_settings_round_trip(clean_settings):
    chosen = ClvnetSettings(
        checkpoint="/models/clvnet",
        device="cpu",
        precision="fp32",
        context=0.8,
        max_caption_tokens=40,
        min_area_px=9.0,
        simplify_px=1.5,
        rgb_bands=(4, 3, 2),
        output_crs="EPSG:4326",
        min_score=0.35,
    )
    chosen.save()
    assert clean_settings.value("clvnet/device") == "cpu"
    assert ClvnetSettings.load() == chosen
    assert ClvnetSettings.load().output_crs_object().authid() == "EPSG:4326"
    dialog = SettingsDialog(chosen, [("cuda:0", "Test GPU")])
    assert dialog.device.count() == 3
    assert dialog.settings() == chosen
    dialog.deleteLater()
    assert ClvnetSettings().output_crs_object() is None


def close_next_modal(closed: List[str], attempts: int = 250) -> None:
    """Poll for the next modal dialog, record its class name and close it."""

    def check(left: int) -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is not None:
            closed.append(type(dialog).__name__)
            dialog.reject()
        elif left > 0:
            QTimer.singleShot(20, lambda: check(left - 1))

    QTimer.singleShot(20, lambda: check(attempts))


def test_every_action_runs(plugin, qgis_iface, cogeo_layer):
    closed: List[str] = []
    close_next_modal(closed)
    plugin.help_action.trigger()
    assert closed == ["QMessageBox"]

    close_next_modal(closed)
    plugin.settings_action.trigger()
    assert closed[-1] == "SettingsDialog"

    plugin.export_action.trigger()
    assert any("no CLV-Net results" in m for m in qgis_iface.messageBar().get_messages(Qgis.Info))
    assert len(closed) == 2  # nothing to export: no dialog

    plugin.panel.close()
    plugin.panel_action.trigger()
    assert not plugin.panel.isHidden()
    assert "not loaded" in plugin.panel.model_label.text()
    assert "bundled default" in plugin.panel.model_label.text()
