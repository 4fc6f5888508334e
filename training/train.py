"""The CLV-Net trainer: one process or many under ``torchrun``.

    python -m training.train --config training/configs/tiny.json \
        --data synthetic:1:200000 --out runs/tiny
    python -m training.train --set init_checkpoint=model_core/checkpoints/clvnet-tiny \
        --records records/deepforest/train:0.7 --synthetic-weight 0.3 --out runs/ft
    torchrun --nproc_per_node 2 -m training.train --config ... --data ... --out ...

DistributedDataParallel (gloo on CPU, NCCL on CUDA) with a distributed sampler; only rank 0
writes. bf16 autocast on CUDA, gradient accumulation and clipping, AdamW with warmup + cosine.
The output folder is a checkpoint (ARCHITECTURE 5) plus ``train_state.pt`` (optimiser,
scheduler, step, RNG states: an interrupted run resumes exactly), ``log.csv`` and, when the
``tensorboard`` package is installed, TensorBoard events in ``tensorboard/``.

Data: synthetic scenes and record folders, mixed with weights (``training.data.mixing``: the
config key ``data``, ``--data``, ``--records DIR[:WEIGHT]``, ``--synthetic-weight``).
"""

import argparse
import contextlib
import copy
import csv
import json
import math
import os
import platform
import random
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset, DistributedSampler

from model_core.checkpoint import load_checkpoint, load_sam_weights, save_checkpoint
from model_core.config import ClassHeadConfig, MaskRefinerConfig, ModelConfig, preset
from model_core.errors import InputError
from model_core.modeling.build import build_clvnet
from model_core.tokenizer import CaptionTokenizer

from .data.mixing import (
    DEFAULT_SYNTHETIC_LENGTH,
    DEFAULT_SYNTHETIC_SEED,
    DataSource,
    combine_sources,
)
from .losses import clvnet_loss


@dataclass
class TrainConfig:
    """Everything about a run except the model architecture (which is ``ModelConfig``)."""

    preset: str = "tiny"
    model_overrides: Dict[str, Any] = field(default_factory=dict)
    init_checkpoint: str = ""
    sam_checkpoint: str = ""
    lm_path: str = ""
    tokenizer_corpus_records: int = 3000
    tokenizer: str = ""
    size: int = 256
    context: float = 0.5
    augment: bool = True
    #: Brightness, contrast and saturation factors of real records and unfamiliar surfaces are
    #: drawn from [1 - colour_jitter, 1 + colour_jitter] (synthetic scenes keep 0.1: their
    #: generator already varies every colour).
    colour_jitter: float = 0.1
    #: Probability that a real record's sample is darkened as in shadow or winter light
    #: (``training.data.augment.sample_augmentation``).
    low_light: float = 0.0
    max_len: int = 96
    steps: int = 1000
    batch_size: int = 8
    grad_accum: int = 1
    lr: float = 5e-4
    min_lr_ratio: float = 0.05
    weight_decay: float = 0.05
    warmup_steps: int = 100
    clip_grad: float = 1.0
    freeze_image_encoder: bool = False
    precision: str = "bf16"
    save_every: int = 200
    log_every: int = 10
    seed: int = 0
    num_workers: int = 1
    threads: int = 0
    data: List[Dict[str, Any]] = field(default_factory=list)
    device: str = "auto"


# --------------------------------------------------------------------------- config
def set_dotted(target: Dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = value


def merge(base: Dict[str, Any], update: Dict[str, Any]) -> Dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def load_train_config(path: Optional[str], overrides: List[str]) -> TrainConfig:
    data: Dict[str, Any] = {}
    if path:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"The training config '{path}' cannot be read: {exc}.") from exc
    for item in overrides:
        key, _, raw = item.partition("=")
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        set_dotted(data, key, value)
    known = {f for f in TrainConfig.__dataclass_fields__}
    unknown = set(data) - known
    if unknown:
        raise InputError(f"Unknown training config keys: {sorted(unknown)}.")
    cfg = TrainConfig(**data)
    if cfg.precision not in ("bf16", "fp32"):
        raise InputError(f"precision must be 'bf16' or 'fp32', not '{cfg.precision}'.")
    if cfg.device not in ("auto", "cpu", "cuda"):
        raise InputError(f"device must be 'auto', 'cpu' or 'cuda', not '{cfg.device}'.")
    if not 0.0 <= cfg.low_light <= 1.0:
        raise InputError(f"low_light must be a probability from 0 to 1, not {cfg.low_light}.")
    if not 0.0 <= cfg.colour_jitter < 1.0:
        raise InputError(f"colour_jitter must be at least 0 and below 1, not {cfg.colour_jitter}.")
    if cfg.device == "cuda" and not torch.cuda.is_available():
        raise InputError("device 'cuda' was asked for, but this Python's torch sees no GPU.")
    return cfg


# ----------------------------------------------------------------------------- data
def build_dataset(sources: List[DataSource], tokenizer: CaptionTokenizer, cfg: TrainConfig):
    """One dataset per source; several are joined in a ``MixedDataset``."""
    from .data import MixedDataset, RecordDataset, SyntheticDataset
    from .data.unfamiliar import UnfamiliarDataset

    common = {"size": cfg.size, "context": cfg.context, "augment": cfg.augment}
    parts: List[Dataset] = []
    for source in sources:
        if source.kind == "synthetic":
            parts.append(
                SyntheticDataset(
                    tokenizer, seed=source.seed, length=source.length, max_len=cfg.max_len, **common
                )
            )
        elif source.kind == "unfamiliar":
            parts.append(
                UnfamiliarDataset(
                    tokenizer,
                    seed=source.seed,
                    length=source.length,
                    max_len=cfg.max_len,
                    colour=cfg.colour_jitter,
                    **common,
                )
            )
        else:
            parts.append(
                RecordDataset(
                    [source.path],
                    tokenizer,
                    max_len=cfg.max_len,
                    colour=cfg.colour_jitter,
                    low_light=cfg.low_light,
                    **common,
                )
            )
    return parts[0] if len(parts) == 1 else MixedDataset(parts)


def make_sampler(
    dataset: Dataset, sources: List[DataSource], rank: int, world: int, cfg: TrainConfig
):
    """Uniform over one source's items; by the sources' weights when there are several, or
    when one source has fewer items than a batch (it is then cycled)."""
    from .data import WeightedMixSampler

    if len(sources) == 1 and len(dataset) >= cfg.batch_size * world:
        return ResumableSampler(dataset, rank, world, cfg.seed)
    sizes = dataset.sizes if len(sources) > 1 else [len(dataset)]
    weights = [s.weight for s in sources]
    return WeightedMixSampler(sizes, weights, rank, world, cfg.seed, cfg.batch_size)


def caption_corpus(sources: List[DataSource], count: int) -> Iterator[str]:
    """Captions to learn the tokenizer's vocabulary from (synthetic scenes and record folders)."""
    from .data import load_records
    from .synth import generate_records

    for source in sources:
        if source.kind == "synthetic":
            seed = source.seed
            made = 0
            scene = 0
            while made < count:
                _, records = generate_records(seed * 7919 + scene)
                scene += 1
                for record in records:
                    made += 1
                    yield record["gcg_description"]
        elif source.kind == "unfamiliar":
            from .data.unfamiliar import CAPTION

            yield CAPTION
        else:
            records, _ = load_records([source.path])
            for record in records:
                yield record.caption


class ResumableSampler(DistributedSampler):
    """A ``DistributedSampler`` that can start part-way through an epoch (exact resume)."""

    def __init__(self, dataset: Dataset, rank: int, world: int, seed: int) -> None:
        super().__init__(dataset, num_replicas=world, rank=rank, shuffle=True, seed=seed)
        self.skip = 0

    def __iter__(self):
        indices = list(super().__iter__())
        return iter(indices[self.skip :])

    def __len__(self) -> int:
        return self.num_samples - self.skip


# ---------------------------------------------------------------------------- model
def build_model(cfg: TrainConfig, sources: List[DataSource]):
    """Model and tokenizer: from ``init_checkpoint`` or a fresh preset (+ SAM / LM weights)."""
    if cfg.init_checkpoint:
        model, tokenizer = load_checkpoint(Path(cfg.init_checkpoint))
        model_cfg = ModelConfig.from_dict(merge(model.cfg.to_dict(), cfg.model_overrides))
        # The class head and the mask refiner are fitted to the frozen features and masks;
        # training changes them, so the trained model has neither until they are fitted again
        # (python -m training.class_head, python -m training.mask_refiner).
        model_cfg.class_head = ClassHeadConfig()
        model_cfg.mask_refiner = MaskRefinerConfig()
        if model_cfg.to_dict() != model.cfg.to_dict():
            state = model.state_dict()
            model = build_clvnet(model_cfg, tokenizer)
            model.load_state_dict(state, strict=False)
        return model.train(), tokenizer
    model_cfg = ModelConfig.from_dict(
        merge(preset(cfg.preset, cfg.lm_path or None).to_dict(), cfg.model_overrides)
    )
    if cfg.tokenizer:
        tokenizer = CaptionTokenizer.from_file(Path(cfg.tokenizer))
    else:
        tokenizer = CaptionTokenizer.train(
            caption_corpus(sources, cfg.tokenizer_corpus_records), model_cfg.reasoner.vocab_size
        )
    model = build_clvnet(model_cfg, tokenizer)
    if cfg.sam_checkpoint:
        load_sam_weights(model, Path(cfg.sam_checkpoint))
    return model.train(), tokenizer


def cpu_name() -> str:
    """The processor's model name (Linux), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def cpu_description(threads: int = 0) -> str:
    """The CPU a job ran on, for model cards: model, cores and torch threads."""
    threads = threads or torch.get_num_threads()
    return f"{cpu_name()}, {os.cpu_count()} cores, {threads} torch threads, CPU only"


def fitting_command(
    argv: Optional[List[str]],
    parser: argparse.ArgumentParser,
    run: Callable[[argparse.Namespace, List[str]], dict],
    report: Callable[[argparse.Namespace, dict], List[str]],
) -> int:
    """The command line of a part fitted after training (class head, mask refiner): parse,
    ``run`` (which returns its summary), print ``report``'s lines; an input error is one line
    on stderr and exit status 2."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    try:
        summary = run(args, argv)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for line in report(args, summary):
        print(line)
    return 0


def machine_description(device: torch.device, cfg: TrainConfig) -> str:
    """What a run trained on, for its model card: the GPU and precision, or the CPU."""
    if device.type == "cuda":
        precision = "bf16 autocast" if cfg.precision == "bf16" else "fp32"
        host = f"{cpu_name()}, {os.cpu_count()} cores"
        return f"{torch.cuda.get_device_name(device)} ({precision}; host {host})"
    return cpu_description(cfg.threads)


def tensorboard_writer(out: Path):
    """A TensorBoard writer logging to ``out/tensorboard`` when the package is installed."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        return None
    return SummaryWriter(str(out / "tensorboard"))


def data_workers(requested: int) -> int:
    """DataLoader workers: ``requested``, or with -1 one per CPU core but one (at least 1)."""
    if requested >= 0:
        return requested
    return max(1, (os.cpu_count() or 2) - 1)


def lr_factor(step: int, cfg: TrainConfig) -> float:
    """Linear warmup then cosine decay to ``min_lr_ratio``."""
    if step < cfg.warmup_steps:
        return (step + 1) / cfg.warmup_steps
    progress = (step - cfg.warmup_steps) / max(1, cfg.steps - cfg.warmup_steps)
    return cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (
        1 + math.cos(math.pi * min(1.0, progress))
    )


def to_device(batch: Dict[str, Any], device: torch.device) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, value in batch.items():
        if torch.is_tensor(value):
            out[key] = value.to(device)
        elif isinstance(value, list) and value and torch.is_tensor(value[0]):
            out[key] = [v.to(device) for v in value]
        else:
            out[key] = value
    return out


class TrainStep(torch.nn.Module):
    """Model plus loss as one module, so DDP sees the loss as the output and can tell which
    parameters a batch left unused (e.g. no relation labels)."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, batch: Dict[str, Any]):
        output = self.model(
            batch["images"],
            batch["boxes"],
            batch["caption_ids"],
            batch["caption_mask"],
            gt_masks=batch["masks"],
        )
        return clvnet_loss(output, batch, self.model.cfg.loss)


# --------------------------------------------------------------------------- states
def rng_state() -> Dict[str, Any]:
    np_state = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "numpy": [np_state[0], torch.from_numpy(np_state[1].astype(np.int64)), *np_state[2:]],
        "python": repr(random.getstate()),
    }


def set_rng_state(state: Dict[str, Any]) -> None:
    import ast

    torch.set_rng_state(state["torch"])
    kind, keys, pos, has_gauss, gauss = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, gauss))
    random.setstate(ast.literal_eval(state["python"]))


@dataclass
class Progress:
    """Where a run stands: saved in ``train_state.pt`` and summarised in the model card."""

    step: int = 0
    wall: float = 0.0
    drawn: List[int] = field(default_factory=list)  # samples drawn per source (this process)
    losses: Dict[str, float] = field(default_factory=dict)  # the last logged step's terms


def save_all(
    out: Path,
    model,
    tokenizer,
    optimizer,
    scheduler,
    cfg: TrainConfig,
    sources: List[DataSource],
    progress: Progress,
) -> None:
    """Checkpoint files then ``train_state.pt``, each written atomically (temp + rename)."""
    from .model_card import run_card

    tmp = out / ".saving"
    if tmp.exists():
        shutil.rmtree(tmp)
    card = run_card(
        model.cfg.name,
        asdict(cfg),
        [(s.spec, s.weight) for s in sources],
        progress.drawn,
        progress.step,
        progress.wall,
        progress.losses,
    )
    save_checkpoint(model, tokenizer, tmp, card)
    state = {
        "step": progress.step,
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "rng": rng_state(),
        "wall_seconds": progress.wall,
        "drawn": progress.drawn,
    }
    torch.save(state, tmp / "train_state.pt")
    for item in tmp.iterdir():
        os.replace(item, out / item.name)
    tmp.rmdir()


# ----------------------------------------------------------------------------- main
def train(
    cfg: TrainConfig, sources: List[DataSource], out: Path, resume: bool, overwrite: bool
) -> Path:
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if distributed:
        backend = "nccl" if torch.cuda.is_available() and cfg.device != "cpu" else "gloo"
        dist.init_process_group(backend)
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    if torch.cuda.is_available() and cfg.device != "cpu":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    is_main = rank == 0

    state_file = out / "train_state.pt"
    if out.exists() and any(out.iterdir()) and not (resume or overwrite):
        raise InputError(
            f"The output folder '{out}' already holds a run; pass --resume or --overwrite."
        )
    if overwrite and not resume and is_main and out.exists():
        shutil.rmtree(out)
    if distributed:
        dist.barrier()

    torch.manual_seed(cfg.seed)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    resuming = resume and state_file.is_file()
    if resuming:
        model, tokenizer = load_checkpoint(out)
        model.train()
    else:
        model, tokenizer = build_model(cfg, sources)
    model.to(device)
    if model.cfg.loss.quality:  # the object score becomes the quality head's IoU prediction
        model.cfg.quality_head_trained = True
    if cfg.freeze_image_encoder:
        model.image_encoder.requires_grad_(False)

    dataset = build_dataset(sources, tokenizer, cfg)
    sampler = make_sampler(dataset, sources, rank, world, cfg)
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.ndim >= 2]
    no_decay = [p for p in params if p.ndim < 2]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": cfg.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=cfg.lr,
        betas=(0.9, 0.95),
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(s, cfg))
    step, wall_before = 0, 0.0
    run_state = Progress(drawn=[0] * len(sources))
    if resuming:
        state = torch.load(state_file, map_location="cpu", weights_only=True)
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step, wall_before = state["step"], state["wall_seconds"]
        run_state.drawn = list(state.get("drawn") or run_state.drawn)
        set_rng_state(state["rng"])
    step_module = TrainStep(model)
    ddp_step = (
        DistributedDataParallel(step_module, find_unused_parameters=True)
        if distributed
        else step_module
    )
    autocast = (
        torch.autocast("cuda", dtype=torch.bfloat16)
        if device.type == "cuda" and cfg.precision == "bf16"
        else contextlib.nullcontext()
    )
    from .data import collate

    batches_per_epoch = max(1, len(sampler) // cfg.batch_size)
    if is_main:
        out.mkdir(parents=True, exist_ok=True)
        (out / "train_config.json").write_text(json.dumps(asdict(cfg), indent=2), encoding="utf-8")
        run_info = {
            "data": [s.spec for s in sources],
            "weights": [s.weight for s in sources],
            "command": sys.argv,
            "world_size": world,
            "machine": machine_description(device, cfg),
        }
        (out / "run.json").write_text(json.dumps(run_info, indent=2), encoding="utf-8")
    log_file = out / "log.csv"
    progress = board = None
    if is_main:
        if sys.stderr.isatty():  # a log file gets one line per logged step instead of a bar
            from tqdm import tqdm

            progress = tqdm(total=cfg.steps, initial=step, dynamic_ncols=True, file=sys.stderr)
        board = tensorboard_writer(out)
    start = time.time()
    samples_seen = 0
    while step < cfg.steps:
        micro = step * cfg.grad_accum
        epoch = micro // batches_per_epoch
        sampler.set_epoch(epoch)
        if hasattr(dataset, "set_epoch"):
            dataset.set_epoch(epoch)
        sampler.skip = (micro % batches_per_epoch) * cfg.batch_size
        loader = DataLoader(
            dataset,
            batch_size=cfg.batch_size,
            sampler=sampler,
            collate_fn=lambda s: collate(s, tokenizer.pad_id),
            num_workers=data_workers(cfg.num_workers),
            drop_last=True,
            persistent_workers=False,
        )
        batches = iter(loader)
        while step < cfg.steps:
            optimizer.zero_grad(set_to_none=True)
            terms_sum: Dict[str, float] = {}
            total_loss = 0.0
            epoch_done = False
            for _ in range(cfg.grad_accum):
                batch = next(batches, None)
                if batch is None:
                    epoch_done = True
                    break
                batch = to_device(batch, device)
                with autocast:
                    loss, terms = ddp_step(batch)
                (loss / cfg.grad_accum).backward()
                total_loss += float(loss.detach()) / cfg.grad_accum
                for key, value in terms.items():
                    terms_sum[key] = terms_sum.get(key, 0.0) + value / cfg.grad_accum
                samples_seen += len(batch["captions"]) * world
                for source in batch["sources"].tolist():
                    run_state.drawn[source] += 1
            if epoch_done:
                break
            if cfg.clip_grad:
                torch.nn.utils.clip_grad_norm_(params, cfg.clip_grad)
            optimizer.step()
            scheduler.step()
            step += 1
            if is_main:
                elapsed = time.time() - start
                if progress is not None:
                    progress.update(1)
                    progress.set_postfix(
                        loss=f"{total_loss:.3f}",
                        **{k: f"{v:.3f}" for k, v in terms_sum.items()},
                        sps=f"{samples_seen / max(elapsed, 1e-6):.1f}",
                    )
                if step % cfg.log_every == 0 or step == cfg.steps:
                    run_state.losses = {"loss": total_loss, **terms_sum}
                    lr = scheduler.get_last_lr()[0]
                    rate = samples_seen / max(elapsed, 1e-6)
                    write_log(log_file, step, total_loss, terms_sum, lr, rate)
                    if progress is None:
                        print(
                            f"step {step}/{cfg.steps} loss {total_loss:.3f} lr {lr:.2e} "
                            f"{rate:.1f} samples/s, {elapsed:.0f} s",
                            file=sys.stderr,
                            flush=True,
                        )
                    if board is not None:
                        scalars = {"loss": total_loss, **terms_sum, "lr": lr, "samples_per_s": rate}
                        for name, value in scalars.items():
                            board.add_scalar(f"train/{name}", value, step)
                if step % cfg.save_every == 0 or step == cfg.steps:
                    run_state.step = step
                    run_state.wall = wall_before + time.time() - start
                    save_all(out, model, tokenizer, optimizer, scheduler, cfg, sources, run_state)
    if progress is not None:
        progress.close()
    if board is not None:
        board.close()
    if distributed:
        check_ranks_in_sync(model, out, is_main)
        dist.destroy_process_group()
    return out


def check_ranks_in_sync(model: torch.nn.Module, out: Path, is_main: bool) -> None:
    """Gather a checksum of every rank's weights; rank 0 records them and fails on a mismatch."""
    local = torch.tensor(
        [float(sum(p.detach().double().sum() for p in model.parameters()))], dtype=torch.float64
    )
    gathered = [torch.zeros_like(local) for _ in range(dist.get_world_size())]
    dist.all_gather(gathered, local)
    sums = [float(t) for t in gathered]
    if is_main:
        (out / "rank_checksums.json").write_text(json.dumps(sums), encoding="utf-8")
        if len(set(sums)) != 1:
            raise RuntimeError(f"The ranks' weights differ after training: {sums}.")


def write_log(
    path: Path, step: int, loss: float, terms: Dict[str, float], lr: float, sps: float
) -> None:
    fields = [
        "step",
        "loss",
        "caption_ce",
        "mask_bce",
        "mask_dice",
        "mask_box",
        "semantic",
        "relation_align",
        "relation_ce",
        "quality",
        "lr",
        "samples_per_s",
        "time",
    ]
    new = not path.exists()
    with path.open("a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        if new:
            writer.writeheader()
        row = {
            "step": step,
            "loss": round(loss, 5),
            "lr": lr,
            "samples_per_s": round(sps, 2),
            "time": round(time.time(), 1),
        }
        row.update({k: round(v, 5) for k, v in terms.items()})
        writer.writerow(row)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training.train",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", default=None, help="training config JSON (TrainConfig keys)")
    parser.add_argument(
        "--data",
        action="append",
        default=[],
        help="synthetic:SEED:LENGTH or a folder of records, weight 1 (repeatable)",
    )
    parser.add_argument(
        "--records",
        action="append",
        default=[],
        metavar="DIR[:WEIGHT]",
        help="a folder of records and its share of the mix (default 1; repeatable)",
    )
    parser.add_argument(
        "--synthetic-weight",
        type=float,
        default=None,
        metavar="W",
        help=f"share of synthetic scenes; adds synthetic:{DEFAULT_SYNTHETIC_SEED}:"
        f"{DEFAULT_SYNTHETIC_LENGTH} when no synthetic source is given (0: none)",
    )
    parser.add_argument("--out", required=True, help="output checkpoint folder")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config key, e.g. steps=20 or model_overrides.loss.semantic=0",
    )
    parser.add_argument("--resume", action="store_true", help="continue the run in --out")
    parser.add_argument("--overwrite", action="store_true", help="replace the run in --out")
    args = parser.parse_args(argv)
    try:
        cfg = load_train_config(args.config, args.set)
        sources = combine_sources(cfg.data, args.data, args.records, args.synthetic_weight)
        cfg.data = [source.to_config() for source in sources]
        train(cfg, sources, Path(args.out), args.resume, args.overwrite)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
