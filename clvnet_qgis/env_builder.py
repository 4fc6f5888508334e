"""Building the model's managed environment: which torch build, the steps, the swap.

The managed environment is a venv made from a base Python (``base_python``) with the pinned
packages of ``model_core/requirements-model.lock``. It is built in a staging folder by a chain of
``QProcess`` steps (the GUI thread never waits), checked by starting the server in it
(``env_check``) and only then swapped in, so a failed or cancelled install leaves the previous
environment working.
"""

import json
import os
import platform
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

from qgis.PyQt.QtCore import QObject, QProcess, pyqtSignal

from .base_python import BasePython
from .env_check import EnvironmentCheck, EnvironmentReport
from .i18n import tr
from .model_env import COMPLETE_MARKER, PLUGIN_ROOT, server_process_environment, venv_python
from .model_server import stop_server_running_from

LOCK_FILE = PLUGIN_ROOT / "model_core" / "requirements-model.lock"
CPU_TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
#: What pip prints when the disk fills up while it installs.
DISK_FULL_MARKS = ("No space left on device", "[Errno 28]")


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


def lock_packages(lock: Path = LOCK_FILE) -> Dict[str, str]:
    """``{name: version}`` of every ``name==version`` line of a lock file (markers ignored)."""
    packages = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)", line.strip())
        if match:
            packages[match.group(1).lower().replace("_", "-")] = match.group(2)
    return packages


def free_gb(folder: Path) -> float:
    """Free space, in GB, on the disk that holds ``folder`` (or its nearest existing parent)."""
    path = Path(folder).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(str(path)).free / 1e9


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

    Signals: ``step(str)`` a sentence for each step; ``progress(int)`` 0-100; ``busy(bool)``
    True while pip installs without printing anything to count (a bar should show activity
    instead of a value), False after; ``output(str)`` lines of the processes' output;
    ``finished(bool, str)`` success and one sentence.
    """

    step = pyqtSignal(str)
    progress = pyqtSignal(int)
    busy = pyqtSignal(bool)
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
        self._disk_full = False
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
        self._disk_full = False
        self.target.parent.mkdir(parents=True, exist_ok=True)
        remove_in_background(self.staging)
        self.log_path.write_text("", encoding="utf-8")
        if not self._enough_disk():
            return
        self._steps = [step.name for step in self.steps()]
        self.progress.emit(0)
        self._next_step()

    def _enough_disk(self) -> bool:
        """True when the disk has room for the build; otherwise fail with what it needs."""
        free = free_gb(self.target.parent)
        if free >= self.build.disk_gb:
            return True
        self._fail(
            tr(
                "The model's environment needs about {disk} GB free in {folder}, but only "
                "{free} GB is free; free some space and try again (the previous environment "
                "is unchanged)."
            ).format(disk=self.build.disk_gb, folder=self.target.parent, free=f"{free:.1f}")
        )
        return False

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
            if line.strip():
                self._read_line(line)

    def _read_line(self, line: str) -> None:
        """Log one line of output and turn pip's milestones into progress."""
        self._log(line)
        self.output.emit(line)
        if any(mark in line for mark in DISK_FULL_MARKS):
            self._disk_full = True
        if line.startswith("Collecting "):
            self._collected += 1
            share = min(1.0, self._collected / self._expected_packages())
            self.progress.emit(5 + int(60 * share))
        elif line.startswith("Installing collected packages"):
            self.progress.emit(70)
            self.busy.emit(True)  # pip prints nothing more until it is done
        elif line.startswith("Successfully installed"):
            self.busy.emit(False)
            self.progress.emit(88)

    def _step_finished(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        if self._done:
            return
        self.busy.emit(False)
        failed = exit_status != QProcess.NormalExit or exit_code != 0
        if failed and self._current == "index":
            self.build = pypi_fallback(self.build)
            self._log(self.build.reason)
            self.step.emit(self.build.reason)
            if not self._enough_disk():
                return
        elif failed and self._disk_full:
            self._fail(
                tr(
                    "Creating the model's environment failed because the disk is full (it needs "
                    "about {disk} GB free in {folder}); the previous environment is unchanged. "
                    "pip's output is in {log}."
                ).format(disk=self.build.disk_gb, folder=self.target.parent, log=self.log_path)
            )
            return
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
