"""What does the model say across a raster? Describe a grid of boxes and tally the phrases.

    .venv/bin/python scripts/survey.py ../shared/data/real/cogeo.tif --size 140 --step 70

Every box of ``--size`` pixels, ``--step`` apart, is described with every object kept
(``min_score=0``); the table counts each phrase's last word (its noun), how many of those
objects score at least the default minimum score (what the plugin shows), and how many were
abstentions ("an object", "an area"). Use it to see whether the bundled model (or yours) names
things that cannot be in a scene before trusting it there. CPU, about 0.1 s per box.
"""

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from model_core.api import Describer  # noqa: E402
from model_core.naming import GENERIC_PHRASES  # noqa: E402
from model_core.raster import RasterSource  # noqa: E402
from model_core.result import DEFAULT_MIN_SCORE  # noqa: E402


def grid_boxes(width: int, height: int, size: int, step: int) -> List[Tuple[int, int, int, int]]:
    """Pixel boxes (col0, row0, col1, row1) of ``size`` px every ``step`` px inside the raster."""
    return [
        (x, y, x + size, y + size)
        for y in range(0, height - size + 1, step)
        for x in range(0, width - size + 1, step)
    ]


def survey(raster: str, size: int, step: int, checkpoint: Optional[str]) -> str:
    """The Markdown report of one raster."""
    with RasterSource(raster) as src:
        boxes = grid_boxes(src.width, src.height, size, step)
        geo = [src.pixel_box_to_crs(b, "EPSG:4326") for b in boxes]
    if not boxes:
        raise SystemExit(f"error: the raster is smaller than one {size} px box.")
    result = Describer(checkpoint, device="cpu").describe(raster, geo, box_crs="EPSG:4326")
    objects = result.objects
    nouns = Counter(phrase.split()[-1] for phrase in objects["phrase"])
    shown = Counter(
        phrase.split()[-1]
        for phrase, score in zip(objects["phrase"], objects["score"])
        if score >= DEFAULT_MIN_SCORE
    )
    abstained = sum(phrase in GENERIC_PHRASES for phrase in objects["phrase"])
    lines = [
        f"{len(boxes)} boxes of {size} px every {step} px on `{raster}`: {len(objects)} objects, "
        f"{abstained} of them abstentions.",
        "",
        f"| noun | objects | score >= {DEFAULT_MIN_SCORE} |",
        "|---|---|---|",
    ]
    lines += [f"| {noun} | {count} | {shown[noun]} |" for noun, count in nouns.most_common()]
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raster", help="a georeferenced raster")
    parser.add_argument("--size", type=int, default=140, help="box side in pixels")
    parser.add_argument("--step", type=int, default=70, help="distance between boxes in pixels")
    parser.add_argument("--checkpoint", default=None, help="default: the bundled model")
    args = parser.parse_args(argv)
    if args.size < 16 or args.step < 1:
        parser.error("--size must be at least 16 and --step at least 1.")
    print(survey(args.raster, args.size, args.step, args.checkpoint))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
