"""The model server's own Python environment: which interpreter runs it, creating and checking it.

The model never runs inside QGIS: it runs in its own process (``python -m model_core serve``)
with its own Python, so QGIS's libraries (numpy, GDAL, Qt, Mesa's LLVM) never meet torch's.
That Python is, in this order: the ``CLVNET_MODEL_PYTHON`` environment variable (``qgis_process``
on a server, CI, tests); the "Python for the model" setting; the environment the plugin manages
in ``<QGIS profile>/python/clvnet_env`` once it is complete.

The managed environment is a venv made from a real Python interpreter (not ``sys.executable``,
which inside QGIS may be the ``qgis`` binary or a shim), with the pinned packages of
``model_core/requirements-model.lock``. It is built in a staging folder by a chain of
``QProcess`` steps (the GUI thread never waits), checked by starting the server in it and only
then swapped in, so a failed or cancelled install leaves the previous environment working.
"""

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, pyqtSignal

from .i18n import tr
from .settings import ClvnetSettings

ENV_VARIABLE = "CLVNET_MODEL_PYTHON"
MANAGED_ENV_NAME = "clvnet_env"
COMPLETE_MARKER = ".clvnet-complete"
PLUGIN_ROOT = Path(__file__).resolve().parents[1]
LOCK_FILE = PLUGIN_ROOT / "model_core" / "requirements-model.lock"
# transformers 5.23 (pinned in the lock file) needs Python 3.11 or newer.
MIN_MODEL_PYTHON = (3, 11)
CPU_TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
CHECK_TIMEOUT_S = 180
# Variables of QGIS's own Python that must not leak into the model's interpreter.
HOST_PYTHON_VARIABLES = ("PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONEXECUTABLE")


class ModelEnvironmentMissing(Exception):
    """No Python to run the model with; ``str()`` is one sentence for the user."""


# ------------------------------------------------------------------ which interpreter runs it
def managed_env_dir() -> Path:
    """``<QGIS profile>/python/clvnet_env``: the environment the plugin creates and repairs."""
    return Path(QgsApplication.qgisSettingsDirPath()) / "python" / MANAGED_ENV_NAME


def venv_python(env_dir: Path) -> Path:
    """The interpreter inside a venv folder (``Scripts/python.exe`` on Windows)."""
    if sys.platform == "win32":
        return env_dir / "Scripts" / "python.exe"
    return env_dir / "bin" / "python"


def managed_env_ready(env_dir: Path) -> bool:
    """True when the managed venv was fully created and validated (its marker exists)."""
    return (env_dir / COMPLETE_MARKER).is_file() and venv_python(env_dir).is_file()


def server_python() -> str:
    """The interpreter that runs ``python -m model_core serve``.

    Raises:
        ModelEnvironmentMissing: no variable, no setting and no complete managed environment.
    """
    from_env = os.environ.get(ENV_VARIABLE, "").strip()
    if from_env:
        return from_env
    from_settings = ClvnetSettings.load().model_python.strip()
    if from_settings:
        return from_settings
    env_dir = managed_env_dir()
    if managed_env_ready(env_dir):
        return str(venv_python(env_dir))
    raise ModelEnvironmentMissing(
        tr(
            "The model needs its own Python environment, which is not set up yet: create it "
            "from the dialog the box tool offers, choose a "
            '"Python for the model" in Settings, or set {variable}.'
        ).format(variable=ENV_VARIABLE)
    )


def server_process_environment() -> QProcessEnvironment:
    """Environment of a process run by the model's Python: ``model_core`` from the plugin.

    QGIS's ``PYTHONHOME``/``PYTHONPATH`` are dropped (they would make another interpreter load
    QGIS's packages), user site-packages are ignored and the plugin folder, which holds
    ``model_core``, is the only extra import path.
    """
    env = QProcessEnvironment.systemEnvironment()
    for name in HOST_PYTHON_VARIABLES:
        env.remove(name)
    env.insert("PYTHONPATH", str(PLUGIN_ROOT))
    env.insert("PYTHONNOUSERSITE", "1")
    env.insert("PYTHONUNBUFFERED", "1")
    return env


def path_problem(path: str) -> Optional[str]:
    """A sentence when ``path`` cannot be a Python interpreter at all; None when it may be."""
    if not path.strip():
        return tr("No Python interpreter was given.")
    candidate = Path(path).expanduser()
    if not candidate.exists():
        return tr("'{path}' does not exist; choose a Python interpreter file.").format(path=path)
    if candidate.is_dir():
        return tr(
            "'{path}' is a folder; choose the Python interpreter in it "
            "(bin/python, or python.exe on Windows)."
        ).format(path=path)
    if not os.access(str(candidate), os.X_OK):
        return tr("'{path}' cannot be run; choose a Python interpreter.").format(path=path)
    return None


# ------------------------------------------------------------------ which torch build
@dataclass(frozen=True)
class TorchBuild:
    """Which PyTorch build pip installs, where from, and about how much it downloads."""

    name: str
    index_url: Optional[str]
    download_gb: float
    disk_gb: float
    reason: str

    def pip_options(self) -> List[str]:
        """Extra pip options: the PyTorch index beside PyPI (pip prefers its ``+cpu`` wheel).

        If that index cannot be reached pip still installs from PyPI (the larger build).
        """
        return ["--extra-index-url", self.index_url] if self.index_url else []


def nvidia_gpu_present() -> bool:
    """True when this machine has an NVIDIA driver (``nvidia-smi`` or ``/proc/driver/nvidia``)."""
    if shutil.which("nvidia-smi") or Path("/proc/driver/nvidia").exists():
        return True
    system_root = os.environ.get("SYSTEMROOT")
    return bool(system_root) and (Path(system_root) / "System32" / "nvidia-smi.exe").is_file()


def choose_torch_build(system: str, machine: str, nvidia: bool) -> TorchBuild:
    """The torch build for a platform (``platform.system()``, ``platform.machine()``).

    Linux with an NVIDIA GPU: PyPI's CUDA build. Linux x86_64 without one: PyTorch's CPU wheel
    index (a tenth of the download). Elsewhere PyPI's build is already the right one (CPU on
    Windows and Linux ARM, CPU and Apple GPU on macOS).
    """
    if system == "Linux" and nvidia:
        return TorchBuild(
            "cuda", None, 2.9, 5.6, tr("an NVIDIA GPU was found, so PyTorch's CUDA build is used")
        )
    if system == "Linux" and machine.lower() in ("x86_64", "amd64"):
        return TorchBuild(
            "cpu",
            CPU_TORCH_INDEX,
            0.5,
            1.5,
            tr("no NVIDIA GPU was found, so PyTorch's CPU build is used"),
        )
    return TorchBuild("default", None, 0.5, 1.5, tr("PyPI's PyTorch build for this platform"))


def torch_build_for_this_machine() -> TorchBuild:
    """``choose_torch_build`` for the machine QGIS runs on."""
    return choose_torch_build(platform.system(), platform.machine(), nvidia_gpu_present())


# ------------------------------------------------------------------ the base interpreter
@dataclass(frozen=True)
class BasePython:
    """A Python interpreter that can create the venv, and where it was found."""

    path: str
    version: Tuple[int, int, int]
    source: str

    def describe(self) -> str:
        """``/usr/bin/python3 (Python 3.11.2, QGIS's Python prefix)``."""
        version = ".".join(str(v) for v in self.version)
        return f"{self.path} (Python {version}, {self.source})"


def is_python_name(path: Path) -> bool:
    """True when the file name looks like a Python interpreter's (not ``qgis``, ``qgis-bin``)."""
    return path.name.lower().startswith("python")


VERSION_PROBE = (
    "import sys; import venv, ensurepip; print('.'.join(str(v) for v in sys.version_info[:3]))"
)


def inside_qgis_python(path: Path) -> bool:
    """True when ``path`` (links resolved) lies in QGIS's Python prefix or install folder.

    Inside QGIS ``sys.executable`` is guessed by the embedded interpreter: often the first
    ``python3`` on the PATH (a pyenv shim, another Python version), not the Python QGIS runs.
    """
    try:
        resolved = path.resolve()
    except OSError:
        return False
    prefixes = (sys.base_prefix, sys.base_exec_prefix, sys.prefix, QgsApplication.prefixPath())
    folders = {Path(prefix).resolve() for prefix in prefixes if prefix}
    return any(folder == resolved or folder in resolved.parents for folder in folders)


def python_candidates() -> List[Tuple[Path, str]]:
    """Interpreters worth trying, best first, each with where it comes from.

    QGIS's own Python comes first: ``sys.executable`` only when it really is a Python inside
    QGIS's prefix (inside QGIS it may be the ``qgis`` binary, or a ``python3`` found on the
    PATH), then the interpreters beside QGIS's Python prefix and QGIS's install prefix, then
    the system's ``python3``, then the one on the PATH.
    """
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    names = (
        ("python.exe", "python3.exe")
        if sys.platform == "win32"
        else (f"python{version}", "python3")
    )
    found: List[Tuple[Path, str]] = []
    executable = Path(sys.executable) if sys.executable else None
    in_venv = sys.prefix != sys.base_prefix
    if executable and is_python_name(executable) and not in_venv and inside_qgis_python(executable):
        found.append((executable, tr("the Python QGIS runs")))
    base = getattr(sys, "_base_executable", "")
    if base and is_python_name(Path(base)) and inside_qgis_python(Path(base)):
        found.append((Path(base), tr("QGIS's Python")))
    for prefix in dict.fromkeys((sys.base_prefix, sys.base_exec_prefix, sys.prefix)):
        for folder in (Path(prefix) / "bin", Path(prefix)):
            found += [(folder / name, tr("QGIS's Python prefix")) for name in names]
    qgis_prefix = Path(QgsApplication.prefixPath())
    for folder in (qgis_prefix / "bin", qgis_prefix):
        found += [(folder / name, tr("QGIS's install folder")) for name in names]
    if sys.platform != "win32":
        found.append((Path("/usr/bin/python3"), tr("the system's Python")))
    on_path = shutil.which("python3") or shutil.which("python")
    if on_path:
        found.append((Path(on_path), tr("the Python on the PATH")))
    unique: Dict[str, Tuple[Path, str]] = {}
    for path, source in found:
        unique.setdefault(str(path), (path, source))
    return list(unique.values())


# Seconds one candidate interpreter may take to print its version before it counts as broken.
BASE_PROBE_TIMEOUT_S = 30


def base_python_from_probe(
    path: Path, source: str, exit_code: int, stdout: str, stderr: str
) -> Tuple[Optional[BasePython], str]:
    """What one run of ``VERSION_PROBE`` by ``path`` says: a ``BasePython``, else why not."""
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", stdout.strip())
    if exit_code != 0 or not match:
        if "ensurepip" in stderr or "venv" in stderr:
            return None, tr(
                "'{path}' cannot create virtual environments (on Debian and Ubuntu install "
                "the python3-venv package)."
            ).format(path=path)
        return None, tr("'{path}' is not a working Python interpreter.").format(path=path)
    version = tuple(int(v) for v in match.groups())
    if version[:2] < MIN_MODEL_PYTHON:
        return None, tr(
            "'{path}' is Python {version}; the model needs Python {minimum} or newer."
        ).format(
            path=path,
            version=".".join(str(v) for v in version),
            minimum=".".join(str(v) for v in MIN_MODEL_PYTHON),
        )
    return BasePython(str(path), version, source), ""  # type: ignore[arg-type]


def no_base_python_sentence(problems: Sequence[str]) -> str:
    """The sentence when no candidate can make the venv; it names what was wrong with the first."""
    return (
        tr("No Python {minimum} or newer that can create a virtual environment was found").format(
            minimum=".".join(str(v) for v in MIN_MODEL_PYTHON)
        )
        + (f" ({problems[0]})" if problems else "")
        + tr('; choose one with "Use another Python".')
    )


def probe_base_python(path: Path, source: str) -> Tuple[Optional[BasePython], str]:
    """Run ``path`` once: a ``BasePython`` when it can make a venv for the model, else why not.

    Blocks until ``path`` answers (at most ``BASE_PROBE_TIMEOUT_S``): for scripts and tests
    only. The plugin's dialogs use ``BasePythonSearch``, which never blocks the GUI thread.
    """
    problem = path_problem(str(path))
    if problem:
        return None, problem
    try:
        run = subprocess.run(
            [str(path), "-c", VERSION_PROBE],
            capture_output=True,
            text=True,
            timeout=BASE_PROBE_TIMEOUT_S,
            env={k: v for k, v in os.environ.items() if k not in HOST_PYTHON_VARIABLES},
        )
    except (OSError, subprocess.SubprocessError) as err:
        return None, tr("'{path}' could not be started ({error}).").format(path=path, error=err)
    return base_python_from_probe(path, source, run.returncode, run.stdout, run.stderr)


def find_base_python(
    candidates: Optional[Sequence[Tuple[Path, str]]] = None,
) -> BasePython:
    """The first candidate (default ``python_candidates()``) that can make the model's venv.

    Blocking, like ``probe_base_python``: for scripts and tests, never the GUI thread.

    Raises:
        ModelEnvironmentMissing: none can; the sentence names what was wrong with the first.
    """
    problems = []
    for path, source in candidates if candidates is not None else python_candidates():
        if not path.is_file():
            continue
        found, problem = probe_base_python(path, source)
        if found is not None:
            return found
        problems.append(problem)
    raise ModelEnvironmentMissing(no_base_python_sentence(problems))


class BasePythonSearch(QObject):
    """``find_base_python`` without blocking: each candidate is probed in a ``QProcess``.

    Candidates (default ``python_candidates()``) are tried one after another, each for at most
    ``timeout_s`` seconds, so one that hangs costs that long but never freezes QGIS.
    ``finished(base, problem)`` carries the first ``BasePython`` (problem empty), or None and
    the sentence ``find_base_python`` would raise.
    """

    finished = pyqtSignal(object, str)

    def __init__(
        self,
        candidates: Optional[Sequence[Tuple[Path, str]]] = None,
        parent: Optional[QObject] = None,
        timeout_s: Optional[float] = None,
    ) -> None:
        super().__init__(parent)
        self._candidates = list(candidates) if candidates is not None else None
        self.timeout_s = BASE_PROBE_TIMEOUT_S if timeout_s is None else timeout_s
        self.process: Optional[QProcess] = None
        self._current: Tuple[Path, str] = (Path(), "")
        self._problems: List[str] = []
        self._done = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._timed_out)

    def start(self) -> None:
        """Probe the first candidate; returns at once, ``finished`` follows."""
        if self._candidates is None:
            self._candidates = python_candidates()
        self._next()

    def running(self) -> bool:
        """True until ``finished`` was emitted or ``cancel`` was called."""
        return not self._done

    def cancel(self) -> None:
        """Stop probing without a result."""
        self._done = True
        self._timer.stop()
        self._stop_process()

    def _stop_process(self) -> None:
        """Forget the current probe; one still running is killed first.

        A probe is a bare ``python -c``: SIGKILL ends it within milliseconds, so waiting for it
        here costs the GUI nothing, and Qt never destroys a running ``QProcess`` (which aborted
        QGIS when the dialog holding the search was deleted right after being closed).
        """
        process, self.process = self.process, None
        if process is None:
            return
        process.finished.disconnect()
        process.errorOccurred.disconnect()
        if process.state() != QProcess.NotRunning:
            process.kill()
            process.waitForFinished(2000)
        process.deleteLater()

    def _next(self) -> None:
        while self._candidates:
            path, source = self._candidates.pop(0)
            if not path.is_file():
                continue
            problem = path_problem(str(path))
            if problem:
                self._problems.append(problem)
                continue
            self._current = (path, source)
            env = QProcessEnvironment.systemEnvironment()
            for name in HOST_PYTHON_VARIABLES:
                env.remove(name)
            self.process = QProcess(self)
            self.process.setProcessEnvironment(env)
            self.process.finished.connect(self._probed)
            self.process.errorOccurred.connect(self._error)
            self.process.start(str(path), ["-c", VERSION_PROBE])
            self._timer.start(int(self.timeout_s * 1000))
            return
        self._finish(None, no_base_python_sentence(self._problems))

    def _probed(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        if self._done:
            return
        self._timer.stop()
        path, source = self._current
        stdout = bytes(self.process.readAllStandardOutput()).decode("utf-8", "replace")
        stderr = bytes(self.process.readAllStandardError()).decode("utf-8", "replace")
        crashed = exit_status != QProcess.NormalExit
        found, problem = base_python_from_probe(
            path, source, -1 if crashed else exit_code, stdout, stderr
        )
        self._stop_process()
        if found is not None:
            self._finish(found, "")
            return
        self._problems.append(problem)
        self._next()

    def _error(self, error: QProcess.ProcessError) -> None:
        if error != QProcess.FailedToStart or self._done:
            return
        self._timer.stop()
        path = self._current[0]
        self._problems.append(
            tr("'{path}' could not be started as a Python interpreter.").format(path=path)
        )
        self._stop_process()
        self._next()

    def _timed_out(self) -> None:
        if self._done:
            return
        self._problems.append(
            tr("'{path}' did not answer within {seconds} s.").format(
                path=self._current[0], seconds=self.timeout_s
            )
        )
        self._stop_process()
        self._next()

    def _finish(self, base: Optional[BasePython], problem: str) -> None:
        self._done = True
        self._timer.stop()
        self.finished.emit(base, problem)


# ------------------------------------------------------------------ checking an interpreter
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


# ------------------------------------------------------------------ creating the environment
def lock_packages(lock: Path = LOCK_FILE) -> Dict[str, str]:
    """``{name: version}`` of every ``name==version`` line of a lock file (markers ignored)."""
    packages = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)", line.strip())
        if match:
            packages[match.group(1).lower().replace("_", "-")] = match.group(2)
    return packages


def remove_in_background(path: Path) -> None:
    """Delete a folder (several GB of venv) in a Python thread, so QGIS does not wait for it.

    The folder is first renamed aside, so its name is free again at once.
    """
    if not path.exists():
        return
    trash = path.with_name(f"{path.name}.trash-{time.time_ns()}")
    try:
        path.rename(trash)
    except OSError:
        trash = path
    threading.Thread(
        target=shutil.rmtree, args=(str(trash),), kwargs={"ignore_errors": True}, daemon=True
    ).start()


@dataclass(frozen=True)
class InstallStep:
    """One process of the installation: what the user is told, and the command.

    ``name`` is ``venv``, ``index`` (can PyTorch's wheel index be reached? a failure only
    switches to PyPI's build) or ``pip``.
    """

    name: str
    message: str
    program: str
    arguments: List[str]


# Exits 0 when a wheel index answers within 15 s (through the same proxy settings pip uses).
INDEX_PROBE = "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=15).close()"


def pypi_fallback(build: TorchBuild) -> TorchBuild:
    """The build pip takes from PyPI alone when ``build``'s own wheel index cannot be reached."""
    cuda = choose_torch_build("Linux", "x86_64", nvidia=True)
    return TorchBuild(
        "pypi",
        None,
        cuda.download_gb,
        cuda.disk_gb,
        tr("PyTorch's CPU index could not be reached, so PyPI's build is used"),
    )


class EnvironmentBuilder(QObject):
    """Creates the managed environment in a staging folder and swaps it in when it works.

    Steps (each a ``QProcess``): make the venv with ``base``; ``pip install -r`` the lock file
    (``--progress-bar off``: progress is counted from pip's ``Collecting`` lines); start the
    server in it (``EnvironmentCheck``); then rename the staging folder over ``target``. A
    failure or ``cancel()`` deletes the staging folder and leaves ``target`` as it was. pip's
    output is kept in ``<target>.log``.

    Signals: ``step(str)`` a sentence for each step; ``progress(int)`` 0-100; ``output(str)``
    lines of the processes' output; ``finished(bool, str)`` success and one sentence.
    """

    step = pyqtSignal(str)
    progress = pyqtSignal(int)
    output = pyqtSignal(str)
    finished = pyqtSignal(bool, str)

    def __init__(
        self,
        base: BasePython,
        target: Path,
        build: TorchBuild,
        lock: Path = LOCK_FILE,
        parent: Optional[QObject] = None,
    ) -> None:
        super().__init__(parent)
        self.base = base
        self.target = Path(target)
        self.build = build
        self.lock = Path(lock)
        self.staging = self.target.with_name(self.target.name + ".new")
        self.log_path = self.target.with_name(self.target.name + ".log")
        self.report: Optional[EnvironmentReport] = None
        self.process: Optional[QProcess] = None
        self.check: Optional[EnvironmentCheck] = None
        self._steps: List[str] = []
        self._current = ""
        self._collected = 0
        self._done = False
        self._started = 0.0

    def steps(self) -> List[InstallStep]:
        """The processes this builder runs before checking the server, for the current build."""
        names = ["venv", "index", "pip"] if self.build.index_url else ["venv", "pip"]
        return [self._step(name) for name in names]

    def _step(self, name: str) -> InstallStep:
        staged = str(venv_python(self.staging))
        if name == "venv":
            return InstallStep(
                name,
                tr("Creating the Python environment with {python}...").format(
                    python=self.base.describe()
                ),
                self.base.path,
                ["-m", "venv", str(self.staging)],
            )
        if name == "index":
            return InstallStep(
                name,
                tr("Checking that {index} can be reached...").format(index=self.build.index_url),
                staged,
                ["-c", INDEX_PROBE, f"{self.build.index_url}/torch/"],
            )
        return InstallStep(
            name,
            tr("Downloading and installing the model's packages (about {size} GB)...").format(
                size=self.build.download_gb
            ),
            staged,
            [
                "-m",
                "pip",
                "install",
                "--no-input",
                "--disable-pip-version-check",
                "--progress-bar",
                "off",
                *self.build.pip_options(),
                "-r",
                str(self.lock),
            ],
        )

    def _expected_packages(self) -> int:
        """How many packages pip collects: the lock's, plus CUDA's runtime for PyPI's build."""
        return len(lock_packages(self.lock)) + (0 if self.build.index_url else 20)

    def start(self) -> None:
        """Begin; returns at once (the steps run in ``QProcess`` es)."""
        self._started = time.monotonic()
        self.target.parent.mkdir(parents=True, exist_ok=True)
        remove_in_background(self.staging)
        self.log_path.write_text("", encoding="utf-8")
        self._steps = [step.name for step in self.steps()]
        self.progress.emit(0)
        self._next_step()

    def running(self) -> bool:
        """True until ``finished`` was emitted."""
        return self._started > 0 and not self._done

    def elapsed_s(self) -> float:
        """Seconds since ``start``."""
        return time.monotonic() - self._started if self._started else 0.0

    def cancel(self) -> None:
        """Stop the running step; the previous environment stays as it was."""
        if self._done:
            return
        if self.check is not None:
            self.check.cancel()
        if self.process is not None and self.process.state() != QProcess.NotRunning:
            # SIGKILL ends the step within milliseconds; it is waited for so that Qt never
            # destroys a running QProcess (that aborted a test process once). The staging folder
            # is then removed in the background.
            self.process.finished.disconnect()
            self.process.kill()
            self.process.waitForFinished(2000)
        self._fail(tr("The installation was cancelled; the previous environment is unchanged."))

    def _next_step(self) -> None:
        if not self._steps:
            self._check_server()
            return
        current = self._step(self._steps.pop(0))
        self._current = current.name
        self.step.emit(current.message)
        self._log(f"$ {current.program} {' '.join(current.arguments)}")
        self.process = QProcess(self)
        env = server_process_environment()
        env.remove("PYTHONPATH")
        self.process.setProcessEnvironment(env)
        self.process.setProcessChannelMode(QProcess.MergedChannels)
        self.process.readyReadStandardOutput.connect(self._read_output)
        self.process.finished.connect(self._step_finished)
        self.process.errorOccurred.connect(self._failed_to_start)
        self.process.start(current.program, current.arguments)

    def _read_output(self) -> None:
        text = bytes(self.process.readAllStandardOutput()).decode("utf-8", "replace")
        for line in text.splitlines():
            if not line.strip():
                continue
            self._log(line)
            self.output.emit(line)
            if line.startswith("Collecting "):
                self._collected += 1
                share = min(1.0, self._collected / self._expected_packages())
                self.progress.emit(5 + int(60 * share))
            elif line.startswith("Installing collected packages"):
                self.progress.emit(70)
            elif line.startswith("Successfully installed"):
                self.progress.emit(88)

    def _step_finished(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        if self._done:
            return
        failed = exit_status != QProcess.NormalExit or exit_code != 0
        if failed and self._current == "index":
            self.build = pypi_fallback(self.build)
            self._log(self.build.reason)
            self.step.emit(self.build.reason)
        elif failed:
            self._fail(
                tr(
                    "Creating the model's environment failed (exit code {code}); the previous "
                    "environment is unchanged. pip's output is in {log}."
                ).format(code=exit_code, log=self.log_path)
            )
            return
        if not self._steps:
            self.progress.emit(88)
        else:
            self.progress.emit(5)
        self._next_step()

    def _failed_to_start(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.FailedToStart and not self._done:
            self._fail(
                tr("{program} could not be started; the previous environment is unchanged.").format(
                    program=self.process.program()
                )
            )

    def _check_server(self) -> None:
        self.step.emit(tr("Checking the environment by starting the model's server..."))
        self.check = EnvironmentCheck(str(venv_python(self.staging)), self)
        self.check.finished.connect(self._checked)
        self.check.start()

    def _checked(self, report: EnvironmentReport) -> None:
        self.report = report
        self._log(f"check: {report.summary()}")
        if not report.ok:
            self._fail(
                tr(
                    "The new environment does not work ({problem}); the previous one is unchanged."
                ).format(problem=report.problem)
            )
            return
        try:
            self._swap_in(report)
        except OSError as err:
            self._fail(
                tr("The new environment could not replace the old one ({error}).").format(error=err)
            )
            return
        self.progress.emit(100)
        self._done = True
        self.finished.emit(
            True,
            tr(
                "The model's Python environment is ready ({summary}); it took {minutes} min."
            ).format(summary=report.summary(), minutes=f"{self.elapsed_s() / 60:.1f}"),
        )

    def _swap_in(self, report: EnvironmentReport) -> None:
        """Mark the staging folder complete and rename it over the target (old one removed).

        The shared model server running from the target is stopped first.
        """
        marker = {
            "lock": self.lock.name,
            "lock_packages": lock_packages(self.lock),
            "torch_build": self.build.name,
            "base_python": self.base.describe(),
            "report": report.summary(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        (self.staging / COMPLETE_MARKER).write_text(json.dumps(marker, indent=1), encoding="utf-8")
        from .model_server import stop_server_running_from  # it imports this module

        stop_server_running_from(self.target)
        previous = None
        if self.target.exists():
            previous = self.target.with_name(f"{self.target.name}.old-{time.time_ns()}")
            self.target.rename(previous)
        try:
            self.staging.rename(self.target)
        except OSError:
            if previous is not None:
                previous.rename(self.target)
            raise
        if previous is not None:
            remove_in_background(previous)

    def _fail(self, sentence: str) -> None:
        if self._done:
            return
        self._done = True
        self._log(sentence)
        remove_in_background(self.staging)
        self.finished.emit(False, sentence)

    def _log(self, line: str) -> None:
        with self.log_path.open("a", encoding="utf-8") as log:
            log.write(line + "\n")
