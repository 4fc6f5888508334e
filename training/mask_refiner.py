"""Train a checkpoint's mask refiner on the frozen network's masks of real training boxes.

The network stays frozen. For every training box with a true mask, the predictor runs as it
does for a user (window, caption, decoder) and the decoder's logits of the boxed object are
kept with the window's pixels and the true mask. The refiner
(``model_core.modeling.mask_refiner``) then learns to correct those logits, with rotations and
flips of the window, a pixel-wise cross-entropy plus a Dice loss, AdamW and a one-cycle
learning rate. Its weights are written into the checkpoint; ``mask_refiner.json`` beside it
says what it used and how long it took. ``--resume`` continues an interrupted run from the
state saved every ``--save-every`` steps.

    python -m training.mask_refiner --checkpoint runs/clvnet-tiny-real5 \\
        --records runs/records/dubai/train runs/records/spacenet_rio/train ... --steps 1500
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch.nn import functional as F

from model_core.config import MaskRefinerConfig, ModelConfig
from model_core.errors import InputError
from model_core.modeling.mask_refiner import MaskRefiner
from model_core.modeling.views import turn
from model_core.predictor import Predictor
from training.train import cpu_description, fitting_command

#: What the run used and took, beside the checkpoint (the model card reads it).
SUMMARY_FILE = "mask_refiner.json"
#: Interrupted runs continue from here (``--resume``); removed when a run finishes.
STATE_FILE = "mask_refiner.state.pt"
#: Weight of the Dice loss beside the pixel-wise cross-entropy.
DICE_WEIGHT = 0.5


@dataclass
class RefinerSamples:
    """Training boxes: the window, the frozen network's mask of the box, and the truth."""

    pixels: np.ndarray  # (N, S, S, 3) uint8 window pixels at the model's input size S
    coarse: np.ndarray  # (N, 4g, 4g) float16 decoder logits of the boxed object
    truth: np.ndarray  # (N, size, size) float16 fraction of each refiner pixel inside the mask
    boxes: np.ndarray  # (N, 4) float32 boxes in window pixels
    sources: List[str]


class CoarseMaskRecorder(Predictor):
    """A predictor that keeps each window's first decoder mask and leaves it unrefined."""

    #: the last batch's first decoder mask of each window, by window index
    recorded: Dict[int, np.ndarray]

    def _refine_first_masks(self, windows, boxes, masks, groups) -> Dict[int, torch.Tensor]:
        self.recorded = {}
        for row, b in enumerate(groups):
            self.recorded.setdefault(b, masks[row].float().cpu().numpy())
        return {}


def collect(predictor: CoarseMaskRecorder, samples, facts: dict, size: int) -> RefinerSamples:
    """Run ``predictor`` on every (record, image) whose target has a mask; keep what it drew."""
    from training.data import record_window

    pixels, coarse, truth, boxes, sources = [], [], [], [], []
    batch: list = []

    def flush() -> None:
        predictor.recorded = {}
        predictor.predict_batch([window for _, window, _ in batch])
        for b, (record, window, masks) in enumerate(batch):
            if b not in predictor.recorded:  # the caption grounded nothing
                continue
            target = torch.from_numpy(masks[:1].astype(np.float32))[None]
            pixels.append(window.image)
            coarse.append(predictor.recorded[b].astype(np.float16))
            truth.append(F.interpolate(target, size=(size, size), mode="area")[0, 0].numpy())
            boxes.append([float(c) for c in window.box])
            sources.append(facts.get(record.id, {}).get("source", "unknown"))
        batch.clear()

    for record, image in samples:
        if 0 in record.box_only:
            continue
        window, masks = record_window(record, image, predictor.input_size)
        batch.append((record, window, masks))
        if len(batch) == 8:
            flush()
    if batch:
        flush()
    if not pixels:
        raise InputError("No training box with a true mask was found; give record folders.")
    return RefinerSamples(
        pixels=np.stack(pixels),
        coarse=np.stack(coarse),
        truth=np.stack(truth).astype(np.float16),
        boxes=np.asarray(boxes, dtype=np.float32),
        sources=sources,
    )


# ----------------------------------------------------------------------------- training
def refiner_loss(logits: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """Pixel-wise cross-entropy plus ``DICE_WEIGHT`` x soft Dice, (B, S, S) each."""
    prob = torch.sigmoid(logits)
    overlap = (prob * truth).sum((1, 2))
    dice = 1 - (2 * overlap + 1) / (prob.sum((1, 2)) + truth.sum((1, 2)) + 1)
    return F.binary_cross_entropy_with_logits(logits, truth) + DICE_WEIGHT * dice.mean()


def train_refiner(
    samples: RefinerSamples,
    model_cfg: ModelConfig,
    refiner_cfg: MaskRefinerConfig,
    steps: int,
    batch_size: int,
    lr: float,
    seed: int,
    state_path: Optional[Path] = None,
    save_every: int = 250,
    log=print,
) -> Tuple[MaskRefiner, List[float]]:
    """Train a fresh refiner for ``steps`` steps; (refiner, mean loss of every 100 steps)."""
    torch.manual_seed(seed)
    side = model_cfg.image_encoder.img_size
    net = MaskRefiner(refiner_cfg.width, refiner_cfg.size, side)
    optimizer = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, total_steps=steps, pct_start=0.1
    )
    rng = np.random.default_rng(seed)
    mean = torch.tensor(model_cfg.pixel_mean).view(1, 3, 1, 1)
    std = torch.tensor(model_cfg.pixel_std).view(1, 3, 1, 1)
    start, losses, recent = 0, [], []
    if state_path is not None and state_path.is_file():
        state = torch.load(state_path, weights_only=False)
        net.load_state_dict(state["refiner"])
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        rng.bit_generator.state = state["rng"]
        start, losses, recent = state["step"], state["losses"], state["recent"]
        log(f"resumed at step {start}")
    net.train()
    count = len(samples.boxes)
    began = time.perf_counter()
    for step in range(start, steps):
        pick = np.sort(rng.integers(0, count, batch_size))
        pixels = torch.from_numpy(samples.pixels[pick]).permute(0, 3, 1, 2).float()
        planes, boxes = turn(
            [
                (pixels - mean) / std,
                torch.from_numpy(samples.coarse[pick].astype(np.float32)),
                torch.from_numpy(samples.truth[pick].astype(np.float32)),
            ],
            torch.from_numpy(samples.boxes[pick]),
            int(rng.integers(4)),
            bool(rng.random() < 0.5),
            side,
        )
        loss = refiner_loss(net(planes[0], planes[1], boxes), planes[2])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        recent.append(loss.item())
        if (step + 1) % 100 == 0 or step + 1 == steps:
            losses.append(float(np.mean(recent)))
            recent = []
            seconds = time.perf_counter() - began
            log(f"step {step + 1}/{steps}  loss {losses[-1]:.4f}  {seconds:.0f} s")
        if state_path is not None and (step + 1) % save_every == 0 and step + 1 < steps:
            torch.save(
                {
                    "refiner": net.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "schedule": schedule.state_dict(),
                    "rng": rng.bit_generator.state,
                    "step": step + 1,
                    "losses": losses,
                    "recent": recent,
                },
                state_path,
            )
    return net.eval(), losses


def install_refiner(folder: Path, refiner_cfg: MaskRefinerConfig, net: MaskRefiner) -> None:
    """Write the refiner's config into ``config.json`` and its weights into the safetensors."""
    from model_core.checkpoint import replace_part

    cfg = ModelConfig.from_json(folder / "config.json")
    cfg.mask_refiner = refiner_cfg
    replace_part(folder, cfg, "mask_refiner", net.state_dict())


# ----------------------------------------------------------------------------- command
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m training.mask_refiner", description=__doc__)
    parser.add_argument("--checkpoint", required=True, help="checkpoint folder (changed in place)")
    parser.add_argument("--records", nargs="+", required=True, help="record folders or files")
    parser.add_argument(
        "--per-folder", type=int, default=0, help="records of each folder at most (0: all)"
    )
    parser.add_argument("--width", type=int, default=16, help="U-Net width (default 16)")
    parser.add_argument("--size", type=int, default=128, help="working side (default 128)")
    parser.add_argument("--steps", type=int, default=1500, help="training steps (default 1500)")
    parser.add_argument("--batch-size", type=int, default=16, help="boxes per step (default 16)")
    parser.add_argument("--lr", type=float, default=2e-3, help="peak learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save-every", type=int, default=250, help="steps between saved states")
    parser.add_argument("--resume", action="store_true", help="continue from the saved state")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    return parser


def run(args: argparse.Namespace, argv: Sequence[str]) -> dict:
    from training.evaluate.real import record_annotations
    from training.evaluate.run import file_samples

    if args.threads:
        torch.set_num_threads(args.threads)
    if args.steps < 1:
        raise InputError(f"--steps must be at least 1, not {args.steps}.")
    if args.width < 4 or args.width % 4:
        raise InputError(f"--width must be a positive multiple of 4, not {args.width}.")
    if not 32 <= args.size <= 1024 or args.size % 8:
        raise InputError(f"--size must be a multiple of 8 from 32 to 1024, not {args.size}.")
    folder = Path(args.checkpoint)
    refiner_cfg = MaskRefinerConfig(width=args.width, size=args.size)
    state_path = folder / STATE_FILE
    if state_path.is_file() and not args.resume:
        state_path.unlink()
    start = time.perf_counter()
    predictor = CoarseMaskRecorder.from_checkpoint(str(folder), device="cpu", cache_size=0)
    predictor.use_class_head = False  # naming does not change the masks
    model_cfg = predictor.model.cfg
    samples, _, _ = file_samples(args.records, 0, args.per_folder)
    data = collect(predictor, samples, record_annotations(args.records), args.size)
    collected = time.perf_counter() - start
    print(f"{len(data.boxes)} boxes with a true mask ({collected:.0f} s)", flush=True)
    net, losses = train_refiner(
        data,
        model_cfg,
        refiner_cfg,
        args.steps,
        args.batch_size,
        args.lr,
        args.seed,
        state_path,
        args.save_every,
        log=lambda line: print(line, flush=True),
    )
    install_refiner(folder, refiner_cfg, net)
    state_path.unlink(missing_ok=True)
    summary = {
        "command": "python -m training.mask_refiner " + " ".join(argv),
        "boxes": len(data.boxes),
        "sources": dict(sorted(Counter(data.sources).items())),
        "parameters": sum(p.numel() for p in net.parameters()),
        "steps": args.steps,
        "batch_size": args.batch_size,
        "loss_per_100_steps": [round(v, 4) for v in losses],
        "seconds_collecting": round(collected, 1),
        "seconds": round(time.perf_counter() - start, 1),
        "machine": cpu_description(),
    }
    (folder / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def report(args: argparse.Namespace, summary: dict) -> List[str]:
    return [
        f"mask refiner: {summary['parameters']} parameters trained on {summary['boxes']} boxes "
        f"for {summary['steps']} steps ({summary['seconds']} s); written into {args.checkpoint}"
    ]


def main(argv: Optional[Sequence[str]] = None) -> int:
    return fitting_command(argv, build_parser(), run, report)


if __name__ == "__main__":
    sys.exit(main())
