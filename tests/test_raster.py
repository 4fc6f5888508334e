"""RasterSource: box CRSs, windows, bands, stretching, nodata and bad input on real rasters."""

import math
import warnings
from pathlib import Path

import numpy as np
import pytest
import rasterio
import rasterio.io
from affine import Affine
from osgeo import osr
from rasterio.crs import CRS

from model_core.errors import InputError
from model_core.raster import RasterSource
from model_core.window import context_window

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"


def real(name: str) -> str:
    """Path of a real raster, or skip when ../shared is missing."""
    path = REAL / name
    if not path.exists():
        pytest.skip(f"real test data {path} is missing (../shared beside the repository)")
    return str(path)


COGEO = "cogeo.tif"
LANDSAT = "RGB.byte.tif"
NAIP = "m_4709963_se_14_1_20200831.tif"
BERKELEY = "berkeley.jpg"


def _write_tif(path, data, crs="EPSG:32633", transform=None, nodata=None):
    """Write a (bands, rows, cols) array as a GeoTIFF."""
    transform = transform or Affine(10.0, 0.0, 500000.0, 0.0, -10.0, 5000000.0)
    profile = dict(
        driver="GTiff",
        width=data.shape[2],
        height=data.shape[1],
        count=data.shape[0],
        dtype=data.dtype,
        crs=crs,
        transform=transform,
        nodata=nodata,
    )
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
    return str(path)


def _lonlat_to_pixels(dataset, lons, lats):
    """Independent reference: GDAL/OSR transform EPSG:4326 -> raster CRS, then ~transform."""
    src = osr.SpatialReference()
    src.ImportFromEPSG(4326)
    dst = osr.SpatialReference()
    dst.ImportFromWkt(dataset.crs.to_wkt())
    for srs in (src, dst):
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ct = osr.CoordinateTransformation(src, dst)
    points = [ct.TransformPoint(lon, lat)[:2] for lon, lat in zip(lons, lats)]
    pixels = [~dataset.transform * p for p in points]
    return [p[0] for p in pixels], [p[1] for p in pixels]


# -- box CRSs -----------------------------------------------------------------------------------


def test_epsg4326_box_on_web_mercator_raster_reads_the_right_window():
    path = real(COGEO)
    lon0, lat0, lon1, lat1 = 128.6570, 37.6685, 128.6578, 37.6692
    with rasterio.open(path) as ds:
        edge = np.linspace(0, 1, 11)
        lons = np.concatenate(
            [
                lon0 + (lon1 - lon0) * edge,
                np.full(11, lon1),
                lon1 - (lon1 - lon0) * edge,
                np.full(11, lon0),
            ]
        )
        lats = np.concatenate(
            [
                np.full(11, lat0),
                lat0 + (lat1 - lat0) * edge,
                np.full(11, lat1),
                lat1 - (lat1 - lat0) * edge,
            ]
        )
        cols, rows = _lonlat_to_pixels(ds, lons, lats)
    expected = (min(cols), min(rows), max(cols), max(rows))
    assert 0 < expected[0] < expected[2] < 1024 and 0 < expected[1] < expected[3] < 1024

    with RasterSource(path) as src:
        pixel_box = src.box_to_pixels((lon0, lat0, lon1, lat1), "EPSG:4326")
        win = src.read_window((lon0, lat0, lon1, lat1), "EPSG:4326", context=0.5, size=128)
        same = src.read_window(expected, "pixel", context=0.5, size=128)
    assert pixel_box == pytest.approx(expected, abs=1e-3)
    wx0, wy0, wx1, wy1 = context_window(expected, 0.5)
    assert win.window == (round(wx0), round(wy0), round(wx1 - wx0), round(wy1 - wy0))
    np.testing.assert_array_equal(win.image, same.image)
    # The canvas box maps back to the box's map coordinates through the window transform.
    with rasterio.open(path) as ds:
        top_left = ds.transform * expected[:2]
        pixel_size = ds.transform.a
    assert win.transform * win.box[:2] == pytest.approx(top_left, abs=1e-3)
    assert win.crs_wkt is not None and CRS.from_wkt(win.crs_wkt) == CRS.from_epsg(3857)
    assert Path(win.source).resolve() == Path(path).resolve()
    assert win.transform.a == pytest.approx(pixel_size * (wx1 - wx0) / 128)
    # Ground area: Web Mercator map area shrunk by cos^2(lat) (1 - e^2) / (1 - e^2 sin^2 lat)^2.
    e2, lat = 0.00669437999014, math.radians((lat0 + lat1) / 2)
    factor = math.cos(lat) ** 2 * (1 - e2) / (1 - e2 * math.sin(lat) ** 2) ** 2
    assert win.pixel_area_m2 == pytest.approx(win.transform.a**2 * factor, rel=1e-4)
    assert win.valid.all()


def test_box_in_raster_crs_and_reprojected_bounds_contain_curved_edges():
    with RasterSource(real(LANDSAT)) as src:
        pixel_box = (300.0, 200.0, 500.0, 400.0)
        map_box = src.pixel_box_to_crs(pixel_box)
        assert src.box_to_pixels(map_box) == pytest.approx(pixel_box, abs=1e-6)
        lonlat = src.pixel_box_to_crs(pixel_box, "EPSG:4326")
        back = src.box_to_pixels(lonlat, "EPSG:4326")
    # UTM and lon/lat grids are rotated against each other: the lon/lat box's footprint holds
    # the pixel box.
    assert back[0] <= pixel_box[0] and back[1] <= pixel_box[1]
    assert back[2] >= pixel_box[2] and back[3] >= pixel_box[3]
    assert back[2] - back[0] < 1.2 * (pixel_box[2] - pixel_box[0])


# -- nodata, stretching, bands ------------------------------------------------------------------


def test_landsat_nodata_border_is_black_and_invalid():
    path = real(LANDSAT)
    with rasterio.open(path) as ds:
        valid_fraction = (ds.read_masks(1) > 0).mean()
    with RasterSource(path) as src:
        win = src.read_window((0, 0, 791, 718), "pixel", context=0.0, size=256)
    assert not win.valid[0, 0] and not win.valid[-1, -1]
    assert not win.valid[:11, :].any()  # padding: 36.5 source rows above (square window)
    assert win.valid[128, 128]
    np.testing.assert_array_equal(win.image[~win.valid], 0)
    assert (win.image[win.valid].max(axis=-1) > 0).mean() > 0.99
    raster_rows = slice(round(36.5 * 256 / 791), round((36.5 + 718) * 256 / 791))
    assert win.valid[raster_rows].mean() == pytest.approx(valid_fraction, abs=0.02)


def test_16bit_stretch_excludes_nodata_from_statistics(tmp_path):
    path = real(LANDSAT)
    with rasterio.open(path) as ds:
        data = ds.read(window=rasterio.windows.Window(0, 0, 718, 718)).astype(np.uint16) * 200
        transform = ds.transform
        crs = ds.crs
    tif = _write_tif(tmp_path / "landsat16.tif", data, crs=crs, transform=transform, nodata=0)
    with RasterSource(tif) as src:
        win = src.read_window(
            (0, 0, 718, 718), "pixel", context=0.0, size=718
        )  # 1:1, no resampling
    valid = np.all(data > 0, axis=0)
    np.testing.assert_array_equal(win.valid, valid)
    for band in range(3):
        values = data[band][valid].astype(float)
        lo, hi = np.percentile(values, [2, 98])
        assert np.percentile(data[band].astype(float), 2) == 0 < lo  # nodata would drag lo to 0
        expected = np.clip(np.round((data[band] - lo) * 255.0 / (hi - lo)), 0, 255)
        got = win.image[..., band].astype(float)
        assert np.abs(got[valid] - expected[valid]).max() <= 1
        assert got[~valid].max() == 0


def test_synthetic_16bit_geotiff_is_stretched_by_percentiles(tmp_path):
    ramp = np.tile(np.linspace(1000, 51000, 100), (100, 1)).astype(np.uint16)
    ramp[0, :5] = 65000  # outliers above the 98th percentile
    data = np.stack([ramp, ramp // 2, ramp.T])
    tif = _write_tif(tmp_path / "ramp16.tif", data)
    with RasterSource(tif) as src:
        assert src.dtypes == ("uint16",) * 3
        win = src.read_window((0, 0, 100, 100), "pixel", context=0.0, size=100)
    assert win.image.dtype == np.uint8
    for band in range(3):
        lo, hi = np.percentile(data[band].astype(float), [2, 98])
        expected = np.clip(np.round((data[band] - lo) * 255.0 / (hi - lo)), 0, 255)
        assert np.abs(win.image[..., band].astype(float) - expected).max() <= 1
        assert win.image[..., band].min() == 0 and win.image[..., band].max() == 255
    assert (win.image[0, :5, 0] == 255).all()
    assert win.valid.all()


def test_constant_and_nan_float_bands_do_not_divide_by_zero(tmp_path):
    data = np.full((1, 50, 50), 7.5, dtype=np.float32)
    data[0, 10:20, 10:20] = np.nan
    tif = _write_tif(tmp_path / "flat.tif", data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with RasterSource(tif) as src:
            win = src.read_window((0, 0, 50, 50), "pixel", context=0.0, size=50)
    assert not win.valid[10:20, 10:20].any()
    assert win.valid.sum() == 2500 - 100
    np.testing.assert_array_equal(win.image[win.valid], 128)  # one band, shown as grey
    np.testing.assert_array_equal(win.image[~win.valid], 0)


def test_naip_band_mapping():
    with RasterSource(real(NAIP)) as src:
        assert src.count == 4
        rgb = src.read_window((300, 200, 500, 400), "pixel", size=128)
        cir = src.read_window((300, 200, 500, 400), "pixel", size=128, rgb_bands=(4, 3, 2))
        with pytest.raises(InputError, match="Band 5"):
            src.read_window((300, 200, 500, 400), "pixel", rgb_bands=(1, 2, 5))
    assert not np.array_equal(rgb.image, cir.image)
    np.testing.assert_array_equal(cir.image[..., 1], rgb.image[..., 2])  # band 3
    np.testing.assert_array_equal(cir.image[..., 2], rgb.image[..., 1])  # band 2
    assert np.abs(cir.image[..., 0].astype(int) - rgb.image[..., 0]).mean() > 10  # NIR != red


def test_single_band_is_grey(tmp_path):
    data = (np.arange(64 * 64).reshape(1, 64, 64) % 256).astype(np.uint8)
    tif = _write_tif(tmp_path / "grey.tif", data)
    with RasterSource(tif) as src:
        win = src.read_window((0, 0, 64, 64), "pixel", context=0.0, size=64)
    np.testing.assert_array_equal(win.image[..., 0], data[0])
    np.testing.assert_array_equal(win.image[..., 0], win.image[..., 2])


def test_geographic_raster_pixel_area(tmp_path):
    data = np.ones((3, 40, 40), dtype=np.uint8)
    transform = Affine(0.0001, 0.0, 10.0, 0.0, -0.0001, 45.002)
    tif = _write_tif(tmp_path / "geo.tif", data, crs="EPSG:4326", transform=transform)
    with RasterSource(tif) as src:
        win = src.read_window((0, 0, 40, 40), "pixel", context=0.0, size=40)
    # At 45 N on WGS 84 one degree is about 78,847 m east-west and 111,132 m north-south.
    assert win.pixel_area_m2 == pytest.approx(7.8847 * 11.1132, rel=0.01)


# -- no georeference ----------------------------------------------------------------------------


def test_berkeley_jpeg_uses_pixel_boxes_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        src = RasterSource(real(BERKELEY))
        win = src.read_window((100, 200, 400, 350), size=64)  # no CRS -> pixels
        same = src.read_window((100, 200, 400, 350), "pixel", size=64)
    with src:
        assert not src.is_georeferenced and src.crs_wkt is None
        assert (src.width, src.height) == (1311, 771)
        with pytest.raises(InputError, match="no georeference.*--box-crs pixel"):
            src.box_to_pixels((-122.26, 37.87, -122.25, 37.88), "EPSG:4326")
    np.testing.assert_array_equal(win.image, same.image)
    assert win.crs_wkt is None and win.pixel_area_m2 is None
    assert win.transform * win.box[:2] == pytest.approx((100.0, 200.0))
    assert win.transform * win.box[2:] == pytest.approx((400.0, 350.0))


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "box, box_crs, message",
    [
        ((500, 100, 100, 500), "pixel", "wrong order"),
        ((100, 500, 500, 100), "pixel", "wrong order"),
        ((100, 100, 100, 500), "pixel", "zero area"),
        ((100, 300, 500, 300), "pixel", "zero area"),
        ((2000, 2000, 2100, 2100), "pixel", "entirely outside"),
        ((-300, 10, -10, 500), "pixel", "entirely outside"),
        ((10, 20, 30), "pixel", "four numbers"),
        ((0, float("nan"), 10, 10), "pixel", "finite"),
        # Map CRSs: y0 < y1 means south < north; checked before any reprojection.
        ((14322000, 4532800, 14322100, 4532700), None, "wrong order"),
        ((128.66, 37.67, 128.65, 37.68), "EPSG:4326", "wrong order"),
        ((128.65, 37.68, 128.66, 37.67), "EPSG:4326", "wrong order"),
        ((2.0, 48.0, 2.1, 48.1), "EPSG:4326", "entirely outside"),
        # metres given as degrees: PROJ refuses a latitude of 1940 (was an internal error)
        ((1010.0, 1940.0, 1060.0, 1990.0), "EPSG:4326", "cannot be transformed"),
        ((128.65, 37.67, 128.66, 37.68), "EPSG:999999", "unknown"),
        ((128.65, 37.67, 128.66, 37.68), "not a crs", "unknown"),
    ],
)
def test_bad_boxes_raise_input_error(box, box_crs, message):
    with RasterSource(real(COGEO)) as src, pytest.raises(InputError, match=message):
        src.read_window(box, box_crs)


def test_unopenable_raster_raises_input_error(tmp_path):
    with pytest.raises(InputError, match="GDAL cannot open the raster"):
        RasterSource(str(tmp_path / "missing.tif"))
    text = tmp_path / "notes.tif"
    text.write_text("not a raster")
    with pytest.raises(InputError, match="GDAL cannot open the raster"):
        RasterSource(str(text))


# -- reading only the window ----------------------------------------------------------------


def test_partly_outside_box_reads_only_the_window_inside_the_raster(monkeypatch):
    reads = []
    original = rasterio.io.DatasetReader.read

    def spy(self, *args, **kwargs):
        reads.append((kwargs["window"], kwargs["out_shape"]))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(rasterio.io.DatasetReader, "read", spy)
    with RasterSource(real(COGEO)) as src:
        win = src.read_window((900, 950, 1100, 1050), "pixel", context=0.5, size=100)
    assert len(reads) == 1
    window, out_shape = reads[0]
    # Context window: side 400 centred on (1000, 1000) -> cols/rows 800..1200, 4 px per pixel.
    assert (window.col_off, window.row_off) == pytest.approx((800.0, 800.0))
    assert (window.width, window.height) == pytest.approx((224.0, 224.0))
    assert out_shape == (3, 56, 56)
    assert win.window == (800, 800, 400, 400)
    assert win.valid[:56, :56].all() and not win.valid[56:, :].any()
    assert not win.valid[:, 56:].any()
    assert win.box == pytest.approx((25.0, 37.5, 75.0, 62.5))
