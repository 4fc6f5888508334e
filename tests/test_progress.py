"""Progress: a tqdm bar on a terminal, one summary line elsewhere, nothing with quiet; the batch
command's bar, summary line and --quiet."""

import io
import re
import sys

import pytest
from helpers import real
from osgeo import ogr, osr

from model_core import cli
from model_core.checkpoint import init_checkpoint
from model_core.progress import Progress, progress
from model_core.raster import RasterSource


class Terminal(io.StringIO):
    """A text stream that says it is an interactive terminal."""

    def isatty(self) -> bool:
        return True


def test_terminal_gets_a_bar_with_rate_and_time_left():
    stream = Terminal()
    assert list(progress(range(3), desc="tiles", unit="tile", stream=stream)) == [0, 1, 2]
    text = stream.getvalue()
    assert "tiles" in text and "3/3" in text and "100%" in text
    assert re.search(r"tile/s|s/tile", text)  # the rate
    assert re.search(r"<\d\d:\d\d", text)  # the time left
    assert "done in" not in text  # no summary line beside the bar


def test_elsewhere_one_summary_line_at_the_end():
    stream = io.StringIO()
    items = progress(iter(["a", "b"]), total=2, desc="tiles", unit="tile", stream=stream)
    assert next(items) == "a"
    assert stream.getvalue() == ""  # nothing while running
    assert list(items) == ["b"]
    (line,) = stream.getvalue().splitlines()
    assert re.fullmatch(r"tiles: 2 of 2 done in \d+\.\d s \(\d+\.\d\d tile/s\)", line)


def test_quiet_prints_nothing_anywhere():
    for stream in (Terminal(), io.StringIO()):
        assert list(progress([1, 2], quiet=True, stream=stream)) == [1, 2]
        with Progress("boxes", quiet=True, stream=stream) as counter:
            counter(1, 2)
        assert stream.getvalue() == ""


def test_callback_counts_and_closes_once():
    stream = io.StringIO()
    counter = Progress("boxes", unit="box", stream=stream)
    counter(0, 4)
    counter(3)
    counter.advance()
    assert (counter.done, counter.total) == (4, 4)
    counter.close()
    counter.close()
    assert stream.getvalue().count("boxes: 4 of 4 done") == 1


@pytest.fixture(scope="module")
def batch_args(tmp_path_factory):
    """A batch command over three boxes of cogeo.tif with untrained tiny weights (short
    captions: untrained, they would run to the longest)."""
    folder = tmp_path_factory.mktemp("progress")
    checkpoint = init_checkpoint("tiny", folder / "tiny", seed=5)
    boxes = folder / "boxes.gpkg"
    with RasterSource(str(real("cogeo"))) as src:
        geo = [src.pixel_box_to_crs((100 + 200 * k, 300, 180 + 200 * k, 380)) for k in range(3)]
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(3857)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(boxes))
    layer = ds.CreateLayer("boxes", srs, ogr.wkbPolygon)
    for x0, y0, x1, y1 in geo:
        feature = ogr.Feature(layer.GetLayerDefn())
        ring = f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))"
        feature.SetGeometry(ogr.CreateGeometryFromWkt(ring))
        layer.CreateFeature(feature)
    ds = None
    return [
        "batch", "--raster", str(real("cogeo")), "--boxes", str(boxes),
        "--checkpoint", str(checkpoint), "--device", "cpu", "--overwrite", "--max-tokens", "6",
    ]  # fmt: skip


def test_batch_draws_a_bar_on_a_terminal(batch_args, tmp_path, monkeypatch, capsys):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert cli.main([*batch_args, "--out", str(tmp_path / "a.gpkg")]) == 0
    bar = terminal.getvalue()
    assert "boxes" in bar and "3/3" in bar and re.search(r"box/s|s/box", bar)
    assert "3 of 3 boxes done" in capsys.readouterr().out


def test_batch_elsewhere_prints_only_the_summary(batch_args, tmp_path, capsys):
    assert cli.main([*batch_args, "--out", str(tmp_path / "b.gpkg")]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert len(out.splitlines()) == 1 and "3 of 3 boxes done" in out


def test_batch_quiet_prints_nothing(batch_args, tmp_path, monkeypatch, capsys):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert cli.main([*batch_args, "--out", str(tmp_path / "c.gpkg"), "--quiet"]) == 0
    assert terminal.getvalue() == "" and capsys.readouterr() == ("", "")
    assert (tmp_path / "c.gpkg").is_file()
