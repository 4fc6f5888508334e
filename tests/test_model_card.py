"""training.model_card: where the thresholds were chosen, and which checkpoint was bundled."""

import json

import pytest
from helpers import REPO

from model_core.result import DEFAULT_MIN_SCORE
from training.model_card import (
    class_head_line,
    main,
    paired_interval,
    real_imagery_section,
    real_intro,
    real_photometry,
    selection_section,
    synthetic_block,
    target_values,
)

BUNDLED = REPO / "model_core" / "checkpoints" / "clvnet-tiny"


def test_thresholds_are_said_to_come_from_the_calibration_images():
    validation = BUNDLED / "eval_real_records.json"
    calibration = BUNDLED / "eval_calibration_records.json"
    held = json.loads(calibration.read_text())["real"]
    text = "\n".join(real_imagery_section(validation, [], None, calibration))
    assert f"Default minimum score: **{held['suggested_min_score']}**" in text
    assert f"the {held['overall']['targets']} targets of the calibration images" in text
    assert "not on this split" in text and "chosen on the split" not in text
    alone = "\n".join(real_imagery_section(validation, []))
    assert "measured on the split it was chosen on" in alone and "calibration images" not in alone


def test_the_default_minimum_score_is_the_one_chosen_on_the_calibration_images():
    held = json.loads((BUNDLED / "eval_calibration_records.json").read_text())["real"]
    assert held["suggested_min_score"] == DEFAULT_MIN_SCORE
    config = json.loads((BUNDLED / "config.json").read_text())
    assert config["min_naming_probability"] == held["naming_threshold"]
    head = config["class_head"]
    if head["kinds"]:  # the class head's thresholds too, and the card says which they are
        assert [head["keep"], head["replace"], head["trust"]] == held["suggested_head"]
        card = (BUNDLED / "MODEL_CARD.md").read_text()
        assert f"**{head['keep']}** | **{head['replace']}** | **{head['trust']}**" in card


def test_the_card_says_how_real_records_were_jittered(tmp_path):
    (tmp_path / "train_config.json").write_text(json.dumps({"colour_jitter": 0.25}))
    assert real_photometry(tmp_path) == "+-0.25 on real records"
    (tmp_path / "train_config.json").write_text(json.dumps({"low_light": 0.3}))
    assert real_photometry(tmp_path) == (
        "+-0.1 on real records, 0.3 of them darkened as in shadow or winter light"
    )


def report(tmp_path, name, named, wrong, iou, targets=200):
    path = tmp_path / f"{name}.json"
    overall = {"named": named, "wrong": wrong, "target_iou": iou, "targets": targets}
    path.write_text(json.dumps({"real": {"overall": overall}}))
    return path


def test_the_choice_is_made_on_calibration_and_says_so_when_it_disagrees(tmp_path):
    cal3, val3 = report(tmp_path, "c3", 0.6, 0.1, 0.5), report(tmp_path, "v3", 0.5, 0.1, 0.5)
    cal4, val4 = report(tmp_path, "c4", 0.7, 0.1, 0.4), report(tmp_path, "v4", 0.4, 0.3, 0.4)
    other, bundled = ("stage 3", cal3, val3), ("bundled", cal4, val4)
    text = "\n".join(selection_section([other, bundled]))
    assert "The bundled checkpoint ranks first there." in text  # 0.6 > 0.5 on calibration
    assert "One target moves a calibration rate by 0.005 (200 targets)" in text
    assert "| bundled | 0.700 | 0.100 | 0.400 | 0.400 | 0.300 | 0.400 |" in text
    worse = ("bundled", report(tmp_path, "c5", 0.55, 0.1, 0.9), bundled[2])
    text = "\n".join(selection_section([other, worse]))
    assert "By that rule `stage 3` ranks first; the bundled checkpoint does not." in text


def target(record_id, names_class, confidence):
    return {
        "record_id": record_id,
        "source": "dubai",
        "class_name": "Building",
        "has_mask": True,
        "iou": 0.5,
        "score": 0.5,
        "phrase": "a building" if names_class else "a road",
        "naming_confidence": confidence,
        "mask_fraction": 0.3,
        "names_class": names_class,
    }


def test_the_ranking_gap_gets_a_paired_bootstrap_interval_over_the_same_targets():
    # named / wrong / abstained (below the 0.5 threshold) per record
    ours = {
        "real": {
            "naming_threshold": 0.5,
            "targets": [target(f"r{k}", True, 0.9) for k in range(40)],
        }
    }
    theirs = {"real": {"naming_threshold": 0.5, "targets": []}}
    theirs["real"]["targets"] = [
        target(f"r{k}", k % 2 == 0, 0.9 if k % 4 else 0.1) for k in range(40)
    ]
    mine, other = target_values(ours), target_values(theirs)
    assert set(mine.values()) == {1.0} and sorted(set(other.values())) == [-1.0, 0.0, 1.0]
    low, high = paired_interval(mine, other)
    gap = sum(mine[k] - other[k] for k in mine) / len(mine)
    assert 0 < low < gap < high  # clearly better on every target it differs on
    same = paired_interval(mine, mine)
    assert same == (0.0, 0.0)
    assert paired_interval(mine, {"elsewhere": 1.0}) is None


def test_the_card_says_how_many_views_the_class_head_reads():
    head = {"kinds": ["building", "road"], "pool": 2}
    assert "views" not in class_head_line({"class_head": head})[0]
    line = class_head_line({"class_head": {**head, "views": 2}})[0]
    assert "averaged over 2 views of the window (as drawn, mirrored)" in line


def test_refresh_redoes_only_the_real_imagery_section_and_the_opening(tmp_path):
    card = (BUNDLED / "MODEL_CARD.md").read_text().splitlines()
    validation = BUNDLED / "eval_real_records.json"
    calibration = BUNDLED / "eval_calibration_records.json"
    synthetic = BUNDLED / "eval_synthetic.json"
    start, choosing = card.index("## Real imagery"), card.index("### Choosing the checkpoint")
    stale = [*card[:2], "**Trained on stale words.", *card[3 : start + 1], "", "old figures", ""]
    miou = next(k for k, line in enumerate(stale) if line.startswith("| miou |"))
    stale[miou] = "| miou | 0.123 | 0.7 | **not met** |"
    path = tmp_path / "MODEL_CARD.md"
    path.write_text("\n".join([*stale, *card[choosing:]]) + "\n")
    with pytest.raises(SystemExit):  # both reports are needed
        main(["--refresh", str(path), "--real-records", str(validation)])
    synthetic_only = tmp_path / "synthetic_only.md"
    synthetic_only.write_text("# a card\n\n## Metrics\n")
    with pytest.raises(SystemExit):  # one sentence, no traceback
        main(["--refresh", str(synthetic_only), "--real-records", str(validation),
              "--calibration-records", str(calibration)])  # fmt: skip

    args = ["--real-records", str(validation), "--calibration-records", str(calibration)]
    assert main(["--refresh", str(path), *args]) == 0
    text = path.read_text()
    trained = next(line for line in card if line.startswith("- Training"))
    real_data = [s for s in trained.split("`")[1].split() if s.startswith("runs/records/")]
    assert real_intro(real_data, validation) in text and "stale words" not in text
    section = real_imagery_section(validation, real_data, None, calibration)
    assert "\n".join(section[1:]) in text and "old figures" not in text
    assert text.count("## Real imagery") == 1 and "## Ablations" in text
    between = "\n".join(stale).split("## Model")[1].split("## Real imagery")[0]
    assert text.split("## Model")[1].split("## Real imagery")[0] == between  # kept as it was
    kept = text.split("### Choosing the checkpoint")[1]
    assert kept.startswith("\n\nThe rows below were measured when the checkpoint was chosen")

    # with --synthetic the held-out synthetic tables are redone too
    assert main(["--refresh", str(path), *args, "--synthetic", str(synthetic)]) == 0
    text = path.read_text()
    assert "\n".join(synthetic_block(json.loads(synthetic.read_text()))) in text
    assert "| miou | 0.123 |" not in text and text.count("| miou |") == 1
    assert text.count("The rows below were measured when") == 1  # said once, however often
