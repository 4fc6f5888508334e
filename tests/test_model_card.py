"""training.model_card: where the thresholds were chosen, and which checkpoint was bundled."""

import json

from helpers import REPO

from training.model_card import real_imagery_section, selection_section

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


def report(tmp_path, name, named, wrong, iou):
    path = tmp_path / f"{name}.json"
    overall = {"named": named, "wrong": wrong, "target_iou": iou}
    path.write_text(json.dumps({"real": {"overall": overall}}))
    return path


def test_the_choice_is_made_on_calibration_and_says_so_when_it_disagrees(tmp_path):
    cal3, val3 = report(tmp_path, "c3", 0.6, 0.1, 0.5), report(tmp_path, "v3", 0.5, 0.1, 0.5)
    cal4, val4 = report(tmp_path, "c4", 0.7, 0.1, 0.4), report(tmp_path, "v4", 0.4, 0.3, 0.4)
    other, bundled = ("stage 3", cal3, val3), ("bundled", cal4, val4)
    text = "\n".join(selection_section([other, bundled]))
    assert "The bundled checkpoint ranks first there." in text  # 0.6 > 0.5 on calibration
    assert "| bundled | 0.700 | 0.100 | 0.400 | 0.400 | 0.300 | 0.400 |" in text
    worse = ("bundled", report(tmp_path, "c5", 0.55, 0.1, 0.9), bundled[2])
    text = "\n".join(selection_section([other, worse]))
    assert "By that rule `stage 3` ranks first; the bundled checkpoint does not." in text
