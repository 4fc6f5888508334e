"""YOLO labels: one ``.txt`` per image beside it, classes in a names file.

Axis-aligned boxes ``class cx cy w h`` (normalised to the image size) give box-only objects;
oriented boxes ``class x1 y1 x2 y2 x3 y3 x4 y4`` (normalised corners) give the quad as polygon.
A ``.txt`` whose lines are not labels (image lists such as ``train.txt``) is not a label file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, List, Optional

from .objects import (
    AnnotatedImage,
    LabelledObject,
    ReaderError,
    Skips,
    SplitRule,
    box_object,
    everything_train,
    find_image,
    image_size,
    polygon_object,
)


def read_names(path: Path) -> List[str]:
    """Class names, one a line (blank lines ignored)."""
    try:
        names = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    except OSError as exc:
        raise ReaderError(f"The names file {path} cannot be read ({exc}).") from None
    names = [n for n in names if n]
    if not names:
        raise ReaderError(f"The names file {path} is empty.")
    return names


def read_yolo(
    folder: Path,
    names_file: Path,
    skips: Skips,
    split: SplitRule = everything_train,
    oriented: bool = False,
) -> Iterator[AnnotatedImage]:
    """Every labelled image in ``folder`` (see the module docstring)."""
    names = read_names(names_file)
    for label in sorted(Path(folder).glob("*.txt")):
        if label.resolve() == Path(names_file).resolve():
            continue
        lines = [ln.split() for ln in label.read_text(encoding="utf-8").splitlines() if ln.strip()]
        if lines and not _looks_like_labels(lines):
            continue
        image = find_image(label.parent, label.stem)
        if image is None:
            skips.add(str(label), "label without image")
            continue
        if not lines:
            skips.add(str(label), "empty file")
            continue
        size = image_size(image)
        objects = []
        for n, fields in enumerate(lines, start=1):
            obj = _object(fields, names, size, f"{label.name}:{n}", skips, oriented)
            if obj is not None:
                objects.append(obj)
        if objects:
            yield AnnotatedImage(label.stem, image, objects, size, split(image.name))
        else:
            skips.add(str(label), "no usable object")


def _looks_like_labels(lines: List[List[str]]) -> bool:
    try:
        [float(v) for v in lines[0]]
    except ValueError:
        return False
    return True


def _object(
    fields: List[str], names: List[str], size, where: str, skips: Skips, oriented: bool
) -> Optional[LabelledObject]:
    want = 9 if oriented else 5
    try:
        values = [float(v) for v in fields]
    except ValueError:
        values = []
    if len(values) != want or values[0] != int(values[0]):
        skips.add(where, "malformed label line", " ".join(fields))
        return None
    cls = int(values[0])
    if not 0 <= cls < len(names):
        skips.add(where, "unknown class", f"index {cls} of {len(names)} names")
        return None
    w, h = size
    if oriented:
        quad = [[values[1 + 2 * k] * w - 0.5, values[2 + 2 * k] * h - 0.5] for k in range(4)]
        return polygon_object(names[cls], [quad], size, where, skips)
    cx, cy, bw, bh = values[1] * w, values[2] * h, values[3] * w, values[4] * h
    box = (cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2)
    return box_object(names[cls], box, size, where, skips)
