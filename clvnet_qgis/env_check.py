"""Checking an interpreter for the model: start its server and ask what it has.

``EnvironmentCheck`` starts ``python -m model_core serve`` with one interpreter in a
``QProcess`` (the GUI thread never waits) and turns the answers into an ``EnvironmentReport``:
the versions it runs, or one sentence saying what is broken (which package, if one is missing).
"""

import json
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from qgis.PyQt.QtCore import QObject, QProcess, QTimer, pyqtSignal

from .i18n import tr
from .model_env import path_problem, server_process_environment

CHECK_TIMEOUT_S = 180


@dataclass
class EnvironmentReport:
    """What the model's server said when started with one interpreter.

    ``problem`` is empty when the server answered and loaded the bundled model; otherwise it is
    one sentence, and ``missing_module`` names a package that could not be imported, if any.
    """

    python: str
    python_version: str = ""
    torch: str = ""
    transformers: str = ""
    device: str = ""
    cuda_devices: List[Tuple[str, str]] = field(default_factory=list)
    problem: str = ""
    missing_module: str = ""

    @property
    def ok(self) -> bool:
        """True when the server started and loaded the model."""
        return not self.problem

    def summary(self) -> str:
        """``Python 3.11.2, torch 2.14.1, transformers 5.23.0, no GPU`` or the problem."""
        if self.problem:
            return self.problem
        parts = [f"Python {self.python_version}", f"torch {self.torch}"]
        if self.transformers:
            parts.append(f"transformers {self.transformers}")
        devices = ", ".join(f"{key} ({name})" for key, name in self.cuda_devices)
        parts.append(tr("GPUs: {devices}").format(devices=devices) if devices else tr("no GPU"))
        return ", ".join(parts)


# The packages the server imports, in import order: the first that fails is what broke.
SERVER_MODULES = (
    "numpy",
    "torch",
    "torchvision",
    "segment_anything",
    "tokenizers",
    "safetensors",
    "transformers",
    "shapely",
    "rasterio",
    "affine",
)
IMPORT_PROBE = (
    "import importlib, sys\n"
    "for name in sys.argv[1:]:\n"
    "    try:\n"
    "        importlib.import_module(name)\n"
    "    except Exception as err:\n"
    "        print(name, type(err).__name__, err)\n"
    "        break\n"
)

CHECK_REQUESTS = (
    {"v": 1, "id": "check-hello", "op": "hello"},
    {"v": 1, "id": "check-load", "op": "load", "device": "cpu", "precision": "fp32"},
    {"v": 1, "id": "check-devices", "op": "devices"},
)


def missing_module_in(text: str) -> str:
    """The package a message says cannot be imported, else empty.

    Understands the server's ``missing_package`` answer (``cannot import 'x'``) and Python's
    own ``No module named 'x'`` / ``cannot import name 'y' from 'x'`` (a server that died
    while importing).
    """
    for pattern in (
        r"cannot import '([\w.]+)'",
        r"No module named '([\w.]+)'",
        r"cannot import name '\w+' from '([\w.]+)'",
    ):
        match = re.search(pattern, text)
        if match:
            return match.group(1).split(".")[0]
    return ""


def broken_sentence(python: str, module: str) -> str:
    """The sentence for an environment whose package ``module`` cannot be imported."""
    return tr(
        "The model's Python environment ({python}) is broken: the package '{module}' cannot be "
        "imported."
    ).format(python=python, module=module)


def report_from_answers(
    python: str, answers: Dict[str, dict], stderr: str, finished_early: bool
) -> EnvironmentReport:
    """Turn the server's answers to ``CHECK_REQUESTS`` (and its standard error) into a report."""
    report = EnvironmentReport(python)
    hello = answers.get("check-hello")
    load = answers.get("check-load")
    devices = answers.get("check-devices")
    if hello and hello.get("ok"):
        report.python_version = str(hello.get("python_version", ""))
    if load and load.get("ok"):
        report.torch = str(load.get("torch") or "")
        report.transformers = str(load.get("transformers") or "")
        report.device = str(load.get("device") or "")
    if devices and devices.get("ok"):
        report.cuda_devices = [(str(k), str(n)) for k, n in devices.get("cuda", [])]
    failure = next(
        (a["error"] for a in (hello, load, devices) if a and not a.get("ok") and a.get("error")),
        None,
    )
    answered = bool(hello and load and devices)
    if not failure and answered and not finished_early:
        return report  # warnings on the standard error do not make a working server broken
    report.missing_module = missing_module_in((failure or {}).get("message", "") + "\n" + stderr)
    if report.missing_module:
        report.problem = broken_sentence(python, report.missing_module)
    elif failure:
        report.problem = tr(
            "The model's server started but could not load the model: {message}"
        ).format(message=failure.get("message", ""))
    else:
        last = next((line for line in reversed(stderr.splitlines()) if line.strip()), "")
        report.problem = tr("The model's server stopped before answering ({last}).").format(
            last=last.strip()[:300] or tr("no message")
        )
    return report


class EnvironmentCheck(QObject):
    """Starts ``python -m model_core serve`` with one interpreter and asks it what it has.

    It sends ``hello``, ``load`` (the bundled model, on the CPU) and ``devices``, waits for the
    three answers in a ``QProcess`` (never blocking the GUI thread), then shuts the server down.
    ``finished`` carries the ``EnvironmentReport``.
    """

    finished = pyqtSignal(object)

    def __init__(
        self, python: str, parent: Optional[QObject] = None, timeout_s: int = CHECK_TIMEOUT_S
    ):
        super().__init__(parent)
        self.python = python
        self.timeout_s = timeout_s
        self.process: Optional[QProcess] = None
        self._stdout = b""
        self._stderr = b""
        self._answers: Dict[str, dict] = {}
        self._pending: Optional[EnvironmentReport] = None
        self._done = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._timed_out)

    def start(self) -> None:
        """Start the server; ``finished`` follows (also for a path that cannot be run)."""
        problem = path_problem(self.python)
        if problem:
            QTimer.singleShot(
                0, lambda: self._finish(EnvironmentReport(self.python, problem=problem))
            )
            return
        self.process = QProcess(self)
        self.process.setProcessEnvironment(server_process_environment())
        self.process.readyReadStandardOutput.connect(self._read_answers)
        self.process.readyReadStandardError.connect(self._read_errors)
        self.process.finished.connect(self._process_finished)
        self.process.errorOccurred.connect(self._error)
        self.process.start(self.python, ["-m", "model_core", "serve"])
        requests = "".join(json.dumps(r) + "\n" for r in CHECK_REQUESTS)
        self.process.write(requests.encode("utf-8"))
        self._timer.start(self.timeout_s * 1000)

    def running(self) -> bool:
        """True until ``finished`` was emitted."""
        return not self._done

    def cancel(self) -> None:
        """Stop the server without a report (SIGKILL: it ends within milliseconds, and Qt must
        never destroy a running ``QProcess``, so it is waited for)."""
        self._done = True
        self._timer.stop()
        if self.process is not None and self.process.state() != QProcess.NotRunning:
            self.process.kill()
            self.process.waitForFinished(2000)

    def _read_answers(self) -> None:
        self._stdout += bytes(self.process.readAllStandardOutput())
        *lines, self._stdout = self._stdout.split(b"\n")
        for line in lines:
            try:
                answer = json.loads(line.decode("utf-8", "replace"))
            except ValueError:
                continue
            if isinstance(answer, dict) and isinstance(answer.get("id"), str):
                self._answers[answer["id"]] = answer
        if len(self._answers) == len(CHECK_REQUESTS) and self.process.isWritable():
            self.process.write(b'{"v": 1, "id": "check-bye", "op": "shutdown"}\n')
            self.process.closeWriteChannel()

    def _read_errors(self) -> None:
        self._stderr += bytes(self.process.readAllStandardError())

    def _report(self, finished_early: bool) -> EnvironmentReport:
        stderr = self._stderr.decode("utf-8", "replace")
        return report_from_answers(self.python, self._answers, stderr, finished_early)

    def _process_finished(self, *_args) -> None:
        if self._done or self.process is None:
            return
        self._read_answers()
        self._read_errors()
        report = self._report(len(self._answers) < len(CHECK_REQUESTS))
        if report.ok or report.missing_module not in ("", "model_core"):
            self._finish(report)
            return
        # The server could not say which package broke (it failed inside model_core, or died):
        # import the server's packages one by one to find the first that fails.
        self._pending = report
        self.process = QProcess(self)
        self.process.setProcessEnvironment(server_process_environment())
        self.process.setProcessChannelMode(QProcess.MergedChannels)
        self.process.finished.connect(self._probed)
        self.process.start(self.python, ["-c", IMPORT_PROBE, *SERVER_MODULES])

    def _probed(self, *_args) -> None:
        if self._done:
            return
        report = self._pending
        first = bytes(self.process.readAllStandardOutput()).decode("utf-8", "replace").strip()
        module = first.split(" ", 1)[0] if first else ""
        if module in SERVER_MODULES:
            report.missing_module = module
            report.problem = broken_sentence(self.python, module)
        self._finish(report)

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.FailedToStart and not self._done:
            problem = tr("'{path}' could not be started as a Python interpreter.").format(
                path=self.python
            )
            self._finish(EnvironmentReport(self.python, problem=problem))

    def _timed_out(self) -> None:
        if self._done:
            return
        self.cancel()
        self._done = False
        problem = tr("The model's server with {python} did not answer within {seconds} s.").format(
            python=self.python, seconds=self.timeout_s
        )
        self._finish(EnvironmentReport(self.python, problem=problem))

    def _finish(self, report: EnvironmentReport) -> None:
        if self._done:
            return
        self._done = True
        self._timer.stop()
        self.finished.emit(report)
