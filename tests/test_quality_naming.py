"""Quality-score loss (hand-computed), the object score, and generic nouns for unsure phrases."""

import math

import numpy as np
import pytest
import torch
from helpers import scripted_caption

from model_core.config import LossConfig, preset
from model_core.modeling.build import build_clvnet
from model_core.naming import (
    GENERIC_PHRASES,
    generic_phrase,
    replace_seg_phrases,
    seg_naming_confidences,
)
from model_core.tokenizer import CaptionTokenizer
from training.losses import clvnet_loss, mask_iou_targets, quality_regression


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    tokenizer = CaptionTokenizer.from_base_corpus(512)
    return build_clvnet(preset("tiny"), tokenizer).eval(), tokenizer


def test_quality_regression_by_hand():
    logits = torch.tensor([[[5.0, -5.0], [5.0, -5.0]], [[-5.0, -5.0], [-5.0, -5.0]]])
    targets = torch.tensor([[[1.0, 1.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]])
    # object 0: predicted left column, true top row -> IoU 1/3; object 1: both empty -> 0
    assert mask_iou_targets(logits, targets).tolist() == pytest.approx([1 / 3, 0.0])
    scores = torch.tensor([0.5, 0.2], requires_grad=True)
    loss = quality_regression(scores, logits.requires_grad_(), targets)
    assert math.isclose(loss.item(), ((0.5 - 1 / 3) ** 2 + 0.2**2) / 2, rel_tol=1e-6)
    loss.backward()
    assert logits.grad is None or not logits.grad.any()  # the IoU target is detached
    assert scores.grad.tolist() == pytest.approx([0.5 - 1 / 3, 0.2])


def test_quality_iou_upsamples_low_resolution_logits():
    logits = torch.full((1, 2, 2), -9.0)
    logits[0, 0, 0] = 9.0
    target = torch.zeros(1, 8, 8)
    target[0, :4, :4] = 1.0  # the top-left quarter, which the 2x2 logits upsample to (+ blur)
    assert mask_iou_targets(logits, target).item() > 0.5


def test_clvnet_loss_trains_quality_only_on_objects_with_masks():
    n = 3

    class Out:
        scores = torch.tensor([0.0, 1.0, 0.5])
        masks = torch.full((n, 4, 4), 9.0)

    batch = {"masks": torch.ones(n, 8, 8), "box_only": torch.tensor([False, True, False])}
    weights = LossConfig(
        caption_ce=0,
        mask_bce=0,
        mask_dice=0,
        semantic=0,
        relation_align=0,
        relation_ce=0,
        mask_box=0,
        quality=2.0,
    )
    total, terms = clvnet_loss(Out(), batch, weights)
    # objects 0 and 2: IoU 1, scores 0 and 0.5 -> MSE (1 + 0.25) / 2; object 1 is box-only
    assert terms == {"quality": pytest.approx(0.625)}
    assert total.item() == pytest.approx(1.25)


def test_naming_confidence_reads_only_class_words():
    #        <p>  a    large red  storage tank </p> [SEG] on  <p>  the  road </p> [SEG]
    ids = [1, 10, 11, 12, 13, 14, 2, 3, 15, 1, 16, 17, 2, 3]
    probs = [1, 0.9, 0.2, 0.3, 0.6, 0.99, 1, 1, 0.5, 1, 0.4, 0.8, 1, 1]
    words = ["<p>", "a", "large", "red", "stor", "age tank", "</p>", "[SEG]", "on"]
    words += ["<p>", "the", "road", "</p>", "[SEG]"]
    starts = [True, True, True, True, True, False, True, True, True, True, True, True, True, True]
    confidences = seg_naming_confidences(ids, probs, starts, words, 1, 2, 3)
    # size and colour words (0.2, 0.3) and articles are ignored: storage tank -> min(0.6, 0.99)
    assert confidences == pytest.approx([0.6, 0.8])
    assert seg_naming_confidences([3], [1.0], [True], ["[SEG]"], 1, 2, 3) == [None]


def test_generic_phrase_and_caption_rewrite():
    assert generic_phrase("two red cars", 0.05) == "some objects"
    assert generic_phrase("a pier", 0.05) == "an object"
    assert generic_phrase("the water", 0.6) == "an area"
    assert set(map(generic_phrase, ["a b", "two b"], [0.0, 0.9])) <= GENERIC_PHRASES
    tagged = "<p> a pier </p> [SEG] lies next to <p> a road </p> [SEG] ."
    assert (
        replace_seg_phrases(tagged, {0: "an object"})
        == "<p> an object </p> [SEG] lies next to <p> a road </p> [SEG] ."
    )
    assert replace_seg_phrases(tagged, {1: "an area"}).endswith("<p> an area </p> [SEG] .")


def test_predictor_scores_and_generic_nouns(tiny):
    from model_core.predictor import Predictor
    from model_core.window import window_from_array

    model, tokenizer = tiny
    model.cfg.quality_head_trained = True
    predictor = Predictor(model, tokenizer, device="cpu", cache_size=0)
    image = (np.random.default_rng(0).random((64, 64, 3)) * 255).astype(np.uint8)
    window = window_from_array(image, (10, 10, 50, 50), source="s")

    # Force a caption with two phrases: the untrained model's logits are replaced.
    caption = "<p> a red pier </p> [SEG] next to <p> a road </p> [SEG]"
    with scripted_caption(model, tokenizer, caption, unsure_after="<p> a red"):
        predictor.min_naming_probability = 0.6
        result = predictor.predict(window)
    assert [o.naming_confidence for o in result.objects] == pytest.approx([0.5, 1.0], abs=1e-4)
    assert result.objects[0].phrase in GENERIC_PHRASES
    assert result.objects[1].phrase == "a road"
    assert result.tagged_caption.startswith(f"<p> {result.objects[0].phrase} </p> [SEG]")
    assert "pier" not in result.caption
    for obj in result.objects:
        assert 0.0 <= obj.score <= 1.0
