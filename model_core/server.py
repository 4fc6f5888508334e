"""The model server: ``python -m model_core serve`` (protocol in ``docs/server.md``).

A long-lived process that loads checkpoints once and describes boxes for a front end (the QGIS
plugin, or any other) over its standard input and output: one JSON object per line each way.
Pixels come in ``.npy`` files that the front end writes in its private temporary folder; the
answers carry polygons in the window's pixel coordinates, so the server needs no GIS context.

Threads: the main thread reads requests. ``hello``, ``ping``, ``cancel`` and ``shutdown`` are
answered at once, even while a box runs; ``load``, ``devices``, ``describe`` and
``describe_batch`` queue for the one work thread, which runs them in order. Every failure is an
answer ``{"ok": false, "error": {"kind": ..., "message": one sentence}}``; only protocol lines
reach the standard output (stray prints and logging go to the standard error).
"""

import contextlib
import hashlib
import json
import os
import platform
import queue
import re
import sys
import threading
import time
import traceback
from collections import OrderedDict
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Optional, Tuple

import numpy as np

from . import __version__
from .errors import Cancelled, CheckpointError, InputError

PROTOCOL_VERSION = 1
QUICK_OPS = ("hello", "ping", "cancel", "shutdown")
WORK_OPS = ("load", "devices", "describe", "describe_batch")
MAX_LOADED_MODELS = 2


class RequestError(Exception):
    """A request that cannot be answered; ``kind`` names the class of problem for the client."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


# ---------------------------------------------------------------------------- helpers
def training_metadata(folder: Path) -> Dict[str, Any]:
    """What the checkpoint says about its training data, for a warning in the front end.

    ``config.json`` may carry ``"training": {"data": [...], "generated_only": bool}``; without
    it the model card's ``- Training:`` line lists the data sources (``synthetic:...`` are
    generated scenes). ``generated_only`` is None when neither says.
    """
    meta: Dict[str, Any] = {"generated_only": None, "training_data": [], "summary": ""}
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config = {}
    training = config.get("training") if isinstance(config, dict) else None
    if isinstance(training, dict):
        meta["training_data"] = [str(d) for d in training.get("data", [])]
        if isinstance(training.get("generated_only"), bool):
            meta["generated_only"] = training["generated_only"]
    card = folder / "MODEL_CARD.md"
    text = card.read_text(encoding="utf-8") if card.is_file() else ""
    summary = next((line.strip() for line in text.splitlines()[1:] if line.strip()), "")
    meta["summary"] = summary[:300]
    if not meta["training_data"]:
        line = re.search(r"^- Training: (.*)$", text, re.MULTILINE)
        sources = re.findall(r"`([^`]+)`", line.group(1)) if line else []
        meta["training_data"] = [s for s in sources if re.match(r"^[\w-]+:", s)]
    if meta["generated_only"] is None and meta["training_data"]:
        meta["generated_only"] = all(d.startswith("synthetic") for d in meta["training_data"])
    return meta


def load_array(path: Any, what: str) -> np.ndarray:
    """A ``.npy`` file named by a request; ``missing_file``/``bad_request`` when unusable."""
    if not isinstance(path, str) or not path:
        raise RequestError("bad_request", f"The request has no '{what}' file path.")
    if not os.path.isfile(path):
        raise RequestError("missing_file", f"The {what} file '{path}' does not exist.")
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        message = f"The {what} file '{path}' is not a .npy array: {exc}"
        raise RequestError("bad_request", message) from None


def missing_module(err: ImportError) -> str:
    """The module an import failure is about: its ``name``, else the one its message names."""
    named = re.search(r"No module named '([^']+)'", str(err))
    if named:
        return named.group(1)
    return getattr(err, "name", None) or str(err)


def pixel_digest(image: np.ndarray) -> str:
    """A content key for the embedding cache when the client gives none."""
    return hashlib.blake2b(np.ascontiguousarray(image).data, digest_size=16).hexdigest()


def error_answer(request_id: Any, kind: str, message: str) -> dict:
    """``{"id": .., "ok": false, "error": {"kind": .., "message": ..}}``."""
    return {"id": request_id, "ok": False, "error": {"kind": kind, "message": message}}


# ------------------------------------------------------------------------------ server
class ModelServer:
    """Reads requests from ``requests``, writes answers to ``answers`` (text streams)."""

    def __init__(self, requests: IO[str], answers: IO[str]) -> None:
        self._requests = requests
        self._answers = answers
        self._write_lock = threading.Lock()
        self._work: queue.Queue[Optional[dict]] = queue.Queue()
        self._cancelled: set = set()
        self._current: Optional[Any] = None
        self._closing = threading.Event()
        self._models: OrderedDict[str, Any] = OrderedDict()
        self._last_model: Optional[str] = None
        self._import_thread: Optional[threading.Thread] = None

    # -- plumbing ---------------------------------------------------------------------------
    def serve(self) -> int:
        """Answer requests until ``shutdown`` or the end of the input; returns the exit code."""
        self._import_thread = threading.Thread(
            target=self._import_torch, name="torch-import", daemon=True
        )
        self._import_thread.start()
        worker = threading.Thread(target=self._work_loop, name="work", daemon=True)
        worker.start()
        for line in self._requests:
            if line.strip():
                self._dispatch(line)
            if self._closing.is_set():
                break
        self._closing.set()
        self._cancel_all()
        self._work.put(None)
        worker.join()
        return 0

    def _import_torch(self) -> None:
        """Import the model's packages while the front end is still busy (first load faster)."""
        with contextlib.suppress(Exception):  # a failure is reported by the load that needs it
            from . import predictor  # noqa: F401

    def _wait_for_import(self) -> None:
        """Let the background import finish before a work request imports the same modules.

        Two threads importing one package at once can see each other's half-initialised
        modules, and a missing package was then reported as ``model_core.predictor``.
        """
        if self._import_thread is not None:
            self._import_thread.join()

    def send(self, message: dict) -> None:
        """Write one answer line (thread-safe)."""
        line = json.dumps({"v": PROTOCOL_VERSION, **message}, separators=(",", ":"))
        with self._write_lock, contextlib.suppress(BrokenPipeError, ValueError):
            # a client that went away cannot read answers any more; the input's end stops us
            self._answers.write(line + "\n")
            self._answers.flush()

    def _error(self, request_id: Any, kind: str, message: str) -> None:
        self.send(error_answer(request_id, kind, message))

    def _dispatch(self, line: str) -> None:
        """Parse one line and answer it now or queue it for the work thread."""
        try:
            request = json.loads(line)
        except ValueError as exc:
            self._error(None, "bad_json", f"The request is not valid JSON ({exc}).")
            return
        if not isinstance(request, dict):
            self._error(None, "bad_json", "The request is not a JSON object.")
            return
        request_id, op = request.get("id"), request.get("op")
        version = request.get("v", PROTOCOL_VERSION)
        if version != PROTOCOL_VERSION:
            self._error(
                request_id,
                "version",
                f"Protocol version {version} is not supported; this server speaks "
                f"{PROTOCOL_VERSION}.",
            )
        elif op in QUICK_OPS:
            getattr(self, "_op_" + op)(request)
        elif op in WORK_OPS:
            self._work.put(request)
        else:
            self._error(request_id, "unknown_op", f"The operation '{op}' is not known.")

    def _work_loop(self) -> None:
        while True:
            request = self._work.get()
            if request is None:
                return
            request_id = request.get("id")
            self._current = request_id
            answer = self._run(request)
            self._current = None  # before the answer: a ping right after it says "not busy"
            self._cancelled.discard(request_id)
            self.send(answer)

    def _run(self, request: dict) -> dict:
        """The answer to one work request; every failure becomes an error answer."""
        request_id = request.get("id")
        self._wait_for_import()
        try:
            if self._is_cancelled(request_id):
                raise Cancelled()
            return {"id": request_id, "ok": True, **getattr(self, "_op_" + request["op"])(request)}
        except Cancelled:
            return error_answer(request_id, "cancelled", "The request was cancelled.")
        except RequestError as err:
            return error_answer(request_id, err.kind, str(err))
        except CheckpointError as err:
            return error_answer(request_id, "bad_checkpoint", str(err))
        except InputError as err:
            return error_answer(request_id, "bad_input", str(err))
        except ImportError as err:
            return error_answer(
                request_id,
                "missing_package",
                f"The model's Python '{sys.executable}' cannot import '{missing_module(err)}'; "
                "install the model's packages there or choose another Python for the model.",
            )
        except MemoryError:
            return error_answer(request_id, "out_of_memory", "The model ran out of memory.")
        except Exception as err:  # noqa: BLE001 - an answer, never a dead pipe
            traceback.print_exc(file=sys.stderr)
            return error_answer(request_id, "internal", f"{type(err).__name__}: {err}")

    def _is_cancelled(self, request_id: Any) -> bool:
        return self._closing.is_set() or request_id in self._cancelled

    def _cancel_all(self) -> None:
        if self._current is not None:
            self._cancelled.add(self._current)
        while True:
            try:
                request = self._work.get_nowait()
            except queue.Empty:
                return
            if request is not None:
                self._error(request.get("id"), "cancelled", "The server is shutting down.")

    # -- quick operations -------------------------------------------------------------------
    def _op_hello(self, request: dict) -> None:
        self.send(
            {
                "id": request.get("id"),
                "ok": True,
                "protocol": PROTOCOL_VERSION,
                "server": f"model_core {__version__}",
                "python": sys.executable,
                "python_version": platform.python_version(),
                "pid": os.getpid(),
                "ops": list(QUICK_OPS + WORK_OPS),
            }
        )

    def _op_ping(self, request: dict) -> None:
        models = [
            {"handle": key, "encodes": entry["predictor"].encode_count}
            for key, entry in list(self._models.items())
        ]
        busy = self._current is not None
        self.send({"id": request.get("id"), "ok": True, "busy": busy, "models": models})

    def _op_cancel(self, request: dict) -> None:
        target = request.get("target")
        queued = target is not None and target != self._current
        running = target is not None and target == self._current
        if running or queued:
            self._cancelled.add(target)
        self.send({"id": request.get("id"), "ok": True, "running": running})

    def _op_shutdown(self, request: dict) -> None:
        self._closing.set()
        self._cancel_all()
        self.send({"id": request.get("id"), "ok": True, "in_flight": self._current is not None})

    # -- work operations --------------------------------------------------------------------
    def _op_load(self, request: dict) -> dict:
        import torch

        from .pipeline import default_checkpoint_dir
        from .predictor import Predictor, resolve_device

        threads = int(request.get("threads") or 0)
        if threads > 0:  # per process: e.g. leave a core to the front end's interface
            torch.set_num_threads(threads)
        checkpoint = request.get("checkpoint") or None
        device = str(request.get("device") or "auto")
        precision = str(request.get("precision") or "auto")
        folder = Path(checkpoint).expanduser().resolve() if checkpoint else default_checkpoint_dir()
        stamp = max((p.stat().st_mtime for p in folder.glob("*") if p.is_file()), default=0.0)
        key = f"{folder}|{device}|{precision}|{stamp}"
        try:
            resolve_device(device)
        except InputError as err:
            kind = "no_cuda" if device.startswith("cuda") else "bad_input"
            raise RequestError(kind, str(err)) from None
        entry = self._models.get(key)
        if entry is None:
            if device.startswith("cuda"):
                torch.cuda.init()
            try:
                predictor = Predictor.from_checkpoint(
                    str(folder) if checkpoint else None, device, precision
                )
            except InputError as err:  # e.g. no bundled checkpoint installed
                raise RequestError("bad_checkpoint", str(err)) from None
            if request.get("warm_up"):
                warm_up(predictor)
            entry = {"predictor": predictor, "info": self._model_info(predictor, folder, device)}
            self._models[key] = entry
            while len(self._models) > MAX_LOADED_MODELS:
                self._models.popitem(last=False)
        self._models.move_to_end(key)
        self._last_model = key
        return {"handle": key, **entry["info"]}

    @staticmethod
    def _model_info(predictor: Any, folder: Path, requested: str) -> dict:
        import torch

        try:
            import transformers

            transformers_version: Optional[str] = transformers.__version__
        except ImportError:
            transformers_version = None
        used = str(predictor.device)
        if requested in ("", "auto"):
            why = (
                "auto: CUDA is available"
                if used.startswith("cuda")
                else ("auto: CUDA is not available here")
            )
        else:
            why = "requested"
        return {
            "model": predictor.model_name,
            "checkpoint": str(folder),
            "torch": torch.__version__,
            "transformers": transformers_version,
            "device": used,
            "device_reason": why,
            "precision": str(predictor.autocast_dtype or "fp32").replace("torch.", ""),
            "input_size": predictor.input_size,
            "max_new_tokens": predictor.max_new_tokens,
            "metadata": training_metadata(folder),
            "cuda_devices": cuda_devices(),
        }

    def _op_devices(self, request: dict) -> dict:
        import torch

        return {"cuda": cuda_devices(), "torch": torch.__version__}

    def _op_describe(self, request: dict) -> dict:
        results = self._describe([request], request)
        return results[0]

    def _op_describe_batch(self, request: dict) -> dict:
        items = request.get("items")
        if not isinstance(items, list) or not items:
            raise RequestError("bad_request", "describe_batch needs a non-empty list 'items'.")
        return {"results": self._describe(items, request)}

    def _describe(self, items: List[dict], request: dict) -> List[dict]:
        """Predict every item as one batch; polygons in each window's pixel coordinates."""
        from affine import Affine

        from .pipeline import georeference
        from .window import ImageWindow

        start = time.perf_counter()
        predictor = self._predictor(request.get("model"))
        options = request.get("options") or {}
        windows = []
        for item in items:
            image = load_array(item.get("pixels"), "pixels")
            if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
                raise RequestError(
                    "bad_request",
                    f"The pixels must be an (H, W, 3) uint8 array, not {image.shape}.",
                )
            valid = load_array(item["valid"], "valid") if item.get("valid") else None
            box = item.get("box")
            if not isinstance(box, list) or len(box) != 4:
                raise RequestError("bad_request", "The box must be four numbers [x0, y0, x1, y1].")
            height, width = image.shape[:2]
            windows.append(
                ImageWindow(
                    image=image,
                    transform=Affine.identity(),
                    crs_wkt=None,
                    box=tuple(float(c) for c in box),
                    source=str(item.get("cache_key") or pixel_digest(image)),
                    window=(0, 0, width, height),
                    valid=None if valid is None else valid.astype(bool),
                )
            )
        load_ms = (time.perf_counter() - start) * 1000
        request_id = request.get("id")
        tokens = int(options.get("max_new_tokens") or 0) or None
        results = predictor.predict_batch(
            windows, cancel=lambda: self._is_cancelled(request_id), max_new_tokens=tokens
        )
        min_area = float(options.get("min_area_px", 4.0))
        simplify = float(options.get("simplify_px", 0.0))
        answers = []
        for item, window, result in zip(items, windows, results):
            georeference(result, window, min_area, simplify)
            result.timing_ms["files"] = load_ms / len(windows)
            masks_path = item.get("masks_path")
            if masks_path:
                shape = (len(result.objects), *window.image.shape[:2])
                stack = np.array([o.mask for o in result.objects], bool).reshape(shape)
                np.save(masks_path, stack, allow_pickle=False)
            answers.append(result_answer(result))
        return answers

    def _predictor(self, handle: Optional[str]) -> Any:
        key = handle or self._last_model
        if key is None or key not in self._models:
            raise RequestError("not_loaded", "No model is loaded; send a load request first.")
        self._models.move_to_end(key)
        return self._models[key]["predictor"]


def warm_up(predictor: Any) -> None:
    """One throw-away box on a blank window: torch's first-call costs are paid at load time."""
    from affine import Affine

    from .window import ImageWindow

    size = predictor.input_size
    blank = ImageWindow(
        image=np.zeros((size, size, 3), np.uint8),
        transform=Affine.identity(),
        crs_wkt=None,
        box=(size / 4, size / 4, 3 * size / 4, 3 * size / 4),
        source="warm-up",
        window=(0, 0, size, size),
    )
    predictor.predict(blank, max_new_tokens=2)
    predictor.clear_cache()
    predictor.encode_count = 0


def cuda_devices() -> List[List[str]]:
    """``[["cuda:0", "NVIDIA H200"], ...]`` as torch sees them here."""
    import torch

    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    return [[f"cuda:{i}", torch.cuda.get_device_name(i)] for i in range(count)]


def result_answer(result: Any) -> dict:
    """A ``PredictionResult`` georeferenced in window pixels, as the protocol's JSON."""
    return {
        "caption": result.caption,
        "tagged_caption": result.tagged_caption,
        "model": result.model,
        "objects": [
            {
                "phrase": obj.phrase,
                "score": float(obj.score),
                "naming_confidence": getattr(obj, "naming_confidence", None),
                "polygon": obj.geometry.wkt if obj.geometry is not None else None,
            }
            for obj in result.objects
        ],
        "relations": [[r.subject, r.predicate, r.object, float(r.score)] for r in result.relations],
        "kind_probabilities": {k: float(v) for k, v in result.kind_probabilities.items()},
        "timing_ms": {k: round(float(v), 2) for k, v in result.timing_ms.items()},
    }


def protocol_stream() -> Tuple[IO[str], Callable[[], None]]:
    """Keep the real standard output for protocol lines; send fd 1 and ``print`` to stderr.

    Native libraries that print (and stray Python prints or logging) then cannot corrupt the
    protocol.
    """
    sys.stdout.flush()
    protocol_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    stream = os.fdopen(protocol_fd, "w", encoding="utf-8", buffering=1)
    return stream, stream.close


def main() -> int:
    """Entry point of ``python -m model_core serve``."""
    answers, close = protocol_stream()
    requests = open(sys.stdin.fileno(), encoding="utf-8", closefd=False)  # noqa: SIM115
    try:
        return ModelServer(requests, answers).serve()
    finally:
        with contextlib.suppress(BrokenPipeError):
            close()
