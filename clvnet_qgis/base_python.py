"""A base Python to build the model's managed venv from, found without blocking QGIS.

The venv is made from a real Python interpreter (not ``sys.executable``, which inside QGIS may be
the ``qgis`` binary or a shim). ``python_candidates`` lists the interpreters worth trying;
``BasePythonSearch`` runs each in a ``QProcess`` and parses its answer with
``base_python_from_probe``, so one that hangs never freezes QGIS.
"""

import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, pyqtSignal

from .i18n import tr
from .model_env import HOST_PYTHON_VARIABLES, path_problem

# transformers 5.23 (pinned in the lock file) needs Python 3.11 or newer.
MIN_MODEL_PYTHON = (3, 11)


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


class BasePythonSearch(QObject):
    """The first candidate that can make the model's venv, each probed in a ``QProcess``.

    Candidates (default ``python_candidates()``) are tried one after another, each for at most
    ``timeout_s`` seconds, so one that hangs costs that long but never freezes QGIS.
    ``finished(base, problem)`` carries the first ``BasePython`` (problem empty), or None and
    ``no_base_python_sentence`` (it names what was wrong with the first candidate found).
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
