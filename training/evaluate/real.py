"""Evaluation on real record folders: the boxed target's mask, its name, abstention, calibration.

For each record the target is object 0 (the first ``[SEG]``: what the user's box holds). Per
record the predictor runs once with no abstention (``min_naming_probability`` 0) and keeps, for
its first object, the phrase, the naming confidence (``model_core.naming``) and the score;
abstention at any threshold is then replayed exactly as the predictor would apply it.

- **Target mask IoU**: first predicted mask vs the target's true mask (0 without a prediction),
  over targets with a mask (box-only targets have none).
- **Class named**: the first phrase names the target's class with a word the class-name map
  accepts (``training.real_captions.named_correctly``); **wrong class**: it names anything
  else; **abstained**: it is a generic phrase (``model_core.naming.GENERIC_PHRASES``);
  **no phrase**: nothing was grounded. The four rates sum to 1 over all targets.
- **Calibration** of ``score`` (a predicted IoU) against the measured target IoU, over targets
  with a mask: expected calibration error with 10 equal-width bins of the score, and a
  reliability plot.

The naming threshold and the default minimum score are chosen here from the evaluated targets
(see :func:`choose_naming_threshold` and :func:`choose_min_score`).
"""

from __future__ import annotations

import copy
import dataclasses
import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from model_core.naming import (
    ABSTAIN,
    GENERIC_PHRASES,
    REPLACE,
    abstain_unsure,
    head_verdict,
    judge_first_object,
)
from training.holdout import SPLIT_FOLDERS

#: Bars of issue 11 for the bundled model on the real validation split.
REAL_BARS = {"target_iou": 0.65, "named": 0.70, "wrong": 0.15, "ece": 0.10}
#: Naming thresholds tried when choosing the default (0 = never abstain).
NAMING_GRID = tuple(round(0.05 * k, 2) for k in range(20))
#: Minimum scores tried when choosing the default.
SCORE_GRID = tuple(round(0.05 * k, 2) for k in range(19))
#: Class-head thresholds tried: keep the phrase from this head probability of its kind on...
KEEP_GRID = tuple(round(0.05 * k, 2) for k in range(20))
#: ...and replace it by the head's phrase from this probability of the head's best kind on;
REPLACE_GRID = tuple(round(0.05 * k, 2) for k in range(6, 21))
#: keep it whatever the head says when the language model was this sure of it (0: never).
TRUST_GRID = (0.0, 0.9, 0.95, 0.98, 0.99)
CALIBRATION_BINS = 10
#: Thresholds are chosen so the wrong-class rate's one-sided 95% upper bound (Wilson score) on
#: the calibration targets stays within the bar: a rate measured on ~150 targets moves by a
#: few hundredths on new images, and a wrong name costs an analyst more than an abstention.
CONFIDENCE_Z = 1.645
#: A target mask counts as right from this IoU on (as AP50 and recall do).
GOOD_IOU = 0.5
OUTCOMES = ("named", "wrong", "abstained", "no_phrase")


@dataclass
class Target:
    """What the model said about one record's target (object 0), before any abstention."""

    record_id: str
    source: str
    class_name: str
    has_mask: bool
    iou: Optional[float]  # first predicted mask vs the true mask; None for a box-only target
    score: Optional[float]  # score of the first predicted object; None without one
    phrase: Optional[str]  # first predicted phrase; None without one
    naming_confidence: Optional[float]
    mask_fraction: float  # of the window covered by the first predicted mask
    names_class: bool  # the phrase contains the class noun
    #: predicted / true mask pixels of the target (> 1 spills over, < 1 misses part); None
    #: for a box-only target
    area_ratio: Optional[float] = None
    #: the class head's probability of each kind for the box (None without a head)
    kind_probabilities: Optional[List[float]] = None


# ----------------------------------------------------------------------------- record facts
def record_annotations(folders: Sequence[str]) -> Dict[str, dict]:
    """Record id -> ``{"classes": [...], "source": str}`` read from the record JSON files.

    ``classes`` (one raw class name per object, ``[SEG]`` order) and ``source`` are written by
    ``python -m training.prepare``; the source defaults to the folder's name (its parent's
    when the folder is a split: ``/work/records/dubai/validation`` -> ``dubai``).
    """
    facts: Dict[str, dict] = {}
    for folder in folders:
        path = Path(folder)
        default_source = path.parent.name if path.name in SPLIT_FOLDERS else path.name
        files = sorted(path.glob("*.json")) + sorted(path.glob("annotations/*.json"))
        for file in files if path.is_dir() else [path]:
            if file.name == "manifest.json":
                continue
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # load_records reports it
            entries = data.get("records", [data]) if isinstance(data, dict) else data
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict) and "id" in entry:
                    facts[str(entry["id"])] = {
                        "classes": list(entry.get("classes") or []),
                        "source": str(entry.get("source") or default_source),
                    }
    return facts


@lru_cache(maxsize=65536)
def names_target(class_name: str, source: str, phrase: str) -> bool:
    """Does ``phrase`` name ``class_name`` (the class-name map's accepted words; a source's
    default noun, e.g. "field" for crop registers, for classes the map lacks)?"""
    from training.real_captions import named_correctly
    from training.real_sources import DEFAULT_NOUN

    return named_correctly(class_name, phrase, DEFAULT_NOUN.get(source))


# ----------------------------------------------------------------------------- outcomes
def outcome(target: Target, threshold: float, head=None) -> str:
    """``named``, ``wrong``, ``abstained`` or ``no_phrase`` at a naming threshold; with a class
    head (a ``ClassHeadConfig`` with the thresholds to replay) the head judges
    the phrase as the predictor would (``model_core.naming.head_verdict``)."""
    if target.phrase is None:
        return "no_phrase"
    if head is not None and target.kind_probabilities:
        decision, phrase, _ = head_verdict(
            target.phrase, target.kind_probabilities, head, target.naming_confidence
        )
        if decision == ABSTAIN or phrase in GENERIC_PHRASES:
            return "abstained"
        if decision == REPLACE:
            return "named" if names_target(target.class_name, target.source, phrase) else "wrong"
        return "named" if target.names_class else "wrong"
    if target.phrase in GENERIC_PHRASES:
        return "abstained"
    if target.naming_confidence is not None and target.naming_confidence < threshold:
        return "abstained"
    return "named" if target.names_class else "wrong"


def naming_rates(
    targets: Sequence[Target], threshold: float, head=None
) -> Dict[str, Optional[float]]:
    """Fraction of targets in each outcome (None for no targets)."""
    counts = {name: 0 for name in OUTCOMES}
    for target in targets:
        counts[outcome(target, threshold, head)] += 1
    n = len(targets)
    return {name: (counts[name] / n if n else None) for name in OUTCOMES}


def wrong_upper_bound(rate: Optional[float], count: int, z: float = CONFIDENCE_Z) -> float:
    """One-sided upper confidence bound (Wilson score) of a rate measured on ``count``
    targets; ``z`` 0 gives the rate itself."""
    if rate is None or count == 0:
        return 1.0
    denominator = 1.0 + z * z / count
    centre = rate + z * z / (2 * count)
    spread = z * np.sqrt(rate * (1 - rate) / count + z * z / (4 * count * count))
    return float((centre + spread) / denominator)


def choose_naming_threshold(
    targets: Sequence[Target], max_wrong: float = REAL_BARS["wrong"], z: float = CONFIDENCE_Z
):
    """The lowest threshold of :data:`NAMING_GRID` whose wrong-class rate is at most
    ``max_wrong`` with confidence (:func:`wrong_upper_bound`; abstaining no more than needed);
    if none reaches it, the one with the most named minus wrong targets."""
    rates = {t: naming_rates(targets, t) for t in NAMING_GRID}
    for t in NAMING_GRID:
        if wrong_upper_bound(rates[t]["wrong"], len(targets), z) <= max_wrong:
            return t
    return max(NAMING_GRID, key=lambda t: (rates[t]["named"] or 0) - (rates[t]["wrong"] or 0))


def head_sweep(targets: Sequence[Target], head) -> Dict[Tuple[float, float, float], dict]:
    """Naming rates at every (keep, replace, trust) triple of the grids."""
    return {
        (keep, rep, trust): naming_rates(
            targets, 0.0, dataclasses.replace(head, keep=keep, replace=rep, trust=trust)
        )
        for keep in KEEP_GRID
        for rep in REPLACE_GRID
        for trust in TRUST_GRID
    }


def choose_head_thresholds(
    sweep: Dict[Tuple[float, float, float], dict],
    count: int,
    max_wrong: float = REAL_BARS["wrong"],
    z: float = CONFIDENCE_Z,
) -> Tuple[float, float, float]:
    """The (keep, replace, trust) triple naming the most of the ``count`` targets with a
    wrong-class rate at most ``max_wrong`` with confidence (:func:`wrong_upper_bound`; ties:
    fewer wrong, then the lower thresholds); if none reaches it, the triple with the most
    named minus wrong."""
    within = [p for p, r in sweep.items() if wrong_upper_bound(r["wrong"], count, z) <= max_wrong]
    if within:
        return min(within, key=lambda p: (-sweep[p]["named"], sweep[p]["wrong"], p))
    return min(sweep, key=lambda p: (sweep[p]["wrong"] - sweep[p]["named"], p))


def calibration(scores: Sequence[float], ious: Sequence[float], bins: int = CALIBRATION_BINS):
    """Expected calibration error and the per-bin table of predicted vs measured IoU.

    Bins are equal-width on the score in [0, 1] (1.0 falls in the last); the error is the
    count-weighted mean of |mean score - mean IoU| over non-empty bins. None without data.
    """
    s = np.clip(np.asarray(scores, dtype=np.float64), 0.0, 1.0)
    y = np.asarray(ious, dtype=np.float64)
    table = []
    if not len(s):
        return None, table
    index = np.minimum((s * bins).astype(int), bins - 1)
    ece = 0.0
    for b in range(bins):
        pick = index == b
        n = int(pick.sum())
        row = {"low": b / bins, "high": (b + 1) / bins, "count": n, "score": None, "iou": None}
        if n:
            row["score"], row["iou"] = float(s[pick].mean()), float(y[pick].mean())
            ece += n / len(s) * abs(row["score"] - row["iou"])
        table.append(row)
    return float(ece), table


def choose_min_score(scores: Sequence[float], ious: Sequence[float]) -> Optional[float]:
    """The minimum score (of :data:`SCORE_GRID`) that best separates right masks (IoU >= 0.5)
    from wrong ones: the highest threshold whose F1 of "kept" against "right" is within one
    target (1 / n) of the best F1, since differences that small are noise and a hidden object
    costs the user less than a shown wrong one (lowering the setting shows it)."""
    s, y = np.asarray(scores, dtype=np.float64), np.asarray(ious, dtype=np.float64) >= GOOD_IOU
    if not len(s):
        return None
    f1 = []
    for t in SCORE_GRID:
        kept = s >= t
        tp = float((kept & y).sum())
        f1.append(2 * tp / max(float(kept.sum()) + float(y.sum()), 1.0))
    best = max(f1)
    return max(t for t, value in zip(SCORE_GRID, f1) if value >= best - 1.0 / len(s) - 1e-12)


def reliability_plot(table: List[dict], ece: Optional[float], path: Path, title: str) -> None:
    """Mean measured IoU against mean predicted IoU per bin, the diagonal, and bin counts."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(5, 6), gridspec_kw={"height_ratios": [3, 1]}, sharex=True
    )
    filled = [row for row in table if row["count"]]
    top.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect calibration")
    top.plot([r["score"] for r in filled], [r["iou"] for r in filled], marker="o", label="measured")
    top.set_ylabel("measured target IoU (bin mean)")
    top.set_xlim(0, 1)
    top.set_ylim(0, 1)
    top.legend(loc="upper left")
    top.set_title(f"{title}\nECE {ece:.3f}" if ece is not None else title)
    bottom.bar(
        [(r["low"] + r["high"]) / 2 for r in table],
        [r["count"] for r in table],
        width=1 / len(table) * 0.9 if table else 0.1,
        color="tab:blue",
    )
    bottom.set_xlabel("score (predicted IoU)")
    bottom.set_ylabel("targets")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# ----------------------------------------------------------------------------- report
def group_report(targets: Sequence[Target], threshold: float, head=None) -> dict:
    """Counts, target mask IoU, naming rates and calibration of one group of targets."""
    masked = [t for t in targets if t.has_mask]
    scored = [t for t in masked if t.score is not None]
    ratios = [t.area_ratio for t in masked if t.area_ratio is not None]
    ece, _ = calibration([t.score for t in scored], [t.iou for t in scored])
    return {
        "targets": len(targets),
        "mask_targets": len(masked),
        "target_iou": float(np.mean([t.iou for t in masked])) if masked else None,
        "mask_area_ratio": float(np.median(ratios)) if ratios else None,
        **naming_rates(targets, threshold, head),
        "ece": ece,
    }


def by_key(
    targets: Sequence[Target], key: Callable[[Target], str], threshold: float, head=None
) -> dict:
    groups: Dict[str, List[Target]] = {}
    for target in targets:
        groups.setdefault(key(target), []).append(target)
    return {name: group_report(group, threshold, head) for name, group in sorted(groups.items())}


def real_report(targets: Sequence[Target], threshold: float, head=None) -> dict:
    """The real-imagery section of an evaluation report; ``head``: the checkpoint's class
    head with the keep/replace thresholds in use (None: phrases judged by token probability)."""
    masked = [t for t in targets if t.has_mask and t.score is not None]
    scores, ious = [t.score for t in masked], [t.iou for t in masked]
    ece, table = calibration(scores, ious)
    overall = group_report(targets, threshold, head)
    report = {
        "naming_threshold": threshold,
        "overall": overall,
        "per_source": by_key(targets, lambda t: t.source, threshold, head),
        "per_class": by_key(targets, lambda t: t.class_name, threshold, head),
        "calibration": {"ece": ece, "bins": table},
        "naming_sweep": {str(t): naming_rates(targets, t) for t in NAMING_GRID},
        "suggested_naming_threshold": choose_naming_threshold(targets) if targets else None,
        "suggested_min_score": choose_min_score(scores, ious),
        "bars": bar_status(overall),
        "targets": [asdict(t) for t in targets],
    }
    if head is not None:  # any thresholds' rates replay from the targets (``naming_rates``)
        report["class_head"] = asdict(head)
        report["suggested_head"] = (
            list(choose_head_thresholds(head_sweep(targets, head), len(targets)))
            if targets
            else None
        )
    return report


def bar_status(overall: dict) -> Dict[str, dict]:
    """Each bar: measured value, bar, met or not (wrong-class and ECE are upper bounds)."""
    out = {}
    for key, bar in REAL_BARS.items():
        value = overall.get(key)
        upper = key in ("wrong", "ece")
        met = value is not None and (value <= bar if upper else value >= bar)
        out[key] = {"value": value, "bar": bar, "met": met, "upper_bound": upper}
    return out


def with_threshold(result, threshold: float, head=None):
    """A copy of a prediction result named as the predictor would at ``threshold`` (and with
    ``head``, the class head judging the first phrase)."""
    result = copy.deepcopy(result)
    if head is not None and result.kind_probabilities:
        abstain_unsure(result, threshold, first=1)
        judge_first_object(result, [result.kind_probabilities[k] for k in head.kinds], head)
    else:
        abstain_unsure(result, threshold)
    return result


def target_of(
    record,
    gt_masks: np.ndarray,
    result,
    facts: dict,
    is_named: Callable[[str, str, str], bool] = names_target,
) -> Target:
    """The :class:`Target` of one record from the predictor's result (no abstention)."""
    classes = facts.get("classes") or []
    class_name = classes[0] if classes else "unknown"
    has_mask = 0 not in record.box_only
    first = result.objects[0] if result.objects else None
    iou = area_ratio = None
    if has_mask:
        iou, area_ratio = 0.0, 0.0
        if first is not None:
            inter = np.logical_and(first.mask, gt_masks[0]).sum()
            union = np.logical_or(first.mask, gt_masks[0]).sum()
            iou = float(inter / union) if union else 0.0
            area_ratio = float(first.mask.sum() / max(int(gt_masks[0].sum()), 1))
    phrase = first.phrase if first is not None else None
    source = facts.get("source", "unknown")
    return Target(
        record_id=record.id,
        source=source,
        class_name=class_name,
        has_mask=has_mask,
        iou=iou,
        score=float(first.score) if first is not None else None,
        phrase=phrase,
        naming_confidence=first.naming_confidence if first is not None else None,
        mask_fraction=float(first.mask.mean()) if first is not None else 0.0,
        names_class=phrase is not None and is_named(class_name, source, phrase),
        area_ratio=area_ratio,
        kind_probabilities=list(result.kind_probabilities.values()) or None,
    )
