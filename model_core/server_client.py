"""A client of the model server (``python -m model_core serve``) for any front end.

Standard library and numpy only: importing it never imports torch, so a front end (the QGIS
plugin) can drive the model without loading it into its own process. The client starts the
server with a given Python interpreter, sends requests with timeouts, writes pixel arrays to
``.npy`` files in its private temporary folder (mode 0700), notices when the server died and
how (the signal), starts a new one on the next request, and cancels: a cancel request first,
then the process is killed if it has not stopped within ``CANCEL_GRACE_S``.
"""

import collections
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Deque, Dict, List, Optional, Sequence

import numpy as np

PROTOCOL_VERSION = 1
ROOT = str(Path(__file__).resolve().parents[1])
"""The folder that holds ``model_core``: the server's PYTHONPATH."""
START_TIMEOUT_S = 60.0
CANCEL_GRACE_S = 2.0
POLL_S = 0.02

Cancel = Optional[Callable[[], bool]]


class ServerError(Exception):
    """An error answer (or a client-side failure); ``kind`` as in docs/server.md."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class ServerDied(ServerError):
    """The server process ended while (or before) answering; ``how`` says how it ended."""

    def __init__(self, returncode: Optional[int], stderr_tail: str = "") -> None:
        self.returncode = returncode
        self.how = describe_exit(returncode)
        self.signal_name = signal_name(returncode)
        self.stderr_tail = stderr_tail
        super().__init__("died", f"The model process stopped unexpectedly ({self.how}).")


class RequestCancelled(ServerError):
    """The caller cancelled the request."""

    def __init__(self) -> None:
        super().__init__("cancelled", "The request was cancelled.")


def describe_exit(returncode: Optional[int]) -> str:
    """``-11`` -> ``signal 11``; ``1`` -> ``exit code 1``."""
    if returncode is None:
        return "still running"
    if returncode < 0:
        return f"signal {-returncode}"
    return f"exit code {returncode}"


def signal_name(returncode: Optional[int]) -> str:
    """``-11`` -> ``SIGSEGV``; empty when the process was not ended by a signal."""
    if returncode is None or returncode >= 0:
        return ""
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


class ServerClient:
    """One server process at a time, restarted on demand; safe to use from several threads.

    Args:
        python: the interpreter that runs the server (it must have the model's packages).
        root: the folder put on the server's PYTHONPATH (it holds ``model_core``).
        log: called with each line the server writes to its standard error.
    """

    def __init__(
        self,
        python: str,
        root: str = ROOT,
        log: Optional[Callable[[str], None]] = None,
    ) -> None:
        self.python = python
        self.root = root
        self.log = log
        self.hello: Dict[str, Any] = {}
        self.last_death: Optional[ServerDied] = None
        self.starts = 0
        self._process: Optional[subprocess.Popen] = None
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._answered = threading.Condition()
        self._answers: Dict[Any, dict] = {}
        self._dead: Optional[ServerDied] = None
        self._stderr: Deque[str] = collections.deque(maxlen=40)
        self._loaded: Dict[tuple, dict] = {}
        self._folder = tempfile.mkdtemp(prefix="clvnet-server-")  # mode 0700

    # -- lifecycle --------------------------------------------------------------------------
    @property
    def folder(self) -> str:
        """The private temporary folder (mode 0700) for the request's pixel files."""
        return self._folder

    @property
    def pid(self) -> Optional[int]:
        """The running server's process id, or None."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def running(self) -> bool:
        """True while a server process is alive."""
        return self.pid is not None and self._dead is None

    def start(self, timeout: float = START_TIMEOUT_S) -> Dict[str, Any]:
        """Start the server (if not running) and return its ``hello`` answer."""
        with self._lock:
            if self.running():
                return self.hello
            self._stop_process()
            env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH")}
            env["PYTHONPATH"] = self.root
            env["PYTHONIOENCODING"] = "utf-8"
            flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
            try:
                process = subprocess.Popen(
                    [self.python, "-m", "model_core", "serve"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    cwd=self._folder,
                    env=env,
                    creationflags=flags,
                )
            except OSError as exc:
                raise ServerError(
                    "no_python", f"The Python '{self.python}' cannot be started: {exc}."
                ) from None
            self._process, self._dead = process, None
            self._answers.clear()
            self._loaded.clear()
            self._stderr.clear()
            self.starts += 1
            threading.Thread(target=self._read_answers, args=(process,), daemon=True).start()
            threading.Thread(target=self._read_stderr, args=(process,), daemon=True).start()
        try:
            self.hello = self.request("hello", timeout=timeout)
        except ServerDied as died:
            tail = died.stderr_tail.strip().splitlines()
            raise ServerError(
                "start_failed",
                f"The model process could not start with '{self.python}' ({died.how})"
                + (f": {tail[-1]}" if tail else "."),
            ) from None
        return self.hello

    def close(self, timeout: float = 5.0) -> None:
        """Ask the server to stop (work in flight is cancelled); kill it if it does not."""
        with self._lock:
            process = self._process
            if process is not None and process.poll() is None:
                try:
                    self._send({"id": "shutdown", "op": "shutdown"})
                    process.wait(timeout)
                except (ServerError, subprocess.TimeoutExpired):
                    process.kill()
                    process.wait()
            self._stop_process()
        shutil.rmtree(self._folder, ignore_errors=True)

    def kill(self) -> None:
        """Kill the server now (a cancel it did not honour, a timeout)."""
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def _stop_process(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.kill()
                process.wait()
            for stream in (process.stdin, process.stdout, process.stderr):
                if stream is not None:
                    stream.close()

    # -- requests ---------------------------------------------------------------------------
    def request(
        self, op: str, timeout: Optional[float] = None, cancel: Cancel = None, **params: Any
    ) -> Dict[str, Any]:
        """Send one request and wait for its answer (the server is started if needed).

        Raises ``ServerError`` for an error answer, ``ServerDied`` when the process ended,
        ``RequestCancelled`` when ``cancel()`` turned true, ``ServerError('timeout')`` after
        ``timeout`` seconds (the server is then killed: it is stuck).
        """
        if op != "hello" and not self.running():
            self.start()
        request_id = next(self._ids)
        self._send({"id": request_id, "op": op, **params})
        answer = self._wait(request_id, timeout, cancel)
        if not answer.get("ok"):
            error = answer.get("error") or {}
            if error.get("kind") == "cancelled" and cancel is not None and cancel():
                raise RequestCancelled()
            raise ServerError(error.get("kind", "internal"), error.get("message", str(answer)))
        return answer

    def loaded_models(self) -> List[Dict[str, Any]]:
        """The ``load`` answers of the running server (no request made)."""
        with self._lock:
            return list(self._loaded.values())

    def ping(self, timeout: float = 5.0) -> Dict[str, Any]:
        return self.request("ping", timeout=timeout)

    def devices(self, timeout: float = 60.0) -> List[List[str]]:
        """``[["cuda:0", "NVIDIA ..."], ...]`` as the server's torch sees them."""
        return self.request("devices", timeout=timeout)["cuda"]

    def load(
        self,
        checkpoint: Optional[str] = None,
        device: str = "auto",
        precision: str = "auto",
        timeout: Optional[float] = None,
        cancel: Cancel = None,
        threads: int = 0,
        warm_up: bool = False,
    ) -> Dict[str, Any]:
        """Load a model (once per server process: repeated calls answer from memory).

        ``threads`` > 0 sets the server's torch threads (for the whole process); ``warm_up``
        runs one throw-away box after loading, so the first real box is as fast as later ones.
        """
        # the server's working folder is not the caller's: send an absolute path
        checkpoint = os.path.abspath(os.path.expanduser(checkpoint)) if checkpoint else None
        key = (checkpoint or "", device, precision)
        with self._lock:
            if not self.running():
                self.start()
            known = self._loaded.get(key)
        if known is not None:
            return known
        answer = self.request(
            "load",
            timeout=timeout,
            cancel=cancel,
            checkpoint=checkpoint or None,
            device=device,
            precision=precision,
            threads=threads,
            warm_up=warm_up,
        )
        with self._lock:
            self._loaded[key] = answer
        return answer

    def describe(
        self,
        image: np.ndarray,
        box: Sequence[float],
        valid: Optional[np.ndarray] = None,
        cache_key: Optional[str] = None,
        options: Optional[Dict[str, Any]] = None,
        model: Optional[str] = None,
        timeout: Optional[float] = None,
        cancel: Cancel = None,
    ) -> Dict[str, Any]:
        """Describe one box of a window: caption, objects (polygons in window pixels), ..."""
        answer = self.describe_batch(
            [{"image": image, "box": box, "valid": valid, "cache_key": cache_key}],
            options,
            model,
            timeout,
            cancel,
        )
        return answer[0]

    def describe_batch(
        self,
        items: Sequence[Dict[str, Any]],
        options: Optional[Dict[str, Any]] = None,
        model: Optional[str] = None,
        timeout: Optional[float] = None,
        cancel: Cancel = None,
    ) -> List[Dict[str, Any]]:
        """Several boxes (``image``, ``box``, optional ``valid``, ``cache_key``) as one batch.

        Items that share one ``image`` object share one pixel file.
        """
        files: List[str] = []
        written: Dict[int, str] = {}
        payload = []
        try:
            for item in items:
                image = item["image"]
                if id(image) not in written:
                    written[id(image)] = self._write_array(image, files)
                entry = {
                    "pixels": written[id(image)],
                    "box": [float(c) for c in item["box"]],
                    "cache_key": item.get("cache_key"),
                }
                if item.get("valid") is not None:
                    entry["valid"] = self._write_array(item["valid"], files)
                payload.append(entry)
            params: Dict[str, Any] = {"items": payload, "options": options or {}}
            if model:
                params["model"] = model
            try:
                answer = self.request("describe_batch", timeout=timeout, cancel=cancel, **params)
            except ServerError as err:
                # the server let this model go (others were loaded since): load it again, once
                if err.kind != "not_loaded" or not model or not self._reload(model):
                    raise
                answer = self.request("describe_batch", timeout=timeout, cancel=cancel, **params)
        finally:
            for path in files:
                with contextlib.suppress(OSError):
                    os.remove(path)
        return answer["results"]

    def _reload(self, handle: str) -> bool:
        """Load the model ``handle`` named again; False when this client never loaded it."""
        with self._lock:
            keys = [key for key, answer in self._loaded.items() if answer["handle"] == handle]
            for key in keys:
                del self._loaded[key]
        if not keys:
            return False
        checkpoint, device, precision = keys[0]
        return self.load(checkpoint or None, device, precision)["handle"] == handle

    def _write_array(self, array: np.ndarray, files: List[str]) -> str:
        path = os.path.join(self._folder, f"a{next(self._ids)}.npy")
        np.save(path, np.ascontiguousarray(array), allow_pickle=False)
        files.append(path)
        return path

    # -- plumbing ---------------------------------------------------------------------------
    def _send(self, message: Dict[str, Any]) -> None:
        line = json.dumps({"v": PROTOCOL_VERSION, **message}) + "\n"
        with self._lock:
            process = self._process
            if process is None or process.stdin is None:
                raise ServerError("not_running", "The model process is not running.")
            try:
                process.stdin.write(line.encode("utf-8"))
                process.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                raise self._death(process) from None

    def _wait(self, request_id: int, timeout: Optional[float], cancel: Cancel) -> dict:
        deadline = None if timeout is None else time.monotonic() + timeout
        cancel_deadline = None
        with self._answered:
            while True:
                if request_id in self._answers:
                    answer = self._answers.pop(request_id)
                    if cancel_deadline is not None and answer.get("ok"):
                        raise RequestCancelled()
                    return answer
                if self._dead is not None:
                    raise self._dead
                now = time.monotonic()
                if cancel_deadline is None and cancel is not None and cancel():
                    cancel_deadline = now + CANCEL_GRACE_S
                    self._answered.release()
                    try:
                        self._send({"id": "cancel", "op": "cancel", "target": request_id})
                    except ServerError:
                        pass
                    finally:
                        self._answered.acquire()
                    continue
                if cancel_deadline is not None and now > cancel_deadline:
                    self._answered.release()
                    try:
                        self.kill()
                    finally:
                        self._answered.acquire()
                    raise RequestCancelled()
                if deadline is not None and now > deadline:
                    self._answered.release()
                    try:
                        self.kill()
                    finally:
                        self._answered.acquire()
                    raise ServerError(
                        "timeout", f"The model process did not answer within {timeout:.0f} s."
                    )
                self._answered.wait(POLL_S)

    def _read_answers(self, process: subprocess.Popen) -> None:
        """Collect answers by id until the server's output ends (then record how it died)."""
        assert process.stdout is not None
        for raw in process.stdout:
            try:
                answer = json.loads(raw)
            except ValueError:
                self._log(f"not a protocol line: {raw[:200]!r}")
                continue
            if not isinstance(answer, dict) or not isinstance(answer.get("id"), int):
                continue  # answers to cancel/shutdown, which nobody waits for
            with self._answered:
                self._answers[answer["id"]] = answer
                self._answered.notify_all()
        died = self._death(process)
        with self._answered:
            if process is self._process:
                self._dead = died
                self.last_death = died
            self._answered.notify_all()

    def _death(self, process: subprocess.Popen) -> ServerDied:
        try:
            returncode = process.wait(5.0)
        except subprocess.TimeoutExpired:
            returncode = None
        return ServerDied(returncode, "\n".join(self._stderr))

    def _read_stderr(self, process: subprocess.Popen) -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            self._stderr.append(line)
            self._log(line)

    def _log(self, line: str) -> None:
        if self.log is not None:
            self.log(line)
