"""Pixels of a non-file layer: an XYZ tile layer over a local folder of PNG tiles made from a
real raster, rendered by QGIS (on the main thread and on a worker thread), compared with the
windowed GDAL read of the raster itself."""

import math
from pathlib import Path

import numpy as np
import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsMapRendererCustomPainterJob,
    QgsMapSettings,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QSize, Qt, QThread
from qgis.PyQt.QtGui import QColor, QImage, QPainter

from clvnet_qgis.pixels import file_path, prepare_window, read_window

ZOOM = 17
ORIGIN = 20037508.342789244
TILE = 2 * ORIGIN / 2**ZOOM  # metres per tile at ZOOM


def make_tiles(layer: QgsRasterLayer, folder: Path) -> int:
    """Render ``layer`` (EPSG:3857) into XYZ PNG tiles of zoom ``ZOOM``; returns the count."""
    ext = layer.extent()
    xs = range(
        math.floor((ext.xMinimum() + ORIGIN) / TILE),
        math.floor((ext.xMaximum() + ORIGIN) / TILE) + 1,
    )
    ys = range(
        math.floor((ORIGIN - ext.yMaximum()) / TILE),
        math.floor((ORIGIN - ext.yMinimum()) / TILE) + 1,
    )
    for x in xs:
        for y in ys:
            left, top = x * TILE - ORIGIN, ORIGIN - y * TILE
            settings = QgsMapSettings()
            settings.setLayers([layer])
            settings.setDestinationCrs(layer.crs())
            settings.setOutputSize(QSize(256, 256))
            settings.setExtent(QgsRectangle(left, top - TILE, left + TILE, top))
            settings.setBackgroundColor(QColor(0, 0, 0, 0))
            image = QImage(256, 256, QImage.Format_ARGB32)
            image.fill(Qt.transparent)
            painter = QPainter(image)
            QgsMapRendererCustomPainterJob(settings, painter).renderSynchronously()
            painter.end()
            target = folder / str(ZOOM) / str(x) / f"{y}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            assert image.save(str(target))
    return len(xs) * len(ys)


@pytest.fixture()
def xyz_layer(cogeo_layer, tmp_path) -> QgsRasterLayer:
    assert make_tiles(cogeo_layer, tmp_path) >= 4
    url = f"file://{tmp_path}/{{z}}/{{x}}/{{y}}.png"
    layer = QgsRasterLayer(f"type=xyz&url={url}&zmin={ZOOM}&zmax={ZOOM}", "tiles", "wms")
    assert layer.isValid(), layer.error().message()
    QgsProject.instance().addMapLayer(layer)
    return layer


def centre_box(layer: QgsRasterLayer, fraction: float = 0.3) -> QgsRectangle:
    ext = layer.extent()
    cx, cy = ext.center().x(), ext.center().y()
    half = fraction * ext.width() / 2
    return QgsRectangle(cx - half, cy - half * 0.8, cx + half, cy + half * 0.8)


def grey(image: np.ndarray) -> np.ndarray:
    return image.astype(np.float64).mean(axis=2)


def check_against_file(window, reference) -> None:
    """Not blank, georeferenced like the file read, and showing the same ground."""
    assert window.image.shape == (256, 256, 3) and window.image.dtype == np.uint8
    assert window.valid.mean() > 0.95
    assert grey(window.image).std() > 10  # a real aerial scene, not a blank tile
    assert QgsCoordinateReferenceSystem.fromWkt(window.crs_wkt).authid() == "EPSG:3857"
    for got, want in zip(window.transform, reference.transform):
        assert got == pytest.approx(want, rel=1e-6, abs=1e-3)
    assert window.box == pytest.approx(reference.box, abs=0.01)
    a, b = grey(window.image), grey(reference.image)
    assert np.corrcoef(a.ravel(), b.ravel())[0, 1] > 0.8
    # Shifting either image by a tenth of the window loses the match: the georeference matters.
    assert np.corrcoef(a[:, 25:].ravel(), b[:, :-25].ravel())[0, 1] < 0.7


def test_xyz_tiles_render_with_the_right_georeference(cogeo_layer, xyz_layer):
    assert file_path(cogeo_layer) is not None and file_path(xyz_layer) is None
    box = centre_box(cogeo_layer)
    reference = read_window(cogeo_layer, box, 256, context=0.5)
    window = read_window(xyz_layer, box, 256, context=0.5)
    check_against_file(window, reference)
    assert window.source.startswith(xyz_layer.id())
    assert window.pixel_area_m2 == pytest.approx(reference.pixel_area_m2, rel=1e-3)


class _ReadThread(QThread):
    """Reads a prepared window on a worker thread, as the plugin's worker does."""

    def __init__(self, request) -> None:
        super().__init__()
        self.request = request
        self.window = None

    def run(self) -> None:
        self.window = self.request.read(256)
        self.request.render_layer = None


def test_xyz_tiles_render_on_a_worker_thread(cogeo_layer, xyz_layer, wait_until):
    box = centre_box(cogeo_layer, 0.4)
    request = prepare_window(xyz_layer, box, context=0.25)
    assert request.render_layer is not None and request.path is None
    thread = _ReadThread(request)
    request.render_layer.moveToThread(thread)
    thread.start()
    wait_until(thread.isFinished, 30, "the worker thread's render")
    check_against_file(thread.window, read_window(cogeo_layer, box, 256, context=0.25))


def test_file_without_georeference_maps_to_the_layer_pixels(qgis_new_project):
    from model_core.raster import RasterSource

    path = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real" / "berkeley.jpg"
    if not path.is_file():
        pytest.skip(f"real data {path} is missing")
    layer = QgsRasterLayer(str(path), "berkeley")
    assert layer.isValid() and not layer.crs().isValid()
    box = QgsRectangle(400, -500, 700, -300)  # QGIS shows the JPEG at x = col, y = -row
    window = read_window(layer, box, 128, context=0.5)
    assert window.crs_wkt is None
    x0, y0, x1, y1 = window.box
    assert window.transform * (x0, y0) == pytest.approx((400, -300), abs=1e-6)
    assert window.transform * (x1, y1) == pytest.approx((700, -500), abs=1e-6)
    with RasterSource(str(path)) as source:
        direct = source.read_window((400, 300, 700, 500), "pixel", context=0.5, size=128)
    assert np.array_equal(window.image, direct.image)
