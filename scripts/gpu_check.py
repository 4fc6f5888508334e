"""CUDA inference check: bf16 autocast against fp32 on one GPU (latency, batch rate, agreement).

    PYTHONPATH=. python scripts/gpu_check.py CHECKPOINT_DIR

Needs a CUDA device; runs on synthetic scenes of the held-out seed (777), so it needs no
raster libraries. bf16 runs first: its batch figure includes the first use of the batched
shapes (kernel selection), so read the batch rates as an upper bound on that set-up cost, not
as bf16-versus-fp32 throughput.
"""

import sys
import time
from pathlib import Path

import numpy as np
import torch

from model_core.checkpoint import load_checkpoint
from model_core.predictor import Predictor
from model_core.window import window_from_array
from training.synth import generate_records, scene_seed

ckpt = sys.argv[1]
boxes = []
for i in range(6):
    img_i, recs = generate_records(scene_seed(777, i), size=384, n_records=3)
    for r in recs:
        boxes.append((img_i, r["box"]))
print("boxes", len(boxes))


def timed(call, *args):
    """(result, seconds) of ``call(*args)`` with the GPU's queued work finished on both sides."""
    torch.cuda.synchronize()
    start = time.perf_counter()
    result = call(*args)
    torch.cuda.synchronize()
    return result, time.perf_counter() - start


results = {}
for precision in ("bf16", "fp32"):
    model, tok = load_checkpoint(Path(ckpt))
    pred = Predictor(model, tok, device="cuda", precision=precision)
    img, box = boxes[0]
    win = window_from_array(img, tuple(box), size=pred.input_size)
    pred.predict(win)  # CUDA warm-up (kernels, allocator)
    pred.clear_cache()
    r_cold, cold = timed(pred.predict, win)
    _, warm = timed(pred.predict, win)
    wins = [window_from_array(i, tuple(b), size=pred.input_size) for i, b in boxes]
    pred.clear_cache()
    outs, seconds = timed(pred.predict_batch, wins)
    batch = len(wins) / seconds
    results[precision] = outs
    print(
        f"{precision}: cold {cold * 1000:.0f} ms, warm {warm * 1000:.0f} ms, "
        f"batch {batch:.1f} boxes/s ({len(wins)} boxes), caption: {r_cold.caption[:80]!r}"
    )
same = sum(a.caption == b.caption for a, b in zip(results["bf16"], results["fp32"]))
ious = []
for a, b in zip(results["bf16"], results["fp32"]):
    for oa, ob in zip(a.objects, b.objects):
        inter = np.logical_and(oa.mask, ob.mask).sum()
        union = np.logical_or(oa.mask, ob.mask).sum()
        ious.append(inter / union if union else 1.0)
print(
    f"bf16 vs fp32: same caption {same}/{len(boxes)}, "
    f"mean mask IoU {np.mean(ious):.3f} over {len(ious)} objects"
)
