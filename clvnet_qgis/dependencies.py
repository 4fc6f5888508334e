"""Check that the model's Python packages import, and offer to install the missing ones.

The packages go into a folder the plugin manages *outside* the plugin folder (so upgrading or
removing the plugin keeps them): ``<QGIS profile>/python/clvnet_deps``. That folder is
appended to ``sys.path`` when the plugin starts, after QGIS's own site-packages, and pip is
told to keep QGIS's numpy version, so QGIS's compiled modules keep the numpy they were built
against.
"""

import importlib
import importlib.util
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QProcess, QProcessEnvironment, Qt
from qgis.PyQt.QtGui import QFontDatabase
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .i18n import tr

DEPS_FOLDER = "clvnet_deps"


@dataclass(frozen=True)
class Dependency:
    """A module the model needs, the pip packages that provide it, and what it is for."""

    module: str
    packages: Tuple[str, ...]
    purpose: str


def required() -> Tuple[Dependency, ...]:
    """The model's dependencies, with their purpose in the user's language."""
    return (
        Dependency("torch", ("torch",), tr("PyTorch runs the neural network.")),
        Dependency(
            "transformers",
            ("transformers",),
            tr("Transformers provides the language model that writes the caption."),
        ),
        Dependency(
            "segment_anything",
            ("segment-anything", "torchvision"),
            tr("Segment Anything provides the image encoder and the mask decoder."),
        ),
        Dependency(
            "rasterio", ("rasterio",), tr("Rasterio reads windows of raster files through GDAL.")
        ),
        Dependency("shapely", ("shapely",), tr("Shapely turns the masks into polygons.")),
    )


def importable(module: str, load: bool = False) -> bool:
    """True when ``module`` can be found (and, with ``load``, imported without error)."""
    try:
        if importlib.util.find_spec(module) is None:
            return False
        if load:
            importlib.import_module(module)
    except Exception:  # a broken install raises anything from its own import code
        return False
    return True


def missing_dependencies(load: bool = False) -> List[Dependency]:
    """The dependencies that cannot be found (or, with ``load``, imported)."""
    return [dep for dep in required() if not importable(dep.module, load)]


def deps_dir() -> Path:
    """The plugin-managed package folder, in the QGIS profile, outside the plugin folder."""
    return Path(QgsApplication.qgisSettingsDirPath()) / "python" / DEPS_FOLDER


def add_deps_dir_to_path() -> None:
    """Append the managed package folder to ``sys.path`` (after QGIS's own packages)."""
    folder = str(deps_dir())
    if Path(folder).is_dir() and folder not in sys.path:
        sys.path.append(folder)
        importlib.invalidate_caches()


def qgis_python() -> str:
    """The Python interpreter of this QGIS, even when ``sys.executable`` is QGIS itself.

    Inside QGIS ``sys.executable`` is often the ``qgis`` binary; the interpreter lives beside
    the Python prefix instead (OSGeo4W: ``<prefix>/python.exe``; Linux and macOS:
    ``<prefix>/bin/python3.X``).
    """
    executable = Path(sys.executable)
    if executable.name.lower().startswith("python") and executable.exists():
        return str(executable)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    candidates = []
    for prefix in dict.fromkeys((sys.exec_prefix, sys.base_exec_prefix)):
        root = Path(prefix)
        candidates += [
            root / "python.exe",
            root / "python3.exe",
            root / "bin" / f"python{version}",
            root / "bin" / "python3",
        ]
    candidates.append(executable.parent / "python3")
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    return f"python{version}"


def numpy_pin() -> Optional[str]:
    """``numpy==<QGIS's version>``, so pip keeps the numpy QGIS is built against."""
    try:
        import numpy
    except ImportError:
        return None
    return f"numpy=={numpy.__version__}"


def pip_arguments(missing: Sequence[Dependency], target: Path) -> List[str]:
    """Arguments after the interpreter: ``-m pip install --target DIR <pin> <packages>``."""
    packages = list(dict.fromkeys(p for dep in missing for p in dep.packages))
    pin = numpy_pin()
    return [
        "-m",
        "pip",
        "install",
        "--upgrade",
        "--target",
        str(target),
        *([pin] if pin else []),
        *packages,
    ]


def install_command(missing: Sequence[Dependency], target: Optional[Path] = None) -> List[str]:
    """The full pip command for this QGIS's Python, as a list."""
    return [qgis_python(), *pip_arguments(missing, target or deps_dir())]


def command_text(command: Sequence[str]) -> str:
    """A command as one line the user can paste into a terminal."""
    if sys.platform.startswith("win"):
        return " ".join(f'"{part}"' if " " in part else part for part in command)
    return shlex.join(command)


class DependencyDialog(QDialog):
    """Explains what is missing and why, shows the pip command and can run it in a QProcess.

    Declining closes the dialog and leaves QGIS as it was.
    """

    def __init__(
        self,
        missing: Sequence[Dependency],
        parent: Optional[QWidget] = None,
        command: Optional[Sequence[str]] = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ClvnetDependencyDialog")
        self.setWindowTitle(tr("CLV-Net needs more Python packages"))
        self.missing = list(missing)
        self.command = list(command or install_command(self.missing))
        self.process: Optional[QProcess] = None

        items = "".join(f"<li><b>{dep.module}</b>: {dep.purpose}</li>" for dep in self.missing)
        intro = QLabel(
            "<p>"
            + tr("CLV-Net cannot run its model because these Python packages are missing:")
            + f"</p><ul>{items}</ul><p>"
            + tr("Install them into a folder the plugin manages, outside the plugin folder:")
            + f" <code>{deps_dir()}</code>. "
            + tr("QGIS keeps its own numpy; the rest of QGIS is not changed.")
            + "</p><p>"
            + tr("This command does it for the Python of this QGIS:")
            + "</p>"
        )
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.command_view = QPlainTextEdit(command_text(self.command))
        self.command_view.setReadOnly(True)
        self.command_view.setMaximumHeight(70)
        fixed = QFontDatabase.systemFont(QFontDatabase.FixedFont)
        self.command_view.setFont(fixed)
        self.output_view = QPlainTextEdit()
        self.output_view.setReadOnly(True)
        self.output_view.setFont(fixed)
        self.output_view.setPlaceholderText(tr("pip's output appears here."))
        self.status = QLabel(
            tr("Packages for a GPU are large (several GB); the download can take a while.")
        )
        self.status.setWordWrap(True)

        self.buttons = QDialogButtonBox()
        self.install_button = QPushButton(tr("Install"))
        self.buttons.addButton(self.install_button, QDialogButtonBox.AcceptRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.Close)
        self.close_button.setText(tr("Not now"))
        self.install_button.clicked.connect(self.install)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        for widget in (intro, self.command_view, self.output_view, self.status, self.buttons):
            layout.addWidget(widget)
        self.resize(640, 480)

    def install(self) -> None:
        """Run the pip command in a QProcess, streaming its output into the dialog."""
        deps_dir().mkdir(parents=True, exist_ok=True)
        self.install_button.setEnabled(False)
        self.close_button.setEnabled(False)
        self.status.setText(tr("Installing... QGIS stays usable meanwhile."))
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.MergedChannels)
        env = QProcessEnvironment.systemEnvironment()
        env.insert("PYTHONNOUSERSITE", "1")
        self.process.setProcessEnvironment(env)
        self.process.readyReadStandardOutput.connect(self._read_output)
        self.process.finished.connect(self._finished)
        self.process.errorOccurred.connect(self._failed_to_start)
        self.process.start(self.command[0], self.command[1:])

    def running(self) -> bool:
        """True while pip runs."""
        return self.process is not None and self.process.state() != QProcess.NotRunning

    def reject(self) -> None:
        """Close, except while pip runs (closing would kill it half way)."""
        if not self.running():
            super().reject()

    def _read_output(self) -> None:
        data = bytes(self.process.readAllStandardOutput()).decode("utf-8", "replace")
        self.output_view.appendPlainText(data.rstrip("\n"))

    def _failed_to_start(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.FailedToStart:
            self.status.setText(
                tr("Could not start {python}; run the command above in a terminal.").format(
                    python=self.command[0]
                )
            )
            self.install_button.setEnabled(True)
            self.close_button.setEnabled(True)

    def _finished(self, exit_code: int, _status: QProcess.ExitStatus) -> None:
        self.close_button.setEnabled(True)
        if exit_code == 0:
            add_deps_dir_to_path()
            self.status.setText(tr("Installed. Draw a box again to use CLV-Net."))
            self.close_button.setText(tr("Close"))
            self.buttons.rejected.disconnect()
            self.buttons.rejected.connect(self.accept)
        else:
            self.install_button.setEnabled(True)
            self.status.setText(
                tr("pip failed (exit code {code}); see its output above.").format(code=exit_code)
            )


def ensure_dependencies(parent: Optional[QWidget] = None) -> bool:
    """True when every dependency is there; otherwise show ``DependencyDialog`` first.

    Returns whether the dependencies are there after the dialog (False when declined).
    """
    missing = missing_dependencies()
    if not missing:
        return True
    dialog = DependencyDialog(missing, parent)
    dialog.exec_()
    dialog.deleteLater()
    importlib.invalidate_caches()
    return not missing_dependencies()
