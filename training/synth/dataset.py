"""Write a synthetic dataset to disk: images, one annotation JSON per record, a manifest.

Layout of ``out_dir``::

    images/000000.png            (or .tif: a georeferenced GeoTIFF with --geotiff)
    annotations/000000_0.json    one record per file, a GeoPixelD-style dict whose "img"
    annotations/000000_1.json    is the image path relative to out_dir
    manifest.json                generator version, seed, counts per class

Scene ``i`` uses the seed ``scene_seed(seed, i) = seed * 100003 + i``, so any subset can be
regenerated alone.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from pathlib import Path
from typing import Dict, Tuple, Union

import numpy as np
from PIL import Image

from model_core.errors import InputError

from .records import GENERATOR_VERSION, make_records
from .scene import generate_scene

SEED_STRIDE = 100003


def scene_seed(seed: int, index: int) -> int:
    """Seed of scene ``index`` of a dataset made with ``seed``."""
    return int(seed) * SEED_STRIDE + int(index)


def write_dataset(
    out_dir: Union[str, Path],
    n: int,
    seed: int,
    size: int = 384,
    geotiff: bool = False,
    crs: str = "EPSG:32633",
    records_per_scene: int = 3,
    gsd: float = 0.5,
) -> Dict:
    """Generate ``n`` scenes and write them (see the module docstring); returns the manifest."""
    if n < 1 or records_per_scene < 1:
        raise InputError("The number of scenes and of records per scene must be at least 1.")
    if seed < 0:
        raise InputError(f"The dataset seed must be a non-negative integer, not {seed}.")
    out = Path(out_dir)
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "annotations").mkdir(parents=True, exist_ok=True)
    georef = _georeference(crs) if geotiff else None
    objects: Counter = Counter()
    scene_types: Counter = Counter()
    n_records = 0
    for i in range(n):
        s = scene_seed(seed, i)
        scene = generate_scene(s, size, gsd)
        name = f"{i:06d}"
        rel = f"images/{name}.{'tif' if geotiff else 'png'}"
        if georef is None:
            Image.fromarray(scene.image).save(out / rel)
        else:
            write_geotiff(out / rel, scene.image, gsd, georef, s)
        for k, rec in enumerate(make_records(scene, s, records_per_scene, rel)):
            (out / "annotations" / f"{name}_{k}.json").write_text(json.dumps(rec), encoding="utf-8")
            n_records += 1
        objects.update(o.kind for o in scene.objects)
        scene_types[scene.scene_type] += 1
    manifest = {
        "generator": GENERATOR_VERSION,
        "seed": int(seed),
        "n": int(n),
        "size": int(size),
        "gsd": float(gsd),
        "scene_seed": f"seed * {SEED_STRIDE} + index",
        "records_per_scene": int(records_per_scene),
        "n_records": n_records,
        "image_format": "GeoTIFF" if geotiff else "PNG",
        "crs": crs if geotiff else None,
        "annotation_layout": "annotations/<image>_<k>.json: one record per file",
        "scene_types": dict(sorted(scene_types.items())),
        "objects_per_class": dict(sorted(objects.items())),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def _georeference(crs: str) -> Tuple[str, float, Tuple[float, float, float, float]]:
    """(WKT, metres per CRS unit, area of use lon/lat) of a projected CRS, checked once."""
    from osgeo import osr

    osr.UseExceptions()
    srs = osr.SpatialReference()
    try:
        srs.SetFromUserInput(crs)
    except RuntimeError as exc:
        raise InputError(f"The CRS {crs!r} is not a CRS that GDAL knows.") from exc
    if not srs.IsProjected():
        raise InputError(f"The GeoTIFF CRS must be a projected CRS, and {crs!r} is not.")
    area = srs.GetAreaOfUse()
    bounds = (
        (-10.0, 35.0, 30.0, 60.0)
        if area is None
        else (
            area.west_lon_degree,
            area.south_lat_degree,
            area.east_lon_degree,
            area.north_lat_degree,
        )
    )
    return srs.ExportToWkt(), float(srs.GetLinearUnits()), bounds


def write_geotiff(path: Path, image: np.ndarray, gsd: float, georef, seed: int) -> None:
    """An RGB GeoTIFF with pixels of ``gsd`` metres, north up, at a plausible origin inside
    the CRS's area of use (drawn from ``seed``, snapped to the pixel grid)."""
    import rasterio
    from affine import Affine
    from osgeo import osr

    wkt, unit, (west, south, east, north) = georef
    rng = random.Random(seed)
    south, north = max(south, -70.0), min(north, 70.0)
    lon = west + (east - west) * rng.uniform(0.3, 0.7)
    lat = south + (north - south) * rng.uniform(0.3, 0.7)
    wgs84, target = osr.SpatialReference(), osr.SpatialReference()
    wgs84.ImportFromEPSG(4326)
    target.ImportFromWkt(wkt)
    for s in (wgs84, target):
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    x, y, _ = osr.CoordinateTransformation(wgs84, target).TransformPoint(lon, lat)
    pixel = gsd / unit
    x0, y0 = math.floor(x / pixel) * pixel, math.floor(y / pixel) * pixel
    h, w = image.shape[:2]
    profile = {
        "driver": "GTiff",
        "height": h,
        "width": w,
        "count": 3,
        "dtype": "uint8",
        "crs": wkt,
        "transform": Affine(pixel, 0.0, x0, 0.0, -pixel, y0),
        "photometric": "RGB",
        "compress": "deflate",
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(np.transpose(image, (2, 0, 1)))
