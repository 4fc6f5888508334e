"""The long-lived worker thread that owns the model, and its main-thread front.

``PredictionWorker`` (main thread) starts one ``QThread`` on first use. The thread's
``_Engine`` loads the ``model_core.predictor.Predictor`` in the background (lazily, or at once
when the settings change a loaded model) and keeps it, with its embedding cache, for the whole
session. Each request carries a token: a new box makes the running request stale (it stops at
the next check and its result is dropped), ``cancel()`` stops it, and removing the layer it
reads cancels it. The GUI thread never runs inference and never waits for it; the engine never
touches the project, layers, canvas or ``iface``: it only gets pixels through a
``pixels.WindowRequest`` prepared on the main thread and hands back a ``PredictionResult``.
Errors arrive as one sentence; details go to the QGIS log.
"""

import contextlib
import os
import time
import traceback
from dataclasses import dataclass
from typing import Callable, Optional, Set

from qgis.core import Qgis, QgsMessageLog, QgsProject
from qgis.PyQt.QtCore import QObject, QThread, QTimer, pyqtSignal, pyqtSlot

from .i18n import tr
from .pixels import WindowRequest
from .settings import ClvnetSettings, ModelConfig

LOG_TAG = "CLV-Net"


@dataclass
class Job:
    """One box to predict: its pixels and the post-processing settings."""

    token: int
    request: WindowRequest
    min_area_px: float
    simplify_px: float
    max_new_tokens: int


@dataclass
class ModelStatus:
    """What the panel shows about the model.

    ``state`` is one of ``not loaded``, ``loading``, ``loaded``.
    """

    state: str
    checkpoint: str
    device: str = ""
    model: str = ""
    input_size: int = 0


def checkpoint_label(checkpoint: str) -> str:
    """The checkpoint as the user knows it (empty means the bundled default)."""
    return checkpoint or tr("bundled default")


class _Engine(QObject):
    """Lives in the worker thread; owns the predictor and runs jobs one at a time."""

    modelLoading = pyqtSignal(str)
    modelLoaded = pyqtSignal(object)
    modelFailed = pyqtSignal(str, str)
    notice = pyqtSignal(str)
    stage = pyqtSignal(int, str)
    done = pyqtSignal(int, object)
    failed = pyqtSignal(int, str, str)
    cancelled = pyqtSignal(int)

    def __init__(self, is_cancelled: Callable[[int], bool]) -> None:
        super().__init__()
        self._is_cancelled = is_cancelled
        self._wanted: Optional[ModelConfig] = None
        self._loaded: Optional[ModelConfig] = None
        self._predictor = None

    @pyqtSlot(object)
    def configure(self, config: ModelConfig) -> None:
        """Remember the wanted model; reload at once if another one is loaded already."""
        self._wanted = config
        if self._predictor is not None and config != self._loaded:
            self._load(config)

    @pyqtSlot(object)
    def run(self, job: Job) -> None:
        """Read the window, predict and georeference; report through the signals."""
        from model_core.errors import Cancelled, InputError

        request = job.request
        try:
            if self._is_cancelled(job.token):
                raise Cancelled()
            if self._predictor is None:
                self.stage.emit(job.token, tr("Loading the model..."))
                if not self._load(self._wanted):
                    self.failed.emit(job.token, tr("The model is not loaded."), "")
                    return
            self.stage.emit(job.token, tr("Reading the pixels..."))
            window = request.read(self._predictor.input_size)
            if self._is_cancelled(job.token):
                raise Cancelled()
            self.stage.emit(job.token, tr("Describing the box..."))
            from model_core.pipeline import segment

            self._predictor.max_new_tokens = job.max_new_tokens
            result = segment(
                self._predictor,
                window,
                min_area_px=job.min_area_px,
                simplify_px=job.simplify_px,
                cancel=lambda: self._is_cancelled(job.token),
            )
        except Cancelled:
            self.cancelled.emit(job.token)
        except InputError as err:
            self.failed.emit(job.token, str(err), "")
        except ImportError as err:
            self.failed.emit(job.token, _import_sentence(err), traceback.format_exc())
        except Exception as err:  # noqa: BLE001 - any failure must reach the user, not crash QGIS
            self.failed.emit(
                job.token,
                tr("CLV-Net failed: {error}. Details are in the QGIS log.").format(error=err),
                traceback.format_exc(),
            )
        else:
            self.done.emit(job.token, result)
        finally:
            request.render_layer = None  # the layer clone lives in this thread: free it here

    @pyqtSlot()
    def release(self) -> None:
        """Drop the model (and its cache) before the thread ends."""
        self._predictor = None
        self._loaded = None

    def _load(self, config: Optional[ModelConfig]) -> bool:
        """Load ``config``; on failure keep the previous model and report why."""
        config = config or ClvnetSettings().model_config()
        self.modelLoading.emit(checkpoint_label(config.checkpoint))
        try:
            import torch

            from model_core.predictor import Predictor

            device = self._usable_device(torch, config.device)
            # Leave a core to the QGIS interface; torch's thread count is per process.
            torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))
            predictor = Predictor.from_checkpoint(
                config.checkpoint or None, device=device, precision=config.precision
            )
        except ImportError as err:
            self.modelFailed.emit(_import_sentence(err), traceback.format_exc())
            return False
        except Exception as err:  # noqa: BLE001 - InputError/CheckpointError or a corrupt file
            details = "" if _is_input_error(err) else traceback.format_exc()
            self.modelFailed.emit(
                tr("Could not load the checkpoint {name}: {reason}").format(
                    name=checkpoint_label(config.checkpoint), reason=err
                ),
                details,
            )
            return False
        self._predictor, self._loaded = predictor, config
        self.modelLoaded.emit(
            ModelStatus(
                "loaded",
                predictor.checkpoint_dir,
                str(predictor.device),
                predictor.model_name,
                predictor.input_size,
            )
        )
        return True

    def _usable_device(self, torch, device: str) -> str:
        """``device``, or ``cpu`` (with a notice) when CUDA was chosen but is not there."""
        if not device.startswith("cuda"):
            return device
        index = int(device.split(":")[1]) if ":" in device else 0
        if torch.cuda.is_available() and index < torch.cuda.device_count():
            return device
        self.notice.emit(
            tr("The device {device} is not available here; CLV-Net uses the CPU.").format(
                device=device
            )
        )
        return "cpu"


def _is_input_error(err: Exception) -> bool:
    from model_core.errors import InputError

    return isinstance(err, InputError)


def _import_sentence(err: ImportError) -> str:
    name = getattr(err, "name", None) or str(err)
    return tr(
        "The Python package '{name}' that the model needs cannot be imported; "
        "use the CLV-Net box tool again to install it."
    ).format(name=name)


class PredictionWorker(QObject):
    """Main-thread front of the worker thread: submit boxes, cancel, follow the model.

    Signals:
        modelStatus(ModelStatus): the model is loading, loaded or not loaded.
        progress(token, text): what the current request does now.
        resultReady(token, result, request): the result of the current request.
        failed(token, sentence): a request (token > 0) or a model load (token 0) failed.
        notice(sentence): something the user should know (e.g. a CUDA fallback).
        cancelled(token): the current request was cancelled.
        dropped(token): a stale request's result was dropped (a newer box replaced it).
    """

    modelStatus = pyqtSignal(object)
    progress = pyqtSignal(int, str)
    resultReady = pyqtSignal(int, object, object)
    failed = pyqtSignal(int, str)
    notice = pyqtSignal(str)
    cancelled = pyqtSignal(int)
    dropped = pyqtSignal(int)

    _submit = pyqtSignal(object)
    _configure = pyqtSignal(object)
    _release = pyqtSignal()

    def __init__(self, project: Optional[QgsProject] = None, parent: Optional[QObject] = None):
        super().__init__(parent)
        self.project = project or QgsProject.instance()
        self.thread: Optional[QThread] = None
        self._engine: Optional[_Engine] = None
        self._latest = 0
        self._cancelled: Set[int] = set()
        self._closing = False
        self._job: Optional[Job] = None
        self.status = ModelStatus("not loaded", "")
        self.project.layersWillBeRemoved.connect(self._layers_removed)

    # -- public -----------------------------------------------------------------------------

    def configure(self, config: ModelConfig) -> None:
        """Use ``config`` from now on (a loaded model reloads in the background)."""
        self._start()
        if self.status.state != "loaded":
            self.status = ModelStatus(
                "not loaded", checkpoint_label(config.checkpoint), config.device
            )
            self.modelStatus.emit(self.status)
        self._configure.emit(config)

    def submit(self, request: WindowRequest, settings: ClvnetSettings) -> int:
        """Queue a box; the previous request becomes stale. Returns the new token."""
        self._start()
        self._latest += 1
        job = Job(
            self._latest,
            request,
            settings.min_area_px,
            settings.simplify_px,
            settings.max_caption_tokens,
        )
        if request.render_layer is not None:
            request.render_layer.moveToThread(self.thread)
        self._job = job
        self._submit.emit(job)
        return job.token

    def cancel(self) -> None:
        """Cancel the current request (it stops at its next check)."""
        if self._job is not None:
            self._cancelled.add(self._job.token)

    def busy(self) -> bool:
        """True while a request is queued or running."""
        return self._job is not None

    def is_cancelled(self, token: int) -> bool:
        """Whether request ``token`` should stop; called from the worker thread."""
        return self._closing or token != self._latest or token in self._cancelled

    def shutdown(self) -> None:
        """Cancel everything, free the model and end the thread (waits for it)."""
        self._closing = True
        self._job = None
        with contextlib.suppress(TypeError):
            self.project.layersWillBeRemoved.disconnect(self._layers_removed)
        if self.thread is not None:
            self._release.emit()
            self.thread.quit()
            self.thread.wait()
            self.thread = None
            self._engine = None

    # -- internals --------------------------------------------------------------------------

    def _start(self) -> None:
        if self.thread is not None:
            return
        self._closing = False
        self.thread = QThread()
        self.thread.setObjectName("clvnet-worker")
        engine = _Engine(self.is_cancelled)
        engine.moveToThread(self.thread)
        self._submit.connect(engine.run)
        self._configure.connect(engine.configure)
        self._release.connect(engine.release)
        engine.modelLoading.connect(self._model_loading)
        engine.modelLoaded.connect(self._model_loaded)
        engine.modelFailed.connect(self._model_failed)
        engine.notice.connect(self.notice)
        engine.stage.connect(self._stage)
        engine.done.connect(self._done)
        engine.failed.connect(self._failed)
        engine.cancelled.connect(self._was_cancelled)
        self.thread.finished.connect(engine.deleteLater)
        self._engine = engine
        self.thread.start()

    def _model_loading(self, checkpoint: str) -> None:
        self.modelStatus.emit(ModelStatus("loading", checkpoint))

    def _model_loaded(self, status: ModelStatus) -> None:
        self.status = status
        self.modelStatus.emit(status)

    def _model_failed(self, sentence: str, details: str) -> None:
        if self.status.state == "loaded":
            sentence += " " + tr("The model {name} stays loaded.").format(name=self.status.model)
        _log(sentence, details)
        self.modelStatus.emit(self.status)
        self.failed.emit(0, sentence)

    def _stage(self, token: int, text: str) -> None:
        if token == self._latest:
            self.progress.emit(token, text)

    def _finish(self, token: int) -> bool:
        """Close ``token``; True when it is the current, not cancelled request."""
        current = token == self._latest and not self._closing
        if current:
            self._job = None
        if current and token in self._cancelled:
            self._cancelled.discard(token)
            self.cancelled.emit(token)
            return False
        if not current:
            self.dropped.emit(token)
        return current

    def _done(self, token: int, result) -> None:
        job = self._job
        if self._finish(token):
            self.resultReady.emit(token, result, job.request)

    def _failed(self, token: int, sentence: str, details: str) -> None:
        if self._finish(token):
            _log(sentence, details)
            self.failed.emit(token, sentence)

    def _was_cancelled(self, token: int) -> None:
        if token == self._latest and not self._closing:
            self._job = None
            self._cancelled.discard(token)
            self.cancelled.emit(token)
        else:
            self.dropped.emit(token)

    def _layers_removed(self, layer_ids) -> None:
        job = self._job
        if job is not None and job.request.layer_id in layer_ids:
            self.cancel()
            self.notice.emit(
                tr(
                    "The layer '{name}' was removed while CLV-Net worked on it; "
                    "its request was cancelled."
                ).format(name=job.request.layer_name)
            )


def _log(sentence: str, details: str) -> None:
    """The sentence and its details (a traceback) in the QGIS log."""
    text = sentence if not details else f"{sentence}\n{details}"
    QgsMessageLog.logMessage(text, LOG_TAG, Qgis.Warning)


class ResponsivenessProbe(QObject):
    """Measures how long the main thread's event loop goes without running a timer.

    Start it on the main thread; ``max_gap_ms`` is the longest time between two ticks of a
    ``interval_ms`` timer, i.e. how long the interface would have been frozen.
    """

    def __init__(self, interval_ms: int = 20, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.max_gap_ms = 0.0
        self.ticks = 0
        self._last = 0.0

    def start(self) -> None:
        """Reset and start measuring."""
        self.max_gap_ms, self.ticks = 0.0, 0
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        """Stop measuring (counts the time since the last tick)."""
        self._tick()
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.max_gap_ms = max(self.max_gap_ms, (now - self._last) * 1000.0)
        self._last = now
        self.ticks += 1
