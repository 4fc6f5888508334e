"""``python -m model_core``: predict on the four real rasters, info, init, and every bad input."""

import json
import os
import shutil
import subprocess
import sys

import pytest
import torch
from helpers import REPO, real
from osgeo import ogr

from model_core.checkpoint import init_checkpoint
from model_core.cli import main
from model_core.raster import RasterSource

OBJECT_FIELDS = {"box_id", "obj_id", "phrase", "caption", "score", "area_m2", "model", "source"}


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """An untrained tiny checkpoint: mechanics only, its captions mean nothing."""
    return init_checkpoint("tiny", tmp_path_factory.mktemp("ckpt") / "tiny")


def cogeo_box():
    """Arguments of a valid pixel box on cogeo.tif, for tests about everything else."""
    return ["--raster", real("cogeo"), "--box", "10,10,200,200", "--box-crs", "pixel"]


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "name,box,box_crs",
    [
        ("cogeo", "100,100,400,400", "pixel"),
        ("landsat", "300,250,500,450", "pixel"),
        ("naip", "200,200,420,400", "pixel"),
        ("berkeley", "500,300,700,450", "pixel"),
    ],
)
def test_predict_writes_a_geopackage_on_each_real_raster(
    capsys, tmp_path, checkpoint, name, box, box_crs
):
    out = tmp_path / f"{name}.gpkg"
    code, stdout, err = run(
        capsys,
        "predict",
        "--raster",
        real(name),
        "--box",
        box,
        "--box-crs",
        box_crs,
        "--checkpoint",
        checkpoint,
        "--out",
        out,
        "--json",
        "--max-tokens",
        "8",
    )
    assert code == 0, err
    result = json.loads(stdout)
    assert {"caption", "objects", "relations", "timing_ms"} <= set(result)
    ds = ogr.Open(str(out))
    names = {ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())}
    assert {"clvnet_objects", "clvnet_relations", "clvnet_prompts"} <= names
    layer = ds.GetLayerByName("clvnet_objects")
    defn = layer.GetLayerDefn()
    assert {defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())} >= OBJECT_FIELDS
    prompts = ds.GetLayerByName("clvnet_prompts")
    assert prompts.GetFeatureCount() == 1
    if name != "berkeley":
        assert layer.GetSpatialRef() is not None


def test_predict_with_a_geographic_box_on_a_web_mercator_raster(capsys, checkpoint):
    # cogeo.tif is EPSG:3857; a lon/lat box inside it must be reprojected, not refused.
    from model_core.raster import RasterSource

    with RasterSource(str(real("cogeo"))) as src:
        lon_lat = src.pixel_box_to_crs((300, 300, 600, 600), "EPSG:4326")
    box = ",".join(f"{v:.6f}" for v in lon_lat)
    code, stdout, err = run(
        capsys,
        "predict",
        "--raster",
        real("cogeo"),
        "--box",
        box,
        "--box-crs",
        "EPSG:4326",
        "--checkpoint",
        checkpoint,
        "--json",
        "--max-tokens",
        "4",
    )
    assert code == 0, err


def test_info_prints_config_and_parameter_count(capsys, checkpoint):
    code, out, _ = run(capsys, "info", "--checkpoint", checkpoint)
    assert code == 0
    assert "clvnet-tiny" in out and "parameters:" in out and "not trained" in out.lower()


def test_init_refuses_a_non_empty_folder(capsys, checkpoint):
    code, _, err = run(capsys, "init", "--preset", "tiny", "--out", checkpoint)
    assert code == 2 and "--overwrite" in err


def _corrupt(tmp_path, checkpoint, how):
    bad = tmp_path / f"bad_{how}"
    shutil.copytree(checkpoint, bad)
    if how == "missing":
        shutil.rmtree(bad)
    elif how == "incomplete":
        (bad / "tokenizer.json").unlink()
    elif how == "truncated":
        data = (bad / "model.safetensors").read_bytes()
        (bad / "model.safetensors").write_bytes(data[: len(data) // 3])
    elif how == "version":
        cfg = json.loads((bad / "config.json").read_text())
        cfg["format_version"] = 0
        (bad / "config.json").write_text(json.dumps(cfg))
    return bad


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--box", "9000,9000,9500,9500", "--box-crs", "pixel", "--raster", "cogeo"], "outside"),
        (["--box", "100,100,100,200", "--box-crs", "pixel", "--raster", "cogeo"], "zero area"),
        (["--box", "300,100,100,200", "--box-crs", "pixel", "--raster", "cogeo"], "order"),
        (["--box", "1,2,3", "--raster", "cogeo"], "four numbers"),
        (["--box", "0,0,1,1", "--box-crs", "EPSG:999999", "--raster", "cogeo"], "EPSG"),
        (
            ["--box", "10,10,50,50", "--box-crs", "EPSG:4326", "--raster", "berkeley"],
            "georeference",
        ),
        (
            ["--box", "10,10,50,50", "--box-crs", "pixel", "--raster", "cogeo", "--bands", "1,2,9"],
            "band",
        ),
    ],
)
def test_bad_boxes_and_rasters_exit_2_with_one_line(capsys, tmp_path, checkpoint, args, needle):
    args = [real(a) if i and args[i - 1] == "--raster" else a for i, a in enumerate(args)]
    out = tmp_path / "keep.gpkg"
    out.write_bytes(b"previous result")
    code, _, err = run(capsys, "predict", *args, "--checkpoint", checkpoint, "--out", out)
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1
    assert needle.lower() in err.lower()
    assert out.read_bytes() == b"previous result"  # a failed run never destroys an output


@pytest.mark.parametrize(
    "args",
    [
        ["--box", "0,0,5000,5000", "--box-crs", "pixel", "--raster", "berkeley"],  # clipped
        ["--box", "10,10,50,50", "--raster", "berkeley"],  # no CRS: pixel box by default
    ],
)
def test_boxes_partly_outside_or_pixel_by_default_are_accepted(capsys, tmp_path, checkpoint, args):
    args = [real(a) if i and args[i - 1] == "--raster" else a for i, a in enumerate(args)]
    code, _, err = run(capsys, "predict", *args, "--checkpoint", checkpoint, "--max-tokens", "4")
    assert code == 0, err


def test_raster_gdal_cannot_open(capsys, tmp_path, checkpoint):
    junk = tmp_path / "junk.tif"
    junk.write_text("not a raster")
    code, _, err = run(
        capsys, "predict", "--raster", junk, "--box", "0,0,1,1", "--checkpoint", checkpoint
    )
    assert code == 2 and "GDAL" in err


@pytest.mark.parametrize("how", ["missing", "incomplete", "truncated", "version"])
def test_bad_checkpoints_exit_2(capsys, tmp_path, checkpoint, how):
    bad = _corrupt(tmp_path, checkpoint, how)
    out = tmp_path / "keep.gpkg"
    out.write_bytes(b"previous result")
    code, _, err = run(
        capsys,
        "predict",
        *cogeo_box(),
        "--checkpoint",
        bad,
        "--out",
        out,
    )
    assert code == 2, err
    assert "checkpoint" in err.lower() or "weights" in err.lower() or "tokenizer" in err.lower()
    assert err.count("\n") == 1
    assert out.read_bytes() == b"previous result"


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_cuda_exits_2(capsys, checkpoint):
    code, _, err = run(
        capsys,
        "predict",
        *cogeo_box(),
        "--checkpoint",
        checkpoint,
        "--device",
        "cuda",
    )
    assert code == 2 and "CUDA" in err


def test_output_folder_missing_or_not_writable(capsys, tmp_path, checkpoint, monkeypatch):
    code, _, err = run(
        capsys,
        "predict",
        *cogeo_box(),
        "--checkpoint",
        checkpoint,
        "--out",
        tmp_path / "nope" / "out.gpkg",
    )
    assert code == 2 and "does not exist" in err
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    code, _, err = run(
        capsys,
        "predict",
        *cogeo_box(),
        "--checkpoint",
        checkpoint,
        "--out",
        tmp_path / "o.gpkg",
    )
    assert code == 2 and "not writable" in err


def test_no_checkpoint_and_no_bundled_model_says_so(capsys, monkeypatch, tmp_path):
    import model_core.pipeline as pipeline

    monkeypatch.setattr(pipeline, "default_checkpoint_dir", lambda: tmp_path / "none")
    code, _, err = run(
        capsys, "predict", "--raster", real("cogeo"), "--box", "10,10,200,200", "--box-crs", "pixel"
    )
    assert code == 2 and "--checkpoint" in err


def test_module_entry_point_runs_as_a_subprocess(checkpoint):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "model_core",
            "predict",
            "--raster",
            str(real("cogeo")),
            "--box",
            "1,1,0,0",
            "--box-crs",
            "pixel",
            "--checkpoint",
            str(checkpoint),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("error: ")


def scored_result():
    """Three objects (scores 0.9, 0.2, 0.6) and relations between every pair of them."""
    import numpy as np

    from model_core.result import DetectedObject, PredictionResult, Relation

    mask = np.zeros((2, 2), bool)
    return PredictionResult(
        caption="a roof by a car on a road",
        tagged_caption="<p> a roof </p> [SEG] by <p> a car </p> [SEG] on <p> a road </p> [SEG]",
        objects=[
            DetectedObject(p, mask, s)
            for p, s in (("a roof", 0.9), ("a car", 0.2), ("a road", 0.6))
        ],
        relations=[
            Relation(0, "next to", 1, 0.8),
            Relation(1, "on", 2, 0.7),
            Relation(2, "contains", 0, 0.6),
        ],
    )


def test_keep_confident_hides_low_scores_and_keeps_the_caption_consistent():
    from model_core.predictor import phrases_for_segs
    from model_core.result import DEFAULT_MIN_SCORE, keep_confident

    result = scored_result()
    assert [o.phrase for o in keep_confident(result, DEFAULT_MIN_SCORE).objects] == [
        "a roof",
        "a road",
    ]
    kept = keep_confident(result, 0.5)
    assert [o.phrase for o in kept.objects] == ["a roof", "a road"]
    assert kept.caption == result.caption
    # the hidden phrase stays as text without its [SEG]: the n-th [SEG] grounds the n-th object
    assert kept.tagged_caption == "<p> a roof </p> [SEG] by <p> a car </p> on <p> a road </p> [SEG]"
    assert phrases_for_segs(kept.tagged_caption, 2) == ["a roof", "a road"]
    assert [(r.subject, r.predicate, r.object) for r in kept.relations] == [(1, "contains", 0)]
    assert len(result.objects) == 3 and len(result.relations) == 3  # the input is unchanged
    assert keep_confident(result, 0.95).objects == []


@pytest.fixture(scope="module")
def trained_checkpoint():
    """The bundled model (it finds objects on cogeo.tif's road bend), or skip."""
    folder = REPO / "model_core" / "checkpoints" / "clvnet-tiny"
    if not (folder / "model.safetensors").is_file():
        pytest.skip("the bundled checkpoint is not installed")
    return folder


#: A box on cogeo.tif where the bundled model finds three objects of different scores.
THREE_OBJECTS = ["--raster", "cogeo", "--box", "770,700,910,840", "--box-crs", "pixel"]


def test_predict_min_score_leaves_out_low_scoring_objects(capsys, trained_checkpoint):
    args = [real(a) if a == "cogeo" else a for a in THREE_OBJECTS]
    everything = ["--checkpoint", trained_checkpoint, "--json", "--min-score", "0"]
    code, out, err = run(capsys, "predict", *args, *everything)
    assert code == 0, err
    scores = sorted(o["score"] for o in json.loads(out)["objects"])
    assert len(scores) >= 2, "the bundled model should find several objects in this box"
    threshold = scores[-1] - 0.001  # keeps the best object (scores are printed rounded)
    code, out, err = run(
        capsys,
        "predict",
        *args,
        "--checkpoint",
        trained_checkpoint,
        "--json",
        "--min-score",
        threshold,
    )
    assert code == 0, err
    kept = sorted(o["score"] for o in json.loads(out)["objects"])
    assert kept == [s for s in scores if s >= threshold]


@pytest.mark.parametrize("command", ["predict", "batch"])
def test_min_score_outside_0_to_1_exits_2(capsys, tmp_path, checkpoint, command):
    where = cogeo_box() if command == "predict" else ["--raster", real("cogeo"), "--boxes", "x"]
    code, _, err = run(
        capsys,
        command,
        *where,
        "--checkpoint",
        checkpoint,
        "--out",
        tmp_path / "o.gpkg",
        "--min-score",
        "1.5",
    )
    assert code == 2 and "minimum score 1.5 is not between 0 and 1" in err
    assert err.count("\n") == 1 and not (tmp_path / "o.gpkg").exists()


def test_batch_min_score_leaves_out_objects_and_their_relations(
    capsys, tmp_path, trained_checkpoint
):
    boxes = tmp_path / "boxes.geojson"
    with RasterSource(str(real("cogeo"))) as source:
        x0, y0, x1, y1 = source.pixel_box_to_crs((540, 240, 660, 360), "EPSG:4326")
    boxes.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
                        },
                    }
                ],
            }
        )
    )
    counts = {}
    for min_score in ("0", "1"):
        out = tmp_path / f"min{min_score}.gpkg"
        code, _, err = run(
            capsys,
            "batch",
            "--raster",
            real("cogeo"),
            "--boxes",
            boxes,
            "--out",
            out,
            "--checkpoint",
            trained_checkpoint,
            "--quiet",
            "--min-score",
            min_score,
        )
        assert code == 0, err
        ds = ogr.Open(str(out))
        counts[min_score] = [
            ds.GetLayerByName(name).GetFeatureCount()
            for name in ("clvnet_objects", "clvnet_relations", "clvnet_prompts")
        ]
    assert counts["0"][0] >= 1 and counts["0"][2] == 1
    assert counts["1"] == [0, 0, 1]  # no object scores 1: every one and its relations left out
