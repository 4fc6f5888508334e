"""The image window a prediction runs on: pixels plus where they lie on the map."""

from dataclasses import dataclass, field
from typing import Optional, Tuple

import numpy as np
from affine import Affine


@dataclass
class ImageWindow:
    """A model-ready RGB image of the box plus its context, and its georeference.

    Attributes:
        image: uint8 array of shape (H, W, 3) at the model's input size; nodata is black.
        transform: affine map from pixel (col, row) of ``image`` to ``crs`` coordinates.
            For a raster with no georeference it maps to the raster's own pixel grid.
        crs_wkt: WKT of the output CRS, or None for a raster without georeference.
        box: the user's box in ``image`` pixel coordinates (x0, y0, x1, y1), float.
        source: identifies the pixels (path or layer id) for the embedding cache.
        window: (col_off, row_off, width, height) read from the source, in source pixels.
        pixel_area_m2: ground area of one ``image`` pixel in square metres, when known.
        valid: optional bool array (H, W), False where the source had nodata.
        bands: the source bands shown as R, G, B (part of the cache key).
    """

    image: np.ndarray
    transform: Affine
    crs_wkt: Optional[str]
    box: Tuple[float, float, float, float]
    source: str
    window: Tuple[int, int, int, int]
    pixel_area_m2: Optional[float] = None
    valid: Optional[np.ndarray] = field(default=None, repr=False)
    bands: Tuple[int, ...] = ()

    @property
    def cache_key(self) -> Tuple[str, Tuple[int, ...], Tuple[int, int, int, int], Tuple[int, int]]:
        """Key of the encoded features: same source, bands, window and size encode the same."""
        return (self.source, self.bands, self.window, self.image.shape[:2])


def context_window(
    box: Tuple[float, float, float, float], context: float
) -> Tuple[float, float, float, float]:
    """Square window around a pixel box with a context margin on every side.

    The side is ``max(box width, box height) * (1 + 2 * context)``, centred on the box, so the
    model sees the surroundings and the aspect ratio is kept when the window is resized to the
    model's square input. The result may extend past the raster; the reader pads with nodata.

    Args:
        box: (x0, y0, x1, y1) in source pixels, x0 < x1 and y0 < y1.
        context: margin as a fraction of the box's longer side (0.5 doubles the side).

    Returns:
        (x0, y0, x1, y1) of the square window in source pixels (floats).
    """
    x0, y0, x1, y1 = box
    side = max(x1 - x0, y1 - y0) * (1.0 + 2.0 * context)
    cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    return (cx - side / 2.0, cy - side / 2.0, cx + side / 2.0, cy + side / 2.0)


def window_from_array(
    image: np.ndarray,
    box: Tuple[float, float, float, float],
    context: float = 0.5,
    size: int = 256,
    transform: Optional[Affine] = None,
    crs_wkt: Optional[str] = None,
    source: str = "array",
    valid: Optional[np.ndarray] = None,
) -> ImageWindow:
    """Cut the context window around a pixel box out of an in-memory image.

    The same geometry as reading a raster (``context_window``), so training crops, evaluation
    and rendered QGIS layers all show the model what inference on a file shows it.

    Args:
        image: (H, W, 3) uint8 RGB.
        box: (x0, y0, x1, y1) in ``image`` pixels.
        transform: affine of ``image`` pixels to map coordinates (identity: pixel space).
        valid: optional (H, W) bool, False where the image has no data.
    """
    from PIL import Image

    h, w = image.shape[:2]
    wx0, wy0, wx1, wy1 = context_window(box, context)
    scale = size / (wx1 - wx0)
    # Integer source window, clipped to the image; pasted at its place in a black canvas.
    sx0, sy0 = max(0, int(np.floor(wx0))), max(0, int(np.floor(wy0)))
    sx1, sy1 = min(w, int(np.ceil(wx1))), min(h, int(np.ceil(wy1)))
    canvas = np.zeros((size, size, 3), dtype=np.uint8)
    canvas_valid = np.zeros((size, size), dtype=bool)
    if sx1 > sx0 and sy1 > sy0:
        cx0, cy0 = round((sx0 - wx0) * scale), round((sy0 - wy0) * scale)
        cx1, cy1 = round((sx1 - wx0) * scale), round((sy1 - wy0) * scale)
        cx0, cy0, cx1, cy1 = max(cx0, 0), max(cy0, 0), min(cx1, size), min(cy1, size)
        if cx1 > cx0 and cy1 > cy0:
            crop = Image.fromarray(np.ascontiguousarray(image[sy0:sy1, sx0:sx1]))
            canvas[cy0:cy1, cx0:cx1] = np.asarray(
                crop.resize((cx1 - cx0, cy1 - cy0), Image.BILINEAR)
            )
            region = (
                np.ones((sy1 - sy0, sx1 - sx0), dtype=bool)
                if valid is None
                else valid[sy0:sy1, sx0:sx1]
            )
            canvas_valid[cy0:cy1, cx0:cx1] = np.asarray(
                Image.fromarray(region).resize((cx1 - cx0, cy1 - cy0), Image.NEAREST)
            )
            canvas[~canvas_valid] = 0
    transform = Affine.identity() if transform is None else transform
    window_transform = transform * Affine.translation(wx0, wy0) * Affine.scale(1.0 / scale)
    x0, y0, x1, y1 = box
    local_box = ((x0 - wx0) * scale, (y0 - wy0) * scale, (x1 - wx0) * scale, (y1 - wy0) * scale)
    return ImageWindow(
        image=canvas,
        transform=window_transform,
        crs_wkt=crs_wkt,
        box=local_box,
        source=source,
        window=(int(round(wx0)), int(round(wy0)), int(round(wx1 - wx0)), int(round(wy1 - wy0))),
        pixel_area_m2=None,
        valid=canvas_valid,
    )
