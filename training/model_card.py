"""Write a trained checkpoint's MODEL_CARD.md from its run folder and evaluation reports.

Every number in the card is read from files the run wrote (``train_state.pt``, ``log.csv``,
``train_config.json``) or from ``python -m training.evaluate`` reports, so the card can be
regenerated and checked: ``python -m training.model_card --run DIR --synthetic R1 ...``.
"""

import argparse
import csv
import dataclasses
import json
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from safetensors.torch import load_file

from model_core.modeling.views import VIEW_ORDER
from training.data.mixing import GENERATED_KINDS
from training.holdout import SPLIT_FOLDERS

METRICS = (
    ("meteor", "METEOR"),
    ("cider", "CIDEr"),
    ("ap50", "AP50"),
    ("miou", "mIoU"),
    ("recall", "recall"),
    ("box_iou", "box IoU"),
    ("relation_accuracy", "relation acc."),
)
SYNTHETIC_INTRO = (
    "**Trained only on procedurally generated aerial scenes** (`training/synth`, no real "
    "imagery: nothing can be downloaded where it was built). It has learnt the look of those "
    "scenes - flat-shaded buildings with shadows, roads with markings, vehicles, trees, water, "
    "courts, tanks, ships, planes - and the caption templates of the generator. On real "
    "imagery it will find some roofs, roads, water and vehicles, and describe them in the "
    "generator's words, but expect missed and merged objects and wrong classes; the numbers "
    "on the one real GeoPixelD record below show the gap. For real work, fine-tune it (or a "
    "`sam-vit-b` configuration) on real data with `python -m training.train`."
)
BAR = {"miou": 0.70, "ap50": 0.50, "recall": 0.50, "meteor": 0.35, "cider": 1.0}


def fmt(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def metric_rows(report: Dict, splits=("overall", "single", "multi")) -> List[str]:
    rows = []
    for split in splits:
        m = report["metrics"].get(split) or {}
        if not m.get("records"):
            continue
        cells = " | ".join(fmt(m.get(key)) for key, _ in METRICS)
        rows.append(f"| {split} ({m['records']} records) | {cells} |")
    return rows


def table(report: Dict) -> str:
    head = "| split | " + " | ".join(label for _, label in METRICS) + " |"
    rule = "|---" * (len(METRICS) + 1) + "|"
    return "\n".join([head, rule, *metric_rows(report)])


def log_rows(run: Path) -> List[Dict[str, str]]:
    with (run / "log.csv").open() as handle:
        return list(csv.DictReader(handle))


def final_losses(run: Path, last: int = 10) -> Dict[str, float]:
    rows = log_rows(run)[-last:]
    keys = [k for k in rows[0] if k not in ("step", "lr", "time", "samples_per_s") and rows[0][k]]
    return {k: sum(float(r[k]) for r in rows) / len(rows) for k in keys}


def loss_by_quarter(run: Path) -> List[Optional[float]]:
    """Mean logged loss of each quarter of the run; None for a quarter with no logged step
    (a run shorter than four log intervals)."""
    losses = [float(row["loss"]) for row in log_rows(run)]
    n = len(losses)
    bounds = [round(n * k / 4) for k in range(5)]
    return [sum(losses[a:b]) / (b - a) if b > a else None for a, b in zip(bounds, bounds[1:])]


def run_stats(run: Path) -> Dict[str, float]:
    """Steps done and wall seconds: from ``train_state.pt``, else from ``log.csv``'s clock
    (a run copied without its optimiser state; the wall time is then extrapolated from the
    logged steps to all steps, start-up excluded)."""
    state_file = run / "train_state.pt"
    if state_file.is_file():
        state = torch.load(state_file, map_location="cpu", weights_only=True)
        return {"steps": state["step"], "wall": state["wall_seconds"]}
    rows = log_rows(run)
    first, last = rows[0], rows[-1]
    steps = int(last["step"])
    per_step = (float(last["time"]) - float(first["time"])) / max(1, steps - int(first["step"]))
    return {"steps": steps, "wall": per_step * steps}


def run_info(run: Path) -> Dict:
    path = run / "run.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def config_file(info: Dict) -> str:
    command = info.get("command", [])
    return command[command.index("--config") + 1] if "--config" in command else "defaults"


#: How the card describes an ``unfamiliar:SEED:LENGTH`` source (training.data.unfamiliar).
UNFAMILIAR_TEXT = (
    "; unfamiliar surfaces (`training.data.unfamiliar`: procedural snow or ice, mottled, "
    'shadowed and off-palette ground, every box captioned "an area") teach it to abstain where '
    "no class fits"
)


def real_photometry(run: Path) -> str:
    """How a run jittered the colours of real records (its ``colour_jitter`` and ``low_light``)."""
    cfg = json.loads((run / "train_config.json").read_text())
    text = f"+-{float(cfg.get('colour_jitter', 0.1)):g} on real records"
    if cfg.get("low_light"):
        text += f", {float(cfg['low_light']):g} of them darkened as in shadow or winter light"
    return text


def stage_line(label: str, run: Path, machine: str) -> str:
    """One bullet describing a training run: its config, schedule, samples and wall time."""
    cfg = json.loads((run / "train_config.json").read_text())
    info = run_info(run)
    stats = run_stats(run)
    world = info.get("world_size", 1)
    samples = int(stats["steps"]) * cfg["batch_size"] * cfg["grad_accum"] * world
    init = cfg.get("init_checkpoint")
    origin = f"from `{init}`" if init else "from scratch"
    return (
        f"- {label} (`{config_file(info)}`, {origin}): {int(stats['steps'])} steps of batch "
        f"{cfg['batch_size']} x accumulation {cfg['grad_accum']} x {world} process(es) = "
        f"{samples:,} samples, AdamW lr {cfg['lr']} (warmup {cfg['warmup_steps']}, cosine to "
        f"{cfg['min_lr_ratio']}x), weight decay {cfg['weight_decay']}, clip {cfg['clip_grad']}, "
        f"data-order seed {cfg['seed']}; {stats['wall'] / 60:.1f} min wall on "
        f"{info.get('machine') or machine}. Loss by quarter of the stage: "
        + ", ".join("-" if v is None else f"{v:.3f}" for v in loss_by_quarter(run))
        + "."
    )


def write_card(
    run: Path,
    synthetic: Path,
    real: Optional[Path],
    ablations: List[Path],
    out: Path,
    command: str,
    stage1: Optional[Path] = None,
    stage1_synthetic: Optional[Path] = None,
    machine: str = "an unrecorded machine",
    stage2: Optional[Path] = None,
    earlier_card: Optional[Path] = None,
    real_records: Optional[Path] = None,
    previous_real_records: Optional[Path] = None,
    calibration_records: Optional[Path] = None,
    middle_stages: Sequence[Path] = (),
    candidates: Sequence[Tuple[str, Path, Path]] = (),
) -> str:
    """The bundled model's card. ``run`` is the last stage; ``stage1``/``stage2`` earlier run
    folders, or ``earlier_card`` a card whose stage lines are copied (runs made elsewhere);
    ``real_records`` the ``--records`` evaluation on the real validation split (and
    ``previous_real_records`` the same for the model it was fine-tuned from;
    ``calibration_records`` the evaluation on the held-out calibration images that chose the
    naming threshold and the default minimum score; ``middle_stages`` the run folders of the
    stages between ``stage2`` and ``run``, in order; ``candidates`` other checkpoints that were
    considered for bundling, as (label, calibration report, validation report))."""
    model_cfg = json.loads((run / "config.json").read_text())
    syn = json.loads(synthetic.read_text())
    split = syn["data"] if isinstance(syn.get("data"), dict) else {}
    params = sum(t.numel() for t in load_file(str(run / "model.safetensors")).values())
    data = run_info(run).get("data", [])
    losses = final_losses(run)
    enc = model_cfg["image_encoder"]
    overall = syn["metrics"]["overall"]
    stages = [stage_line("Stage 1", stage1, machine)] if stage1 else []
    if stage2:
        stages.append(stage_line("Stage 2", stage2, machine))
    elif earlier_card is not None:
        stages += earlier_stage_lines(earlier_card)
    for middle in middle_stages:
        stages.append(stage_line(f"Stage {len(stages) + 1}", middle, machine))
    stages.append(stage_line(f"Stage {len(stages) + 1}" if stages else "Training", run, machine))
    real_data = [spec for spec in data if spec.split(":", 1)[0] not in GENERATED_KINDS]
    lines = [
        f"# {model_cfg['name']}: the bundled default CLV-Net",
        "",
        real_intro(real_data, real_records) if real_data else SYNTHETIC_INTRO,
        "",
        "## Model",
        "",
        f"- Preset `{model_cfg['preset']}`, {params / 1e6:.2f} M parameters; format version "
        f"{model_cfg['format_version']}.",
        f"- Image encoder: SAM ViT, {enc['embed_dim']} wide, {enc['depth']} blocks, "
        f"{enc['img_size']} px input, patch {enc['patch_size']}.",
        f"- VPReasoner: Llama-style causal LM from scratch, {model_cfg['reasoner']['num_layers']} "
        f"layers, width {model_cfg['reasoner']['hidden_size']}, byte-level BPE vocabulary.",
        f"- Context-Aware Mask Decoder: SAM two-way transformer, relation stage of "
        f"{model_cfg['decoder']['relation_layers']} layers, "
        f"{model_cfg['decoder']['num_predicates']} predicates.",
        *class_head_line(model_cfg),
        *mask_refiner_line(model_cfg),
        "",
        "## Data",
        "",
        f"- Training{' (last stage)' if real_data else ''}: `{' '.join(data)}` - synthetic "
        f"scenes from `training.synth` (generator version {split.get('generator', '?')}), "
        "generated on the fly, seed and length in the command below"
        + (
            ", mixed with the real record folders listed (weights in the stage line)"
            if real_data
            else ""
        )
        + (UNFAMILIAR_TEXT if any(spec.startswith("unfamiliar:") for spec in data) else "")
        + "; augmentation: flips/rotations that update relation predicates and direction words, "
        f"context jitter, colour jitter ({real_photometry(run)}).",
        f"- Held-out test split: seed {split.get('synthetic_seed', '?')}, "
        f"{overall['records']} records of {split.get('scene_size', '?')} px scenes, one record per "
        "scene; training draws seed 1, whose scenes never coincide with it.",
        "",
        "## Training",
        "",
        f"- Command: `{command}`",
        *stages,
        *class_head_fit_line(run),
        *mask_refiner_fit_line(run),
        f"- Loss weights: {json.dumps(model_cfg['loss'])}.",
        "- Mean of the last 10 logged steps: "
        + ", ".join(f"{k} {v:.3f}" for k, v in losses.items())
        + ".",
        "",
        "## Metrics",
        "",
        "GCG protocol (ARCHITECTURE section 3): METEOR and CIDEr (0-10 scale) with pycocoevalcap, "
        "AP50 with pycocotools, mIoU and recall by greedy matching. " + syn.get("encoder_note", ""),
        "",
        *synthetic_block(syn),
    ]
    lines += report_section(
        stage1_synthetic,
        "The same split after stage 1 alone (what the second, lower-rate stage on a new data "
        "order added):",
    )
    lines += report_section(
        real,
        "The one real GeoPixelD record (`../shared/data/real/geopixeld_sample`, a whole-image "
        "record of an 800 px iSAID tile with four tennis courts):",
    )
    if real_records is not None and real_records.exists():
        lines += real_imagery_section(
            real_records, real_data, previous_real_records, calibration_records
        )
        if calibration_records is not None and candidates:
            lines += selection_section(
                [*candidates, ("bundled", calibration_records, real_records)]
            )
    if ablations:
        lines += ablation_section(ablations, machine)
    elif earlier_card is not None and earlier_section(earlier_card, "## Ablations"):
        section = earlier_section(earlier_card, "## Ablations")
        note = "Copied from the card of the synthetic-only model (not rerun for the last stage)."
        lines += [*section[:3], note, "", *section[3:]]
    text = "\n".join(lines) + "\n"
    out.write_text(text, encoding="utf-8")
    return text


def run_card(
    name: str,
    train_config: Dict,
    sources: List[Tuple[str, float]],
    drawn: List[int],
    step: int,
    wall: float,
    losses: Dict[str, float],
) -> str:
    """The card the trainer writes into every checkpoint it saves (``MODEL_CARD.md``).

    What it was trained from and on (each source's weight and the samples drawn from it), for
    how long, its latest losses and its config; ``write_card`` replaces it for the bundled model.
    """
    base = train_config.get("init_checkpoint") or ""
    preset = train_config["preset"]
    origin = f"fine-tuned from `{base}`" if base else f"preset `{preset}` from scratch"
    total = max(1, sum(drawn))
    data_rows = [
        f"| `{spec}` | {weight:g} | {count} | {100.0 * count / total:.0f}% |"
        for (spec, weight), count in zip(sources, drawn)
    ]
    loss_text = ", ".join(f"{key} {value:.3f}" for key, value in losses.items()) or "none yet"
    lines = [
        f"# {name}",
        "",
        f"Trained by `python -m training.train` for {step} of {train_config['steps']} steps "
        f"({wall / 60:.1f} min wall time), {origin}.",
        "",
        "## Data",
        "",
        "| source | weight | samples drawn | share |",
        "|---|---|---|---|",
        *data_rows,
        "",
        "Objects known only by their box trained the masks through the box projection loss.",
        "",
        "## Training",
        "",
        f"Losses at the last logged step: {loss_text}.",
        "",
        "```json",
        json.dumps(train_config, indent=2),
        "```",
        "",
        "## Metrics",
        "",
        "Not evaluated yet: run `python -m training.evaluate --checkpoint THIS_FOLDER "
        "--data RECORDS`.",
    ]
    return "\n".join(lines) + "\n"


def real_intro(real_data: List[str], real_report: Optional[Path]) -> str:
    """The card's opening paragraph for a model fine-tuned on real record folders; what it
    names well and what it mostly abstains on come from the real evaluation report."""
    sources = sorted({record_source(spec) for spec in real_data})
    measured = ""
    if real_report is not None and real_report.exists():
        classes = json.loads(real_report.read_text())["real"]["per_class"]
        good = [k for k, v in classes.items() if (v.get("named") or 0) >= 0.6]
        unsure = [k for k, v in classes.items() if (v.get("abstained") or 0) >= 0.5]
        measured = (
            f" On the real validation split it names {', '.join(good) or 'no class'} well "
            "(named >= 0.6)" + (f" and mostly abstains on {', '.join(unsure)}." if unsure else ".")
        )
    return (
        "**Trained on procedurally generated aerial scenes, then fine-tuned on real annotated "
        f"imagery** ({', '.join(sources)}: the training part of each, licences below) mixed with "
        "generated scenes. Its `score` predicts the IoU of each mask with the truth, and a "
        'phrase whose class it was unsure of says "an object" or "an area" instead of '
        "guessing. The fine-tuning budget was small (see Training)." + measured + " The section "
        "*Real imagery* gives the numbers and what it still cannot do; fine-tune it further on "
        "your own labels with `python -m training.train`."
    )


def synthetic_block(syn: Dict) -> List[str]:
    """The held-out synthetic table of an evaluation report and its bars (*Metrics*)."""
    split = syn["data"] if isinstance(syn.get("data"), dict) else {}
    overall = syn["metrics"]["overall"]
    return [
        f"Held-out synthetic split (`python -m training.evaluate --synthetic-seed "
        f"{split.get('synthetic_seed', '?')} --n {overall['records']}`):",
        "",
        table(syn),
        "",
        "Against the bar set for the bundled model (held-out synthetic, overall):",
        "",
        "| metric | measured | bar | |",
        "|---|---|---|---|",
        *(
            f"| {key} | {fmt(overall.get(key))} | {threshold} | "
            + ("met" if (overall.get(key) or 0) >= threshold else "**not met**")
            + " |"
            for key, threshold in BAR.items()
        ),
    ]


def refresh_real_imagery(
    card: Path, real_records: Path, calibration_records: Path, synthetic: Optional[Path] = None
) -> str:
    """Redo a card's opening paragraph and its *Real imagery* section from new evaluation
    reports of the same checkpoint (its records prepared or its thresholds chosen again), and
    with ``synthetic`` its held-out synthetic tables, for a card whose training runs are not at
    hand; everything else is kept. A kept *Choosing the checkpoint* table says that it comes
    from the earlier evaluation. Returns the new text."""
    lines = card.read_text(encoding="utf-8").splitlines()
    if synthetic is not None:
        first = next(k for k, line in enumerate(lines) if line.startswith("Held-out synthetic"))
        bars = lines.index("| metric | measured | bar | |", first)
        last = next((k for k in range(bars, len(lines)) if not lines[k]), len(lines))
        block = "\n".join(synthetic_block(json.loads(synthetic.read_text())))
        lines[first:last] = block.splitlines()
    trained = next((line for line in lines if line.startswith("- Training")), "")
    specs = trained.split("`")[1].split() if trained.count("`") >= 2 else []
    real_data = [spec for spec in specs if spec.split(":", 1)[0] not in GENERATED_KINDS]
    if "## Real imagery" not in lines or not real_data:
        raise ValueError(f"{card} has no Real imagery section to refresh.")
    start = lines.index("## Real imagery")
    kept = "### Choosing the checkpoint"
    end = next(
        (k for k in range(start + 1, len(lines)) if lines[k] == kept or lines[k][:3] == "## "),
        len(lines),
    )
    section = real_imagery_section(real_records, real_data, None, calibration_records)[1:]
    tail = lines[end:]
    note = (
        "The rows below were measured when the checkpoint was chosen, before the evaluations "
        "above were redone (the candidates' checkpoints were not kept, so they were not "
        "measured again); the bundled model's current figures are the ones above."
    )
    if tail and tail[0] == kept and note not in tail:
        tail[1:1] = ["", note]
    intro = next(k for k, line in enumerate(lines) if line.startswith("**Trained on"))
    lines[intro] = real_intro(real_data, real_records)
    text = "\n".join([*lines[:start], *section, "", *tail]) + "\n"
    card.write_text(text, encoding="utf-8")
    return text


def record_source(spec: str) -> str:
    """The source name of a record folder (``.../<source>/train`` -> ``<source>``)."""
    path = Path(spec.split(":")[0])
    return path.parent.name if path.name in SPLIT_FOLDERS else path.name


def earlier_stage_lines(card: Path) -> List[str]:
    """The ``- Stage N`` bullets of an earlier card (stages trained elsewhere)."""
    return [
        line
        for line in card.read_text(encoding="utf-8").splitlines()
        if line.startswith("- Stage ")
    ]


def earlier_section(card: Path, heading: str) -> List[str]:
    """A ``## `` section of an earlier card, copied verbatim (runs that were made elsewhere)."""
    lines = card.read_text(encoding="utf-8").splitlines()
    if heading not in lines:
        return []
    start = lines.index(heading)
    end = next((k for k in range(start + 1, len(lines)) if lines[k].startswith("## ")), len(lines))
    return ["", *lines[start:end]]


REAL_COLUMNS = (
    ("targets", "targets", "{:d}"),
    ("mask_targets", "with mask", "{:d}"),
    ("target_iou", "target IoU", "{:.3f}"),
    ("mask_area_ratio", "mask / true area", "{:.2f}"),
    ("named", "named", "{:.3f}"),
    ("wrong", "wrong class", "{:.3f}"),
    ("abstained", "abstained", "{:.3f}"),
    ("no_phrase", "no phrase", "{:.3f}"),
    ("ece", "ECE", "{:.3f}"),
)


def real_rows(groups: Dict[str, Dict]) -> List[str]:
    """Markdown table of per-group real-imagery metrics."""
    rows = ["| group | " + " | ".join(label for _, label, _ in REAL_COLUMNS) + " |"]
    rows.append("|---" * (len(REAL_COLUMNS) + 1) + "|")
    for name, values in groups.items():
        cells = []
        for key, _, form in REAL_COLUMNS:
            value = values.get(key)
            cells.append("n/a" if value is None else form.format(value))
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return rows


def real_imagery_section(
    report_path: Path,
    trained_on: List[str],
    previous: Optional[Path] = None,
    calibration: Optional[Path] = None,
) -> List[str]:
    """The "Real imagery" section: bars, per source and class, GCG, calibration, licences.

    With a ``calibration`` report (``training.holdout`` images) the naming threshold and the
    default minimum score are the ones chosen there; otherwise they were chosen on this split."""
    from training.real_sources import LICENCES

    report = json.loads(report_path.read_text())
    real = report["real"]
    chosen_on, caveat = "this split", ", so these rates are measured on the split it was chosen on"
    min_score = real["suggested_min_score"]
    if calibration is not None:
        held = json.loads(calibration.read_text())["real"]
        chosen_on = (
            f"the {held['overall']['targets']} targets of the calibration images "
            "(`python -m training.holdout`: every 8th training image of each source, held out "
            "of training)"
        )
        caveat = ", not on this split"
        min_score = held["suggested_min_score"]
    overall = real["overall"]
    bars = real["bars"]
    labels = {
        "target_iou": "target mask IoU",
        "named": "target class named",
        "wrong": "wrong-class rate",
        "ece": "calibration error (ECE)",
    }
    lines = [
        "",
        "## Real imagery",
        "",
        f"The real validation split (`python -m training.evaluate --records ...` on the "
        f"`validation` record folders of `python -m training.prepare`, "
        f"{per_folder_text(report)}; {overall['targets']} targets, {overall['mask_targets']} "
        "with a mask). The target is the object the box "
        "holds (the first phrase); *named* = the first phrase names its class (class-name map), "
        "*wrong class* = it names something else, *abstained* = a generic phrase. Phrases whose "
        f'class words had a token probability below {real["naming_threshold"]} say "an '
        'object" or "an area" (the threshold, stored in the checkpoint as '
        "`min_naming_probability`, is the lowest whose wrong-class rate stays at or below 0.15 "
        f"with 95% confidence (one-sided Wilson bound) on {chosen_on}{caveat}).",
        *head_paragraph(real, chosen_on),
        "",
        "| bar | measured | bar | |",
        "|---|---|---|---|",
    ]
    for key, bar in bars.items():
        sign = "<=" if bar["upper_bound"] else ">="
        status = "met" if bar["met"] else "**not met**"
        lines.append(f"| {labels[key]} | {fmt(bar['value'])} | {sign} {bar['bar']} | {status} |")
    groups = {"all": overall}
    groups.update({f"source `{k}`": v for k, v in real["per_source"].items()})
    groups.update({f"class `{k}`": v for k, v in real["per_class"].items()})
    lines += ["", "Per source and per class:", "", *real_rows(groups)]
    if previous is not None and previous.exists():
        before = json.loads(previous.read_text())["real"]["overall"]
        lines += [
            "",
            "The model the real fine-tuning started from (trained on generated scenes only), "
            "same split and rules:",
            "",
            *real_rows({"before fine-tuning": before, "this model": overall}),
        ]
    sweep = real["naming_sweep"]
    lines += [
        "",
        "Naming threshold against outcomes (all targets):",
        "",
        "| threshold | named | wrong class | abstained |",
        "|---|---|---|---|",
    ]
    for threshold in ("0.0", "0.2", "0.4", "0.6", "0.8"):
        if threshold in sweep:
            r = sweep[threshold]
            lines.append(
                f"| {threshold} | {fmt(r['named'])} | {fmt(r['wrong'])} | {fmt(r['abstained'])} |"
            )
    lines += head_sweep_rows(real)
    lines += [
        "",
        "GCG metrics on the same records (box-only objects are left out of the mask metrics):",
        "",
        table(report),
        "",
        "### Score calibration",
        "",
        f"`score` is the quality head's prediction of the IoU of the mask with the truth. Over "
        f"the {overall['mask_targets']} targets with a mask, 10 equal-width bins of the score: "
        f"expected calibration error {fmt(real['calibration']['ece'])}.",
        "",
        f"![reliability plot]({real['plot']})",
        "",
        f"Default minimum score: **{min_score}** "
        "(`model_core.result.DEFAULT_MIN_SCORE`): the threshold that best separates masks with IoU "
        f">= 0.5 from worse ones on {chosen_on} (the highest threshold whose F1 is within one "
        "target of the best); objects scoring below it are hidden unless the user lowers it.",
        "",
        "### Data sources and licences",
        "",
        "| source | licence | may train the bundled model | trained on |",
        "|---|---|---|---|",
    ]
    used = {record_source(spec) for spec in trained_on}
    for name, (licence, allowed) in LICENCES.items():
        lines.append(
            f"| `{name}` | {licence} | {'yes' if allowed else 'no'} | "
            f"{'yes (training split)' if name in used else 'no'} |"
        )
    lines += ["", "### What it still cannot do", "", *limitations(real)]
    return lines


def class_head_line(model_cfg: Dict) -> List[str]:
    """The Model section's line on the class head (nothing without one)."""
    head = model_cfg.get("class_head") or {}
    if not head.get("kinds"):
        return []
    views = head.get("views", 1)
    averaged = (
        f"; its probabilities are averaged over {views} views of the window ("
        + ", ".join(view_name(*view) for view in VIEW_ORDER[:views])
        + "), each one more encoding of the window"
        if views > 1
        else ""
    )
    return [
        f"- Class head: linear probe over {len(head['kinds'])} kinds (RoIAlign "
        f"{head['pool']}x{head['pool']} of the box's features, the window's mean feature, the "
        f"box's colour{averaged}), fitted on the frozen network: " + ", ".join(head["kinds"]) + "."
    ]


def view_name(quarter_turns: int, mirrored: bool) -> str:
    """A dihedral view (``model_core.modeling.views.VIEW_ORDER``) in words."""
    turned = ("as drawn", "turned a quarter", "turned half way", "turned three quarters")
    if not mirrored:
        return turned[quarter_turns]
    return "mirrored" if quarter_turns == 0 else f"{turned[quarter_turns]} and mirrored"


def class_head_fit_line(run: Path) -> List[str]:
    """The Training section's line on fitting the class head (nothing without one)."""
    path = Path(run) / "class_head.json"
    if not path.exists():
        return []
    fit = json.loads(path.read_text())
    return [
        f"- Class head (`{fit['command']}`): fitted on {fit['boxes']:,} boxes of "
        f"{len(fit['kinds'])} kinds with the network frozen (accuracy on those boxes "
        f"{fit['training_accuracy']:.3f}); {fit['seconds'] / 60:.1f} min on {fit['machine']}."
    ]


def mask_refiner_line(model_cfg: Dict) -> List[str]:
    """The Model section's line on the mask refiner (nothing without one)."""
    refiner = model_cfg.get("mask_refiner") or {}
    if not refiner.get("width"):
        return []
    return [
        f"- Mask refiner: a U-Net {refiner['width']} channels wide at {refiner['size']} px that "
        "corrects the decoder's mask of the boxed object from the window's pixels; the other "
        "objects keep the decoder's masks. `score` stays the quality head's prediction for the "
        "decoder's mask; its calibration below is measured against the refined masks."
    ]


def mask_refiner_fit_line(run: Path) -> List[str]:
    """The Training section's line on training the mask refiner (nothing without one)."""
    path = Path(run) / "mask_refiner.json"
    if not path.exists():
        return []
    fit = json.loads(path.read_text())
    sources = ", ".join(f"{name} {count:,}" for name, count in fit["sources"].items())
    losses = fit["loss_per_100_steps"]
    return [
        f"- Mask refiner (`{fit['command']}`): {fit['parameters']:,} parameters, trained with "
        f"the network frozen on {fit['boxes']:,} boxes with true masks ({sources}) for "
        f"{fit['steps']:,} steps of {fit['batch_size']} (loss {losses[0]:.3f} over the first "
        f"100 steps, {losses[-1]:.3f} over the last); {fit['seconds'] / 60:.1f} min on "
        f"{fit['machine']}."
    ]


def head_paragraph(real: Dict, chosen_on: str) -> List[str]:
    """How the class head judged the first phrase (nothing without a head)."""
    head = real.get("class_head")
    if head is None:
        return []
    return [
        "",
        "The first phrase, what the box holds, is judged by the class head instead (a linear "
        "probe of the box's image features and colours over "
        f"{len(head['kinds'])} kinds, fitted on the training boxes with `python -m "
        "training.class_head`): it is kept when the head gives the kind it names at least "
        f"{head['keep']} (or that kind is the head's best), {trust_text(head['trust'])}"
        'replaced by the head\'s own phrase for its best kind ("a building", "an area of '
        f'bare ground") when that kind has at least {head["replace"]}, and made generic '
        '("an object", "an area") otherwise. The thresholds are the ones that name the most '
        "targets with a wrong-class rate at or below 0.15 with 95% confidence (one-sided "
        f"Wilson bound) on {chosen_on}.",
    ]


def trust_text(trust: float) -> str:
    if not trust:
        return ""
    return f"or the language model wrote its class words with a probability of at least {trust}; "


def head_sweep_rows(real: Dict) -> List[str]:
    """A few (keep, replace, trust) triples of the class head against outcomes, replayed
    from the report's targets."""
    from model_core.config import ClassHeadConfig
    from training.evaluate.real import Target, naming_rates

    if "class_head" not in real:
        return []
    head = ClassHeadConfig(**real["class_head"])
    targets = [Target(**t) for t in real["targets"]]
    chosen = (head.keep, head.replace, head.trust)
    shown = {(k, r, t) for k in (0.2, 0.4, 0.6) for r in (0.6, 1.0) for t in (0.0, head.trust)}
    lines = [
        "",
        "Class-head thresholds against outcomes (all targets; the row in bold is in use; trust 0: "
        "the head judges every first phrase):",
        "",
        "| keep from | replace from | trust from | named | wrong class | abstained |",
        "|---|---|---|---|---|---|",
    ]
    for triple in sorted(shown | {chosen}):
        keep, rep, trust = triple
        rates = naming_rates(
            targets, 0.0, dataclasses.replace(head, keep=keep, replace=rep, trust=trust)
        )
        cells = [str(value) for value in triple]
        cells += [fmt(rates[k]) for k in ("named", "wrong", "abstained")]
        if triple == chosen:
            cells = [f"**{c}**" for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def selection_score(overall: Dict) -> Tuple[float, float]:
    """How checkpoints are ranked on the calibration images: named minus wrong-class rate,
    then target mask IoU."""
    return ((overall["named"] or 0.0) - (overall["wrong"] or 0.0), overall["target_iou"] or 0.0)


def target_values(report: Dict) -> Dict[str, float]:
    """Each target's share of the ranking score, by record id: +1 named, -1 wrong class, 0
    abstained, at the report's own naming threshold (their mean is named minus wrong)."""
    from model_core.config import ClassHeadConfig
    from training.evaluate.real import Target, outcome

    real = report["real"]
    head = ClassHeadConfig(**real["class_head"]) if "class_head" in real else None
    values = {"named": 1.0, "wrong": -1.0}
    return {
        t["record_id"]: values.get(outcome(Target(**t), real["naming_threshold"], head), 0.0)
        for t in real.get("targets", [])
    }


def paired_interval(
    bundled: Dict[str, float], other: Dict[str, float], draws: int = 2000, seed: int = 0
) -> Optional[Tuple[float, float]]:
    """95% paired-bootstrap interval of mean(bundled - other) over the targets both scored."""
    keys = sorted(set(bundled) & set(other))
    if not keys:
        return None
    diff = np.array([bundled[k] - other[k] for k in keys])
    picks = np.random.default_rng(seed).integers(0, len(diff), size=(draws, len(diff)))
    low, high = np.percentile(diff[picks].mean(axis=1), [2.5, 97.5])
    return float(low), float(high)


def selection_section(candidates: Sequence[Tuple[str, Path, Path]]) -> List[str]:
    """Which checkpoint was bundled and why: each candidate's calibration and validation
    figures; the choice is made on the calibration images only."""
    rows, scores, targets, values = [], {}, 0, {}
    for label, calibration, validation in candidates:
        report = json.loads(calibration.read_text())
        values[label] = target_values(report)
        cal = report["real"]["overall"]
        targets = cal.get("targets") or 0
        val = json.loads(validation.read_text())["real"]["overall"]
        scores[label] = selection_score(cal)
        cells = [cal[k] for k in ("named", "wrong", "target_iou")]
        cells += [val[k] for k in ("named", "wrong", "target_iou")]
        rows.append(f"| {label} | " + " | ".join(fmt(v) for v in cells) + " |")
    best = max(scores, key=scores.get)
    noise = ""
    if targets:
        noise = (
            f" One target moves a calibration rate by {1 / targets:.3f} ({targets} targets), so "
            "differences of a few hundredths between candidates may be noise (run-to-run "
            "spread not measured)."
        )
    verdict = (
        "The bundled checkpoint ranks first there."
        if best == "bundled"
        else f"By that rule `{best}` ranks first; the bundled checkpoint does not."
    )
    gaps = []
    others = [label for label in scores if label != "bundled"] if "bundled" in scores else []
    for label in others:
        interval = paired_interval(values["bundled"], values[label])
        if interval is not None:
            gap = scores["bundled"][0] - scores[label][0]
            gaps.append(f"{gap:+.3f} over `{label}` ({interval[0]:+.3f} to {interval[1]:+.3f})")
    if gaps:
        noise += (
            " Named minus wrong of the bundled checkpoint on the calibration images, with the 95% "
            "paired-bootstrap interval over those targets: " + "; ".join(gaps) + "."
        )
    return [
        "",
        "### Choosing the checkpoint",
        "",
        "Candidates are ranked on the calibration images only (named minus wrong-class rate, "
        "then target IoU), never on the validation split. " + verdict + noise,
        "",
        "| checkpoint | calibration named | wrong | target IoU | validation named | wrong "
        "| target IoU |",
        "|---|---|---|---|---|---|---|",
        *rows,
    ]


def per_folder_text(report: Dict) -> str:
    """How the evaluated records were drawn from each folder."""
    data = report.get("data") or {}
    folders = ", ".join(f"`{record_source(p)}`" for p in data.get("paths", []))
    if data.get("per_folder"):
        return f"at most {data['per_folder']} records per folder, evenly spaced: {folders}"
    return f"every record of {folders}"


def limitations(real: Dict) -> List[str]:
    """Measured weaknesses (classes below the bars) and the known limits of the model."""
    weak = []
    for name, values in real["per_class"].items():
        problems = []
        if values.get("named") is not None and values["named"] < 0.5:
            problems.append(f"named {values['named']:.2f}")
        if values.get("target_iou") is not None and values["target_iou"] < 0.5:
            problems.append(f"target IoU {values['target_iou']:.2f}")
            ratio = values.get("mask_area_ratio")
            if ratio is not None and (ratio > 1.5 or ratio < 0.67):
                problems.append(f"masks {ratio:.1f}x the true area (median)")
        if problems:
            weak.append(f"`{name}` ({', '.join(problems)})")
    lines = []
    if weak:
        lines.append(
            "- Classes it names correctly in fewer than half of the targets, or segments poorly: "
            + ", ".join(weak)
            + "."
        )
    confusions = Counter(
        (t["class_name"], t["phrase"])
        for t in real.get("targets", [])
        if t["phrase"] is not None and not t["names_class"]
    )
    if confusions:
        lines.append(
            "- Its most frequent wrong names before abstention (class: phrase, targets): "
            + "; ".join(f'{c}: "{p}" ({n})' for (c, p), n in confusions.most_common(4))
            + ". Every box is resized to the 256 px input and the model is not told the ground "
            "resolution, so it cannot use an object's real size to tell classes apart."
        )
    lines += [
        "- It knows only the classes of its training data (generated scenes and the real sources "
        "above); anything else is named as the nearest of those, or abstained on.",
        "- Scenes unlike every training source (snow or shadowed winter forest, for example: none "
        "of the real sources has any) can get confident wrong names that abstention does not "
        "catch. Before trusting it "
        "on a new kind of scene, tally what it says over a grid of boxes with "
        "`scripts/survey.py RASTER`.",
        "- Objects known only by a box (cars, most tree crowns) trained their masks through the "
        "box projection loss: their mask outlines are not supervised inside the box and their "
        "`score` is not calibrated (calibration is measured on targets with true masks).",
        "- 256 px input: small objects in a large box, thin roads and field boundaries lose "
        "detail; draw a box close around what you want described.",
        "- Relations between real objects were trained only from the geometry of labelled "
        "neighbours; context that was not labelled (unlabelled buildings, roads) is not named.",
    ]
    return lines


def report_section(report: Optional[Path], intro: str) -> List[str]:
    """An introduced metrics table of an evaluation report; nothing if there is no report."""
    if report is None or not report.exists():
        return []
    return ["", intro, "", table(json.loads(report.read_text()))]


def ablation_section(ablations: List[Path], machine: str) -> List[str]:
    """The ablation table; each report ``X.json`` sits beside its run folder ``X``."""
    first = json.loads(ablations[0].read_text())
    split = first["data"] if isinstance(first.get("data"), dict) else {}
    run = ablations[0].with_suffix("")
    cfg = json.loads((run / "train_config.json").read_text())
    stats = run_stats(run)
    recorded = sorted({run_info(p.with_suffix("")).get("machine") or "" for p in ablations} - {""})
    lines = [
        "",
        "## Ablations",
        "",
        f"Same data (synthetic seed 1), seed and budget for every row "
        f"(`{config_file(run_info(run))}`): {int(stats['steps'])} steps of batch "
        f"{cfg['batch_size']} each, lr {cfg['lr']}, about {stats['wall'] / 60:.0f} min per row "
        f"on {' / '.join(recorded) or machine} - a much smaller budget than the bundled "
        f"model's, so rows compare with each other, not with the tables above. Evaluated on "
        f"{first['metrics']['overall']['records']} held-out records (seed "
        f"{split.get('synthetic_seed', '?')}). One seed per row (run-to-run spread not "
        "measured), so differences of a few hundredths may be noise; relation accuracy is over "
        "the pairs whose objects were both matched (last column).",
        "",
        "| variant | " + " | ".join(label for _, label in METRICS) + " | pairs |",
        "|---" * (len(METRICS) + 2) + "|",
    ]
    overall = {p.stem: json.loads(p.read_text())["metrics"]["overall"] for p in ablations}
    for name, m in overall.items():
        cells = " | ".join(fmt(m.get(k)) for k, _ in METRICS)
        lines.append(f"| {name} | {cells} | {m.get('relation_pairs', 0)} |")
    full = overall.get("full")
    if full:
        changes = [
            f"{name} {m['miou'] - full['miou']:+.3f} mIoU / {m['ap50'] - full['ap50']:+.3f} AP50"
            for name, m in overall.items()
            if name != "full"
        ]
        lines += ["", "Against the full model: " + "; ".join(changes) + "."]
    return lines


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.model_card", description=__doc__)
    parser.add_argument("--run", help="training output folder")
    parser.add_argument("--synthetic", help="evaluation report on synthetic data")
    parser.add_argument(
        "--refresh",
        metavar="CARD",
        default=None,
        help="redo only CARD's opening paragraph and Real imagery section from --real-records "
        "and --calibration-records, and its synthetic tables from --synthetic when given (the "
        "checkpoint's training runs are not needed)",
    )
    parser.add_argument("--real", default=None, help="evaluation report on real records")
    parser.add_argument("--ablation", action="append", default=[], help="ablation reports")
    parser.add_argument("--stage1", default=None, help="the first stage's run folder, if any")
    parser.add_argument(
        "--stage1-synthetic", default=None, help="evaluation report of the first stage alone"
    )
    parser.add_argument(
        "--machine",
        default="an unrecorded machine",
        help="what a run trained on, where its run.json does not say",
    )
    parser.add_argument("--stage2", default=None, help="the second stage's run folder, if any")
    parser.add_argument(
        "--middle-stage",
        action="append",
        default=[],
        help="run folder of a stage between --stage2 and --run (repeat, in order)",
    )
    parser.add_argument(
        "--earlier-card", default=None, help="a card whose stage lines describe earlier stages"
    )
    parser.add_argument(
        "--real-records", default=None, help="evaluation report of --records (validation)"
    )
    parser.add_argument(
        "--previous-real-records", default=None, help="the same for the model fine-tuned from"
    )
    parser.add_argument(
        "--calibration-records",
        default=None,
        help="evaluation report of the held-out calibration records (chose the thresholds)",
    )
    parser.add_argument(
        "--candidate",
        nargs=3,
        action="append",
        default=[],
        metavar=("LABEL", "CALIBRATION", "VALIDATION"),
        help="another checkpoint considered for bundling: its two real evaluation reports",
    )
    parser.add_argument("--command", default="make train-default")
    parser.add_argument("--out", default=None, help="default: RUN/MODEL_CARD.md")
    args = parser.parse_args(argv)
    if args.refresh:
        if not (args.real_records and args.calibration_records):
            parser.error("--refresh needs --real-records and --calibration-records")
        try:
            refresh_real_imagery(
                Path(args.refresh),
                Path(args.real_records),
                Path(args.calibration_records),
                Path(args.synthetic) if args.synthetic else None,
            )
        except (OSError, ValueError, StopIteration) as err:
            parser.error(f"cannot refresh {args.refresh}: {err or 'a table it redoes is missing'}")
        return 0
    if not (args.run and args.synthetic):
        parser.error("--run and --synthetic are required (or --refresh CARD)")
    run = Path(args.run)
    write_card(
        run,
        Path(args.synthetic),
        Path(args.real) if args.real else None,
        [Path(p) for p in args.ablation],
        Path(args.out) if args.out else run / "MODEL_CARD.md",
        args.command,
        Path(args.stage1) if args.stage1 else None,
        Path(args.stage1_synthetic) if args.stage1_synthetic else None,
        args.machine,
        *(
            Path(p) if p else None
            for p in (
                args.stage2,
                args.earlier_card,
                args.real_records,
                args.previous_real_records,
                args.calibration_records,
            )
        ),
        [Path(p) for p in args.middle_stage],
        [(label, Path(cal), Path(val)) for label, cal, val in args.candidate],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
