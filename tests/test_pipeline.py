"""segment_raster_box: georeferenced objects, and a second box in a seen area skips the encoder."""

import pytest
from helpers import real

from model_core.checkpoint import init_checkpoint
from model_core.pipeline import segment_raster_box
from model_core.predictor import Predictor
from model_core.raster import RasterSource


@pytest.fixture(scope="module")
def predictor(tmp_path_factory):
    folder = init_checkpoint("tiny", tmp_path_factory.mktemp("ckpt") / "tiny")
    p = Predictor.from_checkpoint(str(folder), device="cpu")
    p.max_new_tokens = 4
    return p


def test_second_box_in_the_same_area_reuses_the_encoded_window(predictor):
    with RasterSource(str(real("cogeo"))) as src:
        first = segment_raster_box(predictor, src, (300, 300, 500, 500), "pixel")
        assert predictor.encode_count == 1
        segment_raster_box(predictor, src, (340, 320, 480, 470), "pixel")
        assert predictor.encode_count == 1  # same neighbourhood: cached features
        segment_raster_box(predictor, src, (340, 320, 480, 470), "pixel", rgb_bands=(3, 2, 1))
        assert predictor.encode_count == 2  # other bands are other pixels
        segment_raster_box(predictor, src, (10, 10, 60, 60), "pixel")
        assert predictor.encode_count == 3  # elsewhere: a new window
    # The box polygon lands on the box given, in the raster CRS.
    x0, y0 = src.transform * (300, 500)
    x1, y1 = src.transform * (500, 300)
    bx0, by0, bx1, by1 = first.box_geometry.bounds
    assert abs(bx0 - x0) < 1e-6 * abs(x0) + 1e-3 and abs(by1 - y1) < 1e-6 * abs(y1) + 1e-3
    assert first.crs_wkt == src.crs_wkt
    assert {"read", "encode", "caption", "decode", "vectorise"} <= set(first.timing_ms)
