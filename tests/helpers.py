"""Shared test helpers (paths, small checkpoints) importable from any test module."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REAL_DATA = REPO.parent / "shared" / "data" / "real"
REAL_RASTERS = {
    "cogeo": "cogeo.tif",
    "landsat": "RGB.byte.tif",
    "naip": "m_4709963_se_14_1_20200831.tif",
    "berkeley": "berkeley.jpg",
}


def real(name: str) -> Path:
    """Path of a real raster in ../shared/data/real, or skip the test with the reason."""
    path = REAL_DATA / REAL_RASTERS.get(name, name)
    if not path.exists():
        pytest.skip(f"real data {path} is missing (../shared/data/real beside the repository)")
    return path
