"""Hold out part of a training split for choosing thresholds, never for training.

The naming threshold and the default minimum score are chosen on evaluated targets. Choosing
them on the validation split would tune on the data the bars are measured on; choosing them on
records the model trained on would pick them where the model is over-confident. So every
``every``-th image (by file name, evenly spaced) of each ``ROOT/<source>/train`` folder is moved,
with its records, to ``ROOT/<source>/calibration``. A source with fewer than ``every`` training
images keeps them all. Moving whole images keeps records of one image on one side.

    python -m training.holdout runs/records --every 8

Running it again is a no-op for a source that already has a ``calibration`` folder.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

CALIBRATION = "calibration"
#: Folder names of a prepared source's splits (a report names the source, not the split).
SPLIT_FOLDERS = ("train", "validation", CALIBRATION)


def picked(names: Sequence[str], every: int) -> List[str]:
    """``len(names) // every`` names, evenly spaced over the sorted list."""
    ordered = sorted(names)
    count = len(ordered) // every
    if count == 0:
        return []
    index = np.linspace(0, len(ordered) - 1, count + 2)[1:-1].round().astype(int)
    return [ordered[i] for i in np.unique(index)]


def hold_out(source: Path, every: int) -> Optional[Dict[str, int]]:
    """Move the picked annotation files of ``source/train`` and their images to
    ``source/calibration``; returns the counts moved, or None when nothing was done."""
    train, held = source / "train", source / CALIBRATION
    if not (train / "annotations").is_dir() or held.exists():
        return None
    files = [p.name for p in (train / "annotations").glob("*.json")]
    chosen = picked(files, every)
    if not chosen:
        return None
    (held / "annotations").mkdir(parents=True)
    (held / "images").mkdir()
    records = 0
    for name in chosen:
        annotation = train / "annotations" / name
        entries = json.loads(annotation.read_text(encoding="utf-8")).get("records", [])
        records += len(entries)
        for image in sorted({entry["img"] for entry in entries if entry.get("img")}):
            if (train / "images" / image).is_file():
                shutil.move(str(train / "images" / image), str(held / "images" / image))
        shutil.move(str(annotation), str(held / "annotations" / name))
    return {"images": len(chosen), "records": records}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.holdout", description=__doc__)
    parser.add_argument("root", type=Path, help="folder of prepared sources (training.prepare)")
    parser.add_argument("--every", type=int, default=8, help="hold out every N-th image")
    args = parser.parse_args(argv)
    if args.every < 2:
        parser.error("--every must be at least 2.")
    for source in sorted(p for p in args.root.iterdir() if p.is_dir()):
        moved = hold_out(source, args.every)
        if moved:
            print(f"{source.name}: {moved['images']} images, {moved['records']} records held out")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
