"""Where the model server's Python environment is: the interpreter that runs ``model_core serve``.

The model never runs inside QGIS: it runs in its own process, with its own Python. That Python
is, in this order: the ``CLVNET_MODEL_PYTHON`` environment variable (``qgis_process`` on a
server, CI, tests); the "Python for the model" setting; the environment the plugin manages in
``<QGIS profile>/python/clvnet_env`` once it is complete.
"""

import os
import sys
from pathlib import Path

from qgis.core import QgsApplication

from .i18n import tr
from .settings import ClvnetSettings

ENV_VARIABLE = "CLVNET_MODEL_PYTHON"
MANAGED_ENV_NAME = "clvnet_env"
COMPLETE_MARKER = ".clvnet-complete"


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
            "The model needs its own Python environment, which is not set up yet: "
            "create it from the CLV-Net dependency dialog or choose a "
            '"Python for the model" in Settings.'
        )
    )
