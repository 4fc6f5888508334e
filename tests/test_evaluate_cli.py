"""``python -m training.evaluate`` end to end on a few records with an untrained tiny model."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from helpers import REPO
from PIL import Image

from training.evaluate.run import main
from training.synth import GENERATOR_VERSION

SPLIT_KEYS = {
    "records", "gt_objects", "pred_objects", "meteor", "cider", "ap50", "miou", "recall",
    "box_iou", "relation_accuracy", "relation_pairs",
}  # fmt: skip
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}


def evaluate(*args):
    return subprocess.run(
        [sys.executable, "-m", "training.evaluate", *map(str, args)],
        cwd=REPO, env=ENV, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """An untrained tiny checkpoint made by the documented command (its outputs mean nothing)."""
    out = tmp_path_factory.mktemp("ckpt") / "tiny"
    done = subprocess.run(
        [sys.executable, "-m", "model_core", "init", "--preset", "tiny", "--out", str(out)],
        cwd=REPO, env=ENV, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


def square(x0, y0, side):
    return [[x0, y0], [x0 + side, y0], [x0 + side, y0 + side], [x0, y0 + side]]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """Two good records (one single-, one multi-object) and one bad one, on a drawn image."""
    folder = tmp_path_factory.mktemp("data")
    image = np.full((160, 160, 3), 90, dtype=np.uint8)
    image[20:60, 20:60] = (200, 60, 50)
    image[90:110, 30:50] = (220, 220, 220)
    Image.fromarray(image).save(folder / "scene.png")
    records = {
        "single": {
            "id": "single", "img": "scene.png", "box": [15, 15, 65, 65],
            "gcg_description": "<p> a red building </p> [SEG] on grass .",
            "polygons": [[square(20, 20, 40)]],
        },
        "multi": {
            "id": "multi", "img": "scene.png", "box": [15, 15, 65, 65],
            "gcg_description": "<p> a red building </p> [SEG] north of "
                               "<p> a white car </p> [SEG] .",
            "polygons": [[square(20, 20, 40)], [square(30, 90, 20)]],
            "relations": [[0, "north of", 1], [1, "south of", 0]],
        },
        "bad": {
            "id": "bad", "img": "scene.png",
            "gcg_description": "<p> a red building </p> [SEG] and <p> a car </p> [SEG] .",
            "polygons": [[square(20, 20, 40)]],
        },
    }  # fmt: skip
    for name, record in records.items():
        (folder / f"{name}.json").write_text(json.dumps(record))
    return folder


def test_report_of_a_data_folder(checkpoint, data, tmp_path):
    out = tmp_path / "report.json"
    done = evaluate("--checkpoint", checkpoint, "--data", data, "--out", out, "--device", "cpu",
                    "--threads", "1")  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert {"checkpoint", "model", "data", "device", "counts", "metrics", "encoder_note",
            "timing", "per_record"} <= set(report)  # fmt: skip
    assert report["counts"]["records"] == 2 and report["counts"]["skipped"] == 1
    assert "[SEG]" in report["counts"]["skip_reasons"][0]
    assert set(report["metrics"]) == {"overall", "single", "multi"}
    for split in report["metrics"].values():
        assert set(split) == SPLIT_KEYS
    assert report["metrics"]["single"]["records"] == 1
    assert report["metrics"]["multi"]["gt_objects"] == 2
    assert report["metrics"]["overall"]["gt_objects"] == 3
    assert "MiniLM" in report["encoder_note"] and "bert-base-uncased" in report["encoder_note"]
    assert [r["record_id"] for r in report["per_record"]] == ["multi", "single"]
    assert report["timing"]["total_s"] > 0
    assert "METEOR" in done.stdout and "MiniLM" in done.stdout
    # a pipe, not a terminal: one progress summary line, no carriage-return redraws
    assert "predicted: 2 of 2 done in" in done.stderr and "\r" not in done.stderr


def test_bad_input_exits_2_with_one_line(checkpoint, tmp_path):
    done = evaluate("--checkpoint", checkpoint, "--data", tmp_path / "missing",
                    "--out", tmp_path / "r.json")  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "missing" in done.stderr
    assert not (tmp_path / "r.json").exists()


def test_synthetic_split_is_generated_on_the_fly(checkpoint, tmp_path, capsys):
    # In-process (no second interpreter start) to keep the test file short.
    out = tmp_path / "synthetic.json"
    code = main(["--checkpoint", str(checkpoint), "--synthetic-seed", "7", "--n", "3",
                 "--out", str(out), "--device", "cpu"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    report = json.loads(out.read_text())
    assert report["data"]["synthetic_seed"] == 7 and report["data"]["n"] == 3
    assert report["data"]["generator"] == GENERATOR_VERSION
    assert report["counts"]["records"] == 3 == report["metrics"]["overall"]["records"]
    assert len(report["per_record"]) == 3
    assert "CIDEr" in capsys.readouterr().out
