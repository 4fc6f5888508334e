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


def test_box_projection_loss_by_hand():
    from training.losses import box_projection_loss

    box = torch.zeros(1, 3, 3)
    box[0, :2, :2] = 1.0  # a 2 x 2 box in the top-left corner of a 3 x 3 window
    # p = 0.5 everywhere: each projection is [.5, .5, .5] against [1, 1, 0];
    # Dice = 1 - 2 * 1.0 / (0.75 + 2) = 3 / 11 per axis, summed over the two axes.
    flat = torch.zeros(1, 3, 3)
    assert math.isclose(box_projection_loss(flat, box).item(), 6 / 11, rel_tol=1e-5)
    # Only the diagonal of the box is on: it touches every row and column of the box and
    # nothing outside, so both projections match exactly although the mask is not the box.
    diagonal = torch.full((1, 3, 3), -30.0)
    diagonal[0, 0, 0] = diagonal[0, 1, 1] = 30.0
    assert box_projection_loss(diagonal, box).item() < 1e-5
    spilled = diagonal.clone()
    spilled[0, 2, 2] = 30.0  # a pixel outside the box's rows and columns
    # each projection [1, 1, 1] against [1, 1, 0]: 1 - 2 * 2 / (3 + 2) = 1 / 5 per axis.
    assert math.isclose(box_projection_loss(spilled, box).item(), 2 / 5, rel_tol=1e-4)
    assert box_projection_loss(torch.zeros(0, 3, 3), torch.zeros(0, 3, 3)).item() == 0.0


def test_box_only_objects_leave_mask_bce_and_dice_for_the_projection_term():
    from model_core.modeling.clvnet import CLVNetOutput
    from training.losses import clvnet_loss

    target = torch.zeros(2, 2, 2)
    target[0, 0, 0] = 1.0  # object 0: a true mask
    target[1] = 1.0  # object 1: box-only, its "mask" is the whole box
    logits = torch.zeros(2, 2, 2)  # p = 0.5 everywhere
    out = CLVNetOutput(
        caption_logits=torch.zeros(1, 1, 2),
        masks=logits,
        scores=torch.zeros(2),
        groups=torch.zeros(2, dtype=torch.int64),
        relation_logits=[],
        phrase_embeddings=torch.zeros(2, 4),
        visual_embeddings=None,
        queries=torch.zeros(2, 4),
    )
    batch = {
        "caption_ids": torch.zeros(1, 1, dtype=torch.int64),
        "caption_mask": torch.ones(1, 1, dtype=torch.int64),
        "masks": target,
        "relations": [],
        "box_only": torch.tensor([False, True]),
    }
    weights = LossConfig(caption_ce=0, semantic=0, relation_align=0, relation_ce=0)
    _, terms = clvnet_loss(out, batch, weights)
    # BCE and Dice see object 0 alone (the values of test_mask_bce_and_dice_by_hand) ...
    assert math.isclose(terms["mask_bce"], math.log(2.0), rel_tol=1e-6)
    assert math.isclose(terms["mask_dice"], 0.5, rel_tol=1e-6)
    # ... and the projection term object 1 alone: [.5, .5] vs [1, 1] -> 1 - 2 / 2.5 per axis.
    assert math.isclose(terms["mask_box"], 2 * (1 - 2 / 2.5), rel_tol=1e-4)
