"""Pixels of an image or a raster window as 8-bit RGB, read window by window.

8-bit rasters are read as they are; 16-bit and float bands go through the same percentile
stretch as inference (``model_core.raster``), over the window's valid pixels.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Optional, Tuple

import numpy as np
import rasterio
from rasterio.errors import NotGeoreferencedWarning
from rasterio.windows import Window

from model_core.raster import _stretch

from .objects import ReaderError

#: Smallest blank (pure white) region treated as no data, as a share of the image.
BLANK_SHARE = 0.01


def load_pixels(
    path: Path,
    window: Optional[Tuple[int, int, int, int]] = None,
    bands: Tuple[int, int, int] = (1, 2, 3),
    blank_is_nodata: bool = False,
) -> Tuple[np.ndarray, np.ndarray]:
    """(rgb uint8 (H, W, 3), valid bool (H, W)) of ``path`` or of its ``window``.

    ``blank_is_nodata`` marks blank areas invalid: connected pure white regions of at least
    :data:`BLANK_SHARE` of the image (scan margins), not a white roof's few pixels.
    """
    if window is None and Path(path).suffix.lower() in (".png", ".jpg", ".jpeg"):
        from PIL import Image

        with Image.open(path) as img:
            rgb = np.asarray(img.convert("RGB"))
        valid = np.ones(rgb.shape[:2], dtype=bool)
    else:
        rgb, valid = _read_raster(Path(path), window, bands)
    if blank_is_nodata:
        valid &= ~blank_areas(rgb)
    return rgb, valid


def blank_areas(rgb: np.ndarray) -> np.ndarray:
    """Bool (H, W): pure white regions covering at least BLANK_SHARE of the image."""
    from scipy import ndimage

    labels, count = ndimage.label(np.all(rgb == 255, axis=2))
    if not count:
        return np.zeros(rgb.shape[:2], dtype=bool)
    sizes = np.bincount(labels.ravel())
    large = np.flatnonzero(sizes >= BLANK_SHARE * labels.size)
    large = large[large > 0]
    return np.isin(labels, large)


def _read_raster(path: Path, window, bands) -> Tuple[np.ndarray, np.ndarray]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            with rasterio.open(path) as src:
                picked = tuple(bands) if src.count >= 3 else (1, 1, 1)
                if max(picked) > src.count:
                    raise ReaderError(f"{path.name} has {src.count} bands, not band {max(picked)}.")
                win = Window(*window) if window is not None else None
                unique = sorted(set(picked))
                data = src.read(unique, window=win)
                masks = src.read_masks(unique, window=win)
                nodata, dtypes = src.nodata, [src.dtypes[b - 1] for b in unique]
    except rasterio.errors.RasterioIOError as exc:
        raise ReaderError(f"The image {path} cannot be read ({exc}).") from None
    valid = np.all(masks > 0, axis=0)
    if nodata is not None and not math.isnan(nodata):
        valid &= ~np.all(data == nodata, axis=0)
    order = [unique.index(b) for b in picked]
    if all(d == "uint8" for d in dtypes):
        rgb = data[order]
    else:
        rgb = np.stack([_stretch(data[i], valid) for i in order])
    rgb = np.where(valid[None], rgb, 0).astype(np.uint8)
    return np.ascontiguousarray(np.moveaxis(rgb, 0, -1)), valid


def ground_size(path: Path) -> Optional[float]:
    """Metres per pixel of a georeferenced raster (geographic CRSs at the centre latitude),
    or None without a CRS."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(path) as src:
            if src.crs is None:
                return None
            size = abs(src.transform.a)
            if src.crs.is_geographic:
                lat = src.transform.f + src.transform.e * src.height / 2.0
                return size * 111_320.0 * math.cos(math.radians(lat))
            return size * (src.crs.linear_units_factor[1] if src.crs.linear_units_factor else 1.0)
