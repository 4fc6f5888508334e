"""The model server (``python -m model_core serve``) and its client, protocol by operation.

Raw tests speak the newline-delimited JSON themselves (as another front end would); client tests
go through ``model_core.server_client``. The server runs the test interpreter (the .venv).
"""

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import REPO, real

from model_core.server_client import RequestCancelled, ServerClient, ServerDied, ServerError

LONG_CAPTION = 400
"""Tokens a random-weights model writes before stopping: a box that runs for seconds."""


class RawServer:
    """A server process driven line by line."""

    def __init__(self, pythonpath: str = str(REPO)) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "model_core", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": pythonpath},
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)

    def send(self, message) -> None:
        text = message if isinstance(message, str) else json.dumps({"v": 1, **message})
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def answer(self, timeout: float = 120.0) -> dict:
        return json.loads(self.lines.get(timeout=timeout))

    def ask(self, timeout: float = 120.0, **message) -> dict:
        self.send(message)
        return self.answer(timeout)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture()
def raw():
    server = RawServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def client():
    shared = ServerClient(sys.executable, root=str(REPO))
    yield shared
    shared.close()


@pytest.fixture(scope="module")
def window():
    """A real 256 px window of cogeo.tif (EPSG:3857) around a box, as the plugin reads it."""
    from model_core.raster import RasterSource

    path = real("cogeo")
    if not path.is_file():
        pytest.skip(f"real data {path} is missing")
    with RasterSource(str(path)) as source:
        w, h = source.width, source.height
        box = (0.4 * w, 0.4 * h, 0.6 * w, 0.58 * h)
        return source.read_window(box, "pixel", context=0.5, size=256)


def noise_image(seed: int = 0) -> np.ndarray:
    return (np.random.RandomState(seed).rand(256, 256, 3) * 255).astype(np.uint8)


def error_of(answer: dict) -> str:
    assert answer["ok"] is False and answer["error"]["message"].endswith(".")
    return answer["error"]["kind"]


def start_long_box(raw: RawServer, random_checkpoint: Path, tmp_path: Path, request_id=10):
    """Load the random checkpoint and start a box that captions for seconds."""
    assert raw.ask(id=1, op="load", checkpoint=str(random_checkpoint), device="cpu")["ok"]
    np.save(tmp_path / "px.npy", noise_image())
    raw.send(
        {
            "id": request_id,
            "op": "describe",
            "pixels": str(tmp_path / "px.npy"),
            "box": [64, 64, 192, 192],
            "options": {"max_new_tokens": LONG_CAPTION},
        }
    )


# ------------------------------------------------------------------------- raw protocol


def test_hello_ping_and_protocol_version(raw):
    hello = raw.ask(id="a", op="hello")
    assert hello["ok"] and hello["v"] == 1 and hello["id"] == "a" and hello["protocol"] == 1
    assert hello["pid"] == raw.process.pid
    ops = {"hello", "ping", "load", "devices", "describe", "describe_batch", "cancel", "shutdown"}
    assert ops <= set(hello["ops"])
    ping = raw.ask(id=2, op="ping")
    assert ping["ok"] and ping["busy"] is False and ping["models"] == []
    raw.send(json.dumps({"v": 2, "id": 3, "op": "ping"}))
    assert error_of(raw.answer()) == "version"


def test_malformed_json_and_unknown_operations_are_answers(raw):
    raw.send("{not json")
    answer = raw.answer()
    assert error_of(answer) == "bad_json" and answer["id"] is None
    raw.send("[1, 2]")
    assert error_of(raw.answer()) == "bad_json"
    answer = raw.ask(id=7, op="paint")
    assert error_of(answer) == "unknown_op" and answer["id"] == 7 and "paint" in str(answer)
    assert raw.ask(id=8, op="ping")["ok"]  # the server is still there


def test_describe_before_load_and_missing_or_bad_files(raw, model_checkpoint, tmp_path):
    np.save(tmp_path / "px.npy", noise_image())
    describe = {"op": "describe", "pixels": str(tmp_path / "px.npy"), "box": [64, 64, 192, 192]}
    assert error_of(raw.ask(id=1, **describe)) == "not_loaded"
    assert raw.ask(id=2, op="load", checkpoint=str(model_checkpoint), device="cpu")["ok"]
    missing = dict(describe, pixels=str(tmp_path / "gone.npy"))
    answer = raw.ask(id=3, **missing)
    assert error_of(answer) == "missing_file" and "gone.npy" in answer["error"]["message"]
    np.save(tmp_path / "floats.npy", noise_image().astype(np.float32))
    assert error_of(raw.ask(id=4, **dict(describe, pixels=str(tmp_path / "floats.npy")))) == (
        "bad_request"
    )
    assert error_of(raw.ask(id=5, **dict(describe, box=[1, 2]))) == "bad_request"
    assert raw.ask(id=6, **describe)["ok"]


def test_a_second_request_is_answered_while_a_box_runs(raw, random_checkpoint, tmp_path):
    start_long_box(raw, random_checkpoint, tmp_path)
    time.sleep(0.5)
    ping = raw.ask(id=11, op="ping", timeout=10)  # answered first, though the box runs
    assert ping["id"] == 11 and ping["busy"] is True
    started = time.monotonic()
    cancel = raw.ask(id=12, op="cancel", target=10, timeout=10)
    assert cancel["ok"] and cancel["running"] is True
    answer = raw.answer(timeout=30)
    assert answer["id"] == 10 and error_of(answer) == "cancelled"
    assert time.monotonic() - started < 10
    assert raw.ask(id=13, op="ping")["busy"] is False


def test_shutdown_with_work_in_flight(raw, random_checkpoint, tmp_path):
    start_long_box(raw, random_checkpoint, tmp_path)
    time.sleep(0.5)
    raw.send({"id": 20, "op": "shutdown"})
    answers = {a["id"]: a for a in (raw.answer(30), raw.answer(30))}
    assert answers[20]["ok"] and answers[20]["in_flight"] is True
    assert error_of(answers[10]) == "cancelled"
    assert raw.process.wait(30) == 0


def test_end_of_input_ends_the_server(raw):
    assert raw.ask(id=1, op="ping")["ok"]
    raw.process.stdin.close()
    assert raw.process.wait(30) == 0


def test_stray_prints_never_reach_the_protocol_stream():
    script = (
        "import os\n"
        "from model_core.server import protocol_stream\n"
        "stream, close = protocol_stream()\n"
        "print('stray print')\n"
        "os.write(1, b'native library output\\n')\n"
        "stream.write('protocol line\\n')\n"
        "close()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
    )
    assert done.stdout == "protocol line\n"
    assert "stray print" in done.stderr and "native library output" in done.stderr


# ------------------------------------------------------------------------------ client


def test_the_client_imports_no_torch():
    code = (
        "import sys, model_core.server_client, model_core.remote_result\n"
        "print([m for m in ('torch', 'transformers', 'segment_anything') if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr


def test_load_reports_the_model_versions_device_and_training(client, model_checkpoint):
    import torch

    answer = client.load(str(model_checkpoint), "cpu")
    assert answer["model"] and answer["checkpoint"] == str(model_checkpoint.resolve())
    assert answer["torch"] == torch.__version__ and answer["transformers"]
    assert answer["device"] == "cpu" and answer["device_reason"] == "requested"
    assert answer["input_size"] == 256 and answer["precision"] == "fp32"
    card = (model_checkpoint / "MODEL_CARD.md").read_text()
    generated = "Trained only on procedurally generated" in card
    assert answer["metadata"]["generated_only"] is (True if generated else None)
    auto = client.load(str(model_checkpoint), "auto")
    assert auto["device_reason"].startswith("auto:")
    assert client.load(str(model_checkpoint), "cpu") is answer  # no second request


def test_bad_checkpoints_and_missing_cuda_are_answers(client, tmp_path):
    with pytest.raises(ServerError) as missing:
        client.load(str(tmp_path / "nowhere"), "cpu")
    assert missing.value.kind == "bad_checkpoint" and "nowhere" in str(missing.value)
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "config.json").write_text("{ not json")
    (corrupt / "model.safetensors").write_bytes(b"garbage")
    (corrupt / "tokenizer.json").write_text("{}")
    with pytest.raises(ServerError) as bad:
        client.load(str(corrupt), "cpu")
    assert bad.value.kind in ("bad_checkpoint", "bad_input") and str(corrupt) in str(bad.value)
    with pytest.raises(ServerError) as cuda:
        client.load(None, "cuda:7")
    assert cuda.value.kind == "no_cuda" and "cuda:7" in str(cuda.value)
    assert client.ping()["ok"]


def test_describe_matches_the_in_process_pipeline(client, model_checkpoint, window, tmp_path):
    """Same caption, same polygons (window pixels) as model_core's own pipeline."""
    from affine import Affine

    from model_core.pipeline import segment
    from model_core.predictor import Predictor

    model = client.load(str(model_checkpoint), "cpu")
    masks = tmp_path / "masks.npy"
    answer = client.request(
        "describe",
        model=model["handle"],
        pixels=_saved(window.image, tmp_path / "px.npy"),
        valid=_saved(window.valid, tmp_path / "valid.npy"),
        box=list(window.box),
        options={"max_new_tokens": 16},
        masks_path=str(masks),
    )
    local = Predictor.from_checkpoint(str(model_checkpoint), "cpu")
    local.max_new_tokens = 16
    pixel_window = _replace(window, transform=Affine.identity(), crs_wkt=None)
    expected = segment(local, pixel_window)
    assert answer["caption"] == expected.caption and answer["tagged_caption"]
    assert [o["phrase"] for o in answer["objects"]] == [o.phrase for o in expected.objects]
    from shapely import wkt

    for got, want in zip(answer["objects"], expected.objects):
        assert got["score"] == pytest.approx(want.score, abs=1e-4)
        if want.geometry is None:
            assert got["polygon"] is None
        else:
            polygon = wkt.loads(got["polygon"])
            assert polygon.symmetric_difference(want.geometry).area < 1e-6
            assert polygon.bounds[0] >= 0 and polygon.bounds[2] <= 256
    assert [r[:3] for r in answer["relations"]] == [
        [r.subject, r.predicate, r.object] for r in expected.relations
    ]
    assert {"encode", "caption", "decode", "vectorise", "files"} <= set(answer["timing_ms"])
    assert np.load(masks).shape == (len(answer["objects"]), 256, 256)
    # the class head's verdict travels too (empty for a checkpoint without one)
    assert answer["kind_probabilities"] == pytest.approx(expected.kind_probabilities, abs=1e-5)
    from model_core.remote_result import result_from_answer

    placed = result_from_answer(answer, window)
    assert placed.kind_probabilities == answer["kind_probabilities"]


def test_describe_batch_encodes_a_shared_window_once(client, model_checkpoint):
    model = client.load(str(model_checkpoint), "cpu")

    def encodes() -> int:
        return {m["handle"]: m["encodes"] for m in client.ping()["models"]}[model["handle"]]

    before = encodes()
    image = noise_image(seed=5)
    items = [
        {"image": image, "box": [40, 40, 140, 140]},
        {"image": image, "box": [90, 90, 200, 200]},
    ]
    results = client.describe_batch(items, {"max_new_tokens": 8}, model=model["handle"])
    assert len(results) == 2 and all(isinstance(r["caption"], str) for r in results)
    # one encoder pass per view the class head averages, not one per box
    views = json.loads((model_checkpoint / "config.json").read_text())["class_head"]["views"]
    assert encodes() == before + views
    assert os.listdir(client.folder) == []  # the pixel files are removed after the answer
    assert oct(os.stat(client.folder).st_mode & 0o777) == "0o700"


def test_a_model_the_server_let_go_is_loaded_again(
    client, model_checkpoint, random_checkpoint, processing_checkpoint
):
    """Two other models loaded since (the server keeps two): a describe reloads it once."""
    first = client.load(str(model_checkpoint), "cpu")
    for other in (random_checkpoint, processing_checkpoint):
        client.load(str(other), "cpu")
    handles = {m["handle"] for m in client.ping()["models"]}
    assert first["handle"] not in handles
    answer = client.describe(
        noise_image(), [64, 64, 192, 192], model=first["handle"], options={"max_new_tokens": 4}
    )
    assert answer["model"] == first["model"]
    assert first["handle"] in {m["handle"] for m in client.ping()["models"]}


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV], ids=["SIGKILL", "SIGSEGV"])
def test_a_killed_server_is_reported_and_restarted(random_checkpoint, sig):
    client = ServerClient(sys.executable, root=str(REPO))
    try:
        model = client.load(str(random_checkpoint), "cpu")
        pid = client.pid
        failure = []

        def box() -> None:
            try:
                client.describe(
                    noise_image(),
                    [64, 64, 192, 192],
                    model=model["handle"],
                    options={"max_new_tokens": LONG_CAPTION},
                )
            except ServerError as err:
                failure.append(err)

        thread = threading.Thread(target=box)
        thread.start()
        deadline = time.monotonic() + 30
        while not client.ping()["busy"] and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(pid, sig)
        thread.join(30)
        died = failure[0]
        assert isinstance(died, ServerDied) and died.how == f"signal {int(sig)}"
        assert died.signal_name == sig.name
        assert str(died) == f"The model process stopped unexpectedly (signal {int(sig)})."
        client.load(str(random_checkpoint), "cpu")  # the next request starts a new server
        assert client.pid not in (None, pid) and client.starts == 2
        assert client.describe(noise_image(), [64, 64, 192, 192], options={"max_new_tokens": 4})
    finally:
        client.close()


def test_cancel_kills_a_server_that_does_not_stop(random_checkpoint):
    client = ServerClient(sys.executable, root=str(REPO))
    try:
        client.load(str(random_checkpoint), "cpu")
        pid = client.pid
        os.kill(pid, signal.SIGSTOP)  # a server stuck in native code answers nothing
        started = time.monotonic()
        with pytest.raises(RequestCancelled):
            client.describe(
                noise_image(),
                [64, 64, 192, 192],
                cancel=lambda: time.monotonic() - started > 0.2,
            )
        assert time.monotonic() - started < 5
        assert not client.running()
        assert client.ping()["ok"] and client.pid != pid
    finally:
        client.close()


@pytest.mark.parametrize(
    "failure",
    [
        "raise ImportError(\"No module named 'segment_anything'\")",
        "raise ModuleNotFoundError('gone', name='segment_anything')",
    ],
)
def test_a_missing_package_is_named_even_during_the_startup_import(tmp_path, failure):
    """A load sent at once (the background import still running) names the real package."""
    shim = tmp_path / "shim" / "segment_anything"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text(failure + "\n")
    server = RawServer(os.pathsep.join([str(shim.parent), str(REPO)]))
    try:
        answers = [server.ask(id=i, op="load", device="cpu") for i in range(2)]
    finally:
        server.close()
    for answer in answers:
        assert answer["error"]["kind"] == "missing_package", answer
        message = answer["error"]["message"]
        assert "'segment_anything'" in message and sys.executable in message, message


def test_a_python_that_cannot_start_is_one_sentence(tmp_path):
    client = ServerClient(str(tmp_path / "no-python"), root=str(REPO))
    with pytest.raises(ServerError) as err:
        client.start()
    assert err.value.kind == "no_python" and "no-python" in str(err.value)
    client.close()


def _saved(array, path: Path) -> str:
    np.save(path, array)
    return str(path)


def _replace(window, **changes):
    from dataclasses import replace

    return replace(window, **changes)
