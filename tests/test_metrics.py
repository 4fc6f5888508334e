"""GCG metric code against hand-computed cases (no model; METEOR starts a JVM)."""

import numpy as np
import pytest

from training.evaluate.metrics import (
    EvalItem,
    caption_scores,
    evaluate_predictions,
    greedy_match,
    iou_matrix,
    mask_ap50,
    mask_iou,
    recall_hits,
    record_metrics,
    record_miou,
    relation_pairs,
)
from training.evaluate.phrases import PhraseEncoder

S = 64


def square(x0: int, y0: int, side: int) -> np.ndarray:
    mask = np.zeros((S, S), dtype=bool)
    mask[y0 : y0 + side, x0 : x0 + side] = True
    return mask


def stack(*masks: np.ndarray) -> np.ndarray:
    return np.stack(masks) if masks else np.zeros((0, S, S), dtype=bool)


@pytest.fixture(scope="module")
def encoder() -> PhraseEncoder:
    return PhraseEncoder()


@pytest.fixture(scope="module")
def meteor():
    """One METEOR JVM for the module (it takes seconds to start)."""
    from pycocoevalcap.meteor.meteor import Meteor

    return Meteor()


def perfect(record_id, caption, masks, phrases, relations=()):
    return EvalItem(
        record_id=record_id,
        gt_caption=caption,
        gt_masks=masks,
        gt_phrases=list(phrases),
        gt_relations=list(relations),
        pred_caption=caption.replace("<p> ", "").replace(" </p> [SEG]", ""),
        pred_masks=masks.copy(),
        pred_phrases=list(phrases),
        pred_relations=list(relations),
    )


def test_partial_overlap_of_two_squares_gives_the_known_iou():
    a, b = square(0, 0, 10), square(5, 5, 10)  # 100 px each, 25 shared -> 25 / 175
    assert mask_iou(a, b) == pytest.approx(1 / 7)
    assert mask_iou(a, a) == 1.0
    assert mask_iou(np.zeros((S, S), bool), np.zeros((S, S), bool)) == 0.0
    assert iou_matrix(stack(a, b), stack(b)) == pytest.approx(np.array([[1 / 7], [1.0]]))


def test_greedy_matching_takes_the_highest_pair_first():
    # Row 0's best column is 0, but (1, 0) is higher, so row 0 must settle for column 1.
    pairs = greedy_match(np.array([[0.6, 0.5], [0.9, 0.0]]))
    assert pairs == [(1, 0, 0.9), (0, 1, 0.5)]
    # Zero-IoU leftovers are never paired.
    assert greedy_match(np.array([[0.0, 0.3], [0.0, 0.2]])) == [(0, 1, 0.3)]
    assert greedy_match(np.zeros((0, 3))) == []


def test_record_miou_averages_only_paired_masks():
    big, small, far = square(0, 0, 20), square(30, 30, 10), square(50, 0, 10)
    assert record_miou(stack(big, small), stack(big, small)) == 1.0
    # One exact prediction for two true masks: GLaMM averages over the pair only.
    assert record_miou(stack(big), stack(big, small)) == 1.0
    # Pairs: (small, small)=1 and (shifted big, big) = 100/700.
    shifted = square(10, 10, 20)
    assert record_miou(stack(shifted, small), stack(big, small)) == pytest.approx(
        (1 + 100 / 700) / 2
    )
    assert record_miou(stack(far), stack(big)) == 0.0
    assert record_miou(stack(), stack(big)) == 0.0


def test_phrase_similarity_gates_recall(encoder):
    sims = encoder.similarity(
        ["a large white building"], ["a big white building", "a tennis court"]
    )
    assert sims[0, 0] > 0.8 and sims[0, 1] < 0.5
    ious = np.array([[1.0]])
    named_right = encoder.similarity(["a large white building"], ["a big white building"])
    named_wrong = encoder.similarity(["a large white building"], ["a tennis court"])
    assert recall_hits(ious, named_right) == [(0, 0)]
    assert recall_hits(ious, named_wrong) == []
    assert recall_hits(np.array([[0.49]]), named_right) == []


def test_recall_stops_at_the_first_failing_best_pair_like_glamm():
    ious = np.array([[0.9, 0.0], [0.0, 0.8]])
    sims = np.array([[0.1, 0.0], [0.0, 0.9]])  # best-IoU pair is misnamed
    assert recall_hits(ious, sims) == []
    assert recall_hits(ious, np.eye(2)) == [(0, 0), (1, 1)]


def test_relation_accuracy_counts_matched_pairs_only():
    gt = [(0, "north of", 1), (1, "south of", 0), (0, "next to", 2), (0, "north of", 2)]
    pred = [(1, "north of", 0), (0, "east of", 1), (1, "north of", 2)]
    # True 0, 1, 2 matched to predicted 1, 0, 2: pair (0,1) -> (1,0) north of: right;
    # (1,0) -> (0,1) east of: wrong; (0,2) -> (1,2) north of, one of {next to, north of}: right.
    assert relation_pairs(gt, pred, {0: 1, 1: 0, 2: 2}) == (2, 3)
    # Object 2 unmatched: only the two pairs between 0 and 1 are evaluated.
    assert relation_pairs(gt, pred, {0: 1, 1: 0}) == (1, 2)
    assert relation_pairs(gt, [], {0: 0, 1: 1, 2: 2}) == (0, 3)


def test_ap50_with_every_score_one():
    a, b = square(0, 0, 20), square(40, 40, 20)
    hit = EvalItem("a", "x", stack(a), ["x"], "x", stack(a), ["x"])
    miss = EvalItem("b", "x", stack(b), ["x"], "x", stack(square(0, 40, 20)), ["x"])
    assert mask_ap50([hit]) == pytest.approx(1.0)
    assert mask_ap50([miss]) == pytest.approx(0.0)
    # One TP then one FP, recall 0.5: COCO's 101-point precision is 1 up to recall 0.5.
    assert mask_ap50([hit, miss]) == pytest.approx(51 / 101)
    near = EvalItem("c", "x", stack(a), ["x"], "x", stack(square(2, 2, 20)), ["x"])  # IoU .68
    far = EvalItem("c", "x", stack(a), ["x"], "x", stack(square(5, 5, 20)), ["x"])  # IoU .39
    assert mask_ap50([near]) == pytest.approx(1.0)
    assert mask_ap50([far]) == pytest.approx(0.0)
    no_pred = EvalItem("d", "x", stack(a), ["x"], "x", stack(), [])
    assert mask_ap50([no_pred]) == 0.0


def test_record_metrics_of_a_partial_prediction(encoder):
    big, small = square(0, 0, 20), square(30, 30, 10)
    item = EvalItem(
        record_id="r",
        gt_caption="<p> a large white building </p> [SEG] beside <p> a small car </p> [SEG] .",
        gt_masks=stack(big, small),
        gt_phrases=["a large white building", "a small car"],
        gt_relations=[(1, "next to", 0)],
        pred_caption="a large white building beside a small car .",
        pred_masks=stack(square(10, 10, 20), small),
        pred_phrases=["a large white building", "a small car"],
        pred_relations=[(1, "next to", 0)],
    )
    row = record_metrics(item, encoder.similarity)
    assert row["split"] == "multi"
    assert row["box_iou"] == pytest.approx(100 / 700)
    assert row["miou"] == pytest.approx((1 + 100 / 700) / 2)
    assert row["recall_hits"] == 1  # the building is localised too poorly (IoU 1/7)
    # The building is not matched at IoU >= 0.5, so its relation cannot be evaluated.
    assert (row["relations_correct"], row["relations_evaluated"]) == (0, 0)


def test_perfect_predictions_score_one_everywhere(encoder, meteor):
    tank, road, car, pond = (
        square(0, 0, 12),
        square(0, 30, 30),
        square(40, 5, 6),
        square(20, 45, 15),
    )
    items = [
        perfect(
            "single",
            "<p> a round storage tank </p> [SEG] near the harbour .",
            stack(tank),
            ["a round storage tank"],
        ),
        perfect(
            "multi-a",
            "<p> three small vehicles </p> [SEG] north of <p> a road </p> [SEG] .",
            stack(car, road),
            ["three small vehicles", "a road"],
            [(0, "north of", 1)],
        ),
        perfect(
            "multi-b",
            "<p> a blue pond </p> [SEG] surrounded by <p> green trees </p> [SEG] , "
            "south of <p> a tank </p> [SEG] .",
            stack(pond, road, tank),
            ["a blue pond", "green trees", "a tank"],
            [(0, "surrounded by", 1), (0, "south of", 2), (2, "north of", 0)],
        ),
    ]
    report = evaluate_predictions(items, encoder.similarity, meteor)
    counts = {
        name: (report[name]["records"], report[name]["gt_objects"])
        for name in ("overall", "single", "multi")
    }
    assert counts == {"overall": (3, 6), "single": (1, 1), "multi": (2, 5)}
    for name in ("overall", "single", "multi"):
        split = report[name]
        for key in ("miou", "recall", "ap50", "box_iou"):
            assert split[key] == pytest.approx(1.0), (name, key)
        assert split["meteor"] > 0.99
        # Identical captions: each record's CIDEr-D is 10 when its n-grams are not in every
        # reference; the corpus here is three different captions.
        assert 5.0 < split["cider"] <= 10.0 + 1e-6
    assert report["multi"]["relation_accuracy"] == 1.0
    assert report["multi"]["relation_pairs"] == 4
    assert report["single"]["relation_accuracy"] is None
    assert [r["split"] for r in report["records"]] == ["single", "multi", "multi"]


def test_caption_scores_rank_worse_captions_lower(meteor):
    refs = [
        "<p> a large white building </p> [SEG] beside a road .",
        "<p> two small vehicles </p> [SEG] in a parking lot .",
        "<p> a tennis court </p> [SEG] west of a pool .",
    ]
    hyps = ["a large white building beside a road .", "a pond .", ""]
    scores = caption_scores(refs, hyps, {"all": [0, 1, 2], "first": [0], "none": []}, meteor)
    assert scores["first"]["meteor"] > 0.99
    assert scores["all"]["meteor"] < 0.6
    assert scores["all"]["cider"] == pytest.approx(scores["first"]["cider"] / 3)
    assert scores["none"] == {"meteor": None, "cider": None}
