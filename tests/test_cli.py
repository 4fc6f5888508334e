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
