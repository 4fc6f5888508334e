"""From a box on a raster to georeferenced objects: read, predict, vectorise.

The command line, the plugin's worker and the Processing algorithms all call these, so every
entry point gives the same result for the same box.
"""

import time
from pathlib import Path
from typing import Callable, Optional, Sequence, Tuple

from shapely.geometry import Polygon

from .grouping import box_in_window
from .predictor import Predictor
from .raster import RasterSource
from .result import PredictionResult
from .vectorize import mask_to_multipolygon, polygon_area_m2
from .window import ImageWindow, context_window

DEFAULT_CHECKPOINT_NAME = "clvnet-tiny"


def default_checkpoint_dir() -> Path:
    """The bundled default checkpoint, used whenever no checkpoint is chosen."""
    return Path(__file__).resolve().parent / "checkpoints" / DEFAULT_CHECKPOINT_NAME


def georeference(
    result: PredictionResult,
    window: ImageWindow,
    min_area_px: float = 4.0,
    simplify_px: float = 0.0,
) -> PredictionResult:
    """Fill each object's MultiPolygon and area, and the box polygon, in the window's CRS."""
    start = time.perf_counter()
    for obj in result.objects:
        obj.geometry = mask_to_multipolygon(obj.mask, window.transform, min_area_px, simplify_px)
        if obj.geometry is not None:
            obj.area_m2 = polygon_area_m2(obj.geometry, window.crs_wkt)
    x0, y0, x1, y1 = window.box
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    result.box_geometry = Polygon([window.transform * c for c in corners])
    result.crs_wkt = window.crs_wkt
    result.source = window.source
    result.timing_ms["vectorise"] = (time.perf_counter() - start) * 1000
    return result


def segment(
    predictor: Predictor,
    window: ImageWindow,
    min_area_px: float = 4.0,
    simplify_px: float = 0.0,
    cancel: Optional[Callable[[], bool]] = None,
) -> PredictionResult:
    """Predict on ``window`` and georeference the objects."""
    result = predictor.predict(window, cancel=cancel)
    return georeference(result, window, min_area_px, simplify_px)


def segment_raster_box(
    predictor: Predictor,
    source: RasterSource,
    box: Sequence[float],
    box_crs: Optional[str] = None,
    context: float = 0.5,
    rgb_bands: Tuple[int, int, int] = (1, 2, 3),
    min_area_px: float = 4.0,
    simplify_px: float = 0.0,
    cancel: Optional[Callable[[], bool]] = None,
    reuse_windows: bool = True,
) -> PredictionResult:
    """Read the box plus context from ``source`` and segment it.

    When the box fits a window encoded for an earlier box of the same raster (and bands), that
    window is read again and its cached features are reused: a second box in an area already
    seen skips the encoder.
    """
    start = time.perf_counter()
    pixel_box = source.box_to_pixels(tuple(box), box_crs)
    key = (source.path, tuple(rgb_bands))
    window_box = predictor.windows.find(key, pixel_box) if reuse_windows else None
    if window_box is None:
        window_box = context_window(pixel_box, context)
    window = source.read_window(
        window_box, "pixel", context=0.0, size=predictor.input_size, rgb_bands=rgb_bands
    )
    window.box = box_in_window(pixel_box, window_box, predictor.input_size)
    predictor.windows.remember(key, window_box)
    read_ms = (time.perf_counter() - start) * 1000
    result = segment(predictor, window, min_area_px, simplify_px, cancel)
    result.timing_ms = {"read": read_ms, **result.timing_ms}
    return result
