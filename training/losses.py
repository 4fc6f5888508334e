"""CLV-Net training losses (ARCHITECTURE 2.5-2.6).

Total = w_ce caption CE + w_bce mask BCE + w_dice mask Dice + w_sem L_sem + w_rel L_rel
(+ w_rel_ce relation cross-entropy where the data has relation labels) (+ w_box box projection
loss over the objects known only by their box, which mask BCE and Dice leave out) (+ w_quality
MSE of the quality head against each mask's measured IoU; box-only objects are left out, their
mask IoU being unknown). A weight of 0 switches a term off (it is then not computed), which is
how the ablations are run.
"""

from typing import Dict, List, Optional, Tuple

import torch
from torch.nn import functional as F

from model_core.config import LossConfig
from model_core.modeling.clvnet import CLVNetOutput


def caption_cross_entropy(
    logits: torch.Tensor, ids: torch.Tensor, mask: torch.Tensor
) -> torch.Tensor:
    """Mean token cross-entropy. logits (B, L, V) predict ids (B, L); mask (B, L) 1 = counted."""
    loss = F.cross_entropy(logits.float().transpose(1, 2), ids, reduction="none")
    mask = mask.float()
    return (loss * mask).sum() / mask.sum().clamp_min(1.0)


def _upsample(logits: torch.Tensor, size: Tuple[int, int]) -> torch.Tensor:
    if logits.shape[-2:] == size:
        return logits.float()
    return F.interpolate(logits[:, None].float(), size=size, mode="bilinear")[:, 0]


def mask_bce(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Per-pixel BCE averaged per mask, then over masks. logits (N, h, w), targets (N, S, S)."""
    if len(logits) == 0:
        return logits.sum() * 0.0
    up = _upsample(logits, tuple(targets.shape[-2:]))
    return (
        F.binary_cross_entropy_with_logits(up, targets.float(), reduction="none")
        .mean((1, 2))
        .mean()
    )


def mask_dice(logits: torch.Tensor, targets: torch.Tensor, smooth: float = 1.0) -> torch.Tensor:
    """Mean of 1 - (2|P.T| + s) / (|P| + |T| + s) with P = sigmoid(logits), per mask."""
    if len(logits) == 0:
        return logits.sum() * 0.0
    prob = torch.sigmoid(_upsample(logits, tuple(targets.shape[-2:]))).flatten(1)
    target = targets.float().flatten(1)
    dice = (2 * (prob * target).sum(1) + smooth) / (prob.sum(1) + target.sum(1) + smooth)
    return (1 - dice).mean()


def _projection_dice(prob: torch.Tensor, target: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Per-row 1 - 2|p.t| / (|p|^2 + |t|^2) of (N, L) projections (BoxInst's Dice form)."""
    inter = (prob * target).sum(1)
    return 1 - 2 * inter / ((prob * prob).sum(1) + (target * target).sum(1) + eps)


def box_projection_loss(logits: torch.Tensor, box_masks: torch.Tensor) -> torch.Tensor:
    """BoxInst's projection term for objects known only by their box.

    The max of the predicted mask probability along y (a profile over x) and along x (over y)
    must match the same projections of the box's filled rectangle: the mask must touch every
    row and column of the box and none outside it, without fixing its shape inside. Dice on
    each axis, summed, averaged over objects. logits (N, h, w), box_masks (N, S, S) 0/1.
    """
    if len(logits) == 0:
        return logits.sum() * 0.0
    prob = torch.sigmoid(_upsample(logits, tuple(box_masks.shape[-2:])))
    box = box_masks.float()
    along_x = _projection_dice(prob.amax(dim=1), box.amax(dim=1))
    along_y = _projection_dice(prob.amax(dim=2), box.amax(dim=2))
    return (along_x + along_y).mean()


def semantic_consistency(
    visual: torch.Tensor, text: torch.Tensor, temperature: float
) -> torch.Tensor:
    """Cross-modal Semantic Consistency Loss: symmetric InfoNCE over the objects of a batch.

    Object k's mask-pooled visual embedding must pick out its own phrase embedding among all
    phrases of the batch (and vice versa); visually similar objects are the hard negatives.
    visual, text: (N, D).
    """
    if len(visual) < 2:
        return visual.sum() * 0.0
    v = F.normalize(visual.float(), dim=-1)
    t = F.normalize(text.float(), dim=-1)
    logits = v @ t.T / temperature
    target = torch.arange(len(v), device=v.device)
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2


def relationship_consistency(
    text: torch.Tensor, queries: torch.Tensor, groups: torch.Tensor, temperature: float
) -> torch.Tensor:
    """Relationship Consistency Loss: align object-object affinities of text and vision.

    Per caption with n >= 2 objects, the row-softmaxed cosine affinities of the phrase
    embeddings (target, detached) and of the context-aware object queries are compared with
    KL(text || visual); the diagonal is excluded. Mean over captions.
    """
    terms: List[torch.Tensor] = []
    for g in torch.unique(groups):
        pick = groups == g
        n = int(pick.sum())
        if n < 2:
            continue
        off_diag = ~torch.eye(n, dtype=torch.bool, device=text.device)
        t = F.normalize(text[pick].float().detach(), dim=-1)
        q = F.normalize(queries[pick].float(), dim=-1)
        a_text = (t @ t.T / temperature)[off_diag].view(n, n - 1)
        a_vis = (q @ q.T / temperature)[off_diag].view(n, n - 1)
        terms.append(
            F.kl_div(
                F.log_softmax(a_vis, -1),
                F.log_softmax(a_text, -1),
                log_target=True,
                reduction="batchmean",
            )
        )
    if not terms:
        return queries.sum() * 0.0
    return torch.stack(terms).mean()


def relation_cross_entropy(
    logits: List[torch.Tensor], labels: List[torch.Tensor]
) -> Optional[torch.Tensor]:
    """Cross-entropy of pairwise predicate logits (n, n, P) against labels (n, n); -1 ignored."""
    flat_logits = [lg.reshape(-1, lg.shape[-1]) for lg in logits if lg.numel()]
    flat_labels = [lb.reshape(-1) for lg, lb in zip(logits, labels) if lg.numel()]
    if not flat_logits:
        return None
    target = torch.cat(flat_labels).to(flat_logits[0].device)
    if not bool((target >= 0).any()):
        return None
    return F.cross_entropy(torch.cat(flat_logits).float(), target, ignore_index=-1)


def mask_iou_targets(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """(N,) IoU of each predicted mask (logits > 0, upsampled to the target grid as the predictor
    does) with its true mask; 0 when both are empty. No gradient: a regression target."""
    with torch.no_grad():
        pred = _upsample(logits.detach(), tuple(targets.shape[-2:])) > 0
        truth = targets > 0.5
        inter = (pred & truth).flatten(1).sum(1).float()
        union = (pred | truth).flatten(1).sum(1).float()
        return torch.where(union > 0, inter / union.clamp_min(1.0), torch.zeros_like(union))


def quality_regression(
    scores: torch.Tensor, logits: torch.Tensor, targets: torch.Tensor
) -> torch.Tensor:
    """Mean squared error of the quality head's scores (N,) against the measured IoU of each
    mask with its truth (:func:`mask_iou_targets`), so ``score`` predicts mask quality."""
    if len(scores) == 0:
        return scores.sum() * 0.0
    return F.mse_loss(scores.float(), mask_iou_targets(logits, targets))


def clvnet_loss(
    out: CLVNetOutput, batch: Dict[str, object], weights: LossConfig
) -> Tuple[torch.Tensor, Dict[str, float]]:
    """Weighted total loss and each term's value (for logging)."""
    terms: Dict[str, torch.Tensor] = {}
    if weights.caption_ce:
        terms["caption_ce"] = caption_cross_entropy(
            out.caption_logits, batch["caption_ids"], batch["caption_mask"]
        )
    masks = batch["masks"]
    box_only = batch.get("box_only")
    if box_only is None:
        box_only = torch.zeros(len(masks), dtype=torch.bool, device=masks.device)
    has_mask = ~box_only
    if weights.mask_bce:
        terms["mask_bce"] = mask_bce(out.masks[has_mask], masks[has_mask])
    if weights.mask_dice:
        terms["mask_dice"] = mask_dice(out.masks[has_mask], masks[has_mask])
    if weights.mask_box:
        terms["mask_box"] = box_projection_loss(out.masks[box_only], masks[box_only])
    if weights.quality:
        terms["quality"] = quality_regression(
            out.scores[has_mask], out.masks[has_mask], masks[has_mask]
        )
    if weights.semantic and out.visual_embeddings is not None:
        terms["semantic"] = semantic_consistency(
            out.visual_embeddings, out.phrase_embeddings, weights.temperature
        )
    if weights.relation_align:
        terms["relation_align"] = relationship_consistency(
            out.phrase_embeddings, out.queries, out.groups, weights.temperature
        )
    if weights.relation_ce:
        rel = relation_cross_entropy(out.relation_logits, batch["relations"])
        if rel is not None:
            terms["relation_ce"] = rel
    total = sum(getattr(weights, name) * value for name, value in terms.items())
    return total, {name: float(value.detach()) for name, value in terms.items()}
