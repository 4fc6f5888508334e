"""Loaded predictors shared by Processing runs, keyed by checkpoint and device.

Batch mode and graphical models run an algorithm many times in one QGIS session; loading the
model each time would dominate the run time, so the last few predictors stay loaded. A
predictor is not safe to call from two threads at once (its embedding cache is a plain LRU
dict), so each one comes with a lock that a run holds while it predicts.
"""

import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Tuple

if TYPE_CHECKING:
    from model_core.predictor import Predictor

MAX_LOADED = 2
"""How many (checkpoint, device) predictors stay in memory; the least recently used goes."""

_CacheKey = Tuple[str, str, float]
_LOADED: "OrderedDict[_CacheKey, Tuple[Predictor, threading.Lock]]" = OrderedDict()
_LOADED_LOCK = threading.Lock()


def _checkpoint_stamp(folder: Path) -> float:
    """Newest modification time of the checkpoint's files, so a retrained folder reloads."""
    times = [p.stat().st_mtime for p in folder.glob("*") if p.is_file()]
    return max(times, default=0.0)


def cached_predictor(checkpoint: Optional[str], device: str) -> Tuple["Predictor", threading.Lock]:
    """Return the predictor for ``checkpoint`` (None: bundled default) on ``device``.

    Loads it on first use. Raises ``model_core.errors.CheckpointError`` or ``InputError`` for a
    bad checkpoint or device, ``ImportError`` when torch or another model package is missing.
    """
    from model_core.pipeline import default_checkpoint_dir
    from model_core.predictor import Predictor

    folder = Path(checkpoint).expanduser().resolve() if checkpoint else default_checkpoint_dir()
    key = (str(folder), device, _checkpoint_stamp(folder) if folder.is_dir() else 0.0)
    with _LOADED_LOCK:
        entry = _LOADED.get(key)
        if entry is None:
            predictor = Predictor.from_checkpoint(
                str(folder) if checkpoint else None, device=device
            )
            entry = (predictor, threading.Lock())
            _LOADED[key] = entry
            while len(_LOADED) > MAX_LOADED:
                _LOADED.popitem(last=False)
        _LOADED.move_to_end(key)
        return entry


def clear_predictors() -> None:
    """Forget every loaded predictor (frees the models once no run uses them)."""
    with _LOADED_LOCK:
        _LOADED.clear()
