"""The long-lived worker thread that drives the model server, and its main-thread front.

``PredictionWorker`` (main thread) starts one ``QThread`` on first use. The thread's ``_Engine``
drives the model server (``python -m model_core serve`` in its own process and Python, shared
through ``model_server.shared_client``): it starts it and loads the model in the background
(when the box tool is activated, or lazily), reads each box's pixels, sends them and turns the
answer (polygons in window pixels) into a ``PredictionResult`` in map coordinates. The QGIS
process never imports torch: a crash in the model costs one box, and the next box starts a new
server. Each request carries a token: a new box makes the running request stale (the server is
told to cancel it and its result is dropped), ``cancel()`` stops it (the server is killed if it
does not stop within two seconds), and removing the layer it reads cancels it. The GUI thread
never waits; the engine never touches the project, layers, canvas or ``iface``: it only gets
pixels through a ``pixels.WindowRequest`` prepared on the main thread. Errors arrive as one
sentence; details go to the QGIS log.
"""

import contextlib
import os
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Set, Tuple

from qgis.core import Qgis, QgsMessageLog, QgsProject
from qgis.PyQt.QtCore import QObject, QThread, QTimer, pyqtSignal, pyqtSlot

from model_core.errors import InputError
from model_core.server_client import RequestCancelled, ServerDied, ServerError

from .i18n import tr
from .model_env import ModelEnvironmentMissing
from .model_server import shared_client
from .pixels import WindowRequest
from .settings import ClvnetSettings, ModelConfig

LOG_TAG = "CLV-Net"
THREADS = max(1, (os.cpu_count() or 2) - 1)
"""Torch threads of the model server: a core is left to the QGIS interface."""


@dataclass
class Job:
    """One box to predict: its pixels and the post-processing settings."""

    token: int
    request: WindowRequest
    min_area_px: float
    simplify_px: float
    max_new_tokens: int
    submitted: float = field(default_factory=time.perf_counter)


@dataclass
class ModelStatus:
    """What the panel shows about the model.

    ``state`` is one of ``not loaded``, ``loading``, ``loaded``. ``error`` is the sentence of
    the last failed load (empty when it loaded). ``generated_only`` is True when the
    checkpoint says it was trained on generated scenes only (None: it does not say).
    """

    state: str
    checkpoint: str
    device: str = ""
    model: str = ""
    input_size: int = 0
    device_reason: str = ""
    generated_only: Optional[bool] = None
    versions: str = ""
    error: str = ""
    cuda_devices: List[Tuple[str, str]] = field(default_factory=list)


def checkpoint_label(checkpoint: str) -> str:
    """The checkpoint as the user knows it (empty means the bundled default)."""
    return checkpoint or tr("bundled default")


def crash_sentence(died: ServerDied) -> str:
    """The one sentence a user reads when the model process died during a box."""
    return tr(
        "The model process stopped unexpectedly ({how}); it will be restarted for the next box."
    ).format(how=died.how)


class _Engine(QObject):
    """Lives in the worker thread; drives the model server, one job at a time."""

    modelLoading = pyqtSignal(str)
    modelLoaded = pyqtSignal(object)
    modelFailed = pyqtSignal(str, str)
    environmentBroken = pyqtSignal(str)
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
        self._model: Optional[dict] = None  # the server's load answer
        self._server_starts = 0

    @pyqtSlot(object)
    def configure(self, config: ModelConfig) -> None:
        """Remember the wanted model; reload at once if another one is loaded already."""
        self._wanted = config
        if self._ready() and config != self._loaded:
            self._load(config)

    @pyqtSlot(object)
    def warm_up(self, config: ModelConfig) -> None:
        """Start the server and load ``config`` now, so the first box does not wait for it."""
        self._wanted = config
        if not self._ready() or config != self._loaded:
            self._load(config)

    @pyqtSlot(object)
    def run(self, job: Job) -> None:
        """Read the window, have the server describe it, place the result on the map."""
        from model_core.remote_result import result_from_answer  # rasterio: not at plugin load

        request = job.request
        queued_ms = (time.perf_counter() - job.submitted) * 1000
        cancel = lambda: self._is_cancelled(job.token)  # noqa: E731
        try:
            if cancel():
                raise RequestCancelled()
            if not self._ready():
                self.stage.emit(job.token, tr("Loading the model..."))
                if not self._load(self._wanted):
                    self.failed.emit(job.token, tr("The model is not loaded."), "")
                    return
            self.stage.emit(job.token, tr("Reading the pixels..."))
            started = time.perf_counter()
            window = request.read(self._model["input_size"])
            read_ms = (time.perf_counter() - started) * 1000
            if cancel():
                raise RequestCancelled()
            self.stage.emit(job.token, tr("Describing the box..."))
            started = time.perf_counter()
            answer = shared_client().describe(
                window.image,
                window.box,
                valid=window.valid,
                cache_key=repr(window.cache_key),
                options={
                    "max_new_tokens": job.max_new_tokens,
                    "min_area_px": job.min_area_px,
                    "simplify_px": job.simplify_px,
                },
                model=self._model["handle"],
                cancel=cancel,
            )
            served_ms = (time.perf_counter() - started) * 1000
            result = result_from_answer(answer, window)
            # the process boundary's cost: the round trip less the server's own stages
            exchange_ms = served_ms - sum(answer["timing_ms"].values())
            place_ms = (time.perf_counter() - started) * 1000 - served_ms - result.timing_ms["area"]
            result.timing_ms.update(
                queued=queued_ms, read=read_ms, exchange=exchange_ms, place=place_ms
            )
        except RequestCancelled:
            self.cancelled.emit(job.token)
        except ServerDied as died:
            self._model = None
            self.failed.emit(job.token, crash_sentence(died), _death_details(died))
            self.warm_up(self._wanted)  # the next box finds a running server
        except (InputError, ModelEnvironmentMissing) as err:
            self.failed.emit(job.token, str(err), "")
        except ServerError as err:
            self.failed.emit(
                job.token,
                tr("CLV-Net failed: {error} Details are in the QGIS log.").format(error=err),
                f"{err.kind}: {err}",
            )
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
        """Forget the model before the thread ends (the shared server keeps running)."""
        self._model = None
        self._loaded = None

    def _ready(self) -> bool:
        """True when a model is loaded in the server process that is running now."""
        if self._model is None:
            return False
        try:
            client = shared_client()
        except ModelEnvironmentMissing:
            return False
        return client.running() and client.starts == self._server_starts

    def _load(self, config: Optional[ModelConfig]) -> bool:
        """Load ``config`` in the server; on failure keep the previous model and say why."""
        config = config or ClvnetSettings.load().model_config()
        self.modelLoading.emit(checkpoint_label(config.checkpoint))
        load_options = {"precision": config.precision, "threads": THREADS, "warm_up": True}
        try:
            client = shared_client()
            try:
                answer = client.load(config.checkpoint or None, config.device, **load_options)
            except ServerError as err:
                if err.kind != "no_cuda":
                    raise
                self.notice.emit(
                    tr("The device {device} is not available here; CLV-Net uses the CPU.").format(
                        device=config.device
                    )
                )
                answer = client.load(config.checkpoint or None, "cpu", **load_options)
        except ModelEnvironmentMissing as err:
            self.modelFailed.emit(str(err), "")
            return False
        except ServerDied as died:
            self.modelFailed.emit(crash_sentence(died), _death_details(died))
            return False
        except ServerError as err:
            details = "" if err.kind in ("bad_checkpoint", "bad_input") else f"{err.kind}: {err}"
            if err.kind == "missing_package":  # the model's Python lacks a package: repair it
                self.environmentBroken.emit(str(err))
            self.modelFailed.emit(
                tr("Could not load the checkpoint {name}: {reason}").format(
                    name=checkpoint_label(config.checkpoint), reason=err
                ),
                details,
            )
            return False
        self._model, self._loaded = answer, config
        self._server_starts = client.starts
        self.modelLoaded.emit(status_from_answer(answer))
        return True


def status_from_answer(answer: dict) -> ModelStatus:
    """The panel's view of a server's ``load`` answer."""
    return ModelStatus(
        "loaded",
        answer["checkpoint"],
        answer["device"],
        answer["model"],
        answer["input_size"],
        device_reason=answer.get("device_reason", ""),
        generated_only=(answer.get("metadata") or {}).get("generated_only"),
        versions=f"torch {answer.get('torch')}, transformers {answer.get('transformers')}",
        cuda_devices=[(str(k), str(n)) for k, n in answer.get("cuda_devices", [])],
    )


def _death_details(died: ServerDied) -> str:
    """How the server died and the last lines it wrote, for the QGIS log."""
    name = f" ({died.signal_name})" if died.signal_name else ""
    return f"The model server ended with {died.how}{name}.\n{died.stderr_tail}"


class PredictionWorker(QObject):
    """Main-thread front of the worker thread: submit boxes, cancel, follow the model.

    Signals:
        modelStatus(ModelStatus): the model is loading, loaded or not loaded.
        progress(token, text): what the current request does now.
        resultReady(token, result, request): the result of the current request.
        failed(token, sentence): a request (token > 0) or a model load (token 0) failed.
        notice(sentence): something the user should know (e.g. a CUDA fallback).
        environmentBroken(sentence): the model's Python lacks a package (once per failed load).
        cancelled(token): the current request was cancelled.
        dropped(token): a stale request's result was dropped (a newer box replaced it).
    """

    modelStatus = pyqtSignal(object)
    progress = pyqtSignal(int, str)
    resultReady = pyqtSignal(int, object, object)
    failed = pyqtSignal(int, str)
    notice = pyqtSignal(str)
    environmentBroken = pyqtSignal(str)
    cancelled = pyqtSignal(int)
    dropped = pyqtSignal(int)

    _submit = pyqtSignal(object)
    _configure = pyqtSignal(object)
    _warm_up = pyqtSignal(object)
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

    def warm_up(self, config: ModelConfig) -> None:
        """Start the model server and load ``config`` in the background (box tool activated)."""
        self._start()
        self._warm_up.emit(config)

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
        """Cancel the current request (the server stops it, or is killed after 2 s)."""
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
        self._warm_up.connect(engine.warm_up)
        self._release.connect(engine.release)
        engine.modelLoading.connect(self._model_loading)
        engine.modelLoaded.connect(self._model_loaded)
        engine.modelFailed.connect(self._model_failed)
        engine.notice.connect(self.notice)
        engine.environmentBroken.connect(self.environmentBroken)
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
        else:
            self.status = ModelStatus("not loaded", self.status.checkpoint, error=sentence)
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
