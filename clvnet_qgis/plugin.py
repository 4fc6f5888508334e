"""The plugin shell: actions, toolbar, Raster menu entry, dock panel and Processing provider.

Loading it imports nothing heavy; the model's packages are checked (and offered for install)
on first use of the box tool and imported by the worker thread only. ``unload`` removes every
action, the toolbar, the dock, the map tool and the provider, and ends the worker thread.
"""

import configparser
from dataclasses import replace
from pathlib import Path
from typing import List, Optional

from qgis.core import Qgis, QgsApplication, QgsMapLayer, QgsProject, QgsRectangle
from qgis.gui import QgisInterface
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QMessageBox, QToolBar

from model_core.errors import InputError

from . import dependencies
from .export import ExportDialog, export_message, export_results
from .i18n import install_translator, plural, remove_translator, tr
from .layers import OBJECTS, ResultLayers
from .map_tool import BoxMapTool
from .model_server import close_shared_client, known_cuda_devices
from .panel import ClvnetPanel
from .pixels import prepare_window
from .settings import ClvnetSettings
from .settings_dialog import SettingsDialog
from .worker import ModelStatus, PredictionWorker, checkpoint_label

PLUGIN_DIR = Path(__file__).resolve().parents[1]
MENU = "CLV-Net"
MESSAGE_TITLE = "CLV-Net"


class ClvnetPlugin:
    """What QGIS loads through ``classFactory``."""

    def __init__(self, iface: QgisInterface) -> None:
        self.iface = iface
        self.translator = install_translator()
        self.actions: List[QAction] = []
        self.toolbar: Optional[QToolBar] = None
        self.provider = None
        self.panel: Optional[ClvnetPanel] = None
        self.tool: Optional[BoxMapTool] = None
        self.worker: Optional[PredictionWorker] = None
        self.layers = ResultLayers(QgsProject.instance())
        self._told_memory_layers = False
        self._checkpoint_trial = ""  # a checkpoint folder chosen in Settings, not yet loaded
        self._trial_loading = False

    # -- QGIS plugin interface ---------------------------------------------------------------

    def initProcessing(self) -> None:
        """Register the Processing provider (also called by ``qgis_process``)."""
        from .processing.provider import ClvnetProvider

        if self.provider is None:
            self.provider = ClvnetProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:
        """Create the actions, toolbar, menu entries, dock panel and map tool."""
        self.initProcessing()
        icon = QIcon(str(PLUGIN_DIR / "icon.png"))
        self.box_action = self._action(
            icon, tr("Describe a box"), self._toggle_tool, checkable=True
        )
        self.box_action.setToolTip(tr("Drag a box on a raster to caption and segment it"))
        self.panel_action = self._action(
            QgsApplication.getThemeIcon("/mActionShowAllLayers.svg"),
            tr("Results panel"),
            self._toggle_panel,
            checkable=True,
        )
        self.remove_action = self._action(
            QgsApplication.getThemeIcon("/mActionUndo.svg"),
            tr("Remove the last result"),
            self._remove_last,
        )
        self.export_action = self._action(
            QgsApplication.getThemeIcon("/mActionFileSaveAs.svg"),
            tr("Export results..."),
            self._export,
        )
        self.settings_action = self._action(
            QgsApplication.getThemeIcon("/mActionOptions.svg"), tr("Settings..."), self._settings
        )
        self.help_action = self._action(
            QgsApplication.getThemeIcon("/mActionHelpContents.svg"), tr("Help"), self._help
        )

        self.toolbar = self.iface.addToolBar(MENU)
        self.toolbar.setObjectName("ClvnetToolbar")
        for action in self.actions:
            self.iface.addPluginToRasterMenu(MENU, action)
            if action is not self.help_action:
                self.toolbar.addAction(action)

        self.panel = ClvnetPanel(
            self.iface,
            self.layers,
            [self.box_action, self.remove_action, self.export_action, self.settings_action],
            self.iface.mainWindow(),
        )
        self.panel.cancelRequested.connect(self._cancel)
        self.panel.setUserVisible(False)
        self.panel.visibilityChanged.connect(self.panel_action.setChecked)
        self.iface.addDockWidget(Qt.RightDockWidgetArea, self.panel)
        self.panel.refresh_history()
        settings = ClvnetSettings.load()
        self.panel.set_model_status(
            ModelStatus("not loaded", checkpoint_label(settings.checkpoint), settings.device)
        )

        canvas = self.iface.mapCanvas()
        self.tool = BoxMapTool(canvas, self.panel.chosen_layer, self.iface.messageBar())
        self.tool.setAction(self.box_action)
        self.tool.boxDrawn.connect(self._box_drawn)

    def unload(self) -> None:
        """Remove everything ``initGui`` and ``initProcessing`` created; end the thread."""
        if self.worker is not None:
            self.worker.shutdown()
            self.worker.deleteLater()
            self.worker = None
        close_shared_client()
        if self.tool is not None:
            canvas = self.iface.mapCanvas()
            if canvas.mapTool() is self.tool:
                canvas.unsetMapTool(self.tool)
            self.tool.dispose()
            self.tool.deleteLater()
            self.tool = None
        if self.panel is not None:
            self.panel.disconnect_iface()
            self.iface.removeDockWidget(self.panel)
            self.panel.deleteLater()
            self.panel = None
        for action in self.actions:
            self.iface.removePluginRasterMenu(MENU, action)
            action.deleteLater()
        self.actions = []
        if self.toolbar is not None:
            self.iface.mainWindow().removeToolBar(self.toolbar)
            self.toolbar.deleteLater()
            self.toolbar = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        remove_translator(self.translator)
        self.translator = None

    # -- actions ----------------------------------------------------------------------------

    def _action(self, icon: QIcon, text: str, slot, checkable: bool = False) -> QAction:
        action = QAction(icon, text, self.iface.mainWindow())
        action.setObjectName("clvnet_" + slot.__name__.strip("_"))
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self.actions.append(action)
        return action

    def _toggle_tool(self, checked: bool) -> None:
        """Activate the box tool (after the dependency check) or put it down."""
        canvas = self.iface.mapCanvas()
        if not checked:
            if canvas.mapTool() is self.tool:
                canvas.unsetMapTool(self.tool)
            return
        if not dependencies.environment_ready():
            self.box_action.setChecked(False)
            dependencies.offer_environment(self.iface)
            self._push(
                tr(
                    "CLV-Net's model needs its own Python environment: set it up from the "
                    "dialog; QGIS works as before."
                ),
                Qgis.Warning,
            )
            return
        self.panel.setUserVisible(True)
        canvas.setMapTool(self.tool)
        # Start the model server now, in the background, so the first box does not wait for it.
        self._ensure_worker().warm_up(ClvnetSettings.load().model_config())

    def _toggle_panel(self, checked: bool) -> None:
        self.panel.setUserVisible(checked)

    def _ensure_worker(self) -> PredictionWorker:
        if self.worker is None:
            self.worker = PredictionWorker(QgsProject.instance())
            self.worker.modelStatus.connect(self._model_status)
            self.worker.progress.connect(lambda _token, text: self.panel.set_busy(text))
            self.worker.resultReady.connect(self._result)
            self.worker.failed.connect(self._failed)
            self.worker.notice.connect(lambda text: self._push(text, Qgis.Info))
            self.worker.environmentBroken.connect(self._environment_broken)
            self.worker.cancelled.connect(self._cancelled)
        return self.worker

    def _box_drawn(self, layer: QgsMapLayer, box: QgsRectangle) -> None:
        """Send the box to the worker; a running request becomes stale."""
        settings = ClvnetSettings.load()
        worker = self._ensure_worker()
        worker.configure(settings.model_config())
        request = prepare_window(layer, box, settings.context, settings.rgb_bands)
        worker.submit(request, settings)
        self.panel.set_busy(tr("Waiting for the model..."))

    def _result(self, _token: int, result, request) -> None:
        """Add a result to the layers (main thread) and show it in the panel."""
        settings = ClvnetSettings.load()
        layer = QgsProject.instance().mapLayer(request.layer_id)
        if layer is None:
            self._box_finished()
            self._push(
                tr("The layer '{name}' was removed; its result was not added.").format(
                    name=request.layer_name
                ),
                Qgis.Warning,
            )
            return
        added = self.layers.add_result(
            result, request.source, layer.crs(), settings.output_crs_object(), settings.min_score
        )
        self._box_finished()
        self.panel.refresh_history(added.box_id)
        if added.created_layers and not self._told_memory_layers:
            self._told_memory_layers = True
            self._push(
                tr(
                    "Results are in temporary memory layers of the 'CLV-Net' group; "
                    "export or save them to keep them."
                ),
                Qgis.Info,
            )
        if added.hidden_objects:
            text = plural(
                added.hidden_objects,
                tr(
                    "1 object scored below the minimum score {score:.2f} and was left out "
                    "(Settings)."
                ),
                tr(
                    "{n} objects scored below the minimum score {score:.2f} and were left out "
                    "(Settings)."
                ),
            )
            self._push(text.format(n=added.hidden_objects, score=settings.min_score), Qgis.Info)
        elif not added.object_feature_ids:
            self._push(
                tr("The model described the box but found no object polygon in it."), Qgis.Info
            )

    def _environment_broken(self, sentence: str) -> None:
        """The model's Python lacks a package: offer Repair / Use another Python at once
        (not again while a repair runs: its progress is in the message bar)."""
        if not dependencies.environment_being_built():
            dependencies.offer_environment(self.iface, sentence)

    def _failed(self, _token: int, sentence: str) -> None:
        self._box_finished()
        self._push(sentence, Qgis.Critical)

    def _cancelled(self, _token: int) -> None:
        self._box_finished()
        self._push(tr("The request was cancelled."), Qgis.Info)

    def _box_finished(self) -> None:
        """The box has its answer: hide the progress and the box's outline."""
        self.panel.set_idle()
        if self.tool is not None:
            self.tool.clear_box()

    def _cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def _remove_last(self) -> None:
        box_id = self.layers.remove_last()
        if box_id is None:
            self._push(tr("There is no CLV-Net result to remove."), Qgis.Info)
            return
        self.panel.refresh_history()
        self._push(tr("Removed box #{box_id}.").format(box_id=box_id), Qgis.Info)

    def _export(self) -> None:
        objects = self.layers.layer(OBJECTS)
        if objects is None or not self.layers.exist():
            self._push(tr("There are no CLV-Net results to export yet."), Qgis.Info)
            return
        dialog = ExportDialog(objects.crs(), self.iface.mainWindow())
        if dialog.exec_() and dialog.path():
            try:
                notes = export_results(self.layers, dialog.path(), dialog.crs())
            except InputError as err:
                self._push(str(err), Qgis.Critical)
            else:
                self._push(
                    export_message(dialog.path(), notes),
                    Qgis.Warning if notes else Qgis.Success,
                )
        dialog.deleteLater()

    def _settings(self) -> None:
        current = ClvnetSettings.load()
        # The GPUs as the model server saw them when it loaded a model ("auto" picks CUDA by
        # itself before that); QGIS never imports torch.
        devices = known_cuda_devices()
        dialog = SettingsDialog(current, devices, self.iface.mainWindow())
        if dialog.exec_():
            self.apply_settings(dialog.settings(), current)
        dialog.deleteLater()

    def apply_settings(self, chosen: ClvnetSettings, current: ClvnetSettings) -> None:
        """Save ``chosen``; a new checkpoint folder only once the model server has loaded it
        (a folder that fails would break every later session), the current one until then."""
        folder = chosen.checkpoint.strip()
        if folder and folder != current.checkpoint.strip():
            self._checkpoint_trial, self._trial_loading = folder, False
            self._push(
                tr("Loading the checkpoint {name} to check it before it is saved...").format(
                    name=folder
                ),
                Qgis.Info,
            )
            self._ensure_worker().warm_up(chosen.model_config())
            chosen = replace(chosen, checkpoint=current.checkpoint)
        elif self.worker is not None and chosen.model_config() != current.model_config():
            self.worker.configure(chosen.model_config())
        chosen.save()

    def _model_status(self, status: ModelStatus) -> None:
        """Show the model's status; settle a checkpoint folder on trial (``apply_settings``)."""
        self.panel.set_model_status(status)
        folder = self._checkpoint_trial
        if not folder:
            return
        if status.state == "loading":
            self._trial_loading = status.checkpoint == folder
            return
        if not self._trial_loading:
            return  # an earlier load finished; the trial's own comes next
        self._checkpoint_trial = ""
        if status.state == "loaded" and Path(status.checkpoint).resolve() == Path(folder).resolve():
            settings = ClvnetSettings.load()
            settings.checkpoint = folder
            settings.save()
            self._push(
                tr("The checkpoint {name} loaded and is saved in the settings.").format(
                    name=folder
                ),
                Qgis.Success,
            )
            return
        self._push(
            tr("The checkpoint {name} did not load, so the settings keep {kept}.").format(
                name=folder, kept=checkpoint_label(ClvnetSettings.load().checkpoint)
            ),
            Qgis.Warning,
        )

    def _help(self) -> None:
        homepage = _metadata("homepage")
        text = "<p>" + tr(
            "Choose a raster layer in the CLV-Net panel, pick the box tool and drag a box. "
            "CLV-Net writes a caption of the box in its surroundings, draws one polygon per "
            "object the caption names and lists the relations between them."
        )
        text += "</p><p>" + tr(
            "Esc or a right click cancels a box. Results go to memory layers in the "
            "'CLV-Net' group; export them as GeoPackage, Shapefile or GeoJSON. The "
            "Processing toolbox has the same model for many boxes at once."
        )
        if homepage:
            text += f'</p><p><a href="{homepage}">{homepage}</a>'
        QMessageBox.information(self.iface.mainWindow(), tr("CLV-Net help"), text + "</p>")

    def _push(self, text: str, level: Qgis.MessageLevel) -> None:
        self.iface.messageBar().pushMessage(MESSAGE_TITLE, text, level, 8)

    def model_status(self) -> ModelStatus:
        """The worker's model status (``not loaded`` before the first box)."""
        return self.worker.status if self.worker is not None else ModelStatus("not loaded", "")


def _metadata(key: str) -> str:
    """A value of the plugin's metadata.txt (empty when missing)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(PLUGIN_DIR / "metadata.txt", encoding="utf-8")
    return parser.get("general", key, fallback="")
