"""Each loss term against values computed by hand on small tensors."""

import math

import torch

from model_core.config import LossConfig
from training.losses import (
    caption_cross_entropy,
    mask_bce,
    mask_dice,
    relation_cross_entropy,
    relationship_consistency,
    semantic_consistency,
)


def test_caption_cross_entropy_counts_only_masked_tokens():
    logits = torch.tensor([[[0.0, 0.0], [math.log(3.0), 0.0], [5.0, -5.0]]])  # (1, 3, 2)
    ids = torch.tensor([[0, 0, 1]])
    mask = torch.tensor([[1, 1, 0]])
    # token 0: uniform -> log 2; token 1: p(0) = 3/4 -> -log(3/4); token 2 is masked out.
    expected = (math.log(2.0) - math.log(0.75)) / 2
    assert math.isclose(caption_cross_entropy(logits, ids, mask).item(), expected, rel_tol=1e-6)


def test_mask_bce_and_dice_by_hand():
    logits = torch.zeros(1, 2, 2)  # p = 0.5 everywhere
    target = torch.tensor([[[1.0, 0.0], [0.0, 0.0]]])
    assert math.isclose(mask_bce(logits, target).item(), math.log(2.0), rel_tol=1e-6)
    # dice = (2 * 0.5 + 1) / (2.0 + 1 + 1) = 0.5 -> loss 0.5
    assert math.isclose(mask_dice(logits, target).item(), 0.5, rel_tol=1e-6)
    perfect = torch.tensor([[[20.0, -20.0], [-20.0, -20.0]]])
    assert mask_dice(perfect, target).item() < 1e-6
    assert mask_bce(perfect, target).item() < 1e-6


def test_mask_losses_upsample_low_resolution_logits():
    logits = torch.full((1, 2, 2), 20.0)
    target = torch.ones(1, 8, 8)
    assert mask_bce(logits, target).item() < 1e-6


def test_semantic_consistency_symmetric_infonce():
    visual = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    text = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    tau = 0.5
    # similarity logits: diag 2, off-diag 0 -> CE = -log(e^2 / (e^2 + 1)) both ways.
    expected = -math.log(math.exp(2) / (math.exp(2) + 1))
    assert math.isclose(semantic_consistency(visual, text, tau).item(), expected, rel_tol=1e-6)
    swapped = semantic_consistency(visual, text.flip(0), tau).item()
    assert swapped > expected  # wrong pairing costs more


def test_relationship_consistency_zero_when_affinities_agree():
    text = torch.tensor([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]])
    groups = torch.tensor([0, 0, 0])
    assert relationship_consistency(text, text.clone(), groups, 0.1).item() < 1e-6
    other = torch.tensor([[0.0, 1.0], [0.8, 0.6], [1.0, 0.0]])
    assert relationship_consistency(text, other, groups, 0.1).item() > 0.1


def test_relationship_consistency_by_hand_for_two_objects_each():
    # With n = 2 the off-diagonal rows have one entry: softmax is 1 on both sides -> KL 0.
    text = torch.randn(4, 3)
    queries = torch.randn(4, 3)
    groups = torch.tensor([0, 0, 1, 1])
    assert relationship_consistency(text, queries, groups, 0.1).item() < 1e-6


def test_relation_cross_entropy_ignores_unlabelled_pairs():
    logits = [torch.tensor([[[0.0, 0.0], [math.log(3.0), 0.0]], [[0.0, 0.0], [0.0, 0.0]]])]
    labels = [torch.tensor([[-1, 0], [-1, -1]])]
    # one labelled pair: p(class 0) = 3/4.
    assert math.isclose(
        relation_cross_entropy(logits, labels).item(), -math.log(0.75), rel_tol=1e-6
    )
    assert relation_cross_entropy(logits, [torch.full((2, 2), -1)]) is None


def test_default_weights_are_the_geopixel_recipe():
    weights = LossConfig()
    assert (weights.caption_ce, weights.mask_bce, weights.mask_dice) == (1.0, 2.0, 0.5)
