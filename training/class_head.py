"""Fit a checkpoint's class head: a linear probe of what kind of thing a box holds.

The trained network stays frozen. For every training box (real record folders, generated
scenes, unfamiliar surfaces) the box's features (``model_core.modeling.class_head``) are
computed in the window inference reads; a multinomial logistic regression with an L2 penalty
is fitted on them (full-batch L-BFGS, deterministic) and written into the checkpoint with the
table of kinds: each kind's nouns, and the phrase that replaces a first phrase the head
overrules. The keep/replace thresholds are chosen afterwards on the calibration images
(``python -m training.evaluate --records ... --store-calibration``).

Kinds are the grammar kinds the class-name map and the scene generator share
(``small vehicle``, ``building``, ``bare ground``, ...); unfamiliar surfaces form the kind
whose phrase is ``an area``, so the head can say that a box holds nothing it knows.

    python -m training.class_head --checkpoint runs/clvnet-tiny-real5 \\
        --records runs/records/dubai/train ... --synthetic 1:3000 --unfamiliar 1:300
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch.nn import functional as F

from model_core.config import ClassHeadConfig
from model_core.errors import InputError
from model_core.modeling.class_head import PixelClassifier
from model_core.naming import GENERIC_AREA, GENERIC_AREAS
from model_core.predictor import Predictor
from training.real_captions import all_class_words, class_words
from training.real_sources import DEFAULT_NOUN
from training.synth.captions import FIXED_SIZE, NOUNS
from training.train import cpu_description

#: The kind of unfamiliar surfaces (the head's way to abstain).
UNFAMILIAR = "unfamiliar ground"
#: Inverse L2 strength, as scikit-learn's ``C``: the penalty is |W|^2 / (2 C n).
C = 0.1
#: Kinds with fewer training boxes than this are left out (too few to learn).
MIN_BOXES = 5
#: What the fit used and took, beside the checkpoint (the model card reads it).
SUMMARY_FILE = "class_head.json"
#: The pixel classifier's batch, peak learning rate and label smoothing.
PIXEL_BATCH = 32
PIXEL_LR = 2e-3
LABEL_SMOOTHING = 0.1


@dataclass
class KindTable:
    """Phrases and nouns of every kind the head can predict."""

    phrases: Dict[str, str] = field(default_factory=dict)
    plurals: Dict[str, str] = field(default_factory=dict)
    words: Dict[str, List[str]] = field(default_factory=dict)


def article(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def kind_table() -> KindTable:
    """Every kind of the class-name map and the scene generator, with its words and phrases.

    A kind's nouns are its classes' nouns (singular and plural) and the generator's; its
    phrase is a region class's fixed phrase ("an area of bare ground"), else the generator's
    noun with an article ("a vehicle"), else the map's first noun; plurals start "some".
    """
    table = KindTable()
    for words in all_class_words():
        nouns = table.words.setdefault(words.kind, [])
        nouns += [w for w in (words.noun, words.plural) if w not in nouns]
        if words.stuff and words.phrase:
            table.phrases.setdefault(words.kind, words.phrase)
            table.plurals.setdefault(words.kind, words.phrase)
    for kind, (_, singular, plural) in NOUNS.items():
        nouns = table.words.setdefault(kind, [])
        nouns += [w for w in (singular, plural) if w not in nouns]
        table.phrases.setdefault(kind, article(singular))
        table.plurals.setdefault(kind, f"some {plural}")
    for kind, nouns in table.words.items():
        table.phrases.setdefault(kind, article(nouns[0]))
        table.plurals.setdefault(kind, f"some {nouns[1] if len(nouns) > 1 else nouns[0]}")
    table.words[UNFAMILIAR] = [GENERIC_AREA, GENERIC_AREAS]
    table.phrases[UNFAMILIAR], table.plurals[UNFAMILIAR] = GENERIC_AREA, GENERIC_AREAS
    return table


def generated_kind(phrase: str) -> Optional[str]:
    """The generator kind a generated phrase names (its longest noun; "small" or "large"
    tells the two vehicle kinds apart), None if none."""
    text, best = f" {phrase.lower()} ", None
    for kind, (_, singular, plural) in NOUNS.items():
        size = FIXED_SIZE.get(kind)
        if size is not None and f" {size} " not in text:
            continue
        for noun in (singular, plural):
            if re.search(rf"\b{re.escape(noun)}\b", text) and (best is None or len(noun) > best[1]):
                best = (kind, len(noun))
    return best[0] if best else None


# ----------------------------------------------------------------------------- features
class FirstMaskRecorder(Predictor):
    """A predictor that keeps the last batch's (B, h, w) logits of each window's boxed object
    (what the class head's pixel classifier reads)."""

    recorded: Optional[torch.Tensor] = None

    def _refine_first_masks(self, windows, boxes, masks, groups) -> Dict[int, torch.Tensor]:
        refined = super()._refine_first_masks(windows, boxes, masks, groups)
        self.recorded = self._first_masks(boxes, masks, groups, refined)
        return refined


@dataclass
class BoxExamples:
    """Class-head inputs of training boxes, their kinds and, for the pixel classifier, the
    window's pixels, the boxed object's mask and the box."""

    inputs: List[np.ndarray] = field(default_factory=list)  # (D,) linear-probe inputs
    kinds: List[str] = field(default_factory=list)
    pixels: List[np.ndarray] = field(default_factory=list)  # (3, P, P) uint8
    masks: List[np.ndarray] = field(default_factory=list)  # (h, w) float16 logits
    boxes: List[np.ndarray] = field(default_factory=list)  # (4,) float32, input-size pixels


def box_examples(
    predictor: FirstMaskRecorder,
    samples,
    label_of,
    found: BoxExamples,
    pixel_size: int = 0,
    context: float = 0.5,
) -> None:
    """Add the head inputs and kinds of every (record, image) sample whose kind ``label_of``
    knows to ``found``; with ``pixel_size`` > 0 also run the model as a user would (caption,
    decoder, refiner) and keep the pixels and the boxed object's mask."""
    from model_core.modeling.class_head import ClassHead, box_colour
    from model_core.modeling.mask_refiner import box_plane
    from training.data import record_window

    model = predictor.model
    enc = model.cfg.image_encoder
    probe = ClassHead(enc.out_chans, 1, model.cfg.class_head.pool, enc.img_size)
    for record, image in samples:
        kind = label_of(record)
        if kind is None:
            continue
        window, _ = record_window(record, image, predictor.input_size, context)
        scale = predictor.input_size / window.image.shape[1]
        box = torch.tensor([[c * scale for c in window.box]], dtype=torch.float32)
        colour = torch.tensor(box_colour(window.image, window.box))[None]
        with torch.inference_mode():
            features = predictor.features(window)
            found.inputs.append(probe.box_features(features, box, colour)[0].numpy())
        found.kinds.append(kind)
        if not pixel_size:
            continue
        predictor.recorded = None
        predictor.predict(window)
        mask = predictor.recorded
        if mask is None:  # the caption grounded nothing: the box stands in for the mask
            mask = (box_plane(box, 64, predictor.input_size)[:, 0] * 2 - 1) * 10
        image_t = torch.from_numpy(np.ascontiguousarray(window.image)).permute(2, 0, 1)
        side = (pixel_size, pixel_size)
        resized = F.interpolate(image_t[None].float(), size=side, mode="bilinear", antialias=True)
        found.pixels.append(resized[0].round().clamp(0, 255).byte().numpy())
        found.masks.append(mask[0].float().numpy().astype(np.float16))
        found.boxes.append(box[0].numpy())


# ----------------------------------------------------------------------------- fitting
def fit_logistic(
    x: np.ndarray, labels: np.ndarray, classes: int, c: float = C
) -> Tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression on standardised inputs, folded back to raw inputs.

    Returns (weight (K, D), bias (K,)) such that ``softmax(x @ weight.T + bias)`` gives the
    probabilities. Full-batch L-BFGS from zeros in float64: the same data give the same head.
    """
    mean, std = x.mean(0), x.std(0) + 1e-6
    z = torch.tensor((x - mean) / std, dtype=torch.float64)
    y = torch.tensor(labels, dtype=torch.long)
    weight = torch.zeros(classes, x.shape[1], dtype=torch.float64, requires_grad=True)
    bias = torch.zeros(classes, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS(
        [weight, bias], lr=1.0, max_iter=500, tolerance_grad=1e-7, line_search_fn="strong_wolfe"
    )
    penalty = 1.0 / (2.0 * c * len(x))

    def closure():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(z @ weight.T + bias, y)
        loss = loss + penalty * (weight**2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    w = weight.detach().numpy() / std
    b = bias.detach().numpy() - w @ mean
    return w, b


def train_pixel_classifier(
    found: BoxExamples,
    keep: Sequence[int],
    labels: np.ndarray,
    num_kinds: int,
    model_cfg,
    width: int,
    size: int,
    epochs: int,
    seed: int,
    log=print,
) -> PixelClassifier:
    """Train the head's pixel classifier on the kept examples: AdamW, one-cycle lr,
    cross-entropy with label smoothing, quarter turns and flips (boxes turned with them).
    Deterministic per seed."""
    from training.mask_refiner import turn

    torch.manual_seed(seed)
    side = model_cfg.image_encoder.img_size
    net = PixelClassifier(width, num_kinds, size, side)
    pixels = np.stack([found.pixels[i] for i in keep])
    masks = np.stack([found.masks[i] for i in keep])
    boxes = np.stack([found.boxes[i] for i in keep])
    mean = torch.tensor(model_cfg.pixel_mean).view(1, 3, 1, 1)
    std = torch.tensor(model_cfg.pixel_std).view(1, 3, 1, 1)
    per_epoch = max(len(keep) // PIXEL_BATCH, 1)
    optimizer = torch.optim.AdamW(net.parameters(), lr=PIXEL_LR, weight_decay=0.05)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=PIXEL_LR, total_steps=epochs * per_epoch
    )
    rng = np.random.default_rng(seed)
    began = time.perf_counter()
    for epoch in range(epochs):
        net.train()
        order, total = rng.permutation(len(keep)), 0.0
        for step in range(per_epoch):
            pick = np.sort(order[step * PIXEL_BATCH : (step + 1) * PIXEL_BATCH])
            planes, box = turn(
                [
                    (torch.from_numpy(pixels[pick]).float() - mean) / std,
                    torch.from_numpy(masks[pick].astype(np.float32)),
                ],
                torch.from_numpy(boxes[pick]),
                int(rng.integers(4)),
                bool(rng.random() < 0.5),
                side,
            )
            logits = net(planes[0], planes[1], box)
            target = torch.from_numpy(labels[pick])
            loss = F.cross_entropy(logits, target, label_smoothing=LABEL_SMOOTHING)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item()
        seconds = time.perf_counter() - began
        loss = total / per_epoch
        log(f"pixel classifier epoch {epoch + 1}/{epochs}  loss {loss:.4f}  {seconds:.0f} s")
    return net.eval()


def install_head(
    folder: Path,
    kinds: Sequence[str],
    table: KindTable,
    weight,
    bias,
    pixels: Optional[PixelClassifier] = None,
) -> None:
    """Write the head's table into ``config.json`` and its weights into the safetensors."""
    from model_core.checkpoint import replace_part
    from model_core.config import ModelConfig

    cfg = ModelConfig.from_json(folder / "config.json")
    cfg.class_head = ClassHeadConfig(
        kinds=list(kinds),
        phrases=[table.phrases[k] for k in kinds],
        plurals=[table.plurals[k] for k in kinds],
        words=[list(table.words[k]) for k in kinds],
        pool=cfg.class_head.pool,
        pixel_width=0 if pixels is None else pixels.levels[0][0].out_channels,
        pixel_size=cfg.class_head.pixel_size if pixels is None else pixels.size,
        keep=0.0,
        replace=1.0,
    )
    tensors = {
        "linear.weight": torch.tensor(weight, dtype=torch.float32),
        "linear.bias": torch.tensor(bias, dtype=torch.float32),
    }
    if pixels is not None:
        tensors.update({f"pixels.{k}": v for k, v in pixels.state_dict().items()})
    replace_part(folder, cfg, "class_head", tensors)


# ----------------------------------------------------------------------------- command
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m training.class_head", description=__doc__)
    parser.add_argument("--checkpoint", required=True, help="checkpoint folder (changed in place)")
    parser.add_argument("--records", nargs="*", default=[], help="record folders or files")
    parser.add_argument("--synthetic", default="", help="SEED:N generated scenes (default none)")
    parser.add_argument(
        "--unfamiliar", default="", help="SEED:N unfamiliar surfaces (default none)"
    )
    parser.add_argument(
        "--pixel-width",
        type=int,
        default=0,
        help="channels of the pixel classifier's first level (0: the linear probe alone)",
    )
    parser.add_argument("--pixel-size", type=int, default=128, help="its side in pixels")
    parser.add_argument("--pixel-epochs", type=int, default=10, help="its training epochs")
    parser.add_argument("--seed", type=int, default=0, help="its random seed")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    return parser


def check_pixel_classifier(width: int, size: int, epochs: int) -> None:
    """Refuse pixel-classifier settings the checkpoint's config would refuse, in one sentence."""
    if not (0 < width <= 256 and width % 4 == 0):
        raise InputError(f"--pixel-width must be a multiple of 4 from 4 to 256, not {width}.")
    if not (32 <= size <= 1024 and size % 8 == 0):
        raise InputError(f"--pixel-size must be a multiple of 8 from 32 to 1024, not {size}.")
    if epochs < 1:
        raise InputError(f"--pixel-epochs must be at least 1, not {epochs}.")


def seed_and_count(text: str, flag: str) -> Tuple[int, int]:
    if not text:
        return 0, 0
    try:
        seed, count = (int(part) for part in text.split(":"))
    except ValueError:
        raise InputError(f"{flag} takes SEED:N, e.g. 1:3000, not '{text}'.") from None
    return seed, count


def run(args: argparse.Namespace, argv: Sequence[str]) -> dict:
    from training.data import SyntheticDataset
    from training.data.unfamiliar import UnfamiliarDataset
    from training.evaluate.real import record_annotations
    from training.evaluate.run import file_samples

    if args.threads:
        torch.set_num_threads(args.threads)
    if args.pixel_width:
        check_pixel_classifier(args.pixel_width, args.pixel_size, args.pixel_epochs)
    start = time.perf_counter()
    # a cache of two windows: the probe's features and the predictor's run share one encoding
    predictor = FirstMaskRecorder.from_checkpoint(args.checkpoint, device="cpu", cache_size=2)
    pixel_size = args.pixel_size if args.pixel_width else 0
    table = kind_table()
    found = BoxExamples()
    if args.records:
        facts = record_annotations(args.records)

        def real_kind(record) -> Optional[str]:
            fact = facts.get(record.id, {})
            classes = fact.get("classes") or []
            if not classes:
                return None
            return class_words(classes[0], DEFAULT_NOUN.get(fact.get("source", ""))).kind

        samples, _, _ = file_samples(args.records, 0)
        box_examples(predictor, samples, real_kind, found, pixel_size)
    for flag, text, make, label in (
        ("--synthetic", args.synthetic, SyntheticDataset, lambda r: generated_kind(r.phrases[0])),
        ("--unfamiliar", args.unfamiliar, UnfamiliarDataset, lambda r: UNFAMILIAR),
    ):
        seed, count = seed_and_count(text, flag)
        if count:
            data = make(predictor.tokenizer, seed=seed, length=count, scene_size=384)
            samples = (tuple(reversed(data.record(i))) for i in range(count))
            box_examples(predictor, samples, label, found, pixel_size)
    kinds = found.kinds
    counts = Counter(k for k in kinds if k in table.words)
    names = sorted(k for k, n in counts.items() if n >= MIN_BOXES)
    if len(names) < 2:
        raise InputError("The class head needs boxes of at least two kinds; give more records.")
    keep = [i for i, k in enumerate(kinds) if k in names]
    x = np.stack([found.inputs[i] for i in keep]).astype(np.float64)
    y = np.array([names.index(kinds[i]) for i in keep])
    weight, bias = fit_logistic(x, y, len(names))
    accuracy = float(((x @ weight.T + bias).argmax(1) == y).mean())
    collected = time.perf_counter() - start
    pixels = None
    if args.pixel_width:
        pixels = train_pixel_classifier(
            found,
            keep,
            y,
            len(names),
            predictor.model.cfg,
            args.pixel_width,
            args.pixel_size,
            args.pixel_epochs,
            args.seed,
        )
    install_head(Path(args.checkpoint), names, table, weight, bias, pixels)
    summary = {
        "command": "python -m training.class_head " + " ".join(argv),
        "boxes": len(keep),
        "kinds": {k: counts[k] for k in names},
        "left_out": {k: n for k, n in counts.items() if k not in names},
        "training_accuracy": accuracy,
        "pixel_classifier": (
            {
                "width": args.pixel_width,
                "size": args.pixel_size,
                "epochs": args.pixel_epochs,
                "seed": args.seed,
                "parameters": sum(p.numel() for p in pixels.parameters()),
                "seconds": round(time.perf_counter() - start - collected, 1),
            }
            if pixels is not None
            else None
        ),
        "seconds": round(time.perf_counter() - start, 1),
        "machine": cpu_description(),
    }
    (Path(args.checkpoint) / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        summary = run(args, argv)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"class head: {len(summary['kinds'])} kinds from {summary['boxes']} boxes "
        f"(training accuracy {summary['training_accuracy']:.3f}, {summary['seconds']} s); "
        f"written into {args.checkpoint}"
    )
    print("boxes per kind: " + ", ".join(f"{k} {n}" for k, n in summary["kinds"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
