"""The model server's own Python: which interpreter runs ``python -m model_core serve``.

The model never runs inside QGIS: it runs in its own process (``python -m model_core serve``)
with its own Python, so QGIS's libraries (numpy, GDAL, Qt, Mesa's LLVM) never meet torch's.
That Python is, in this order: the ``CLVNET_MODEL_PYTHON`` environment variable (``qgis_process``
on a server, CI, tests); the "Python for the model" setting; the environment the plugin manages
in ``<QGIS profile>/python/clvnet_env`` once it is complete.

Finding a Python to build that environment from is ``base_python``, checking an interpreter is
``env_check``, and building the managed environment is ``env_builder``.
"""

import os
import sys
from pathlib import Path
from typing import Optional

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QProcessEnvironment

from .i18n import tr
from .settings import ClvnetSettings

ENV_VARIABLE = "CLVNET_MODEL_PYTHON"
MANAGED_ENV_NAME = "clvnet_env"
COMPLETE_MARKER = ".clvnet-complete"
PLUGIN_ROOT = Path(__file__).resolve().parents[1]
# Variables of QGIS's own Python that must not leak into the model's interpreter.
HOST_PYTHON_VARIABLES = ("PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONEXECUTABLE")


class ModelEnvironmentMissing(Exception):
    """No Python to run the model with; ``str()`` is one sentence for the user."""


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
