"""Model-ready image windows read from a raster file around a user's box.

A box comes in the raster's CRS, in pixels or in any EPSG CRS; it is turned into a pixel box, a
square context window is put around it (``model_core.window.context_window``), and only the part
of that window inside the raster is read, resampled straight to the model's input size (GDAL
picks overviews when it decimates). The rest of the canvas is black padding marked invalid.
"""

import math
import os
import warnings
from types import TracebackType
from typing import List, Optional, Sequence, Tuple, Type

import numpy as np
import rasterio
from affine import Affine
from rasterio._err import CPLE_BaseError
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.errors import CRSError, NotGeoreferencedWarning, RasterioIOError
from rasterio.warp import transform as warp_transform
from rasterio.windows import Window
from shapely.geometry import Polygon

from model_core.errors import InputError
from model_core.vectorize import polygon_area_m2
from model_core.window import ImageWindow, context_window

Box = Tuple[float, float, float, float]

PIXEL = "pixel"
# Points per box edge when a box is reprojected, so curved edges are bounded correctly.
EDGE_POINTS = 21
# Largest box coordinate accepted: beyond it box arithmetic overflows to inf / nan.
MAX_COORDINATE = 1e15
# Percentiles of the valid pixels that map to 0 and 255 for 16-bit and float bands.
STRETCH_PERCENTILES = (2.0, 98.0)
# Side in pixels of the reading that finds a box over nodata only (usable_pixel_box).
NODATA_CHECK_SIZE = 64


class RasterSource:
    """An open raster (rasterio/GDAL) that reads model-ready windows; never reads the whole raster.

    Attributes:
        path: absolute path of the raster.
        width, height, count: size in pixels and number of bands.
        dtypes: numpy dtype name of each band.
        nodata: the nodata value, or None.
        crs_wkt: WKT of the raster's CRS, or None without one.
        transform: affine map from pixel (col, row) to the raster's map coordinates (identity
            for a raster without georeference).
        is_georeferenced: False when the raster has neither a CRS nor a geotransform (pixel
            coordinates only, e.g. a plain JPEG).
    """

    def __init__(self, path: str) -> None:
        self.path = os.path.abspath(path)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", NotGeoreferencedWarning)
                self._dataset = rasterio.open(self.path)
        except RasterioIOError as exc:
            raise InputError(f"GDAL cannot open the raster '{path}': {exc}") from None
        ds = self._dataset
        self.width: int = ds.width
        self.height: int = ds.height
        self.count: int = ds.count
        self.dtypes: Tuple[str, ...] = tuple(ds.dtypes)
        self.nodata: Optional[float] = ds.nodata
        self._crs: Optional[CRS] = ds.crs if ds.crs else None
        self.crs_wkt: Optional[str] = self._crs.to_wkt() if self._crs is not None else None
        self.transform: Affine = ds.transform
        self.is_georeferenced: bool = self._crs is not None or not self.transform.is_identity

    # -- box handling -------------------------------------------------------------------------

    def box_to_pixels(self, box: Sequence[float], box_crs: Optional[str] = None) -> Box:
        """Pixel box (col0, row0, col1, row1) of a user box, not clipped to the raster.

        Args:
            box: (x0, y0, x1, y1). Map CRSs: minx, miny, maxx, maxy (west, south, east, north;
                EPSG:4326 is lon, lat). Pixels: col0, row0, col1, row1 with row0 the top row.
            box_crs: None for the raster's own CRS (pixels for a raster without georeference),
                "pixel", or "EPSG:NNNN" (reprojected: densified edges, bounding box in pixels).

        Raises:
            InputError: coordinates in the wrong order, zero area, unknown CRS, a map box on a
                raster without georeference, or a box entirely outside the raster.
        """
        is_pixel = self._is_pixel(box_crs)
        x0, y0, x1, y1 = _check_box(box, is_pixel)
        if is_pixel:
            pixel_box = (x0, y0, x1, y1)
        else:
            xs, ys = _densified_ring(x0, y0, x1, y1)
            src_crs = self._box_crs(box_crs)
            if src_crs is not None and src_crs != self._crs:
                xs, ys = self._reproject(xs, ys, src_crs, self._crs, box_crs)
            pixel_box = _bounds(*_apply(~self.transform, xs, ys))
        c0, r0, c1, r1 = pixel_box
        if c1 <= 0 or r1 <= 0 or c0 >= self.width or r0 >= self.height:
            raise InputError(
                f"The box {tuple(box)} lies entirely outside the raster "
                f"'{os.path.basename(self.path)}' ({self.width} x {self.height} pixels)."
            )
        return pixel_box

    def pixel_box_to_crs(self, pixel_box: Sequence[float], dst_crs: Optional[str] = None) -> Box:
        """Bounding box in map coordinates of a pixel box: the inverse of ``box_to_pixels``.

        Args:
            pixel_box: (col0, row0, col1, row1) in raster pixels.
            dst_crs: None for the raster's CRS, or "EPSG:NNNN" (densified edges).

        Returns:
            (minx, miny, maxx, maxy); raster pixel coordinates for a raster without
            georeference when ``dst_crs`` is None.
        """
        c0, r0, c1, r1 = (float(v) for v in pixel_box)
        xs, ys = _apply(self.transform, *_densified_ring(c0, r0, c1, r1))
        if dst_crs is not None:
            target = self._box_crs(dst_crs)
            if target != self._crs:
                xs, ys = self._reproject(xs, ys, self._crs, target, dst_crs)
        return _bounds(xs, ys)

    def _is_pixel(self, box_crs: Optional[str]) -> bool:
        """True for "pixel" boxes and for boxes without a CRS on a raster without georeference."""
        if box_crs is None:
            return not self.is_georeferenced
        return box_crs.strip().lower() == PIXEL

    def _box_crs(self, box_crs: Optional[str]) -> Optional[CRS]:
        """The CRS a map box is given in (None: the raster's own map coordinates)."""
        if box_crs is None:
            return self._crs
        if not self.is_georeferenced:
            raise InputError(
                f"The raster '{os.path.basename(self.path)}' has no georeference; give the box "
                "in pixel coordinates with --box-crs pixel."
            )
        try:
            crs = CRS.from_user_input(box_crs)
        except CRSError:
            raise InputError(
                f"The box CRS '{box_crs}' is unknown; give EPSG:NNNN with a valid code, or pixel."
            ) from None
        if self._crs is None:
            raise InputError(
                f"The raster '{os.path.basename(self.path)}' has a geotransform but no CRS, so a "
                f"box in {box_crs} cannot be placed; give it in the raster's coordinates or pixels."
            )
        return crs

    @staticmethod
    def _reproject(
        xs: List[float], ys: List[float], src: CRS, dst: CRS, label: str
    ) -> Tuple[List[float], List[float]]:
        """Points from ``src`` to ``dst`` (lon, lat order for geographic CRSs)."""
        try:
            out_x, out_y = warp_transform(src, dst, xs, ys)
        except CPLE_BaseError:  # PROJ refuses, e.g. a latitude beyond 90 degrees
            out_x, out_y = [math.nan], [math.nan]
        if not all(math.isfinite(v) for v in list(out_x) + list(out_y)):
            raise InputError(
                f"The box cannot be transformed between {label} and the raster CRS; "
                "it lies outside the area where that transformation is defined."
            )
        return list(out_x), list(out_y)

    # -- reading ------------------------------------------------------------------------------

    def read_window(
        self,
        box: Sequence[float],
        box_crs: Optional[str] = None,
        context: float = 0.5,
        size: int = 256,
        rgb_bands: Tuple[int, int, int] = (1, 2, 3),
        refuse_nodata: bool = True,
    ) -> ImageWindow:
        """Read the square context window of a box as a ``size`` x ``size`` RGB image.

        Args:
            box, box_crs: the user box, as in ``box_to_pixels``.
            context: margin around the box as a fraction of its longer side (0.5: the window is
                twice the box).
            size: side of the output image in pixels (the model's input size).
            rgb_bands: 1-based bands shown as R, G, B for rasters with 3 or more bands; a
                raster with 1 or 2 bands shows band 1 as grey.
            refuse_nodata: raise InputError when the box covers only nodata pixels (False for
                a window shared by many boxes, which are checked one by one).

        Returns:
            ImageWindow with ``image`` uint8 (size, size, 3), ``valid`` bool (size, size) that is
            False on padding and nodata, ``transform`` from image pixels to the raster's CRS
            (raster pixels without georeference) and ``box`` in image pixels.
        """
        if size < 1:
            raise InputError(f"The window size must be at least 1 pixel, got {size}.")
        if context < 0:
            raise InputError(f"The context margin must not be negative, got {context}.")
        bands = self.band_mapping(rgb_bands)
        pixel_box = self.box_to_pixels(box, box_crs)
        wx0, wy0, wx1, _ = context_window(pixel_box, context)
        scale = (wx1 - wx0) / size  # source pixels per image pixel
        cols = _canvas_span(wx0, scale, self.width, size)
        rows = _canvas_span(wy0, scale, self.height, size)

        image = np.zeros((size, size, 3), dtype=np.uint8)
        valid = np.zeros((size, size), dtype=bool)
        if cols[1] > cols[0] and rows[1] > rows[0]:
            rgb, ok = self._read_rgb(bands, wx0, wy0, scale, cols, rows)
            image[rows[0] : rows[1], cols[0] : cols[1]] = rgb
            valid[rows[0] : rows[1], cols[0] : cols[1]] = ok

        transform = self.transform * Affine.translation(wx0, wy0) * Affine.scale(scale)
        c0, r0, c1, r1 = pixel_box
        canvas_box = (
            (c0 - wx0) / scale,
            (r0 - wy0) / scale,
            (c1 - wx0) / scale,
            (r1 - wy0) / scale,
        )
        if refuse_nodata:
            _refuse_nodata_box(valid, canvas_box)
        side = round(wx1 - wx0)
        centre = Polygon([transform * xy for xy in _unit_square(size / 2.0)])
        return ImageWindow(
            image=image,
            transform=transform,
            crs_wkt=self.crs_wkt,
            box=canvas_box,
            source=self.path,
            window=(round(wx0), round(wy0), side, side),
            pixel_area_m2=polygon_area_m2(centre, self.crs_wkt),
            valid=valid,
            bands=bands,
        )

    def usable_pixel_box(
        self,
        box: Sequence[float],
        box_crs: Optional[str],
        rgb_bands: Sequence[int] = (1, 2, 3),
    ) -> Box:
        """``box_to_pixels``, refusing (InputError) a box over nodata pixels only.

        For many boxes (batch, Processing): the box is read alone at ``NODATA_CHECK_SIZE``
        pixels, so it gets the sentence a single box would, before any window is shared.
        """
        pixel_box = self.box_to_pixels(box, box_crs)
        self.read_window(
            pixel_box, "pixel", context=0.0, size=NODATA_CHECK_SIZE, rgb_bands=rgb_bands
        )
        return pixel_box

    def band_mapping(self, rgb_bands: Sequence[int]) -> Tuple[int, int, int]:
        """The three 1-based bands to show: band 1 thrice below 3 bands, else ``rgb_bands``
        (InputError when one does not exist: cheap, so callers check before loading a model)."""
        if self.count < 3:
            return (1, 1, 1)
        if len(rgb_bands) != 3:
            raise InputError(f"Give exactly three RGB bands, got {tuple(rgb_bands)}.")
        for band in rgb_bands:
            if not 1 <= int(band) <= self.count:
                raise InputError(
                    f"Band {band} of the RGB bands {tuple(rgb_bands)} does not exist; the raster "
                    f"'{os.path.basename(self.path)}' has {self.count} bands."
                )
        return (int(rgb_bands[0]), int(rgb_bands[1]), int(rgb_bands[2]))

    def _read_rgb(
        self,
        bands: Tuple[int, int, int],
        wx0: float,
        wy0: float,
        scale: float,
        cols: Tuple[int, int],
        rows: Tuple[int, int],
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Read the raster part of the canvas: uint8 (h, w, 3) and valid bool (h, w).

        The source window is exactly the canvas pixels ``cols`` x ``rows`` (fractional offsets
        are passed to GDAL), clipped to the raster against rounding.
        """
        x0 = max(wx0 + cols[0] * scale, 0.0)
        y0 = max(wy0 + rows[0] * scale, 0.0)
        x1 = min(wx0 + cols[1] * scale, float(self.width))
        y1 = min(wy0 + rows[1] * scale, float(self.height))
        window = Window(x0, y0, x1 - x0, y1 - y0)
        unique = sorted(set(bands))
        shape = (len(unique), rows[1] - rows[0], cols[1] - cols[0])
        try:
            data = self._dataset.read(
                unique, window=window, out_shape=shape, resampling=Resampling.bilinear
            )
            masks = self._dataset.read_masks(
                unique, window=window, out_shape=shape, resampling=Resampling.nearest
            )
        except RasterioIOError:
            raise InputError(
                f"The raster '{os.path.basename(self.path)}' is damaged (it cannot be read at "
                f"columns {x0:.0f}-{x1:.0f}, rows {y0:.0f}-{y1:.0f} of bands "
                f"{', '.join(map(str, unique))})."
            ) from None
        ok = np.all(masks > 0, axis=0)
        if self.nodata is not None and not math.isnan(self.nodata):
            ok &= ~np.any(data == self.nodata, axis=0)
        if np.issubdtype(data.dtype, np.floating):
            ok &= ~np.any(np.isnan(data), axis=0)
        order = [unique.index(b) for b in bands]
        if all(self.dtypes[b - 1] == "uint8" for b in unique):
            rgb = data[order]
        else:
            rgb = np.stack([_stretch(data[i], ok) for i in order])
        rgb = np.where(ok[None], rgb, 0).astype(np.uint8)
        return np.moveaxis(rgb, 0, -1), ok

    # -- lifetime -----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the dataset (reading afterwards fails)."""
        self._dataset.close()

    def __enter__(self) -> "RasterSource":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()


def _refuse_nodata_box(valid: np.ndarray, canvas_box: Box) -> None:
    """InputError when the box's pixels of a window are all nodata (or outside the raster):
    the model would caption an empty picture."""
    size = valid.shape[0]
    c0, r0, c1, r1 = canvas_box
    cols = slice(int(np.clip(math.floor(c0), 0, size - 1)), int(np.clip(math.ceil(c1), 1, size)))
    rows = slice(int(np.clip(math.floor(r0), 0, size - 1)), int(np.clip(math.ceil(r1), 1, size)))
    if not valid[rows, cols].any():
        raise InputError(
            "The box covers only nodata pixels, so there is nothing to describe; draw it over "
            "image data."
        )


def _check_box(box: Sequence[float], is_pixel: bool) -> Box:
    """Validate a user box before any transformation: four finite numbers, x0 < x1, y0 < y1."""
    try:
        x0, y0, x1, y1 = (float(v) for v in box)
    except (TypeError, ValueError):
        raise InputError(f"The box {box!r} must be four numbers x0, y0, x1, y1.") from None
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        raise InputError(f"The box {tuple(box)} must contain only finite numbers.")
    if max(abs(v) for v in (x0, y0, x1, y1)) > MAX_COORDINATE:
        raise InputError(
            f"The box {tuple(box)} has a coordinate beyond {MAX_COORDINATE:.0e}, which no "
            "raster or map covers; check its numbers."
        )
    order = (
        "col0,row0,col1,row1 with row0 the top row"
        if is_pixel
        else "minx,miny,maxx,maxy, i.e. west,south,east,north"
    )
    if x0 == x1 or y0 == y1:
        raise InputError(f"The box {tuple(box)} has zero area; give it as {order}.")
    if x0 > x1 or y0 > y1:
        raise InputError(
            f"The box {tuple(box)} has its coordinates in the wrong order; give it as {order}."
        )
    return (x0, y0, x1, y1)


def _densified_ring(x0: float, y0: float, x1: float, y1: float) -> Tuple[List[float], List[float]]:
    """Points along the four edges of a box (corners included), ``EDGE_POINTS`` per edge."""
    steps = np.linspace(0.0, 1.0, EDGE_POINTS)
    xs = np.concatenate([x0 + (x1 - x0) * steps, np.full(EDGE_POINTS, x1)])
    xs = np.concatenate([xs, x1 - (x1 - x0) * steps, np.full(EDGE_POINTS, x0)])
    ys = np.concatenate([np.full(EDGE_POINTS, y0), y0 + (y1 - y0) * steps])
    ys = np.concatenate([ys, np.full(EDGE_POINTS, y1), y1 - (y1 - y0) * steps])
    return xs.tolist(), ys.tolist()


def _apply(transform: Affine, xs: Sequence[float], ys: Sequence[float]) -> Tuple[list, list]:
    """Apply an affine to point lists."""
    points = [transform * (x, y) for x, y in zip(xs, ys)]
    return [p[0] for p in points], [p[1] for p in points]


def _bounds(xs: Sequence[float], ys: Sequence[float]) -> Box:
    """Bounding box of points."""
    return (min(xs), min(ys), max(xs), max(ys))


def _canvas_span(origin: float, scale: float, extent: int, size: int) -> Tuple[int, int]:
    """Canvas pixel range [start, stop) whose source pixels lie inside [0, extent)."""
    start = int(np.clip(round((0.0 - origin) / scale), 0, size))
    stop = int(np.clip(round((extent - origin) / scale), 0, size))
    return start, stop


def _unit_square(at: float) -> List[Tuple[float, float]]:
    """Corners of the image pixel whose top-left corner is (at, at)."""
    return [(at, at), (at + 1.0, at), (at + 1.0, at + 1.0), (at, at + 1.0)]


def _stretch(band: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Linear stretch of one band to 0..255 between percentiles of its valid pixels.

    A band whose percentiles coincide (constant or nearly so) shows that value as mid-grey,
    values below as 0 and above as 255, instead of dividing by zero.
    """
    values = band[valid].astype(np.float64)
    if values.size == 0:
        return np.zeros(band.shape, dtype=np.uint8)
    lo, hi = np.percentile(values, STRETCH_PERCENTILES)
    band = band.astype(np.float64)
    if hi > lo:
        scaled = (band - lo) * (255.0 / (hi - lo))
    else:
        scaled = np.where(band > lo, 255.0, np.where(band < lo, 0.0, 128.0))
    return np.nan_to_num(np.clip(np.round(scaled), 0, 255), nan=0.0).astype(np.uint8)
