"""The one model server of this QGIS process, shared by the map tool's worker and Processing.

The model never runs inside QGIS (ARCHITECTURE section 6): ``shared_client()`` gives the
``model_core.server_client.ServerClient`` that drives ``python -m model_core serve`` with the
interpreter ``model_env.server_python()`` names. The client is thread-safe and the server runs
its work one request at a time, so the worker thread and Processing runs share it. Nothing here
starts the process: the first request does, always on a worker or algorithm thread.
"""

import atexit
import os
import threading
from pathlib import Path
from typing import List, Optional, Tuple

from qgis.core import Qgis, QgsMessageLog

from model_core.server_client import ServerClient

from . import model_env

LOG_TAG = "CLV-Net server"
#: How long the environment swap waits for the old server to end before killing it.
SWAP_STOP_TIMEOUT_S = 0.5

_CLIENT: Optional[ServerClient] = None
_LOCK = threading.Lock()


def shared_client() -> ServerClient:
    """The process-wide client for the current "Python for the model".

    Raises:
        model_env.ModelEnvironmentMissing: no Python for the model is set up.
    """
    global _CLIENT
    python = model_env.server_python()
    with _LOCK:
        if _CLIENT is not None and _CLIENT.python != python:
            _CLIENT.close()
            _CLIENT = None
        if _CLIENT is None:
            _CLIENT = ServerClient(python, log=_log_server_line)
        return _CLIENT


def running_client() -> Optional[ServerClient]:
    """The shared client when its server is running, else None (never starts anything)."""
    client = _CLIENT
    return client if client is not None and client.running() else None


def known_cuda_devices() -> List[Tuple[str, str]]:
    """The CUDA devices the server reported when it last loaded a model (no request made)."""
    client = running_client()
    if client is None:
        return []
    for answer in client.loaded_models():
        return [(str(key), str(name)) for key, name in answer.get("cuda_devices", [])]
    return []


def close_shared_client() -> None:
    """Stop the server (plugin unload, QGIS exit); the next request starts a new one."""
    global _CLIENT
    with _LOCK:
        client, _CLIENT = _CLIENT, None
    if client is not None:
        client.close()


def stop_server_running_from(folder: Path) -> bool:
    """Stop the shared server when its Python lives in ``folder``; True when one was stopped.

    Called before the environment manager renames or replaces ``folder``: on Windows a running
    interpreter's folder cannot be renamed, and elsewhere the old server would go on running the
    old files. The next request starts a server from whatever is in ``folder`` then. It runs on
    the GUI thread, so a server that does not end within ``SWAP_STOP_TIMEOUT_S`` (stuck in a
    long computation) is killed: nothing of it is needed once its files are replaced.
    """
    global _CLIENT
    folder = Path(os.path.abspath(folder))
    with _LOCK:
        client = _CLIENT
        if client is None or folder not in Path(os.path.abspath(client.python)).parents:
            return False
        _CLIENT = None
    client.close(timeout=SWAP_STOP_TIMEOUT_S)
    return True


def _log_server_line(line: str) -> None:
    """The server's standard error goes to the QGIS log (thread-safe)."""
    QgsMessageLog.logMessage(line, LOG_TAG, Qgis.Info)


atexit.register(close_shared_client)
