"""CSV box labels with a header naming ``image_path, xmin, ymin, xmax, ymax, label`` (any order).

A ``score`` column marks model output, not hand labels: such a file is refused. Numeric labels
are mapped through ``label_names`` (e.g. DeepForest's ``classes.csv``: ``Tree,0``).
"""

from __future__ import annotations

import csv
from collections import OrderedDict
from pathlib import Path
from typing import Dict, Iterator, List, Optional

from .objects import AnnotatedImage, Skips, SplitRule, box_object, everything_train, image_size

COLUMNS = ("image_path", "xmin", "ymin", "xmax", "ymax", "label")


def read_label_names(path: Path) -> Dict[str, str]:
    """``name,id`` lines -> {id: name}."""
    out = {}
    for row in csv.reader(Path(path).read_text(encoding="utf-8").splitlines()):
        if len(row) >= 2:
            out[row[1].strip()] = row[0].strip()
    return out


def read_csv_boxes(
    files,
    skips: Skips,
    split: SplitRule = everything_train,
    label_names: Optional[Dict[str, str]] = None,
) -> Iterator[AnnotatedImage]:
    """Images of the CSV files, one per distinct ``image_path`` (looked up beside the CSV)."""
    for path in files:
        path = Path(path)
        rows = _rows(path, skips)
        if rows is None:
            continue
        by_image: OrderedDict[str, List[Dict[str, str]]] = OrderedDict()
        for row in rows:
            by_image.setdefault(row["image_path"].strip(), []).append(row)
        for name, image_rows in by_image.items():
            image = path.parent / name
            if not image.is_file():
                skips.add(f"{path.name}: {name}", "label without image")
                continue
            size = image_size(image)
            objects = []
            for n, row in enumerate(image_rows, start=1):
                where = f"{path.name}: {name} row {n}"
                label = row["label"].strip()
                label = (label_names or {}).get(label, label)
                if not label or label.isdigit():
                    skips.add(where, "unknown class", f"label {row['label']!r}")
                    continue
                try:
                    box = tuple(float(row[k]) for k in ("xmin", "ymin", "xmax", "ymax"))
                except ValueError:
                    skips.add(where, "malformed label", "coordinates not numeric")
                    continue
                obj = box_object(label, box, size, where, skips)
                if obj is not None:
                    objects.append(obj)
            if objects:
                yield AnnotatedImage(Path(name).stem, image, objects, size, split(name))
            else:
                skips.add(f"{path.name}: {name}", "no usable object")


def _rows(path: Path, skips: Skips) -> Optional[List[Dict[str, str]]]:
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in reader.fieldnames or []]
            rows = [{k.strip(): v for k, v in row.items() if k} for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        skips.add(str(path), "unreadable label file", str(exc))
        return None
    if "score" in header or "scores" in header:
        skips.add(str(path), "model output (score column)")
        return None
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        skips.add(str(path), "missing columns", ", ".join(missing))
        return None
    if not rows:
        skips.add(str(path), "empty file")
        return None
    return rows
