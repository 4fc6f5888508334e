"""Fit a checkpoint's class head: a linear probe of what kind of thing a box holds.

The trained network stays frozen. For every training box (real record folders, generated
scenes, unfamiliar surfaces) the box's features (``model_core.modeling.class_head``) are
computed in the window inference reads; a multinomial logistic regression with an L2 penalty
is fitted on them (full-batch L-BFGS, deterministic) and written into the checkpoint with the
table of kinds: each kind's nouns, and the phrase that replaces a first phrase the head
overrules. The keep/replace thresholds are chosen afterwards on the calibration images
(``python -m training.evaluate --records ... --store-calibration``). With ``--views N`` the
predictor averages the head's probabilities over N dihedral views of the window (the window
mirrored, turned half way, ...; ``model_core.modeling.views``): each costs one more encoding
of the window, and the averaged guess is steadier than the one of the window as drawn.

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

from model_core.config import ClassHeadConfig
from model_core.errors import InputError
from model_core.naming import GENERIC_AREA, GENERIC_AREAS
from training.real_captions import all_class_words, class_words
from training.real_sources import DEFAULT_NOUN
from training.synth.captions import FIXED_SIZE, NOUNS
from training.train import cpu_description, fitting_command

#: The kind of unfamiliar surfaces (the head's way to abstain).
UNFAMILIAR = "unfamiliar ground"
#: Inverse L2 strength, as scikit-learn's ``C``: the penalty is |W|^2 / (2 C n).
C = 0.1
#: Kinds with fewer training boxes than this are left out (too few to learn).
MIN_BOXES = 5
#: What the fit used and took, beside the checkpoint (the model card reads it).
SUMMARY_FILE = "class_head.json"


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
def box_examples(
    predictor, samples, label_of, context: float = 0.5
) -> Tuple[List[np.ndarray], List[str]]:
    """Head inputs and kinds of every (record, image) sample whose kind ``label_of`` knows."""
    from model_core.modeling.class_head import ClassHead, box_colour
    from training.data import record_window

    model = predictor.model
    enc = model.cfg.image_encoder
    probe = ClassHead(enc.out_chans, 1, model.cfg.class_head.pool, enc.img_size)
    inputs, kinds = [], []
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
            inputs.append(probe.box_features(features, box, colour)[0].numpy())
        kinds.append(kind)
    return inputs, kinds


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


def install_head(
    folder: Path, kinds: Sequence[str], table: KindTable, weight, bias, views: int = 1
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
        views=views,
        keep=0.0,
        replace=1.0,
    )
    linear = {
        "linear.weight": torch.tensor(weight, dtype=torch.float32),
        "linear.bias": torch.tensor(bias, dtype=torch.float32),
    }
    replace_part(folder, cfg, "class_head", linear)


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
        "--views",
        type=int,
        default=1,
        choices=(1, 2, 4, 8),
        help="dihedral views of the window whose probabilities it averages when it predicts "
        "(default 1; it is fitted on the window as drawn)",
    )
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    return parser


def seed_and_count(text: str, flag: str) -> Tuple[int, int]:
    if not text:
        return 0, 0
    try:
        seed, count = (int(part) for part in text.split(":"))
    except ValueError:
        raise InputError(f"{flag} takes SEED:N, e.g. 1:3000, not '{text}'.") from None
    return seed, count


def run(args: argparse.Namespace, argv: Sequence[str]) -> dict:
    from model_core.predictor import Predictor
    from training.data import SyntheticDataset
    from training.data.unfamiliar import UnfamiliarDataset
    from training.evaluate.real import record_annotations
    from training.evaluate.run import file_samples

    if args.threads:
        torch.set_num_threads(args.threads)
    start = time.perf_counter()
    predictor = Predictor.from_checkpoint(args.checkpoint, device="cpu", cache_size=0)
    table = kind_table()
    inputs: List[np.ndarray] = []
    kinds: List[str] = []
    if args.records:
        facts = record_annotations(args.records)

        def real_kind(record) -> Optional[str]:
            fact = facts.get(record.id, {})
            classes = fact.get("classes") or []
            if not classes:
                return None
            return class_words(classes[0], DEFAULT_NOUN.get(fact.get("source", ""))).kind

        samples, _, _ = file_samples(args.records, 0)
        found = box_examples(predictor, samples, real_kind)
        inputs, kinds = inputs + found[0], kinds + found[1]
    for flag, text, make, label in (
        ("--synthetic", args.synthetic, SyntheticDataset, lambda r: generated_kind(r.phrases[0])),
        ("--unfamiliar", args.unfamiliar, UnfamiliarDataset, lambda r: UNFAMILIAR),
    ):
        seed, count = seed_and_count(text, flag)
        if count:
            data = make(predictor.tokenizer, seed=seed, length=count, scene_size=384)
            samples = (tuple(reversed(data.record(i))) for i in range(count))
            found = box_examples(predictor, samples, label)
            inputs, kinds = inputs + found[0], kinds + found[1]
    counts = Counter(k for k in kinds if k in table.words)
    names = sorted(k for k, n in counts.items() if n >= MIN_BOXES)
    if len(names) < 2:
        raise InputError("The class head needs boxes of at least two kinds; give more records.")
    keep = [i for i, k in enumerate(kinds) if k in names]
    x = np.stack([inputs[i] for i in keep]).astype(np.float64)
    y = np.array([names.index(kinds[i]) for i in keep])
    weight, bias = fit_logistic(x, y, len(names))
    accuracy = float(((x @ weight.T + bias).argmax(1) == y).mean())
    install_head(Path(args.checkpoint), names, table, weight, bias, args.views)
    summary = {
        "command": "python -m training.class_head " + " ".join(argv),
        "boxes": len(keep),
        "views": args.views,
        "kinds": {k: counts[k] for k in names},
        "left_out": {k: n for k, n in counts.items() if k not in names},
        "training_accuracy": accuracy,
        "seconds": round(time.perf_counter() - start, 1),
        "machine": cpu_description(),
    }
    (Path(args.checkpoint) / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def report(args: argparse.Namespace, summary: dict) -> List[str]:
    return [
        f"class head: {len(summary['kinds'])} kinds from {summary['boxes']} boxes "
        f"(training accuracy {summary['training_accuracy']:.3f}, {summary['seconds']} s); "
        f"written into {args.checkpoint}",
        "boxes per kind: " + ", ".join(f"{k} {n}" for k, n in summary["kinds"].items()),
    ]


def main(argv: Optional[Sequence[str]] = None) -> int:
    return fitting_command(argv, build_parser(), run, report)


if __name__ == "__main__":
    sys.exit(main())
