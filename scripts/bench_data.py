"""Benchmark inputs: large tiled GeoTIFFs made fast from a few textures, and realistic boxes.

The rasters are written block by block from a handful of pre-made 512 px aerial-like textures
(DEFLATE, tiled), so a 30,000 px square scene takes seconds and little disk; they live in a
temporary folder and are never committed.
"""

from pathlib import Path
from typing import List, Tuple

import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()

Box = Tuple[float, float, float, float]

BLOCK = 512
TEXTURES = 6
PIXEL_SIZE_M = 0.5
# Upper-left corner of the generated scenes in EPSG:3857 (metres), somewhere over land.
ORIGIN = (-13_600_000.0, 4_560_000.0)


def make_textures(count: int = TEXTURES, seed: int = 0) -> List[np.ndarray]:
    """``count`` aerial-like RGB textures, each uint8 (3, BLOCK, BLOCK) band-first.

    Smooth ground (low-frequency noise), a road and some bright roofs with shadows, so the
    encoder sees structure and DEFLATE still compresses well.
    """
    rng = np.random.default_rng(seed)
    textures = []
    for _ in range(count):
        coarse = rng.uniform(60, 140, size=(3, 9, 9))
        ramp = np.linspace(0, 8, BLOCK)
        ground = np.stack([_bilinear(coarse[c], ramp) for c in range(3)])
        image = np.round(ground / 4) * 4  # quantised: DEFLATE keeps the file small
        row = int(rng.integers(40, BLOCK - 40))
        image[:, row : row + 24, :] = 70  # an east-west road
        for _ in range(int(rng.integers(4, 10))):
            w, h = (int(v) for v in rng.integers(20, 90, size=2))
            x, y = (int(v) for v in rng.integers(0, BLOCK - 100, size=2))
            image[:, y + 6 : y + h + 6, x + 6 : x + w + 6] *= 0.5  # shadow
            image[:, y : y + h, x : x + w] = rng.uniform(170, 240, size=(3, 1, 1))  # roof
        textures.append(np.clip(image, 0, 255).astype(np.uint8))
    return textures


def _bilinear(grid: np.ndarray, ramp: np.ndarray) -> np.ndarray:
    """Bilinear upsampling of a small (n, n) grid at fractional positions ``ramp``."""
    i0 = np.clip(np.floor(ramp).astype(int), 0, grid.shape[0] - 2)
    f = (ramp - i0)[:, None]
    rows = grid[i0] * (1 - f) + grid[i0 + 1] * f  # (len, n)
    g = (ramp - i0)[None, :]
    return rows[:, i0] * (1 - g) + rows[:, i0 + 1] * g


def write_tiled_geotiff(path: Path, size: int, textures: List[np.ndarray]) -> Path:
    """A ``size`` x ``size`` 3-band uint8 GeoTIFF (EPSG:3857, 0.5 m pixels), tiled 512 px,
    DEFLATE, each block a texture chosen by its position; never holds more than one block."""
    options = [
        "TILED=YES",
        f"BLOCKXSIZE={BLOCK}",
        f"BLOCKYSIZE={BLOCK}",
        "COMPRESS=DEFLATE",
        "ZLEVEL=1",
        "PREDICTOR=2",
        "BIGTIFF=IF_SAFER",
        "NUM_THREADS=ALL_CPUS",
    ]
    ds = gdal.GetDriverByName("GTiff").Create(str(path), size, size, 3, gdal.GDT_Byte, options)
    ds.SetGeoTransform((ORIGIN[0], PIXEL_SIZE_M, 0.0, ORIGIN[1], 0.0, -PIXEL_SIZE_M))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(3857)
    ds.SetProjection(srs.ExportToWkt())
    for by in range(0, size, BLOCK):
        for bx in range(0, size, BLOCK):
            texture = textures[(bx // BLOCK * 7 + by // BLOCK * 13) % len(textures)]
            w, h = min(BLOCK, size - bx), min(BLOCK, size - by)
            block = np.ascontiguousarray(texture[:, :h, :w])
            ds.WriteRaster(bx, by, w, h, block.tobytes(), band_list=[1, 2, 3])
    ds.FlushCache()
    ds = None
    return path


def place_boxes(size: int, count: int, seed: int = 0) -> List[Box]:
    """``count`` pixel boxes over a ``size`` px square raster, placed as analysts place them.

    Three quarters are clustered: a few areas of interest (one per ~60 boxes, at least 3), each
    drawing boxes of 96-256 px whose centres scatter normally (sigma 300 px) around the area's
    centre. The last quarter is spread uniformly over the raster. Every box lies inside it.
    """
    rng = np.random.default_rng(seed)
    areas = rng.uniform(0.1 * size, 0.9 * size, size=(max(3, count // 60), 2))
    clustered = int(round(count * 0.75))
    boxes: List[Box] = []
    for k in range(count):
        side = float(rng.uniform(96, 256))
        w, h = side, side * float(rng.uniform(0.7, 1.0))
        if k < clustered:
            cx, cy = areas[k % len(areas)] + rng.normal(0, 300, size=2)
        else:
            cx, cy = rng.uniform(0, size, size=2)
        cx = float(np.clip(cx, w / 2, size - w / 2))
        cy = float(np.clip(cy, h / 2, size - h / 2))
        boxes.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    return boxes


PLACEMENT = (
    "three quarters clustered around a few areas of interest (one area per ~60 boxes, at "
    "least 3; box centres normal around the area centre, sigma 300 px), one quarter spread "
    "uniformly; box sides 96-256 px, aspect 0.7-1.0; seeded, so every run uses the same boxes"
)
