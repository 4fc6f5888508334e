"""Grounded-caption (GCG) metrics: captions, masks, phrase-aware recall, box target, relations.

The protocol is GLaMM's GCG evaluation (``mbzuai-oryx/groundingLMM``, ``eval/gcg/evaluate.py``),
which GeoPixel reuses for RS-GCG:

- METEOR and CIDEr from ``pycocoevalcap`` on PTB-tokenised captions with the grounding tags
  removed; CIDEr on the 0-10 scale the package returns, its IDF taken from the references of the
  whole evaluated set.
- AP50 from ``pycocotools`` on RLE masks, one category, every prediction scored 1.
- mIoU: per record, greedy one-to-one pairing of predicted and true masks by IoU (highest pair
  first, while it is > 0), mean of the paired IoUs (0 when nothing pairs), then mean over records.
  Unpaired masks add nothing (GLaMM ``compute_miou``).
- Recall: per record, greedy pairing on the IoU matrix; a pair counts when IoU >= 0.5 and the
  phrase cosine similarity >= 0.5, and the first best-IoU pair that fails either test ends the
  search (GLaMM ``find_best_matches``); hits over all true phrases of the split.

Records are split as GeoPixel does: single-object (one ``[SEG]`` in the truth) and multi-object.

Two CLV-Net additions: the box-target IoU (first predicted vs first true object, the boxed
target; 0 without a prediction) and relation accuracy over the true related ordered pairs whose
two objects both have a greedy-IoU partner at IoU >= 0.5: right when the predicted predicate of
the partner pair is one of the pair's true predicates.

Everything here works on arrays and strings, so it is tested without a model.
"""

import contextlib
import io
import logging
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from model_core.errors import InputError
from model_core.tokenizer import strip_tags

LOG = logging.getLogger("training.evaluate")

#: A pair counts as a localised match from this IoU on (GLaMM recall, COCO AP50).
IOU_THRESHOLD = 0.5
#: Phrase cosine similarity from which a localised match also counts as named right (GLaMM).
TEXT_SIM_THRESHOLD = 0.5
#: Split names: all records, records with one grounded phrase, records with several.
SPLITS = ("overall", "single", "multi")

Triple = Tuple[int, str, int]
#: (phrases_a, phrases_b) -> cosine similarity matrix (len(a), len(b)).
SimilarityFn = Callable[[Sequence[str], Sequence[str]], np.ndarray]


@dataclass
class EvalItem:
    """Ground truth and prediction of one record, masks in the same (H, W) grid.

    Attributes:
        gt_masks: bool (N, H, W), one per ``[SEG]`` of the true caption, in order.
        pred_masks: bool (M, H, W), one per predicted object (M may be 0).
        gt_relations / pred_relations: ``(subject index, predicate, object index)`` triples.
    """

    record_id: str
    gt_caption: str
    gt_masks: np.ndarray
    gt_phrases: List[str]
    pred_caption: str
    pred_masks: np.ndarray
    pred_phrases: List[str]
    gt_relations: List[Triple] = field(default_factory=list)
    pred_relations: List[Triple] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.gt_phrases) != len(self.gt_masks):
            raise ValueError(
                f"{self.record_id}: {len(self.gt_phrases)} phrases, "
                f"{len(self.gt_masks)} true masks."
            )
        if len(self.pred_phrases) != len(self.pred_masks):
            raise ValueError(
                f"{self.record_id}: {len(self.pred_phrases)} predicted phrases, "
                f"{len(self.pred_masks)} predicted masks."
            )
        if len(self.pred_masks) and self.pred_masks.shape[1:] != self.gt_masks.shape[1:]:
            raise ValueError(
                f"{self.record_id}: predicted masks {self.pred_masks.shape[1:]} "
                f"and true masks {self.gt_masks.shape[1:]} differ in size."
            )

    @property
    def split(self) -> str:
        """``single`` for one true grounded phrase, else ``multi`` (GeoPixel's split)."""
        return "single" if len(self.gt_masks) == 1 else "multi"


# --------------------------------------------------------------------------- masks
def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every mask of ``a`` (M, H, W) with every mask of ``b`` (N, H, W) -> (M, N).

    An empty union gives 0.
    """
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    fa = a.reshape(len(a), -1).astype(np.float64)
    fb = b.reshape(len(b), -1).astype(np.float64)
    inter = fa @ fb.T
    union = fa.sum(1)[:, None] + fb.sum(1)[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def mask_iou(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two (H, W) masks (0 when both are empty)."""
    return float(iou_matrix(a[None], b[None])[0, 0])


def greedy_match(ious: np.ndarray) -> List[Tuple[int, int, float]]:
    """One-to-one pairs (row, col, iou), highest IoU first, while the best left is > 0.

    GLaMM ``compute_miou``: take the matrix maximum, drop its row and column, repeat.
    """
    left = ious.astype(np.float64).copy()
    pairs: List[Tuple[int, int, float]] = []
    while left.size and left.max() > 0:
        r, c = np.unravel_index(int(np.argmax(left)), left.shape)
        pairs.append((int(r), int(c), float(ious[r, c])))
        left[r, :] = -1.0
        left[:, c] = -1.0
    return pairs


def record_miou(pred_masks: np.ndarray, gt_masks: np.ndarray) -> float:
    """Mean IoU of the greedy pairs of one record, 0 when nothing pairs (GLaMM ``compute_miou``)."""
    return _paired_mean(greedy_match(iou_matrix(pred_masks, gt_masks)))


def _paired_mean(pairs: Sequence[Tuple[int, int, float]]) -> float:
    return float(np.mean([p[2] for p in pairs])) if pairs else 0.0


def recall_hits(
    ious: np.ndarray,
    text_sims: np.ndarray,
    iou_threshold: float = IOU_THRESHOLD,
    text_sim_threshold: float = TEXT_SIM_THRESHOLD,
) -> List[Tuple[int, int]]:
    """(true, predicted) pairs that count for recall, GLaMM ``find_best_matches``.

    Args:
        ious / text_sims: (N true, M predicted) IoU and phrase cosine similarity.

    The pair of highest IoU left is taken while it passes both thresholds; the first one that
    fails either ends the search (as GLaMM does), taken rows and columns are zeroed.
    """
    left_iou = ious.astype(np.float64).copy()
    left_sim = text_sims.astype(np.float64).copy()
    hits: List[Tuple[int, int]] = []
    while left_iou.size:
        g, p = np.unravel_index(int(np.argmax(left_iou)), left_iou.shape)
        if left_iou[g, p] < iou_threshold or left_sim[g, p] < text_sim_threshold:
            break
        hits.append((int(g), int(p)))
        left_iou[g, :] = left_iou[:, p] = 0.0
        left_sim[g, :] = left_sim[:, p] = 0.0
    return hits


def relation_pairs(
    gt_relations: Sequence[Triple],
    pred_relations: Sequence[Triple],
    gt_to_pred: Dict[int, int],
) -> Tuple[int, int]:
    """(correct, evaluated) over true related ordered pairs whose two objects are matched.

    ``gt_to_pred`` maps a true object index to its matched predicted one. A pair is right when
    the predicted predicate for the matched pair is one of the true predicates of that pair
    (a pair may carry several, e.g. "next to" and "north of"; the model predicts one per pair,
    no prediction counts as wrong).
    """
    truth: Dict[Tuple[int, int], set] = {}
    for i, predicate, j in gt_relations:
        truth.setdefault((i, j), set()).add(predicate)
    predicted = {(i, j): predicate for i, predicate, j in pred_relations}
    correct = evaluated = 0
    for (i, j), predicates in truth.items():
        if i in gt_to_pred and j in gt_to_pred:
            evaluated += 1
            correct += predicted.get((gt_to_pred[i], gt_to_pred[j])) in predicates
    return correct, evaluated


def _rle(mask: np.ndarray) -> dict:
    from pycocotools import mask as mask_utils

    return mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))


def mask_ap50(items: Sequence[EvalItem]) -> Optional[float]:
    """COCO segmentation AP at IoU 0.5, one category, every prediction scored 1 (GLaMM).

    None when there is no true mask; 0 when there is no prediction.
    """
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    images, gts, dts = [], [], []
    for image_id, item in enumerate(items, start=1):
        h, w = item.gt_masks.shape[1:]
        images.append({"id": image_id, "height": h, "width": w})
        for mask in item.gt_masks:
            rle = _rle(mask)
            gts.append(
                {
                    "id": len(gts) + 1,
                    "image_id": image_id,
                    "category_id": 1,
                    "segmentation": rle,
                    "area": float(mask.sum()),
                    "bbox": [float(v) for v in _bbox(rle)],
                    "iscrowd": 0,
                }
            )
        dts += [
            {"image_id": image_id, "category_id": 1, "segmentation": _rle(m), "score": 1.0}
            for m in item.pred_masks
        ]
    if not gts:
        return None
    if not dts:
        return 0.0
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = {"images": images, "annotations": gts, "categories": [{"id": 1}]}
        coco_gt.createIndex()
        coco_eval = COCOeval(coco_gt, coco_gt.loadRes(dts), "segm")
        coco_eval.params.catIds = [1]
        coco_eval.evaluate()
        coco_eval.accumulate()
        coco_eval.summarize()
    return float(coco_eval.stats[1])


def _bbox(rle: dict) -> np.ndarray:
    from pycocotools import mask as mask_utils

    return mask_utils.toBbox(rle)


# --------------------------------------------------------------------------- captions
def caption_scores(
    references: Sequence[str],
    hypotheses: Sequence[str],
    groups: Dict[str, List[int]],
    meteor: Optional[object] = None,
) -> Dict[str, Dict[str, Optional[float]]]:
    """METEOR and CIDEr of each group of records (indices into the two caption lists).

    Tags are removed and captions PTB-tokenised (lower case, punctuation dropped) as
    ``pycocoevalcap.COCOEvalCap`` does. CIDEr's IDF comes from the references of all records, so
    a group's CIDEr is the mean of its records' scores in that one corpus (for all records: the
    corpus CIDEr). METEOR is the corpus score of each group. An empty group gives None.

    Args:
        meteor: a started ``pycocoevalcap`` ``Meteor`` to reuse (its JVM takes seconds to start
            and about 1 GB); None starts one for this call and ends it afterwards.
    """
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.meteor.meteor import Meteor
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    if shutil.which("java") is None:
        raise InputError(
            "METEOR and the caption tokenizer need a Java runtime ('java' on the "
            "PATH; on Debian: apt install default-jre-headless)."
        )
    n = len(references)
    captions = {k: [{"caption": strip_tags(c)}] for k, c in enumerate(references)}
    captions.update({n + k: [{"caption": strip_tags(c)}] for k, c in enumerate(hypotheses)})
    with _java_stderr_captured():
        tokens = PTBTokenizer().tokenize(captions)
    refs = {k: tokens[k] for k in range(n)}
    hyps = {k: tokens[n + k] for k in range(n)}
    cider_each = Cider().compute_score(refs, hyps)[1] if n else np.zeros(0)
    scorer = meteor if meteor is not None else Meteor()
    out: Dict[str, Dict[str, Optional[float]]] = {}
    for name, indices in groups.items():
        if not indices:
            out[name] = {"meteor": None, "cider": None}
            continue
        score = scorer.compute_score({k: refs[k] for k in indices}, {k: hyps[k] for k in indices})
        out[name] = {
            "meteor": float(score[0]),
            "cider": float(np.mean([cider_each[k] for k in indices])),
        }
    del scorer  # the last reference to a Meteor made here: ends its JVM
    return out


@contextlib.contextmanager
def _java_stderr_captured() -> Iterator[None]:
    """Send the process's stderr (the JVM tokenizer's progress chatter) to a temporary file
    while the block runs; on an error, its text is logged so a Java failure stays visible."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        except Exception:
            sink.seek(0)
            LOG.error("Java stderr: %s", sink.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


# --------------------------------------------------------------------------- all metrics
def _mean(values: Sequence[float]) -> Optional[float]:
    return float(np.mean(values)) if len(values) else None


def record_metrics(item: EvalItem, similarity: SimilarityFn) -> dict:
    """Per-record mask, recall, box-target and relation numbers (no corpus metrics)."""
    ious = iou_matrix(item.pred_masks, item.gt_masks)  # (M pred, N true)
    pairs = greedy_match(ious)
    if len(item.pred_phrases):
        sims = np.asarray(similarity(item.gt_phrases, item.pred_phrases))
    else:
        sims = np.zeros((len(item.gt_phrases), 0))
    hits = recall_hits(ious.T, sims)
    gt_to_pred = {g: p for p, g, iou in pairs if iou >= IOU_THRESHOLD}
    correct, evaluated = relation_pairs(item.gt_relations, item.pred_relations, gt_to_pred)
    return {
        "record_id": item.record_id,
        "split": item.split,
        "n_gt": len(item.gt_masks),
        "n_pred": len(item.pred_masks),
        "miou": _paired_mean(pairs),
        "box_iou": float(ious[0, 0]) if ious.size else 0.0,
        "recall_hits": len(hits),
        "relations_correct": correct,
        "relations_evaluated": evaluated,
    }


def split_metrics(
    items: Sequence[EvalItem], rows: Sequence[dict], captions: Dict[str, Optional[float]]
) -> dict:
    """Aggregate one split: counts, caption metrics, AP50, mIoU, recall, box IoU, relations."""
    n_gt = sum(r["n_gt"] for r in rows)
    evaluated = sum(r["relations_evaluated"] for r in rows)
    return {
        "records": len(rows),
        "gt_objects": n_gt,
        "pred_objects": sum(r["n_pred"] for r in rows),
        "meteor": captions["meteor"],
        "cider": captions["cider"],
        "ap50": mask_ap50(items) if items else None,
        "miou": _mean([r["miou"] for r in rows]),
        "recall": sum(r["recall_hits"] for r in rows) / n_gt if n_gt else None,
        "box_iou": _mean([r["box_iou"] for r in rows]),
        "relation_accuracy": (
            sum(r["relations_correct"] for r in rows) / evaluated if evaluated else None
        ),
        "relation_pairs": evaluated,
    }


def evaluate_predictions(
    items: Sequence[EvalItem], similarity: SimilarityFn, meteor: Optional[object] = None
) -> dict:
    """All GCG metrics of ``items`` for the overall, single- and multi-object splits.

    Args:
        items: one ``EvalItem`` per record.
        similarity: phrase cosine similarity, e.g. ``PhraseEncoder().similarity``.
        meteor: optional started ``Meteor`` to reuse (see ``caption_scores``).

    Returns:
        ``{"overall": {...}, "single": {...}, "multi": {...}, "records": [per-record rows]}``;
        each split holds ``records``, ``gt_objects``, ``pred_objects``, ``meteor``, ``cider``,
        ``ap50``, ``miou``, ``recall``, ``box_iou``, ``relation_accuracy``, ``relation_pairs``
        (None where a split is empty or a metric has nothing to measure).
    """
    rows = [record_metrics(item, similarity) for item in items]
    groups = {
        name: [k for k, item in enumerate(items) if name == "overall" or item.split == name]
        for name in SPLITS
    }
    captions = caption_scores(
        [item.gt_caption for item in items],
        [item.pred_caption for item in items],
        groups,
        meteor,
    )
    report = {
        name: split_metrics([items[k] for k in idx], [rows[k] for k in idx], captions[name])
        for name, idx in groups.items()
    }
    report["records"] = rows
    return report
