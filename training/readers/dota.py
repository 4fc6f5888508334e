"""DOTA ``labelTxt``: optional header lines (``imagesource:``, ``gsd:``), then one object a line
``x1 y1 x2 y2 x3 y3 x4 y4 class difficult`` in image pixels. The quad is the polygon; the
image has the label's stem in ``images/`` beside ``labelTxt/`` (or in the same folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Optional

from .objects import (
    AnnotatedImage,
    Skips,
    SplitRule,
    everything_train,
    find_image,
    image_size,
    polygon_object,
)


def read_dota(
    label_dir: Path,
    skips: Skips,
    split: SplitRule = everything_train,
    image_dir: Optional[Path] = None,
    skip_difficult: bool = False,
) -> Iterator[AnnotatedImage]:
    """Images of every ``*.txt`` in ``label_dir``."""
    label_dir = Path(label_dir)
    images = Path(image_dir) if image_dir else label_dir.parent / "images"
    for label in sorted(label_dir.glob("*.txt")):
        image = find_image(images, label.stem) or find_image(label_dir, label.stem)
        if image is None:
            skips.add(str(label), "label without image")
            continue
        size = image_size(image)
        lines = [ln.split() for ln in label.read_text(encoding="utf-8").splitlines()]
        lines = [f for f in lines if f and ":" not in f[0]]  # headers: "imagesource:", "gsd:"
        gsd = _gsd(label)
        objects = []
        for n, fields in enumerate(lines, start=1):
            where = f"{label.name}:{n}"
            try:
                coords = [float(v) for v in fields[:8]]
            except ValueError:
                coords = []
            if len(coords) != 8 or len(fields) < 9:
                skips.add(where, "malformed label line", " ".join(fields))
                continue
            if skip_difficult and len(fields) > 9 and fields[9] == "1":
                skips.add(where, "difficult")
                continue
            quad = [[coords[2 * k] - 0.5, coords[2 * k + 1] - 0.5] for k in range(4)]
            obj = polygon_object(fields[8], [quad], size, where, skips)
            if obj is not None:
                objects.append(obj)
        if objects:
            yield AnnotatedImage(label.stem, image, objects, size, split(image.name), gsd=gsd)
        else:
            skips.add(str(label), "empty file")


def _gsd(label: Path) -> Optional[float]:
    for line in label.read_text(encoding="utf-8").splitlines()[:3]:
        if line.lower().startswith("gsd:"):
            try:
                return float(line.split(":", 1)[1])
            except ValueError:
                return None
    return None
