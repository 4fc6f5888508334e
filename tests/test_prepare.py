"""``python -m training.prepare``: record folders per split that the trainer's loader reads,
a summary that matches them, previews, strict refusals, and the all-sources mode."""

import json
from pathlib import Path

import pytest
from PIL import Image

from training.data.records import load_records
from training.prepare import main
from training.real_captions import class_words

TRAIN_REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "train_real"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real data {path} is missing (../shared/data/train_real beside the repo)")
    return path


def test_yolo_folder_to_records_summary_and_previews(tmp_path, capsys):
    cars = need(TRAIN_REAL / "aerial_cars")
    src = tmp_path / "src"
    src.mkdir()
    for stem in ("MOS155", "MOS156", "MunichStreet02-MOS84"):
        for suffix in (".png", ".txt"):
            if (cars / f"{stem}{suffix}").exists():
                (src / f"{stem}{suffix}").symlink_to(cars / f"{stem}{suffix}")
    (src / "orphan.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    out = tmp_path / "out"
    code = main(["yolo", str(src), "--names", str(cars / "aerial.names"), "--out", str(out),
                 "--validation", "MunichStreet02-*", "--previews", "2", "--quiet"])  # fmt: skip
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    n_val = len(list(src.glob("MunichStreet02-*.png")))
    assert (
        summary["train"]["images"] == 2
        and summary.get("validation", {"images": 0})["images"] == n_val
    )
    assert summary["skipped"] == {"label without image": 1}
    lines = sum(len((cars / f"{s}.txt").read_text().split()) // 5 for s in ("MOS155", "MOS156"))
    assert (
        summary["train"]["objects"] == {"car": lines}
        or sum(summary["train"]["objects"].values()) == lines
    )
    assert summary["train"]["box_only_objects"] == lines
    records, skipped = load_records(out / "train")
    assert not skipped and len(records) == summary["train"]["records"] > 0
    assert {r.image_path.parent for r in records} == {out / "train" / "images"}
    previews = sorted((out / "train" / "previews").glob("*.png"))
    assert len(previews) == 2 and Image.open(previews[0]).size[0] == 512
    printed = capsys.readouterr().out
    assert "| out | train | 2 |" in printed and "label without image" in printed


def test_vector_16bit_raster_and_strict_refusal(tmp_path, capsys):
    data = need(TRAIN_REAL / "dk_fields" / "data")
    out = tmp_path / "dk"
    code = main(["vector", str(data / "RGB_small.tif"), str(data / "marker2016_small.shp"),
                 "--class-field", "Afgroede", "--out", str(out), "--default-noun", "field",
                 "--tile", "256", "--quiet", "--previews", "1"])  # fmt: skip
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["train"]["images"] == 4 and summary["skipped"]["unknown class"] == 1
    images = sorted((out / "train" / "images").glob("*.png"))
    assert len(images) == 4 and Image.open(images[0]).mode == "RGB"  # 16-bit stretched to 8-bit
    for file in (out / "train" / "annotations").glob("*.json"):
        for record in json.loads(file.read_text())["records"]:
            words = class_words(record["classes"][0], default_noun="field")
            assert (
                words.noun in record["gcg_description"] or words.plural in record["gcg_description"]
            )
    capsys.readouterr()
    code = main(["vector", str(data / "RGB_small.tif"), str(data / "marker2016_small.shp"),
                 "--class-field", "Afgroede", "--out", str(tmp_path / "s"), "--strict",
                 "--quiet"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and "unknown class" in err
    assert len(err.strip().splitlines()) == 1
    code = main(["vector", str(data / "RGB_small.tif"), str(data / "marker2016_small.shp"),
                 "--class-field", "crop", "--out", str(tmp_path / "none"), "--strict"])  # fmt: skip
    assert code == 2 and "missing class field" in capsys.readouterr().err


def test_all_sources_keeps_the_fixed_split(tmp_path):
    need(TRAIN_REAL / "levir_cd")
    out = tmp_path / "records"
    assert main(["all-sources", "--out", str(out), "--sources", "levir_cd", "--quiet"]) == 0
    val = {p.name for p in (out / "levir_cd" / "validation" / "images").iterdir()}
    train = {p.name for p in (out / "levir_cd" / "train" / "images").iterdir()}
    assert val and all(n.startswith("samples_DSIFN") for n in val)
    assert train and all(n.startswith("samples_LEVIR") for n in train)
    table = (out / "SUMMARY.md").read_text()
    assert "| levir_cd | train |" in table and "| levir_cd | validation |" in table
    assert main(["all-sources", "--out", str(out), "--sources", "nowhere"]) == 2
