"""``python -m training.holdout``: whole images move from train/ to calibration/, the records
stay readable there, a second run changes nothing, small sources keep every image, and the
evaluation names a calibration folder by its source."""

import json
from pathlib import Path

from PIL import Image

from training.data.records import load_records
from training.evaluate.real import record_annotations
from training.holdout import main, picked


def make_split(folder: Path, images: int) -> None:
    (folder / "annotations").mkdir(parents=True)
    (folder / "images").mkdir()
    for k in range(images):
        name = f"img_{k:02d}"
        Image.new("RGB", (32, 32), (k, 0, 0)).save(folder / "images" / f"{name}.png")
        records = [
            {
                "id": f"{name}_{r}",
                "img": f"{name}.png",
                "gcg_description": "there is <p> a building </p> [SEG] .",
                "polygons": [[[[2, 2], [20, 2], [20, 20], [2, 20]]]],
                "classes": ["Building"],
            }
            for r in range(2)
        ]
        (folder / "annotations" / f"{name}.json").write_text(json.dumps({"records": records}))


def test_every_eighth_image_moves_with_its_records(tmp_path, capsys):
    make_split(tmp_path / "big" / "train", 17)
    make_split(tmp_path / "small" / "train", 5)
    assert main([str(tmp_path), "--every", "8"]) == 0
    assert "big: 2 images, 4 records held out" in capsys.readouterr().out

    held = tmp_path / "big" / "calibration"
    moved = sorted(p.stem for p in (held / "annotations").glob("*.json"))
    assert picked([f"img_{k:02d}.json" for k in range(17)], 8) == ["img_05.json", "img_11.json"]
    assert moved == ["img_05", "img_11"]
    assert sorted(p.stem for p in (held / "images").iterdir()) == moved
    left = sorted(p.stem for p in (tmp_path / "big" / "train" / "annotations").glob("*.json"))
    assert len(left) == 15 and not set(left) & set(moved)
    assert not {p.stem for p in (tmp_path / "big" / "train" / "images").iterdir()} & set(moved)
    assert not (tmp_path / "small" / "calibration").exists()

    records, skipped = load_records([str(held)], strict=True)
    assert len(records) == 4 and not skipped
    assert all(Path(r.image_path).parent == held / "images" for r in records)
    facts = record_annotations([str(held)])
    assert {f["source"] for f in facts.values()} == {"big"}

    assert main([str(tmp_path), "--every", "8"]) == 0  # already held out: nothing moves
    assert capsys.readouterr().out == ""
    assert len(list((held / "annotations").glob("*.json"))) == 2
