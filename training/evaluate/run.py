"""``python -m training.evaluate``: run a checkpoint on records and write the GCG report.

Records come from files (``--data``, anything ``training.data.load_records`` reads; or
``--records``: folders written by ``python -m training.prepare``, which adds the real-imagery
section of ``training.evaluate.real``: target mask IoU, class named, wrong class, abstention and
calibration per source and per class, and a reliability plot PNG beside the report) or are
generated on the fly (``--synthetic-seed S --n N``: items 0..N-1 of
``training.data.SyntheticDataset`` with seed S, the scenes the trainer draws with that seed),
so a model card's numbers can be reproduced without files. Each record is cut to the window the
model was trained on (``training.data.record_window``), the predictor captions and segments it,
and ``metrics.evaluate_predictions`` scores everything at once (CIDEr's IDF needs the whole set).

Exit status: 0 success; 2 bad input (one line naming the problem); 1 internal error.
"""

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Tuple

import numpy as np

from model_core.errors import InputError

from .metrics import SPLITS, EvalItem, evaluate_predictions
from .phrases import ENCODER_NOTE, PhraseEncoder
from .real import (
    choose_head_thresholds,
    choose_naming_threshold,
    head_sweep,
    real_report,
    record_annotations,
    reliability_plot,
    target_of,
    with_threshold,
)

#: Skip reasons copied into the report (the rest are only counted).
REPORTED_REASONS = 5
#: Rows of the printed table: (report key, label, format).
TABLE_ROWS = (
    ("records", "records", "{:d}"),
    ("gt_objects", "true objects", "{:d}"),
    ("pred_objects", "predicted objects", "{:d}"),
    ("meteor", "METEOR", "{:.3f}"),
    ("cider", "CIDEr (0-10)", "{:.3f}"),
    ("ap50", "AP50", "{:.3f}"),
    ("miou", "mIoU", "{:.3f}"),
    ("recall", "recall", "{:.3f}"),
    ("box_iou", "box-target IoU", "{:.3f}"),
    ("relation_accuracy", "relation accuracy", "{:.3f}"),
    ("relation_pairs", "relation pairs", "{:d}"),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m training.evaluate",
        description="Evaluate a CLV-Net checkpoint with the GCG metrics "
        "(METEOR, CIDEr, AP50, mIoU, recall) plus box-target IoU and relation accuracy.",
    )
    parser.add_argument("--checkpoint", default=None, help="checkpoint folder (default: bundled)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", action="append", help="record JSON file or folder (repeatable)")
    source.add_argument(
        "--records",
        nargs="+",
        metavar="DIR",
        help="real record folders (training.prepare): adds per-source/per-class target metrics "
        "and calibration",
    )
    source.add_argument(
        "--synthetic-seed",
        type=int,
        default=None,
        help="generate the test split with training.synth from this seed",
    )
    parser.add_argument("--n", type=int, default=500, help="synthetic records (default 500)")
    parser.add_argument("--scene-size", type=int, default=384, help="synthetic scene side (px)")
    parser.add_argument("--out", required=True, help="report JSON path")
    parser.add_argument("--limit", type=int, default=0, help="evaluate at most N records")
    parser.add_argument(
        "--per-folder",
        type=int,
        default=0,
        help="evaluate N records of each --data/--records path, evenly spaced (0: all)",
    )
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    parser.add_argument("--batch-size", type=int, default=8, help="boxes predicted together")
    parser.add_argument("--context", type=float, default=0.5, help="context margin of windows")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: default)")
    parser.add_argument(
        "--min-naming-probability",
        type=float,
        default=None,
        help="abstain below this class-word probability (default: the checkpoint's)",
    )
    parser.add_argument(
        "--store-calibration",
        action="store_true",
        help="with --records: write the naming thresholds chosen here (token probability and "
        "class head) into the checkpoint's config",
    )
    parser.add_argument(
        "--no-mask-refiner",
        action="store_true",
        help="keep the decoder's masks where the checkpoint has a mask refiner (what it adds)",
    )
    return parser


# ----------------------------------------------------------------------------- samples
def file_samples(
    paths: Sequence[str], limit: int, per_folder: int = 0
) -> Tuple[Iterator, int, List[Tuple[str, str]]]:
    """(iterator of (record, image), record count, skipped) for record files or folders.

    ``per_folder`` > 0 keeps that many records of each path, evenly spaced in its order (a
    fixed sample that spreads over the folder's images). Images are read lazily, once per run
    of records that share a file.
    """
    from training.data import load_image, load_records

    if per_folder:
        records, skipped = [], []
        for path in paths:
            found, dropped = load_records([path])
            if len(found) > per_folder:
                picks = np.unique(np.linspace(0, len(found) - 1, per_folder).round().astype(int))
                found = [found[k] for k in picks]
            records += found
            skipped += dropped
    else:
        records, skipped = load_records(list(paths))
    if limit:
        records = records[:limit]
    if not records:
        raise InputError(f"No usable record was found in {', '.join(paths)}.")

    def samples():
        path, image = None, None
        for record in records:
            if record.image_path != path:
                path, image = record.image_path, load_image(record)
            yield record, image

    return samples(), len(records), skipped


def synthetic_samples(
    seed: int, n: int, tokenizer, scene_size: int
) -> Tuple[Iterator, int, List[Tuple[str, str]]]:
    """(iterator of (record, image), n, []): items 0..n-1 of ``SyntheticDataset(seed)``.

    The same scenes and records the trainer draws with that seed (one record per scene), so a
    test seed different from the training seed gives a held-out split.
    """
    from training.data import SyntheticDataset

    if n < 1:
        raise InputError(f"--n must be at least 1, not {n}.")
    dataset = SyntheticDataset(tokenizer, seed=seed, length=n, scene_size=scene_size)

    def samples():
        for index in range(n):
            image, record = dataset.record(index)
            yield record, image

    return samples(), n, []


# ----------------------------------------------------------------------------- predict
def to_item(record, gt_masks: np.ndarray, result) -> EvalItem:
    """Pair a record's truth (masks in the window grid) with the predictor's result.

    Objects known only by their box (``record.box_only``) have no true mask: they are left out
    of the truth of the mask metrics, with their relations.
    """
    size = gt_masks.shape[1:]
    keep = [k for k in range(len(gt_masks)) if k not in set(record.box_only)]
    index = {old: new for new, old in enumerate(keep)}
    phrases = record.phrases
    return EvalItem(
        record_id=record.id,
        gt_caption=record.caption,
        gt_masks=gt_masks[keep].astype(bool).reshape(-1, *size),
        gt_phrases=[phrases[k] for k in keep],
        gt_relations=[
            (index[i], p, index[j]) for i, p, j in record.relations if i in index and j in index
        ],
        pred_caption=result.caption,
        pred_masks=np.array([o.mask for o in result.objects], dtype=bool).reshape(-1, *size),
        pred_phrases=[o.phrase for o in result.objects],
        pred_relations=[(r.subject, r.predicate, r.object) for r in result.relations],
    )


def predict_results(predictor, samples, total: int, context: float, batch_size: int) -> list:
    """(record, true masks, result) of every sample's window, ``batch_size`` boxes at a time.

    Progress: a bar on a terminal, one summary line in a log (``model_core.progress``)."""
    from model_core.progress import Progress
    from training.data import record_window

    done: list = []
    batch: list = []
    counter = Progress(desc="predicted", unit="record")
    counter(0, total)

    def flush() -> None:
        results = predictor.predict_batch([window for _, window, _ in batch])
        done.extend((rec, masks, res) for (rec, _, masks), res in zip(batch, results))
        batch.clear()
        counter(len(done))

    with counter:
        for record, image in samples:
            window, masks = record_window(record, image, predictor.input_size, context)
            batch.append((record, window, masks))
            if len(batch) == batch_size:
                flush()
        if batch:
            flush()
    return done


# ----------------------------------------------------------------------------- report
def format_table(metrics: dict) -> str:
    """The split metrics as a fixed-width text table (``-`` where a value is undefined)."""
    lines = [f"{'metric':<20}" + "".join(f"{name:>10}" for name in SPLITS)]
    for key, label, fmt in TABLE_ROWS:
        cells = []
        for name in SPLITS:
            value = metrics[name][key]
            cells.append(f"{'-' if value is None else fmt.format(value):>10}")
        lines.append(f"{label:<20}" + "".join(cells))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> dict:
    """Evaluate as ``args`` say, write the report to ``args.out`` and return it."""
    import torch

    from model_core.predictor import Predictor

    out = Path(args.out)
    if not out.resolve().parent.is_dir():
        raise InputError(f"The report folder '{out.resolve().parent}' does not exist.")
    if args.batch_size < 1 or args.limit < 0 or args.per_folder < 0:
        raise InputError("--batch-size must be at least 1, --limit and --per-folder not negative.")
    if args.threads:
        torch.set_num_threads(args.threads)
    start = time.perf_counter()
    if args.data or args.records:
        samples, total, skipped = file_samples(
            args.data or args.records, args.limit, args.per_folder
        )
        data = {
            "paths": [str(Path(p).resolve()) for p in args.data or args.records],
            "per_folder": args.per_folder,
        }
    # No feature cache: records of different scenes may share an id and a window.
    predictor = Predictor.from_checkpoint(args.checkpoint, device=args.device, cache_size=0)
    threshold = args.min_naming_probability
    if threshold is None:
        threshold = predictor.min_naming_probability
    # Real records: predict without abstention, replay it per threshold afterwards.
    predictor.min_naming_probability = 0.0 if args.records else threshold
    head = predictor.model.cfg.class_head if predictor.model.class_head is not None else None
    predictor.use_class_head = head is not None and not args.records
    predictor.use_mask_refiner &= not args.no_mask_refiner
    if args.synthetic_seed is not None:
        from training.synth import GENERATOR_VERSION

        n = min(args.n, args.limit) if args.limit else args.n
        samples, total, skipped = synthetic_samples(
            args.synthetic_seed, n, predictor.tokenizer, args.scene_size
        )
        data = {
            "synthetic_seed": args.synthetic_seed,
            "n": n,
            "scene_size": args.scene_size,
            "generator": GENERATOR_VERSION,
        }
    predict_start = time.perf_counter()
    with torch.inference_mode():
        done = predict_results(predictor, samples, total, args.context, args.batch_size)
    predict_s = time.perf_counter() - predict_start
    real = None
    if args.records:
        real, threshold, head = real_section(done, args, threshold, head, predictor.checkpoint_dir)
        done = [(rec, masks, with_threshold(res, threshold, head)) for rec, masks, res in done]
    items = [to_item(*one) for one in done]
    metrics_start = time.perf_counter()
    scores = evaluate_predictions(items, PhraseEncoder().similarity)
    metrics_s = time.perf_counter() - metrics_start
    per_record = scores.pop("records")
    report = {
        "checkpoint": predictor.checkpoint_dir,
        "model": predictor.model_name,
        "data": data,
        "device": str(predictor.device),
        "input_size": predictor.input_size,
        "context": args.context,
        "mask_refiner": predictor.use_mask_refiner,
        "counts": {
            "records": len(items),
            "skipped": len(skipped),
            "skip_reasons": [reason for _, reason in skipped[:REPORTED_REASONS]],
        },
        "metrics": scores,
        "encoder_note": ENCODER_NOTE,
        "timing": {
            "total_s": round(time.perf_counter() - start, 2),
            "load_and_predict_s": round(predict_s, 2),
            "metrics_s": round(metrics_s, 2),
            "predict_ms_per_record": round(1000 * predict_s / max(len(items), 1), 1),
        },
        "per_record": per_record,
    }
    if real is not None:
        report["real"] = real
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def real_section(done: list, args: argparse.Namespace, threshold: float, head, checkpoint: str):
    """The real-imagery report of ``training.evaluate.real``, the naming threshold and the
    class head (None without one) it uses.

    With ``--store-calibration`` the threshold and the head's keep/replace thresholds are the
    ones chosen from these targets, and they are written into the checkpoint's
    ``config.json`` (``min_naming_probability``, ``class_head.keep`` / ``.replace`` /
    ``.trust``).
    """
    facts = record_annotations(args.records)
    targets = [target_of(rec, masks, res, facts.get(rec.id, {})) for rec, masks, res in done]
    if args.store_calibration and targets:
        threshold = choose_naming_threshold(targets)
        config = Path(checkpoint) / "config.json"
        values = json.loads(config.read_text(encoding="utf-8"))
        values["min_naming_probability"] = threshold
        if head is not None:
            keep, replace, trust = choose_head_thresholds(head_sweep(targets, head), len(targets))
            head = dataclasses.replace(head, keep=keep, replace=replace, trust=trust)
            values["class_head"].update(keep=keep, replace=replace, trust=trust)
        config.write_text(json.dumps(values, indent=2) + "\n", encoding="utf-8")
    real = real_report(targets, threshold, head)
    plot = Path(args.out).with_name(Path(args.out).stem + "_reliability.png")
    reliability_plot(
        real["calibration"]["bins"],
        real["calibration"]["ece"],
        plot,
        f"Score calibration, {sum(row['count'] for row in real['calibration']['bins'])} real "
        "targets with a mask",
    )
    real["plot"] = plot.name
    return real, threshold, head


def format_real(real: dict) -> str:
    """Per-source and per-class target metrics as a fixed-width text table."""
    keys = ("targets", "mask_targets", "target_iou", "mask_area_ratio", "named", "wrong",
            "abstained", "ece")  # fmt: skip
    lines = [f"{'group':<28}" + "".join(f"{k:>16}" for k in keys)]
    groups = [("overall", real["overall"])]
    groups += [(f"source {k}", v) for k, v in real["per_source"].items()]
    groups += [(f"class {k}"[:28], v) for k, v in real["per_class"].items()]
    for name, values in groups:
        cells = []
        for key in keys:
            value = values.get(key)
            text = (
                "-"
                if value is None
                else (f"{value:d}" if isinstance(value, int) else f"{value:.3f}")
            )
            cells.append(f"{text:>16}")
        lines.append(f"{name:<28}" + "".join(cells))
    lines.append(
        f"naming threshold {real['naming_threshold']}; suggested min score "
        f"{real['suggested_min_score']}; reliability plot {real['plot']}"
    )
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        report = run(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_table(report["metrics"]))
    if "real" in report:
        print(format_real(report["real"]))
    print(
        f"{report['counts']['records']} records ({report['counts']['skipped']} skipped), "
        f"{report['timing']['total_s']} s; report: {args.out}"
    )
    print(ENCODER_NOTE)
    return 0
