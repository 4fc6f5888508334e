"""Run a ``training`` command (``training.prepare``, ``training.train``) outside QGIS.

Training never runs in the QGIS process (ARCHITECTURE section 6): the toolbox algorithms start
``python -m training.<module>`` with the model's Python (``model_env.server_python()``) and with
``PYTHONPATH`` set to the plugin folder, as the model server is started. The plugin zip does not
ship ``training``; that Python finds it when the ``clvnet`` distribution is installed in it
(``pip install`` of the CLV-Net source folder, which installs ``model_core`` and ``training``)
or when the plugin folder is a source checkout. :func:`check_training_package` says which is
missing in one sentence before anything starts.
"""

import csv
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Callable, Dict, List, Sequence

from ..i18n import tr

PLUGIN_ROOT = Path(__file__).resolve().parents[2]
"""The folder that holds ``model_core`` (and ``training`` in a source checkout)."""

BUNDLED_CHECKPOINT = PLUGIN_ROOT / "model_core" / "checkpoints" / "clvnet-tiny"
"""The bundled default model: the base of fine-tuning unless another checkpoint is chosen."""

POLL_SECONDS = 0.25
STOP_GRACE_SECONDS = 10.0


class TrainingUnavailable(Exception):
    """The model's Python cannot run the training package; ``str()`` is one sentence."""


def child_environment() -> Dict[str, str]:
    """The environment of a training process: the plugin folder on ``PYTHONPATH``, UTF-8 I/O."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH")}
    env["PYTHONPATH"] = str(PLUGIN_ROOT)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def check_training_package(python: str, module: str) -> None:
    """Raise :class:`TrainingUnavailable` unless ``python`` can import ``training.<module>``.

    Only the module is looked up (``importlib.util.find_spec``): nothing heavy is imported.
    """
    probe = (
        "import importlib.util, sys; "
        f"sys.exit(0 if importlib.util.find_spec('training.{module}') else 3)"
    )
    try:
        done = subprocess.run(
            [python, "-c", probe],
            env=child_environment(),
            capture_output=True,
            timeout=60,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TrainingUnavailable(
            tr("The Python for the model '{0}' cannot be started: {1}").format(python, exc)
        ) from None
    if done.returncode != 0:
        raise TrainingUnavailable(
            tr(
                "The Python for the model ('{0}') has no CLV-Net training package "
                '(training.{1}): install it there with "{0} -m pip install <CLV-Net source '
                'folder>" and run this algorithm again.'
            ).format(python, module)
        )


def output_problem(out: Path) -> str:
    """One sentence when ``out`` cannot receive a new folder (it holds something), else ""."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        return tr("The output folder '{0}' is not empty: choose a new or empty folder.").format(out)
    return ""


def staging_folder(out: Path) -> Path:
    """Where a command writes before its result becomes ``out``: a folder of the same name
    inside a hidden sibling of ``out`` (same disk, so publishing is one rename)."""
    holder = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
    holder.mkdir(parents=True)
    return holder / out.name


def publish(staging: Path, out: Path) -> None:
    """Move the finished ``staging`` folder to ``out`` (an absent or empty folder)."""
    if out.exists():
        out.rmdir()
    staging.rename(out)
    staging.parent.rmdir()


def discard(staging: Path) -> None:
    """Delete the staging folder (and its hidden holder) of a cancelled or failed run."""
    shutil.rmtree(staging.parent, ignore_errors=True)


class ModuleRun:
    """``python -m training.<module> ARGS`` as a child process, its output kept in a log file.

    The output goes to a file (never a pipe that could fill up); :meth:`stop` terminates the
    process, waits, and kills it if it does not end within :data:`STOP_GRACE_SECONDS`.
    """

    def __init__(self, python: str, module: str, args: Sequence[str], cwd: Path) -> None:
        self.command = [python, "-m", f"training.{module}", *args]
        self._log_dir = tempfile.TemporaryDirectory(prefix="clvnet-run-")
        self.log_path = Path(self._log_dir.name) / "output.txt"
        self._log = self.log_path.open("w", encoding="utf-8")
        try:
            self.process = subprocess.Popen(
                self.command,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=str(cwd),
                env=child_environment(),
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
            )
        except OSError as exc:
            self.close()
            raise TrainingUnavailable(
                tr("The Python for the model '{0}' cannot be started: {1}").format(python, exc)
            ) from None

    def running(self) -> bool:
        return self.process.poll() is None

    def wait(
        self, cancelled: Callable[[], bool], on_tick: Callable[[], None] = lambda: None
    ) -> bool:
        """Wait for the process, calling ``on_tick`` between polls; False when cancelled
        (the process is then stopped)."""
        while self.running():
            if cancelled():
                self.stop()
                return False
            on_tick()
            time.sleep(POLL_SECONDS)
        on_tick()
        return True

    def stop(self) -> None:
        """Terminate the process and wait for it (kill after the grace period)."""
        if self.running():
            self.process.terminate()
            try:
                self.process.wait(STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def failure(self) -> str:
        """One sentence for a failed run: the command's own ``error:`` line, else its last line."""
        lines = [line.strip() for line in self.output().replace("\r", "\n").splitlines()]
        lines = [line for line in lines if line]
        errors = [line for line in lines if line.startswith("error:")]
        if errors:
            return errors[-1][len("error:") :].strip()
        last = lines[-1] if lines else tr("no output")
        return tr("{0} stopped with exit code {1}: {2}").format(
            " ".join(self.command[1:3]), self.process.returncode, last
        )

    def close(self) -> None:
        self._log.close()
        self._log_dir.cleanup()


class LogFollower:
    """New rows of a trainer's ``log.csv`` since the last call (the file grows as it trains)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen = 0

    def new_rows(self) -> List[Dict[str, str]]:
        if not self.path.is_file():
            return []
        with self.path.open(newline="", encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        if lines and lines[-1].count(",") != lines[0].count(","):
            lines = lines[:-1]  # a row being written
        rows = list(csv.DictReader(lines))
        fresh, self.seen = rows[self.seen :], max(self.seen, len(rows))
        return fresh


def loss_summary(row: Dict[str, str]) -> str:
    """``loss 3.210 (caption_ce 2.100, mask_bce 0.300, ...)`` from one ``log.csv`` row."""
    skip = {"step", "loss", "lr", "samples_per_s", "time"}
    terms = [f"{key} {float(value):.3f}" for key, value in row.items() if key not in skip and value]
    return f"loss {float(row['loss']):.3f} ({', '.join(terms)})"
