"""``make bench``: measure CLV-Net's speed and memory and write ``docs/benchmarks.md``.

    .venv/bin/python scripts/bench.py [--checkpoint DIR] [--repeats N] [--quick] [--out PATH]

Sections (issue "Speed and scale", section 1): machine; interactive latency per box (cold, warm
through window reuse, and the same warm boxes with the embedding cache off); caption time
against caption length with and without the KV cache; batch throughput of the batch path against
a naive per-box loop; peak memory of the batch path on generated 2,000 / 10,000 / 30,000 px tiled
GeoTIFFs (one process per run); the plugin's main-thread stall; GPU; targets. Every figure is a
median with its spread over repeated runs; every comparison is measured in the same run and
given as a ratio. ``--quick`` shrinks every size for a smoke run (figures not representative).
A "Changes and their effect" section already in the output file is kept as it is.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = Path(__file__).resolve().parent
for _path in (REPO, SCRIPTS):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench_data import PLACEMENT, make_textures, place_boxes, write_tiled_geotiff  # noqa: E402

STAGES = ("read", "encode", "caption", "decode", "vectorise")
CHANGES_HEADING = "## Changes and their effect"
CHANGES_DEFAULT = (
    "Filled in by hand (the script keeps this section when it rewrites the file). For each "
    "change to the model core: what it was, the figure it was predicted to move, and the "
    "figures of this document before and after, both measured by `make bench` on the same "
    "machine. The script measures wall-clock time of the public entry points "
    "(`segment_raster_box`, `CLVNet.generate`, `run_groups`), the stage times they report "
    "(`timing_ms`), peak resident memory of separate processes and the plugin worker's "
    "main-thread stall; it changes nothing in the model core.\n"
)
TARGETS = {
    "warm_ms": 250.0,
    "cold_ms": 1500.0,
    "batch_rate": 5.0,
    "batch_ratio": 5.0,
    "memory_growth": 0.10,
    "overhead_ms": 10.0,
    "overhead_share": 0.10,
    "stall_ms": 50.0,
}


# --------------------------------------------------------------------------- settings
@dataclass
class Plan:
    """Sizes of every measurement; ``quick`` shrinks them for a smoke run."""

    repeats: int
    max_new_tokens: int  # 0: the checkpoint's own limit
    caption_lengths: Tuple[int, ...]
    caption_batch: int
    batch_raster_px: int
    batch_boxes: int
    naive_boxes: int
    batch_repeats: int
    batch_size: int
    memory_sizes: Tuple[int, ...]
    memory_boxes: int
    memory_repeats: int
    plugin_boxes: int
    latency_box_px: float

    @classmethod
    def build(cls, args: argparse.Namespace) -> Plan:
        if args.quick:
            return cls(
                repeats=args.repeats or 2,
                max_new_tokens=args.max_new_tokens or 8,
                caption_lengths=(4, 8),
                caption_batch=4,
                batch_raster_px=1024,
                batch_boxes=16,
                naive_boxes=8,
                batch_repeats=1,
                batch_size=8,
                memory_sizes=(512, 1024, 2048),
                memory_boxes=4,
                memory_repeats=1,
                plugin_boxes=2,
                latency_box_px=128.0,
            )
        return cls(
            repeats=args.repeats or 7,
            max_new_tokens=args.max_new_tokens,
            caption_lengths=(16, 32, 64),
            caption_batch=8,
            batch_raster_px=8000,
            batch_boxes=500,
            naive_boxes=100,
            batch_repeats=3,
            batch_size=8,
            memory_sizes=(2000, 10000, 30000),
            memory_boxes=48,
            memory_repeats=2,
            plugin_boxes=9,
            latency_box_px=160.0,
        )


# ------------------------------------------------------------------------ statistics
@dataclass
class Stat:
    """Median and spread of repeated measurements."""

    values: List[float]

    @property
    def median(self) -> float:
        return float(np.median(self.values))

    def cells(self, digits: int = 1) -> List[str]:
        """Table cells: median, IQR, min-max, n."""
        v = np.asarray(self.values, dtype=float)
        q1, q3 = np.percentile(v, [25, 75])
        return [
            f"{self.median:.{digits}f}",
            f"{q1:.{digits}f}-{q3:.{digits}f}",
            f"{v.min():.{digits}f}-{v.max():.{digits}f}",
            str(len(v)),
        ]

    def short(self, digits: int = 1) -> str:
        """``median (min-max, n)`` for running text."""
        v = np.asarray(self.values, dtype=float)
        low, high = f"{v.min():.{digits}f}", f"{v.max():.{digits}f}"
        return f"{self.median:.{digits}f} (range {low}-{high}, n={len(v)})"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def stat_table(first: str, unit: str, rows: Sequence[Tuple[str, Stat]], digits: int = 1) -> str:
    header = [first, f"median ({unit})", "IQR", "min-max", "n"]
    return table(header, [[label, *stat.cells(digits)] for label, stat in rows])


def dominant(stage_ms: Dict[str, float]) -> str:
    """``caption 80% (200 ms of 250 ms)``: the stage that takes most of a total."""
    total = sum(stage_ms.values())
    if total <= 0:
        return "no stage time was recorded"
    name, value = max(stage_ms.items(), key=lambda kv: kv[1])
    return f"{name} {100 * value / total:.0f}% ({value:.0f} ms of {total:.0f} ms)"


def timed(fn: Callable[..., object], *args, **kwargs) -> Tuple[float, object]:
    """(milliseconds, result) of ``fn(*args, **kwargs)``."""
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return (time.perf_counter() - start) * 1000.0, out


# ----------------------------------------------------------------------------- machine
def machine_info(threads: int, checkpoint: CheckpointInfo) -> Dict[str, str]:
    import torch
    from osgeo import gdal

    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    gpu = (
        ", ".join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
        if torch.cuda.is_available()
        else "none"
    )
    return {
        "CPU": cpu,
        "cores (os.cpu_count)": str(os.cpu_count()),
        "RAM": ram,
        "GPU": gpu,
        "load average at start (1/5/15 min)": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
        "Python": platform.python_version(),
        "torch": torch.__version__,
        "torch threads (set by this script)": str(threads),
        "GDAL": gdal.__version__,
        "device": "cpu",
        "checkpoint": f"`{checkpoint.path}`",
        "checkpoint name": checkpoint.name,
        "trained": "yes" if checkpoint.trained else "**no (random weights)**",
        "max caption tokens": str(checkpoint.max_new_tokens),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


@dataclass
class CheckpointInfo:
    path: Path
    name: str
    trained: bool
    note: str
    max_new_tokens: int


def resolve_checkpoint(given: Optional[str], scratch: Path, plan: Plan) -> CheckpointInfo:
    """The checkpoint to measure: given, else the bundled default, else an untrained tiny one."""
    from model_core.checkpoint import init_checkpoint
    from model_core.config import ModelConfig
    from model_core.pipeline import default_checkpoint_dir

    if given:
        folder, note = Path(given).resolve(), "given with --checkpoint"
    elif (default_checkpoint_dir() / "model.safetensors").is_file():
        folder, note = default_checkpoint_dir(), "the bundled default checkpoint"
    else:
        folder = init_checkpoint("tiny", scratch / "clvnet-tiny-untrained")
        note = (
            "**No bundled checkpoint is installed, so this run made an UNTRAINED tiny checkpoint "
            "(random weights, `python -m model_core init --preset tiny`) in a temporary folder.** "
            "An untrained model rarely writes `<eos>` or `[SEG]`: its captions run to the "
            "token limit and it finds no objects, so caption time is the longest possible and "
            "decode/vectorise are almost free; a trained model ends captions earlier and pays "
            "for decoding and vectorising its objects."
        )
    cfg = ModelConfig.from_json(folder / "config.json")
    card = folder / "MODEL_CARD.md"
    heading = card.read_text(encoding="utf-8").splitlines()[0] if card.is_file() else ""
    return CheckpointInfo(
        path=folder,
        name=cfg.name,
        trained=bool(heading) and "untrained" not in heading.lower(),
        note=note,
        max_new_tokens=plan.max_new_tokens or cfg.max_new_tokens,
    )


# ------------------------------------------------------------------ interactive latency
@dataclass
class LatencyResult:
    raster: str
    box_px: float
    cold: List[Dict[str, float]] = field(default_factory=list)
    warm: List[Dict[str, float]] = field(default_factory=list)
    baseline: List[Dict[str, float]] = field(default_factory=list)
    reused: int = 0
    objects: List[int] = field(default_factory=list)


def latency_boxes(width: int, height: int, side: float, count: int) -> List[Tuple[tuple, tuple]]:
    """(cold box, warm box) per new area; the warm box fits the cold box's window.

    The cold box's window is twice its side (context 0.5); the warm box (0.8 x the side,
    shifted) lies inside it at 40% of the window side, where the window can be reused.
    """
    rng = np.random.default_rng(1)
    pairs = []
    for _ in range(count):
        x0 = float(rng.uniform(0.5 * side, width - 1.5 * side))
        y0 = float(rng.uniform(0.5 * side, height - 1.5 * side))
        cold = (x0, y0, x0 + side, y0 + side)
        warm = (x0 + 0.3 * side, y0 + 0.4 * side, x0 + 1.1 * side, y0 + 1.2 * side)
        pairs.append((cold, warm))
    return pairs


def measure_latency(cached, uncached, raster: str, plan: Plan) -> LatencyResult:
    """Cold and warm boxes through ``segment_raster_box``, and the warm boxes without caches."""
    from model_core.pipeline import segment_raster_box
    from model_core.raster import RasterSource

    out = LatencyResult(raster=raster, box_px=plan.latency_box_px)
    with RasterSource(raster) as source:
        pairs = latency_boxes(source.width, source.height, plan.latency_box_px, plan.repeats + 1)
        for predictor in (cached, uncached):  # first calls pay one-off costs: not timed
            segment_raster_box(predictor, source, pairs[0][0], "pixel", reuse_windows=False)
        for cold_box, warm_box in pairs[1:]:
            cached.clear_cache()
            for kind, predictor, box, reuse in (
                ("cold", cached, cold_box, True),
                ("warm", cached, warm_box, True),
                ("baseline", uncached, warm_box, False),
            ):
                before = predictor.encode_count
                ms, result = timed(
                    segment_raster_box, predictor, source, box, "pixel", reuse_windows=reuse
                )
                getattr(out, kind).append({"total": ms, **result.timing_ms})
                if kind == "warm":
                    out.reused += int(predictor.encode_count == before)
                out.objects.append(len(result.objects))
    return out


def render_latency(r: LatencyResult) -> str:
    def stat(runs: List[Dict[str, float]], key: str) -> Stat:
        return Stat([run.get(key, 0.0) for run in runs])

    paired = Stat([b["total"] / w["total"] for b, w in zip(r.baseline, r.warm)])
    cold_warm = Stat([c["total"] / w["total"] for c, w in zip(r.cold, r.warm)])
    text = (
        f"Raster: `{r.raster}`. Each repeat takes a new area: a cold box of {r.box_px:.0f} px "
        "(cache cleared: read + encode + caption + decode + vectorise), then a warm box inside "
        "the same encoded window (`segment_raster_box(..., reuse_windows=True)`), then the same "
        "warm box on a second predictor with `cache_size=0` and `reuse_windows=False` (the "
        "baseline: it reads and encodes its own window). One untimed box per predictor first "
        "absorbs one-off costs. Times are wall-clock around `segment_raster_box`, in ms.\n\n"
    )
    text += stat_table(
        "box",
        "ms",
        [
            ("cold (new area)", stat(r.cold, "total")),
            ("warm (window reused)", stat(r.warm, "total")),
            ("warm boxes, cache disabled (baseline)", stat(r.baseline, "total")),
        ],
    )
    text += (
        f"\n- Baseline / warm (paired per area): **{paired.short(2)}x**.\n"
        f"- Cold / warm: {cold_warm.short(2)}x.\n"
        f"- Warm boxes that reused the encoded window (no encoder pass): {r.reused} of "
        f"{len(r.warm)}.\n"
        f"- Objects per box: median {np.median(r.objects):.0f}.\n\n"
        "Split by stage (`timing_ms`, median ms; `other` is the wall time no stage reports):\n\n"
    )
    rows = []
    for key in (*STAGES, "total"):
        rows.append(
            [key, *(f"{stat(runs, key).median:.1f}" for runs in (r.cold, r.warm, r.baseline))]
        )
    other = [
        f"{Stat([run['total'] - sum(run.get(s, 0.0) for s in STAGES) for run in runs]).median:.1f}"
        for runs in (r.cold, r.warm, r.baseline)
    ]
    rows.insert(len(STAGES), ["other", *other])
    return text + table(["stage", "cold", "warm", "baseline"], rows)


# ---------------------------------------------------------------------- caption length
@dataclass
class CaptionResult:
    lengths: Tuple[int, ...]
    batch: int
    cached: Dict[int, List[float]] = field(default_factory=dict)
    uncached: Dict[int, List[float]] = field(default_factory=dict)
    batched: Dict[int, List[float]] = field(default_factory=dict)


def measure_captions(predictor, raster: str, plan: Plan) -> CaptionResult:
    """``generate`` at fixed lengths (``ignore_eos``), with and without the KV cache."""
    import torch

    from model_core.raster import RasterSource

    out = CaptionResult(plan.caption_lengths, plan.caption_batch)
    model = predictor.model
    with RasterSource(raster) as source:
        pairs = latency_boxes(source.width, source.height, plan.latency_box_px, plan.repeats)
        windows = [source.read_window(c, "pixel", size=predictor.input_size) for c, _ in pairs]
    for k, window in enumerate(windows):
        features = predictor.features(window)
        boxes = torch.tensor([window.box], dtype=torch.float32)
        for length in plan.caption_lengths:
            order = (True, False) if k % 2 == 0 else (False, True)
            for use_cache in order:
                ms, _ = timed(
                    model.generate, features, boxes, length, use_cache=use_cache, ignore_eos=True
                )
                (out.cached if use_cache else out.uncached).setdefault(length, []).append(ms)
            b = plan.caption_batch
            many = (features.expand(b, -1, -1, -1), boxes.expand(b, -1))
            ms, _ = timed(model.generate, *many, length, ignore_eos=True)
            out.batched.setdefault(length, []).append(ms / b)
    return out


def render_captions(r: CaptionResult) -> str:
    text = (
        "`CLVNet.generate(..., ignore_eos=True)` on one encoded window per repeat, so every "
        "caption has exactly the given number of tokens; with and without the KV cache "
        "alternately first. Milliseconds per box (one box per call), median (min-max); the "
        f"ratio is paired per repeat. Last column: per box when {r.batch} boxes are captioned in "
        "one call (KV cache), as the batch path does.\n\n"
    )
    rows = []
    for n in r.lengths:
        cached, uncached = Stat(r.cached[n]), Stat(r.uncached[n])
        ratio = Stat([u / c for u, c in zip(r.uncached[n], r.cached[n])])
        rows.append(
            [
                str(n),
                cached.short(1),
                f"{cached.median / n:.2f}",
                uncached.short(1),
                f"**{ratio.short(2)}x**",
                Stat(r.batched[n]).short(1),
            ]
        )
    header = [
        "tokens",
        "KV cache (ms)",
        "ms/token",
        "no KV cache (ms)",
        "no cache / cache",
        f"batch of {r.batch}, per box (ms)",
    ]
    return text + table(header, rows)


# ---------------------------------------------------------------------- batch throughput
@dataclass
class BatchResult:
    raster_px: int
    boxes: int
    windows: int
    naive_boxes: int
    batch_size: int
    members: Dict[int, int] = field(default_factory=dict)
    batch_rate: List[float] = field(default_factory=list)
    naive_rate: List[float] = field(default_factory=list)
    batch_stage_ms: Dict[str, float] = field(default_factory=dict)
    naive_stage_ms: Dict[str, float] = field(default_factory=dict)
    batch_wall_ms: float = 0.0
    naive_wall_ms: float = 0.0


def measure_batch(cached, uncached, scratch: Path, textures, plan: Plan) -> BatchResult:
    """``run_groups`` (grouping + batched captions) against a per-box loop without caches."""
    from model_core.batch import run_groups
    from model_core.grouping import group_boxes
    from model_core.pipeline import segment_raster_box
    from model_core.raster import RasterSource

    path = write_tiled_geotiff(scratch / "batch.tif", plan.batch_raster_px, textures)
    boxes = place_boxes(plan.batch_raster_px, plan.batch_boxes, seed=2)
    groups = group_boxes(boxes, context=0.5)
    step = max(1, len(boxes) // plan.naive_boxes)
    subset = list(range(0, len(boxes), step))[: plan.naive_boxes]
    out = BatchResult(plan.batch_raster_px, len(boxes), len(groups), len(subset), plan.batch_size)
    for group in groups:
        out.members[len(group.members)] = out.members.get(len(group.members), 0) + 1

    def add(stages: Dict[str, float], timing: Dict[str, float]) -> None:
        for key in STAGES:
            stages[key] = stages.get(key, 0.0) + timing.get(key, 0.0)

    with RasterSource(str(path)) as source:

        def batch_path() -> None:
            stages: Dict[str, float] = {}
            ms, results = timed(
                lambda: list(
                    run_groups(
                        cached,
                        source,
                        groups,
                        dict(enumerate(boxes)),
                        list(range(len(boxes))),
                        batch_size=plan.batch_size,
                    )
                )
            )
            for _, result in results:
                add(stages, result.timing_ms)
            out.batch_rate.append(len(results) / (ms / 1000))
            out.batch_stage_ms, out.batch_wall_ms = stages, ms

        def naive_loop() -> None:
            stages: Dict[str, float] = {}
            start = time.perf_counter()
            for i in subset:
                result = segment_raster_box(
                    uncached, source, boxes[i], "pixel", reuse_windows=False
                )
                add(stages, result.timing_ms)
            ms = (time.perf_counter() - start) * 1000
            out.naive_rate.append(len(subset) / (ms / 1000))
            out.naive_stage_ms, out.naive_wall_ms = stages, ms

        for k in range(plan.batch_repeats):
            for run in (batch_path, naive_loop) if k % 2 == 0 else (naive_loop, batch_path):
                run()
    return out


def render_batch(r: BatchResult) -> str:
    ratio = Stat([b / n for b, n in zip(r.batch_rate, r.naive_rate)])
    sharing = ", ".join(
        f"{count} serving {size} box{'es' if size > 1 else ''}"
        for size, count in sorted(r.members.items())
    )
    text = (
        f"A {r.raster_px:,} x {r.raster_px:,} px generated GeoTIFF (3 bands, tiled 512 px, "
        f"DEFLATE; in the OS page cache after writing) and {r.boxes} boxes placed {PLACEMENT}. "
        f"Batch path: `group_boxes` (context 0.5) then `run_groups` with batched captioning "
        f"({r.batch_size} boxes per call), as the Processing algorithm and `python -m model_core "
        f"batch` run it: {r.windows} windows encoded for {r.boxes} boxes "
        f"({r.boxes / max(r.windows, 1):.2f} boxes per window; {sharing}). Naive loop: "
        f"`segment_raster_box` with `cache_size=0` and `reuse_windows=False` (read + encode + "
        f"caption + decode + vectorise for every box) on every k-th box (k = "
        f"{max(1, r.boxes // r.naive_boxes)}; {r.naive_boxes} boxes: a rate, so a subset of the "
        "same placement is enough). Both alternate first, once per repeat.\n\n"
    )
    text += stat_table(
        "path",
        "boxes/s",
        [("batch path", Stat(r.batch_rate)), ("naive per-box loop", Stat(r.naive_rate))],
        digits=2,
    )
    text += f"\nBatch / naive (paired per repeat): **{ratio.short(2)}x**.\n\n"
    text += "Where the time goes (last repeat; ms per box, summed `timing_ms` / boxes):\n\n"
    rows = []
    for key in STAGES:
        rows.append(
            [
                key,
                f"{r.batch_stage_ms.get(key, 0.0) / r.boxes:.1f}",
                f"{r.naive_stage_ms.get(key, 0.0) / r.naive_boxes:.1f}",
            ]
        )
    rows.append(
        ["wall", f"{r.batch_wall_ms / r.boxes:.1f}", f"{r.naive_wall_ms / r.naive_boxes:.1f}"]
    )
    return text + table(["stage", "batch path", "naive loop"], rows)


# -------------------------------------------------------------------------------- memory
@dataclass
class MemoryResult:
    sizes: Tuple[int, ...]
    boxes: int
    disk_mb: Dict[int, float] = field(default_factory=dict)
    write_s: Dict[int, float] = field(default_factory=dict)
    runs: Dict[int, List[dict]] = field(default_factory=dict)
    error: str = ""


def measure_memory(
    checkpoint: CheckpointInfo, scratch: Path, textures, plan: Plan, threads: int
) -> MemoryResult:
    """Peak RSS of ``bench_memory.py`` (the batch path) in a fresh process per raster and run."""
    out = MemoryResult(plan.memory_sizes, plan.memory_boxes)
    paths = {}
    for size in plan.memory_sizes:
        path = scratch / f"memory-{size}.tif"
        ms, _ = timed(write_tiled_geotiff, path, size, textures)
        paths[size], out.write_s[size] = path, ms / 1000
        out.disk_mb[size] = path.stat().st_size / 1024**2
    for _ in range(plan.memory_repeats):
        # One process per raster, all sizes of a repeat at once: peak RSS is per process.
        running = {
            size: subprocess.Popen(
                [
                    sys.executable,
                    str(SCRIPTS / "bench_memory.py"),
                    "--checkpoint",
                    str(checkpoint.path),
                    "--raster",
                    str(paths[size]),
                    "--boxes",
                    str(plan.memory_boxes),
                    "--threads",
                    str(threads),
                    "--max-new-tokens",
                    str(checkpoint.max_new_tokens),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=REPO,
            )
            for size in plan.memory_sizes
        }
        for size, process in running.items():
            stdout, stderr = process.communicate()
            if process.returncode != 0:
                out.error = f"`bench_memory.py` failed on {size} px: {stderr.strip()[-800:]}"
            elif not out.error:
                out.runs.setdefault(size, []).append(json.loads(stdout.strip().splitlines()[-1]))
        if out.error:
            return out
    for path in paths.values():
        path.unlink()
    return out


def memory_growth(r: MemoryResult) -> Optional[Stat]:
    """Peak RSS of the largest raster over the smallest, minus one, paired per repeat."""
    if r.error or not r.runs:
        return None
    small, large = r.runs[r.sizes[0]], r.runs[r.sizes[-1]]
    return Stat([b["peak_rss_kb"] / a["peak_rss_kb"] - 1.0 for a, b in zip(small, large)])


def render_memory(r: MemoryResult) -> str:
    if r.error:
        return f"Not measured: {r.error}\n"
    mib = 1024.0
    text = (
        "Each raster is written with GDAL into a temporary folder (3 bands uint8, TILED=YES "
        "512 px, COMPRESS=DEFLATE, PREDICTOR=2, blocks copied from 6 pre-made 512 px textures) "
        "and deleted afterwards. Each run is a fresh process (`scripts/bench_memory.py`; the "
        "sizes of one repeat run side by side, as peak RSS is per process) that "
        f"loads the model and runs `run_groups` over the same number of boxes ({r.boxes}, "
        "placed as in the batch section, scaled to the raster). Peak = VmHWM of the process; "
        "after load = VmRSS after loading the model and opening the raster; GDAL cache = "
        "`gdal.GetCacheUsed()` at the end (GDAL's block cache, default limit 5% of RAM).\n\n"
    )
    rows = []
    for size in r.sizes:
        runs = r.runs[size]
        peak = Stat([run["peak_rss_kb"] / mib for run in runs])
        loaded = Stat([run["loaded_rss_kb"] / mib for run in runs])
        rows.append(
            [
                f"{size:,}",
                f"{r.disk_mb[size]:.1f} MiB / {r.write_s[size]:.1f} s",
                f"{runs[-1]['windows']}",
                f"{loaded.median:.0f}",
                peak.short(0),
                f"{peak.median - loaded.median:.0f}",
                f"{np.median([run['gdal_cache_used_bytes'] for run in runs]) / mib**2:.0f}",
            ]
        )
    header = [
        "raster (px a side)",
        "file / write time",
        "windows",
        "RSS after load (MiB)",
        "peak RSS (MiB)",
        "peak - after load (MiB)",
        "GDAL cache (MiB)",
    ]
    text += table(header, rows)
    growth = memory_growth(r)
    text += (
        f"\nPeak RSS {r.sizes[-1]:,} px / {r.sizes[0]:,} px - 1 (paired per repeat): "
        f"**{100 * growth.median:+.1f}%** (range {100 * min(growth.values):+.1f}% to "
        f"{100 * max(growth.values):+.1f}%); target: within "
        f"{100 * TARGETS['memory_growth']:.0f}%.\n"
    )
    return text


# ---------------------------------------------------------------------------- plugin
def measure_plugin(checkpoint: CheckpointInfo, raster: str, plan: Plan) -> dict:
    """Run ``bench_plugin.py`` headless; its JSON, or ``{"unavailable": reason}``."""
    worker = REPO / "clvnet_qgis" / "worker.py"
    if not worker.is_file() or "ResponsivenessProbe" not in worker.read_text(encoding="utf-8"):
        return {"unavailable": "clvnet_qgis/worker.py has no ResponsivenessProbe hook yet"}
    command = [
        sys.executable,
        str(SCRIPTS / "bench_plugin.py"),
        "--checkpoint",
        str(checkpoint.path),
        "--raster",
        raster,
        "--boxes",
        str(plan.plugin_boxes),
        "--max-new-tokens",
        str(checkpoint.max_new_tokens),
    ]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.setdefault("CLVNET_MODEL_PYTHON", sys.executable)  # the model server's Python
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=env)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"unavailable": f"bench_plugin.py failed: {done.stderr.strip()[-800:]}"}
    return json.loads(lines[-1])


def render_plugin(r: dict) -> str:
    """The plugin path: server start-up, activation, first box, warm boxes against in-process."""
    if "unavailable" in r:
        return f"Not measured: {r['unavailable']}.\n"
    pairs, first = r["pairs"], r["first_box"]
    text = (
        "A headless QGIS process (`scripts/bench_plugin.py`, `QT_QPA_PLATFORM=offscreen`) drives "
        "the model server (`python -m model_core serve`) through the plugin's `PredictionWorker`, "
        "boxes on a GeoTIFF, each a new area (so each one encodes), while the plugin's own "
        f"`ResponsivenessProbe` runs a {r['interval_ms']} ms timer on the main thread. Stall = the "
        f"longest gap between two ticks (so never below {r['interval_ms']} ms). Activating the "
        "box tool starts the server and loads the model with one throw-away box in the "
        "background. Each warm box also runs in the bench process (`model_core.pipeline.segment` "
        f"on the window read the same way, {r['threads']} torch thread(s) on both sides), in "
        "alternating order, so the ratio compares the same boxes in the same minutes; that "
        "comparison model's objects are frozen out of the garbage collector once it is loaded "
        "(`gc.freeze`; QGIS itself never imports torch), so a full collection over them does "
        "not count as a stall of the plugin.\n\n"
    )
    rows = [
        [
            "server start-up (process started until it answers `hello`)",
            f"{r['server_start_ms']:.0f}",
            "",
        ],
        [
            "activating the box tool (load + warm-up box, worker thread)",
            f"{r['activation_ms']:.0f}",
            f"{r['activation_stall_ms']:.0f}",
        ],
        [
            "first box after activating the tool",
            f"{first['wall_ms']:.0f}",
            f"{first['stall_ms']:.0f}",
        ],
    ]
    text += table(["step", "time (ms)", "longest main-thread stall (ms)"], rows) + "\n"
    if not pairs:
        return text + "No warm box completed.\n"
    server = Stat([p["server_ms"] for p in pairs])
    local = Stat([p["in_process_ms"] for p in pairs])
    ratio = Stat([p["server_ms"] / p["in_process_ms"] for p in pairs])
    overhead = Stat([p["server_ms"] - p["in_process_ms"] for p in pairs])
    boundary = Stat([boundary_ms(p) for p in pairs])
    stall = Stat([p["stall_ms"] for p in pairs] + [first["stall_ms"]])
    text += stat_table(
        "warm box",
        "ms",
        [
            ("through the server (box to result on the main thread)", server),
            ("in-process (same boxes)", local),
            ("difference, server - in-process", overhead),
            (
                "boundary cost measured directly (files + exchange + placing + Qt hand-off)",
                boundary,
            ),
            ("longest main-thread stall per box, first box included", stall),
        ],
        digits=1,
    )
    text += f"\nRatio server / in-process per box: {ratio.short(2)}.\n\n"
    last = pairs[-1]["timing_ms"]
    text += (
        "Where a box's time goes through the server (last warm box, ms): "
        + ", ".join(f"{k} {v:.1f}" for k, v in last.items())
        + ". `files` is writing and reading the `.npy` pixels, `exchange` the request's round "
        "trip less the server's own stages, `place` turning window-pixel polygons into map "
        "coordinates, `area` their ground areas (which the in-process path computes inside "
        "`vectorise`, so it is not counted as boundary cost).\n\n"
    )
    rows = []

    def row(name: str, measured: str, ok: bool) -> None:
        rows.append([name, measured, "met" if ok else "**not met**"])

    share = boundary.median / server.median
    row(
        f"server overhead per warm box <= {TARGETS['overhead_ms']:.0f} ms and <= "
        f"{100 * TARGETS['overhead_share']:.0f}%",
        f"{boundary.median:.1f} ms measured directly ({100 * share:.1f}%); "
        f"{overhead.median:+.1f} ms by difference",
        boundary.median <= TARGETS["overhead_ms"] and share <= TARGETS["overhead_share"],
    )
    row(
        f"warm box through the server <= {TARGETS['warm_ms']:.0f} ms",
        f"{server.median:.0f} ms",
        server.median <= TARGETS["warm_ms"],
    )
    row(
        f"longest main-thread stall < {TARGETS['stall_ms']:.0f} ms for every box",
        f"{max(stall.values):.0f} ms (worst box)",
        max(stall.values) < TARGETS["stall_ms"],
    )
    return text + table(["plugin target", "measured", "status"], rows)


def boundary_ms(pair: dict) -> float:
    """What the process boundary adds to a box: pixel files, round trip beyond the server's own
    stages, placing the answer on the map, and the rest of the wall time not in any stage."""
    timing = pair["timing_ms"]
    handoff = pair["server_ms"] - sum(timing.values())  # Qt queues and thread wake-ups
    return (
        timing.get("files", 0.0)
        + timing.get("exchange", 0.0)
        + timing.get("place", 0.0)
        + max(handoff, 0.0)
    )


# --------------------------------------------------------------------------- document
def render_gpu() -> str:
    import torch

    if not torch.cuda.is_available():
        return (
            "**No GPU was available**: this machine has none (`torch.cuda.is_available()` is "
            "False) and the session that wrote this suite was not lent one, so there are no "
            "CUDA / bf16 tables (tiny preset, untrained `sam-vit-b`) and no comparison with a "
            "measured matrix rate. Every figure above is CPU.\n"
        )
    names = ", ".join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
    return (
        f"A GPU is present ({names}), but this suite measures the CPU only; the CUDA / bf16 "
        "tables (tiny preset, untrained `sam-vit-b`) are not part of this run.\n"
    )


def render_targets(lat: LatencyResult, batch: BatchResult, memory: MemoryResult) -> str:
    """The targets of the issue: met or not, and for a miss the measured cause."""

    def stages(runs: List[Dict[str, float]]) -> Dict[str, float]:
        return {s: Stat([run.get(s, 0.0) for run in runs]).median for s in STAGES}

    warm, cold = Stat([x["total"] for x in lat.warm]), Stat([x["total"] for x in lat.cold])
    rate = Stat(batch.batch_rate)
    ratio = Stat([b / n for b, n in zip(batch.batch_rate, batch.naive_rate)])
    per_box = {k: v / batch.boxes for k, v in batch.batch_stage_ms.items()}
    naive_box = {k: v / batch.naive_boxes for k, v in batch.naive_stage_ms.items()}
    saved = ", ".join(
        f"{k} {naive_box.get(k, 0.0):.0f} -> {per_box.get(k, 0.0):.0f} ms" for k in STAGES
    )
    growth = memory_growth(memory)
    rows = []

    def row(name: str, measured: str, ok: bool, cause: str) -> None:
        rows.append([name, measured, "met" if ok else "**not met**", "" if ok else cause])

    row(
        f"warm box median < {TARGETS['warm_ms']:.0f} ms",
        f"{warm.median:.0f} ms",
        warm.median < TARGETS["warm_ms"],
        f"largest stage (median of each stage): {dominant(stages(lat.warm))}",
    )
    row(
        f"cold box median < {TARGETS['cold_ms'] / 1000:.1f} s",
        f"{cold.median:.0f} ms",
        cold.median < TARGETS["cold_ms"],
        f"largest stage (median of each stage): {dominant(stages(lat.cold))}",
    )
    row(
        f"batch >= {TARGETS['batch_rate']:.0f} boxes/s",
        f"{rate.median:.2f} boxes/s",
        rate.median >= TARGETS["batch_rate"],
        f"per box in the batch path: {dominant(per_box)}",
    )
    row(
        f"batch >= {TARGETS['batch_ratio']:.0f}x naive",
        f"{ratio.median:.2f}x",
        ratio.median >= TARGETS["batch_ratio"],
        f"{batch.boxes / max(batch.windows, 1):.2f} boxes per encoded window; per box, naive -> "
        f"batch: {saved}; what is left per batch box: {dominant(per_box)}",
    )
    if growth is None:
        row("memory flat within 10%", "not measured", False, memory.error)
    else:
        large, small = memory.runs[memory.sizes[-1]], memory.runs[memory.sizes[0]]
        cache = [
            np.median([x["gdal_cache_used_bytes"] for x in runs]) / 1024**2
            for runs in (small, large)
        ]
        row(
            f"memory flat: {memory.sizes[-1]:,} px peak within "
            f"{100 * TARGETS['memory_growth']:.0f}% of {memory.sizes[0]:,} px",
            f"{100 * growth.median:+.1f}%",
            growth.median <= TARGETS["memory_growth"],
            f"GDAL's block cache held {cache[1]:.0f} MiB at the end on {memory.sizes[-1]:,} px "
            f"against {cache[0]:.0f} MiB on {memory.sizes[0]:,} px (spread boxes touch new "
            "blocks; the cache is bounded only by GDAL_CACHEMAX, 5% of RAM by default)",
        )
    return table(["target", "measured (median)", "status", "measured cause of a miss"], rows)


def keep_changes_section(old_text: str) -> str:
    """The body of the "Changes and their effect" section of an earlier document, else the
    default paragraph: the lead's record survives a rerun."""
    start = old_text.find(CHANGES_HEADING)
    if start < 0:
        return CHANGES_DEFAULT
    body = old_text[start + len(CHANGES_HEADING) :]
    end = body.find("\n## ")
    body = (body if end < 0 else body[: end + 1]).strip("\n")
    return body + "\n" if body.strip() else CHANGES_DEFAULT


def render_document(
    args: argparse.Namespace,
    plan: Plan,
    machine: Dict[str, str],
    checkpoint: CheckpointInfo,
    sections: Dict[str, str],
    changes: str,
    seconds: float,
) -> str:
    command = "scripts/bench.py " + " ".join(sys.argv[1:])
    quick = (
        "\n> **Quick smoke run (`--quick`)**: tiny sizes and few repeats; these figures show the "
        "suite works, not how fast CLV-Net is. Run `make bench` for the real numbers.\n"
        if args.quick
        else ""
    )
    parts = [
        "# CLV-Net benchmarks\n",
        "Written by `make bench` (`.venv/bin/python scripts/bench.py`); rerun it to refresh every "
        "figure. Each figure is the median of repeated runs with its spread (IQR and/or "
        "min-max, n runs); each comparison was measured side by side in the same run and is "
        f"given as a ratio. Command: `{command}`; suite time {seconds / 60:.1f} min; "
        f"{plan.repeats} repeats for latency and captions, {plan.batch_repeats} for batch, "
        f"{plan.memory_repeats} per raster for memory.\n{quick}",
        "## Machine\n",
        f"Checkpoint: {checkpoint.note}\n",
        table(["", ""], [[k, v] for k, v in machine.items()]),
    ]
    for title, body in sections.items():
        parts += [f"## {title}\n", body]
    parts += [f"{CHANGES_HEADING}\n", changes]
    return "\n".join(parts)


SECTION_TITLES = (
    "Interactive latency per box",
    "Caption generation",
    "Batch throughput",
    "Memory",
    "Plugin responsiveness",
    "GPU",
    "Targets",
)


# -------------------------------------------------------------------------------- main
def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark CLV-Net; writes docs/benchmarks.md.")
    parser.add_argument(
        "--checkpoint",
        default=None,
        help="checkpoint folder (default: the bundled clvnet-tiny, else an untrained tiny one)",
    )
    parser.add_argument(
        "--repeats", type=int, default=0, help="repeats for latency and captions (7; quick: 2)"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    parser.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    parser.add_argument(
        "--threads",
        type=int,
        default=max(1, (os.cpu_count() or 2) - 1),
        help="torch threads (default: cores - 1, as the plugin's worker uses)",
    )
    parser.add_argument(
        "--max-new-tokens",
        type=int,
        default=0,
        help="caption token limit (default: the checkpoint's; quick: 8)",
    )
    parser.add_argument(
        "--raster",
        default=str(REPO.parent / "shared" / "data" / "real" / "cogeo.tif"),
        help="real raster for latency, captions and the plugin (a generated one if missing)",
    )
    parser.add_argument(
        "--plugin-only",
        action="store_true",
        help="measure only the plugin path and print its section (no document written)",
    )
    args = parser.parse_args(argv)
    if args.repeats < 0 or args.threads < 1:
        parser.error("--repeats must be >= 0 and --threads >= 1")
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    plan = Plan.build(args)
    started = time.perf_counter()
    import torch

    from model_core.predictor import Predictor

    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    changes = keep_changes_section(out.read_text(encoding="utf-8") if out.is_file() else "")

    def log(text: str) -> None:
        print(f"[bench {time.perf_counter() - started:6.1f} s] {text}", flush=True)

    with tempfile.TemporaryDirectory(prefix="clvnet-bench-") as tmp:
        scratch = Path(tmp)
        checkpoint = resolve_checkpoint(args.checkpoint, scratch, plan)
        if args.plugin_only:
            print(render_plugin(measure_plugin(checkpoint, args.raster, plan)))
            return 0
        machine = machine_info(args.threads, checkpoint)
        textures = make_textures()
        raster = args.raster
        if not Path(raster).is_file():
            raster = str(write_tiled_geotiff(scratch / "latency.tif", 2048, textures))
            log(f"{args.raster} is missing: latency uses a generated 2,048 px raster")
        cached = Predictor.from_checkpoint(str(checkpoint.path), device="cpu")
        uncached = Predictor.from_checkpoint(str(checkpoint.path), device="cpu", cache_size=0)
        for predictor in (cached, uncached):
            predictor.max_new_tokens = checkpoint.max_new_tokens
        log("interactive latency")
        latency = measure_latency(cached, uncached, raster, plan)
        log("caption generation")
        captions = measure_captions(cached, raster, plan)
        log("batch throughput")
        batch = measure_batch(cached, uncached, scratch, textures, plan)
        log("memory")
        memory = measure_memory(checkpoint, scratch, textures, plan, args.threads)
        log("plugin responsiveness")
        plugin = measure_plugin(checkpoint, raster, plan)
        machine["load average at end (1/5/15 min)"] = " / ".join(
            f"{x:.2f}" for x in os.getloadavg()
        )
        targets = render_targets(latency, batch, memory)
        sections = dict(
            zip(
                SECTION_TITLES,
                (
                    render_latency(latency),
                    render_captions(captions),
                    render_batch(batch),
                    render_memory(memory),
                    render_plugin(plugin),
                    render_gpu(),
                    targets,
                ),
            )
        )
        document = render_document(
            args, plan, machine, checkpoint, sections, changes, time.perf_counter() - started
        )
    out.write_text(document, encoding="utf-8")
    log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
