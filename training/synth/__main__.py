"""Command line: ``python -m training.synth --out DIR --n N --seed S [--size 384] [--geotiff]``.

Writes DIR/images, DIR/annotations (one record per JSON file) and DIR/manifest.json, then
prints the manifest. Exit status 2 with a one-line message on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional

from model_core.errors import InputError

from .dataset import write_dataset


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training.synth", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--n", type=int, required=True, help="number of scenes")
    parser.add_argument("--seed", type=int, default=0, help="dataset seed (scene i: seed*100003+i)")
    parser.add_argument("--size", type=int, default=384, help="image side in pixels")
    parser.add_argument("--gsd", type=float, default=0.5, help="metres per pixel")
    parser.add_argument(
        "--records-per-scene", type=int, default=3, help="records (targets) per scene"
    )
    parser.add_argument(
        "--geotiff", action="store_true", help="write georeferenced GeoTIFFs, not PNGs"
    )
    parser.add_argument("--crs", default="EPSG:32633", help="projected CRS of the GeoTIFFs")
    args = parser.parse_args(argv)
    try:
        manifest = write_dataset(
            args.out,
            args.n,
            args.seed,
            args.size,
            args.geotiff,
            args.crs,
            args.records_per_scene,
            args.gsd,
        )
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(manifest, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
