"""One memory measurement of the batch path, run by ``bench.py`` in a fresh process per raster.

    python scripts/bench_memory.py --checkpoint DIR --raster scene.tif --boxes 48 --threads 1

Loads the model, runs ``model_core.batch.run_groups`` over boxes placed by
``bench_data.place_boxes`` and prints one JSON object: resident memory after loading (VmRSS),
the peak of the whole process (VmHWM, or ru_maxrss where /proc is missing), the GDAL block
cache in use at the end, and the run's time and window count.
"""

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Dict

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def proc_status_kb() -> Dict[str, int]:
    """VmRSS and VmHWM of this process in KiB (ru_maxrss for both where /proc is missing)."""
    values: Dict[str, int] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        values = {"VmRSS": peak, "VmHWM": peak}
    return values


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--raster", required=True)
    parser.add_argument("--boxes", type=int, required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-new-tokens", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()

    import torch
    from bench_data import place_boxes
    from osgeo import gdal

    from model_core.batch import run_groups
    from model_core.grouping import group_boxes
    from model_core.predictor import Predictor
    from model_core.raster import RasterSource

    torch.set_num_threads(args.threads)
    predictor = Predictor.from_checkpoint(args.checkpoint, device="cpu")
    if args.max_new_tokens:
        predictor.max_new_tokens = args.max_new_tokens
    with RasterSource(args.raster) as source:
        boxes = place_boxes(source.width, args.boxes)
        groups = group_boxes(boxes, context=0.5)
        loaded = proc_status_kb()
        start = time.perf_counter()
        done = sum(
            1
            for _ in run_groups(
                predictor,
                source,
                groups,
                dict(enumerate(boxes)),
                list(range(len(boxes))),
                batch_size=args.batch_size,
            )
        )
        seconds = time.perf_counter() - start
        cache_used = gdal.GetCacheUsed()
    end = proc_status_kb()
    print(
        json.dumps(
            {
                "size": source.width,
                "boxes": done,
                "windows": len(groups),
                "seconds": seconds,
                "loaded_rss_kb": loaded["VmRSS"],
                "peak_rss_kb": end["VmHWM"],
                "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "gdal_cache_used_bytes": cache_used,
                "gdal_cache_max_bytes": gdal.GetCacheMax(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
