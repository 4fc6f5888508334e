"""The plugin's settings, kept in ``QgsSettings`` under ``clvnet/``."""

from dataclasses import asdict, dataclass, fields
from typing import Optional, Tuple

from qgis.core import QgsCoordinateReferenceSystem, QgsSettings

from model_core.result import DEFAULT_MIN_SCORE

PREFIX = "clvnet/"
PRECISIONS = ("auto", "fp32", "bf16", "fp16")
CONTEXT_RANGE = (0.0, 4.0)
"""Allowed context margins (fraction of the box's longer side): Settings and Processing."""


@dataclass(frozen=True)
class ModelConfig:
    """What selects a loaded model: changing any of these reloads it."""

    checkpoint: str
    device: str
    precision: str


@dataclass
class ClvnetSettings:
    """User settings of the map tool and its worker.

    Attributes:
        checkpoint: checkpoint folder; empty for the bundled default model.
        device: ``auto``, ``cpu``, ``cuda`` or ``cuda:N``.
        precision: ``auto``, ``fp32``, ``bf16`` or ``fp16`` (only used on CUDA).
        context: margin around the box, as a fraction of its longer side.
        max_caption_tokens: longest caption the model may write, in tokens.
        min_area_px: objects parts smaller than this (model window pixels) are dropped.
        simplify_px: polygon simplification tolerance in model window pixels (0: none).
        rgb_bands: 1-based bands shown as red, green and blue for files with 3+ bands.
        output_crs: CRS of the result layers (authority id or WKT); empty for the raster's.
        model_python: "Python for the model": the interpreter that runs the model server;
            empty for the environment the plugin manages (``CLVNET_MODEL_PYTHON`` overrides it).
        min_score: objects scoring below this (0 to 1) are not added to the result layers.
    """

    checkpoint: str = ""
    device: str = "auto"
    precision: str = "auto"
    context: float = 0.5
    max_caption_tokens: int = 64
    min_area_px: float = 4.0
    simplify_px: float = 0.0
    rgb_bands: Tuple[int, int, int] = (1, 2, 3)
    output_crs: str = ""
    model_python: str = ""
    min_score: float = DEFAULT_MIN_SCORE

    @classmethod
    def load(cls, store: Optional[QgsSettings] = None) -> "ClvnetSettings":
        """Read every setting, falling back to the defaults above."""
        store = store or QgsSettings()
        default = cls()
        values = {}
        for f in fields(cls):
            fallback = getattr(default, f.name)
            if f.name == "rgb_bands":
                text = store.value(PREFIX + f.name, "1,2,3", type=str)
                values[f.name] = _parse_bands(text) or fallback
            else:
                values[f.name] = store.value(PREFIX + f.name, fallback, type=type(fallback))
        return cls(**values)

    def save(self, store: Optional[QgsSettings] = None) -> None:
        """Write every setting under ``clvnet/``."""
        store = store or QgsSettings()
        for name, value in asdict(self).items():
            if name == "rgb_bands":
                value = ",".join(str(b) for b in value)
            store.setValue(PREFIX + name, value)

    def model_config(self) -> ModelConfig:
        """The part of the settings that selects the model."""
        return ModelConfig(self.checkpoint.strip(), self.device, self.precision)

    def output_crs_object(self) -> Optional[QgsCoordinateReferenceSystem]:
        """The chosen output CRS, or None for the raster's own CRS."""
        if not self.output_crs:
            return None
        crs = QgsCoordinateReferenceSystem(self.output_crs)
        if not crs.isValid():
            crs = QgsCoordinateReferenceSystem.fromWkt(self.output_crs)
        return crs if crs.isValid() else None


def crs_to_setting(crs: Optional[QgsCoordinateReferenceSystem]) -> str:
    """How ``output_crs`` stores a CRS: its authority id, else its WKT; empty for None."""
    if crs is None or not crs.isValid():
        return ""
    return crs.authid() or crs.toWkt()


def _parse_bands(text: str) -> Optional[Tuple[int, int, int]]:
    """``"4,3,2"`` -> (4, 3, 2); None when it is not three positive integers."""
    try:
        bands = tuple(int(p) for p in str(text).split(","))
    except ValueError:
        return None
    if len(bands) != 3 or min(bands) < 1:
        return None
    return bands  # type: ignore[return-value]
