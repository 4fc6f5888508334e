"""The worker thread end to end on a real raster through the model server: results, stale
requests, Cancel, responsiveness, the bad inputs (layer removed mid-request, missing/corrupt
checkpoint, CUDA not there), a server killed mid-box, and torch never in the QGIS process."""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Tuple

import pytest
from qgis.core import Qgis, QgsGeometry, QgsProject, QgsRasterLayer, QgsRectangle

from clvnet_qgis.layers import OBJECTS, PROMPTS
from clvnet_qgis.model_server import (
    SWAP_STOP_TIMEOUT_S,
    running_client,
    shared_client,
    stop_server_running_from,
)
from clvnet_qgis.pixels import prepare_window
from clvnet_qgis.settings import ClvnetSettings
from clvnet_qgis.worker import PredictionWorker, ResponsivenessProbe

MAX_GAP_MS = 200.0
REPO = Path(__file__).resolve().parents[1]


class Recorder:
    """Everything a PredictionWorker reports, in order."""

    def __init__(self, worker: PredictionWorker) -> None:
        self.results: List[Tuple[int, object, object]] = []
        self.failed: List[Tuple[int, str]] = []
        self.notices: List[str] = []
        self.cancelled: List[int] = []
        self.dropped: List[int] = []
        self.progress: List[Tuple[int, str]] = []
        self.status = []
        worker.resultReady.connect(lambda *args: self.results.append(args))
        worker.failed.connect(lambda *args: self.failed.append(args))
        worker.notice.connect(self.notices.append)
        worker.cancelled.connect(self.cancelled.append)
        worker.dropped.connect(self.dropped.append)
        worker.progress.connect(lambda *args: self.progress.append(args))
        worker.modelStatus.connect(self.status.append)

    def settled(self, token: int) -> bool:
        """True once ``token`` got its one answer."""
        answered = [r[0] for r in self.results] + [f[0] for f in self.failed]
        return token in answered + self.cancelled + self.dropped


@pytest.fixture()
def settings(model_checkpoint) -> ClvnetSettings:
    return ClvnetSettings(checkpoint=str(model_checkpoint), device="cpu", max_caption_tokens=8)


@pytest.fixture()
def objects_settings(processing_checkpoint) -> ClvnetSettings:
    """The bundled model when installed, else the untrained checkpoint rewired to always
    ground objects (random masks), so the object path is exercised either way."""
    bundled = Path(__file__).resolve().parents[1] / "model_core" / "checkpoints" / "clvnet-tiny"
    checkpoint = bundled if (bundled / "model.safetensors").is_file() else processing_checkpoint
    return ClvnetSettings(checkpoint=str(checkpoint), device="cpu", max_caption_tokens=8)


@pytest.fixture()
def worker(qgis_new_project):
    front = PredictionWorker(QgsProject.instance())
    front.record = Recorder(front)
    yield front
    thread = front.thread
    front.shutdown()
    assert thread is None or thread.isFinished()


def fraction_box(layer: QgsRasterLayer, fx0, fy0, fx1, fy1) -> QgsRectangle:
    ext = layer.extent()
    return QgsRectangle(
        ext.xMinimum() + fx0 * ext.width(),
        ext.yMinimum() + fy0 * ext.height(),
        ext.xMinimum() + fx1 * ext.width(),
        ext.yMinimum() + fy1 * ext.height(),
    )


def submit(worker, layer, box, settings) -> int:
    worker.configure(settings.model_config())
    return worker.submit(prepare_window(layer, box, settings.context), settings)


def test_plugin_box_end_to_end(plugin, cogeo_layer, objects_settings, qgis_iface, wait_until):
    objects_settings.save()
    # pixels (350, 490)-(490, 630) of cogeo.tif: the bundled model finds a building there
    box = fraction_box(cogeo_layer, 0.342, 0.385, 0.479, 0.521)
    plugin.tool.boxDrawn.emit(cogeo_layer, box)
    assert plugin.panel.busy_widget.isVisibleTo(plugin.panel)
    wait_until(plugin.layers.exist, 60, "the first result")
    assert not plugin.panel.busy_widget.isVisibleTo(plugin.panel)
    assert plugin.model_status().state == "loaded" and plugin.model_status().device == "cpu"

    prompts = plugin.layers.layer(PROMPTS)
    prompt = next(prompts.getFeatures())
    assert prompt["box_id"] == 1 and isinstance(prompt["caption"], str)
    assert prompt["model"] and prompt["source"].endswith("cogeo.tif")
    drawn = QgsGeometry.fromRect(box)
    assert prompt.geometry().symDifference(drawn).area() < 1e-6 * drawn.area()

    objects = list(plugin.layers.layer(OBJECTS).getFeatures())
    assert objects, "no object polygon in the box"
    # The model sees the square context window: the box's longer side doubled (context 0.5).
    half = max(box.width(), box.height()) + 1.0
    centre = box.center()
    window = QgsGeometry.fromRect(
        QgsRectangle(centre.x() - half, centre.y() - half, centre.x() + half, centre.y() + half)
    )
    for feature in objects:
        assert feature["caption"] == prompt["caption"]
        assert feature["phrase"] and 0.0 <= feature["score"] <= 1.0
        assert window.contains(feature.geometry())
    assert plugin.panel.history_list.count() == 1
    shown = plugin.panel.caption_view.toPlainText().split()
    scores = [word for word in shown if re.fullmatch(r"\d\.\d\d", word)]
    assert scores  # the panel shows the objects' scores after their phrases
    assert [word for word in shown if word not in scores] == prompt["caption"].split()
    info = qgis_iface.messageBar().get_messages(Qgis.Info)
    assert any("memory layers" in m for m in info)


def test_a_new_box_makes_the_running_one_stale(worker, cogeo_layer, settings, wait_until):
    first = submit(worker, cogeo_layer, fraction_box(cogeo_layer, 0.1, 0.1, 0.3, 0.3), settings)
    second = submit(worker, cogeo_layer, fraction_box(cogeo_layer, 0.5, 0.5, 0.7, 0.7), settings)
    record = worker.record
    wait_until(lambda: record.settled(first) and record.settled(second), 60, "both requests")
    assert [r[0] for r in record.results] == [second]
    assert record.dropped == [first]
    assert record.failed == [] and record.cancelled == []
    result, request = record.results[0][1], record.results[0][2]
    assert request.layer_id == cogeo_layer.id()
    assert result.box_geometry.bounds[0] == pytest.approx(
        fraction_box(cogeo_layer, 0.5, 0.5, 0.7, 0.7).xMinimum()
    )


def test_cancel_stops_the_request(worker, cogeo_layer, settings, wait_until):
    settings.max_caption_tokens = 200
    record = worker.record
    token = submit(worker, cogeo_layer, fraction_box(cogeo_layer, 0.2, 0.2, 0.5, 0.5), settings)
    wait_until(lambda: any("Describing" in text for _, text in record.progress), 60, "prediction")
    worker.cancel()
    wait_until(lambda: record.settled(token), 30, "the cancel")
    assert record.cancelled == [token] and record.results == []
    assert not worker.busy()

    # Cancelled before it starts: the queued request never runs.
    token = submit(worker, cogeo_layer, fraction_box(cogeo_layer, 0.6, 0.2, 0.8, 0.4), settings)
    worker.cancel()
    wait_until(lambda: record.settled(token), 30, "the second cancel")
    assert record.cancelled[-1] == token and record.results == []


def test_interface_keeps_responding_during_a_prediction(worker, cogeo_layer, settings, wait_until):
    settings.max_caption_tokens = 200
    record = worker.record
    token = submit(worker, cogeo_layer, fraction_box(cogeo_layer, 0.1, 0.6, 0.3, 0.8), settings)
    wait_until(lambda: record.settled(token), 60, "the model to load")
    probe = ResponsivenessProbe(interval_ms=20)
    probe.start()
    # Several boxes in new areas (each one encodes), so the probe spans real work even when the
    # model captions a box in a tenth of a second.
    for x, y in ((0.6, 0.1), (0.1, 0.1), (0.6, 0.6), (0.35, 0.35)):
        token = submit(
            worker, cogeo_layer, fraction_box(cogeo_layer, x, y, x + 0.3, y + 0.3), settings
        )
        wait_until(lambda token=token: record.settled(token), 60, "the measured prediction")
    probe.stop()
    assert [r[0] for r in record.results][-1] == token
    assert probe.ticks > 5
    assert probe.max_gap_ms < MAX_GAP_MS, f"the interface froze for {probe.max_gap_ms:.0f} ms"


def test_removing_the_layer_cancels_its_request(plugin, cogeo_layer, settings, wait_until):
    settings.save()
    plugin.tool.boxDrawn.emit(cogeo_layer, fraction_box(cogeo_layer, 0.3, 0.3, 0.5, 0.5))
    wait_until(plugin.layers.exist, 60, "the first result")
    objects_before = plugin.layers.layer(OBJECTS).featureCount()

    other = QgsRasterLayer(cogeo_layer.source(), "second")
    QgsProject.instance().addMapLayer(other)
    plugin.tool.boxDrawn.emit(other, fraction_box(other, 0.6, 0.6, 0.8, 0.8))
    QgsProject.instance().removeMapLayer(other.id())
    wait_until(lambda: not plugin.worker.busy(), 30, "the cancelled request")
    messages = plugin.iface.messageBar().get_messages(Qgis.Info)
    assert any("'second' was removed" in m for m in messages)
    assert plugin.layers.box_ids() == [1]
    assert plugin.layers.layer(OBJECTS).featureCount() == objects_before


def test_bad_checkpoints_keep_the_loaded_model(worker, cogeo_layer, settings, tmp_path, wait_until):
    record = worker.record
    box = fraction_box(cogeo_layer, 0.3, 0.6, 0.5, 0.8)
    token = submit(worker, cogeo_layer, box, settings)
    wait_until(lambda: record.settled(token), 60, "the model to load")
    assert worker.status.state == "loaded"

    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "config.json").write_text("{ not json")
    (corrupt / "model.safetensors").write_bytes(b"garbage")
    for folder, why in ((tmp_path / "missing", "does not exist"), (corrupt, "")):
        bad = ClvnetSettings(checkpoint=str(folder), device="cpu", max_caption_tokens=8)
        worker.configure(bad.model_config())
        count = len(record.failed)
        wait_until(lambda count=count: len(record.failed) > count, 30, "the load failure")
        token, sentence = record.failed[-1]
        assert token == 0 and str(folder) in sentence and why in sentence
        assert "stays loaded" in sentence
        assert worker.status.state == "loaded"
        assert worker.status.checkpoint == str(settings.checkpoint)

    token = worker.submit(prepare_window(cogeo_layer, box, 0.5), settings)
    wait_until(lambda: record.settled(token), 60, "a request on the previous model")
    assert record.results[-1][0] == token


def test_missing_checkpoint_without_a_loaded_model_fails_cleanly(
    worker, cogeo_layer, tmp_path, wait_until
):
    bad = ClvnetSettings(checkpoint=str(tmp_path / "nowhere"), device="cpu")
    token = submit(worker, cogeo_layer, fraction_box(cogeo_layer, 0.3, 0.3, 0.5, 0.5), bad)
    wait_until(lambda: worker.record.settled(token), 60, "the failure")
    assert any("nowhere" in sentence for _, sentence in worker.record.failed)
    assert worker.record.failed[-1] == (token, "The model is not loaded.")
    assert worker.status.state == "not loaded"


def test_cuda_without_that_device_falls_back_to_cpu(worker, cogeo_layer, settings, wait_until):
    settings.device = "cuda:7"  # not there on this machine (nor on a one-GPU one)
    token = submit(worker, cogeo_layer, fraction_box(cogeo_layer, 0.3, 0.3, 0.5, 0.5), settings)
    wait_until(lambda: worker.record.settled(token), 60, "the prediction")
    assert any("cuda:7" in n and "CPU" in n for n in worker.record.notices)
    assert worker.record.results and worker.status.device == "cpu"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV], ids=["SIGKILL", "SIGSEGV"])
def test_a_crashed_server_costs_one_box(worker, cogeo_layer, settings, wait_until, sig):
    """The server dies in the middle of a box: one sentence, QGIS goes on, the next box works.

    The loaded server is frozen (SIGSTOP) before the box is sent, so the box is certainly still
    unanswered when the signal arrives, however fast the machine is.
    """
    record = worker.record
    settings.max_caption_tokens = 8
    warm = submit(worker, cogeo_layer, fraction_box(cogeo_layer, 0.6, 0.6, 0.8, 0.8), settings)
    wait_until(lambda: record.settled(warm), 90, "a box on the loaded model")
    client = shared_client()
    pid = client.pid
    assert pid is not None
    done_before, failed_before = len(record.results), len(record.failed)

    os.kill(pid, signal.SIGSTOP)
    try:
        token = submit(worker, cogeo_layer, fraction_box(cogeo_layer, 0.2, 0.2, 0.4, 0.4), settings)
        wait_until(
            lambda: any("Describing" in t for k, t in record.progress if k == token), 60, "box"
        )
        time.sleep(0.2)  # the request is in the server's pipe, unanswered
        os.kill(pid, sig)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)  # a stopped process acts on SIGSEGV only once resumed
    wait_until(lambda: record.settled(token), 30, "the crash to be reported")
    sentence = (
        f"The model process stopped unexpectedly (signal {int(sig)}); "
        "it will be restarted for the next box."
    )
    assert record.failed[failed_before:] == [(token, sentence)]
    assert len(record.results) == done_before
    assert not worker.busy()

    token = submit(worker, cogeo_layer, fraction_box(cogeo_layer, 0.5, 0.5, 0.7, 0.7), settings)
    wait_until(lambda: record.settled(token), 90, "the next box")
    assert [r[0] for r in record.results[done_before:]] == [token]
    assert client.pid not in (None, pid)
    assert record.results[-1][1].caption


def test_replacing_the_environment_waits_at_most_half_a_second_for_a_stuck_server(worker):
    """The environment swap stops the old server on the GUI thread: a server that cannot answer
    (frozen with SIGSTOP) is killed after SWAP_STOP_TIMEOUT_S instead of freezing QGIS."""
    client = shared_client()
    client.ping(timeout=60)
    pid = client.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    try:
        start = time.monotonic()
        assert stop_server_running_from(Path(client.python).parent.parent)
        waited = time.monotonic() - start
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)
    assert SWAP_STOP_TIMEOUT_S <= waited < SWAP_STOP_TIMEOUT_S + 1.0
    assert client.pid is None and running_client() is None
    assert shared_client() is not client  # the next request starts a new server


TORCH_FREE_SCRIPT = """
import json, sys
from qgis.core import QgsApplication, QgsProject, QgsRasterLayer, QgsRectangle
from qgis.PyQt.QtCore import QEventLoop, QTimer
app = QgsApplication([], False)
app.initQgis()
from clvnet_qgis.pixels import prepare_window
from clvnet_qgis.settings import ClvnetSettings
from clvnet_qgis.worker import PredictionWorker
layer = QgsRasterLayer(sys.argv[1], "cogeo")
QgsProject.instance().addMapLayer(layer)
settings = ClvnetSettings(checkpoint=sys.argv[2], device="cpu", max_caption_tokens=8)
worker = PredictionWorker(QgsProject.instance())
results, failed = [], []
worker.resultReady.connect(lambda token, result, request: results.append(result))
worker.failed.connect(lambda token, sentence: failed.append(sentence))
worker.configure(settings.model_config())
x, y = layer.extent().center().x(), layer.extent().center().y()
box = QgsRectangle(x - 40, y - 40, x + 40, y + 40)
worker.submit(prepare_window(layer, box, settings.context), settings)
loop = QEventLoop()
while not results and not failed:
    QTimer.singleShot(20, loop.quit)
    loop.exec_()
worker.shutdown()
heavy = ("torch", "transformers", "segment_anything", "triton")
print(json.dumps({"caption": results[0].caption if results else None, "failed": failed,
                  "imported": [m for m in heavy if m in sys.modules]}))
"""


def test_the_qgis_process_never_imports_torch(cogeo_layer, model_checkpoint, tmp_path):
    """A fresh QGIS process describes a box through the worker; torch stays out of it."""
    script = tmp_path / "describe_box.py"
    script.write_text(TORCH_FREE_SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(script), cogeo_layer.source(), str(model_checkpoint)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["failed"] == [] and report["caption"]
    assert report["imported"] == []
