"""Real-imagery evaluation: naming outcomes, threshold choice, calibration, reliability plot."""

import json
import os
import subprocess
import sys

import pytest
from helpers import REPO

from model_core.config import ClassHeadConfig
from training.evaluate.real import (
    OUTCOMES,
    Target,
    bar_status,
    calibration,
    choose_min_score,
    choose_naming_threshold,
    group_report,
    names_target,
    naming_rates,
    outcome,
    reliability_plot,
    wrong_upper_bound,
)

ENV = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}


def target(
    phrase, confidence=0.9, names=True, iou=0.5, score=0.5, mask=True, cls="Building", area=1.0
):
    return Target(
        record_id="r",
        source="dubai",
        class_name=cls,
        has_mask=mask,
        iou=iou if mask else None,
        score=score,
        phrase=phrase,
        naming_confidence=confidence,
        mask_fraction=0.1,
        names_class=names,
        area_ratio=area if mask else None,
    )


def test_names_target_uses_the_class_map_and_the_source_default_noun():
    assert names_target("Building", "dubai", "two large buildings")
    assert names_target("Land (unpaved area)", "dubai", "an area of bare ground")
    assert not names_target("car", "aerial_cars", "a large pier")
    assert names_target("Vårbyg", "dk_fields", "a barley field")
    assert names_target("Some crop the map lacks", "dk_fields", "a large field")


def test_outcomes_and_rates_at_a_threshold():
    targets = [
        target("a building", 0.9, True),
        target("a pier", 0.3, False),
        target("a ship", 0.8, False),
        target("an object", None, False),
        target(None, None, False),
    ]
    assert [outcome(t, 0.5) for t in targets] == [
        "named",
        "abstained",
        "wrong",
        "abstained",
        "no_phrase",
    ]
    assert naming_rates(targets, 0.5) == {
        "named": 0.2,
        "wrong": 0.2,
        "abstained": 0.4,
        "no_phrase": 0.2,
    }
    # 0.0 never abstains on confidence: the pier is wrong too
    assert naming_rates(targets, 0.0)["wrong"] == pytest.approx(0.4)
    # the lowest threshold that brings wrong to <= 0.15 abstains on the ship (0.8) as well
    assert choose_naming_threshold(targets, z=0.0) == 0.85


def test_thresholds_keep_the_wrong_rate_within_the_bar_with_confidence():
    # 0 wrong of 5 is no evidence: its 95% upper bound is 0.35
    assert wrong_upper_bound(0.0, 5) == pytest.approx(0.351, abs=1e-3)
    assert wrong_upper_bound(0.1, 200, z=0.0) == 0.1
    assert wrong_upper_bound(0.1, 200) < 0.15 < wrong_upper_bound(0.12, 158)
    # 100 targets, 15 named wrongly (5 at confidence 0.9, 10 at 0.7): 0.15 wrong meets the bar
    # as measured with no abstention, but its upper bound (0.22) does not; abstaining on the
    # 0.7 ones leaves 5 wrong of 100 (bound 0.10)
    targets = [target("a building", 0.95, True) for _ in range(85)]
    targets += [target("a ship", 0.9, False) for _ in range(5)]
    targets += [target("a pier", 0.7, False) for _ in range(10)]
    assert choose_naming_threshold(targets, z=0.0) == 0.0
    assert choose_naming_threshold(targets) == 0.75


def test_calibration_error_by_hand():
    scores = [0.05, 0.15, 0.12, 0.95, 1.0]
    ious = [0.25, 0.0, 0.1, 0.85, 0.95]
    ece, table = calibration(scores, ious)
    # bin 0: |0.05 - 0.25| (1 target); bin 1: |0.135 - 0.05| (2); bin 9: |0.975 - 0.9| (2)
    expected = (0.2 * 1 + 0.085 * 2 + 0.075 * 2) / 5
    assert ece == pytest.approx(expected)
    assert [row["count"] for row in table] == [1, 1 + 1, 0, 0, 0, 0, 0, 0, 0, 2]
    assert calibration([], []) == (None, [])


def test_min_score_separates_right_from_wrong_masks():
    scores = [0.1, 0.2, 0.3, 0.6, 0.7, 0.8]
    ious = [0.1, 0.0, 0.2, 0.7, 0.6, 0.9]
    # every threshold from 0.35 to 0.6 keeps exactly the three right masks: the highest
    assert choose_min_score(scores, ious) == 0.6
    # F1 flat within one target of the best (1 / 20 here): the highest such threshold
    scores = [0.1] * 2 + [0.5] * 18
    ious = [0.1, 0.9] + [0.9] * 17 + [0.1]
    assert choose_min_score(scores, ious) == 0.5  # F1 0.944 there, 0.947 at 0.1


def test_group_report_and_bars(tmp_path):
    targets = [
        target("a building", iou=0.8, score=0.75, area=3.0),
        target("a building", iou=0.4, score=0.5, area=0.5),
        target("a building", iou=0.6, score=0.6, area=1.2),
        target("a car", mask=False, cls="car"),
    ]
    assert group_report(targets, 0.5)["mask_area_ratio"] == pytest.approx(1.2)  # the median
    targets = [targets[0], targets[3]]
    report = group_report(targets, 0.5)
    assert report["targets"] == 2 and report["mask_targets"] == 1
    assert report["target_iou"] == pytest.approx(0.8)
    assert report["ece"] == pytest.approx(0.05)
    bars = bar_status(report)
    assert bars["target_iou"]["met"] and bars["ece"]["met"] and bars["named"]["met"]
    assert bars["wrong"]["met"] is True
    ece, table = calibration([0.75], [0.8])
    path = tmp_path / "plot.png"
    reliability_plot(table, ece, path, "test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def untrained_checkpoint(folder):
    """A random-weights tiny checkpoint made by ``python -m model_core init``."""
    init = [sys.executable, "-m", "model_core", "init", "--preset", "tiny", "--out", folder]
    assert subprocess.run(init, cwd=REPO, env=ENV, capture_output=True).returncode == 0
    return folder


def evaluate_and_calibrate(checkpoint, records, out):
    """``training.evaluate --store-calibration`` on 3 records: (its report, stdout)."""
    done = subprocess.run(
        [sys.executable, "-m", "training.evaluate", "--checkpoint", str(checkpoint),
         "--records", str(records), "--limit", "3", "--batch-size", "3",
         "--store-calibration", "--out", str(out)],
        cwd=REPO, env=ENV, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text())["real"], done.stdout


def test_evaluate_records_reports_targets_calibration_and_stores_threshold(real_records, tmp_path):
    checkpoint = untrained_checkpoint(tmp_path / "tiny")
    real, stdout = evaluate_and_calibrate(checkpoint, real_records, tmp_path / "real.json")
    assert real["overall"]["targets"] == 3 == real["overall"]["mask_targets"]
    assert list(real["per_source"]) == ["spacenet_rio"]
    assert list(real["per_class"]) == ["Building"]
    rates = [real["overall"][k] for k in ("named", "wrong", "abstained", "no_phrase")]
    assert sum(rates) == pytest.approx(1.0)
    scored = [t for t in real["targets"] if t["score"] is not None]  # the untrained model
    assert sum(row["count"] for row in real["calibration"]["bins"]) == len(scored)
    for target in real["targets"]:
        assert 0.0 <= target["iou"] <= 1.0 and target["class_name"] == "Building"
        assert target["area_ratio"] >= 0.0 and (target["iou"] == 0 or target["area_ratio"] > 0)
        assert (target["phrase"] is None) == (target["score"] is None)
    assert (tmp_path / real["plot"]).read_bytes()[:4] == b"\x89PNG"
    stored = json.loads((checkpoint / "config.json").read_text())["min_naming_probability"]
    assert stored == real["naming_threshold"] == real["suggested_naming_threshold"]
    assert "source spacenet_rio" in stdout


def test_class_head_is_fitted_and_its_thresholds_chosen_on_records(real_records, tmp_path):
    checkpoint = untrained_checkpoint(tmp_path / "tiny")
    fit = subprocess.run(
        [sys.executable, "-m", "training.class_head", "--checkpoint", str(checkpoint),
         "--records", str(real_records), "--unfamiliar", "1:6", "--views", "2"],
        cwd=REPO, env=ENV, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert fit.returncode == 0, fit.stderr
    assert "2 kinds" in fit.stdout
    head = json.loads((checkpoint / "config.json").read_text())["class_head"]
    assert head["kinds"] == ["building", "unfamiliar ground"]
    assert head["views"] == 2
    summary = json.loads((checkpoint / "class_head.json").read_text())
    assert summary["views"] == 2 and summary["kinds"]["unfamiliar ground"] == 6
    assert head["phrases"] == ["a building", "an area"]
    real, _ = evaluate_and_calibrate(checkpoint, real_records, tmp_path / "real.json")
    stored = json.loads((checkpoint / "config.json").read_text())["class_head"]
    chosen = [stored["keep"], stored["replace"], stored["trust"]]
    assert chosen == real["suggested_head"]
    assert real["class_head"]["keep"] == stored["keep"]
    for one in real["targets"]:
        assert len(one["kind_probabilities"]) == 2
        assert sum(one["kind_probabilities"]) == pytest.approx(1.0, abs=1e-4)
    # the report's rates are the rule replayed from its targets at the stored thresholds
    row = naming_rates(
        [Target(**t) for t in real["targets"]], 0.0, ClassHeadConfig(**real["class_head"])
    )
    assert {k: real["overall"][k] for k in OUTCOMES} == {k: row[k] for k in OUTCOMES}
