"""model_core.api: GeoDataFrames equal to the batch command's output, every kind of boxes,
min_score, errors as InputError with the command line's sentence, threads, the docs example."""

import os
import re
import subprocess
import sys
import threading
import warnings

import geopandas as gpd
import matplotlib.image
import numpy as np
import pytest
from helpers import REPO, real
from osgeo import ogr, osr
from shapely import wkb as shapely_wkb
from shapely.geometry import box as shapely_box

from model_core import cli
from model_core.api import Describer, DescribeResult, InputError
from model_core.raster import RasterSource

LAYERS = ("clvnet_objects", "clvnet_relations", "clvnet_prompts")
OUTSIDE = (10.0, 10.0, 10.1, 10.1)  # lon/lat far from cogeo.tif (Korea): skipped


@pytest.fixture(scope="module")
def describer():
    return Describer(device="cpu")


@pytest.fixture(scope="module")
def geo_boxes():
    """Four boxes over cogeo.tif (EPSG:3857) given in EPSG:4326, two sharing a window; the
    bundled model relates the objects it finds in the first (a building west of "water", the
    snow) and the third (three objects, the weakest of all of them among them)."""
    pixel = [(350, 490, 490, 630), (380, 520, 470, 610), (770, 700, 910, 840), (700, 840, 800, 940)]
    with RasterSource(str(real("cogeo"))) as src:
        return [src.pixel_box_to_crs(b, "EPSG:4326") for b in pixel]


@pytest.fixture(scope="module")
def boxes_file(tmp_path_factory, geo_boxes):
    """The four boxes and one outside the raster as a GeoPackage (feature ids 1 to 5)."""
    path = tmp_path_factory.mktemp("boxes") / "boxes.gpkg"
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    layer = ds.CreateLayer("boxes", srs, ogr.wkbPolygon)
    for geo in geo_boxes + [OUTSIDE]:
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometry(ogr.CreateGeometryFromWkb(shapely_box(*geo).wkb))
        layer.CreateFeature(feature)
    ds = None
    return path


@pytest.fixture(scope="module")
def file_result(describer, boxes_file):
    with pytest.warns(UserWarning, match="1 of 5 boxes were skipped"):
        return describer.describe(real("cogeo"), str(boxes_file))


def read_layers(path):
    """Each layer of a written file as a list of (attributes, shapely geometry or None)."""
    ds = ogr.Open(str(path))
    layers = {}
    for name in LAYERS:
        rows = []
        for feature in ds.GetLayerByName(name):
            geometry = feature.GetGeometryRef()
            shape = shapely_wkb.loads(bytes(geometry.ExportToWkb())) if geometry else None
            rows.append((feature.items(), shape))
        layers[name] = rows
    return layers


def frame_rows(frame):
    """The same (attributes, geometry) rows from a result frame."""
    has_geometry = isinstance(frame, gpd.GeoDataFrame)
    columns = [c for c in frame.columns if c != "geometry"]
    return [
        ({c: row[c] for c in columns}, row["geometry"] if has_geometry else None)
        for _, row in frame.iterrows()
    ]


def assert_same_rows(expected, actual, id_shift=0):
    assert len(expected) == len(actual)
    for (want, want_geom), (got, got_geom) in zip(expected, actual):
        assert set(want) == set(got)
        for key, value in want.items():
            value = value + id_shift if key == "box_id" else value
            if isinstance(value, float):
                assert got[key] == pytest.approx(value, rel=1e-9), key
            else:
                assert got[key] == value, key
        if want_geom is None:
            assert got_geom is None
        else:
            assert got_geom.equals_exact(want_geom, tolerance=1e-3)


def batch_layers(boxes_file, out, min_score):
    """The layers ``python -m model_core batch`` writes for the boxes with ``--min-score``."""
    args = ["batch", "--raster", str(real("cogeo")), "--boxes", str(boxes_file), "--out", str(out)]
    assert cli.main([*args, "--min-score", repr(min_score), "--device", "cpu"]) == 0
    return read_layers(out)


def test_results_equal_the_batch_command(boxes_file, file_result, tmp_path, capsys):
    # describe keeps every object unless given min_score; batch hides low scores by default
    written = batch_layers(boxes_file, tmp_path / "batch.gpkg", 0.0)
    assert file_result.skipped.keys() == {5}
    assert sorted(file_result.prompts["box_id"]) == [1, 2, 3, 4]
    assert len(file_result.objects) > 0 and len(file_result.relations) > 0
    assert_same_rows(written["clvnet_objects"], frame_rows(file_result.objects))
    assert_same_rows(written["clvnet_relations"], frame_rows(file_result.relations))
    assert_same_rows(written["clvnet_prompts"], frame_rows(file_result.prompts))
    assert "4 of 5 boxes done" in capsys.readouterr().out


def test_frames_have_the_layer_schema_in_the_raster_crs(file_result):
    objects, relations, prompts = file_result.objects, file_result.relations, file_result.prompts
    assert list(objects.columns) == [
        "box_id", "obj_id", "phrase", "caption", "score", "area_m2", "model", "source", "geometry",
    ]  # fmt: skip
    assert list(relations.columns) == ["box_id", "subj_id", "predicate", "obj_id", "score"]
    assert list(prompts.columns) == ["box_id", "caption", "tagged", "model", "source", "geometry"]
    assert objects.crs.to_epsg() == 3857 and prompts.crs.to_epsg() == 3857
    assert set(objects.geom_type) == {"MultiPolygon"}
    assert objects["box_id"].dtype == np.int64 and relations["subj_id"].dtype == np.int64
    assert (objects["model"] == "clvnet-tiny").all()
    with RasterSource(str(real("cogeo"))) as src:
        left, top = src.transform * (0, 0)
        right, bottom = src.transform * (src.width, src.height)
    x0, y0, x1, y1 = prompts.total_bounds
    assert left <= x0 < x1 <= right and bottom <= y0 < y1 <= top
    assert repr(file_result).startswith("DescribeResult(4 boxes,")


def test_frames_and_lists_in_another_crs_equal_the_file(describer, geo_boxes, file_result):
    frame = gpd.GeoDataFrame(geometry=[shapely_box(*b) for b in geo_boxes], crs="EPSG:4326")
    from_frame = describer.describe(real("cogeo"), frame)
    assert_same_rows(frame_rows(file_result.objects), frame_rows(from_frame.objects), -1)
    assert_same_rows(frame_rows(file_result.prompts), frame_rows(from_frame.prompts), -1)
    from_list = describer.describe(str(real("cogeo")), geo_boxes, box_crs="EPSG:4326")
    assert_same_rows(frame_rows(from_frame.objects), frame_rows(from_list.objects))
    assert_same_rows(frame_rows(from_frame.relations), frame_rows(from_list.relations))


def test_min_score_drops_objects_and_their_relations(describer, boxes_file, file_result, tmp_path):
    """The second-lowest score as threshold drops the weakest object, its [SEG] and its
    relations, as `batch --min-score` does with the same threshold."""
    threshold = float(np.sort(file_result.objects["score"])[1])
    with pytest.warns(UserWarning):
        kept = describer.describe(real("cogeo"), str(boxes_file), min_score=threshold)
    assert (kept.objects["score"] >= threshold).all()
    assert 0 < len(kept.objects) < len(file_result.objects)
    want = file_result.objects[file_result.objects["score"] >= threshold]
    assert sorted(kept.objects["phrase"]) == sorted(want["phrase"])
    for box_id, group in kept.objects.groupby("box_id"):
        assert sorted(group["obj_id"]) == list(range(len(group)))  # numbered again
        named = kept.relations[kept.relations["box_id"] == box_id]
        assert set(named["subj_id"]) | set(named["obj_id"]) <= set(group["obj_id"])
    assert 0 < len(kept.relations) < len(file_result.relations)
    written = batch_layers(boxes_file, tmp_path / "batch.gpkg", threshold)
    for name, frame in zip(LAYERS, (kept.objects, kept.relations, kept.prompts)):
        assert_same_rows(written[name], frame_rows(frame))


def test_to_file_writes_the_three_layers(file_result, tmp_path):
    out = tmp_path / "objects.gpkg"
    out.write_text("an older file")
    assert file_result.to_file(out) == []
    written = read_layers(out)
    assert_same_rows(written["clvnet_objects"], frame_rows(file_result.objects))
    assert_same_rows(written["clvnet_relations"], frame_rows(file_result.relations))
    assert [p.name for p in tmp_path.iterdir()] == ["objects.gpkg"]  # no temporary left


def cli_error(capsys, *argv):
    """The sentence the command line prints for ``argv`` (exit status 2)."""
    assert cli.main(list(argv)) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ")
    return err[len("error: ") :]


def test_bad_input_raises_input_error_with_the_cli_sentence(
    describer, boxes_file, tmp_path, capsys
):
    cogeo = str(real("cogeo"))
    missing = str(tmp_path / "missing.tif")
    with pytest.raises(InputError) as raised:
        describer.describe(missing, [(0, 0, 1, 1)])
    assert str(raised.value) == cli_error(
        capsys, "predict", "--raster", missing, "--box", "0,0,1,1"
    )
    assert isinstance(raised.value, ValueError)

    box = (14322100, 4532680, 14322220, 4532800)
    with pytest.raises(InputError) as raised:
        describer.describe(cogeo, [box], box_crs="EPSG:999999")
    flat = ",".join(str(v) for v in box)
    args = ("predict", "--raster", cogeo, "--box", flat, "--box-crs", "EPSG:999999")
    assert str(raised.value) == cli_error(capsys, *args)

    with pytest.raises(InputError) as raised:
        describer.describe(cogeo, [(0, 0, 1, 1), (5, 5, 6, 6)])
    assert str(raised.value).startswith("None of the 2 boxes can be used (box 0: The box")

    bad_boxes = {
        "a box not in a list": box,
        "an empty list": [],
        "a number": 3,
        "a missing file": str(tmp_path / "none.gpkg"),
    }
    for what, boxes in bad_boxes.items():
        with pytest.raises(InputError, match=r"^[A-Z].*\.$"):
            describer.describe(cogeo, boxes)
            pytest.fail(f"{what} was accepted")
    bad_keywords = [
        ({"min_score": "high"}, "min_score 'high' must be a finite number"),
        ({"context": -1.0}, "context -1.0 must be a finite number of 0 or more"),
        ({"bands": (1, 2)}, "band mapping"),
    ]
    for keyword, sentence in bad_keywords:
        with pytest.raises(InputError, match=re.escape(sentence)):
            describer.describe(cogeo, [box], **keyword)

    with pytest.raises(InputError) as raised:
        describer.describe(cogeo, str(boxes_file), bands=(1, 2, 9))
    args = ("batch", "--raster", cogeo, "--boxes", str(boxes_file), "--bands", "1,2,9")
    assert str(raised.value) == cli_error(capsys, *args, "--out", str(tmp_path / "x.gpkg"))

    empty = tmp_path / "empty_checkpoint"
    empty.mkdir()
    with pytest.raises(InputError) as raised:
        Describer(checkpoint=empty, device="cpu")
    assert str(raised.value) == cli_error(capsys, "info", "--checkpoint", str(empty))


def test_one_describer_serves_several_threads(describer):
    """Concurrent calls wait for each other and give what one call alone gives."""
    box = [(14322300, 4532880, 14322420, 4533000)]
    alone = describer.describe(real("cogeo"), box)
    results, errors = [], []

    def call():
        try:
            results.append(describer.describe(real("cogeo"), box))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == [] and len(results) == 2
    for result in results:
        assert isinstance(result, DescribeResult)
        assert_same_rows(frame_rows(alone.objects), frame_rows(result.objects))
        assert_same_rows(frame_rows(alone.prompts), frame_rows(result.prompts))


def test_the_worked_example_in_docs_runs_as_written(tmp_path):
    """docs/python.md's example, in a folder where ../shared/data/real is the real data."""
    text = (REPO / "docs" / "python.md").read_text(encoding="utf-8")
    code = re.search(r"## Worked example.*?```python\n(.*?)```", text, re.S).group(1)
    work = tmp_path / "repo"
    work.mkdir()
    (tmp_path / "shared").symlink_to(real("cogeo").parents[2], target_is_directory=True)
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert "box_id" in done.stdout and "phrase" in done.stdout
    image = matplotlib.image.imread(str(work / "cogeo_objects.png"))
    assert image.shape[0] > 400 and image.shape[1] > 400
    rgb = image[..., :3]
    yellow = (rgb[..., 0] > 0.9) & (rgb[..., 1] > 0.9) & (rgb[..., 2] < 0.2)
    assert yellow.sum() > 500, "the yellow box outlines are not drawn"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        written = read_layers(work / "cogeo_objects.gpkg")
    assert len(written["clvnet_prompts"]) == 3 and written["clvnet_objects"]
