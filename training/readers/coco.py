"""COCO instances: images, categories and annotations with polygon or RLE segmentation.

Polygons become the object's polygons; RLE masks (``iscrowd`` or not) are decoded with
pycocotools and outlined. ``iscrowd`` annotations mark a crowd of things, not one, and are
skipped (counted); an annotation with only a ``bbox`` stays box-only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, Optional

import numpy as np

from .objects import (
    AnnotatedImage,
    Skips,
    SplitRule,
    box_object,
    everything_train,
    image_size,
    polygon_object,
)
from .regions import region_objects


def read_coco(
    path: Path, skips: Skips, split: SplitRule = everything_train, image_dir: Optional[Path] = None
) -> Iterator[AnnotatedImage]:
    """Images of one COCO JSON file; images are looked up in ``image_dir`` (default: beside the
    JSON, then in an ``images/`` folder next to it)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        skips.add(str(path), "unreadable label file", str(exc))
        return
    if not isinstance(data, dict) or not data.get("images"):
        skips.add(str(path), "empty file", "no images")
        return
    categories = {c["id"]: c["name"] for c in data.get("categories", [])}
    by_image = {}
    for ann in data.get("annotations", []):
        by_image.setdefault(ann.get("image_id"), []).append(ann)
    folders = [image_dir] if image_dir else [path.parent, path.parent / "images"]
    for info in data["images"]:
        name = info.get("file_name", "")
        image = next((f / name for f in folders if f and (f / name).is_file()), None)
        if image is None:
            skips.add(f"{path.name}: {name}", "label without image")
            continue
        size = image_size(image)
        objects = []
        for ann in by_image.get(info.get("id"), []):
            where = f"{path.name}: annotation {ann.get('id')}"
            if ann.get("category_id") not in categories:
                skips.add(where, "unknown class", f"category {ann.get('category_id')}")
                continue
            if ann.get("iscrowd"):
                skips.add(where, "crowd annotation (iscrowd)")
                continue
            objects.extend(_objects(ann, categories[ann["category_id"]], size, where, skips))
        if objects:
            yield AnnotatedImage(Path(name).stem, image, objects, size, split(name))
        else:
            skips.add(f"{path.name}: {name}", "no usable object")


def _objects(ann: dict, name: str, size, where: str, skips: Skips) -> list:
    seg = ann.get("segmentation")
    if isinstance(seg, str):  # some exporters write the polygon list as a JSON string
        try:
            seg = json.loads(seg)
        except ValueError:
            skips.add(where, "malformed label", "segmentation string is not JSON")
            return []
    if isinstance(seg, list) and seg:
        rings = [np.asarray(r, dtype=float).reshape(-1, 2) - 0.5 for r in seg if len(r) >= 6]
        obj = polygon_object(name, rings, size, where, skips)
        return [obj] if obj is not None else []
    if isinstance(seg, dict) and "counts" in seg:
        from pycocotools import mask as mask_utils

        rle = seg
        if isinstance(rle["counts"], list):
            rle = mask_utils.frPyObjects(rle, *rle["size"])
        mask = mask_utils.decode(rle).astype(np.int32)
        found = region_objects(mask, {1: (name, False)}, where, skips, min_area=1)
        if not found:
            skips.add(where, "empty mask")
        if len(found) > 1:  # one annotation is one object: its parts together
            found[0].polygons = [p for o in found for p in o.polygons]
            x0 = min(o.box[0] for o in found)
            y0 = min(o.box[1] for o in found)
            found[0].box = (x0, y0, max(o.box[2] for o in found), max(o.box[3] for o in found))
        return found[:1]
    bbox = ann.get("bbox")
    if isinstance(bbox, list) and len(bbox) == 4:
        x, y, w, h = (float(v) for v in bbox)
        obj = box_object(name, (x, y, x + w, y + h), size, where, skips)
        return [obj] if obj is not None else []
    skips.add(where, "malformed label", "no segmentation or bbox")
    return []
