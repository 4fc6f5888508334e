"""GeoPixelD records (and this project's record folders) on the shared object type.

Each record becomes one :class:`AnnotatedImage` whose objects are its grounded masks; the
class name of an object is its phrase without GeoPixelD's instance number ("tennis court-2"
-> "tennis court"), as GeoPixelD has no class labels.
"""

from __future__ import annotations

import re
from typing import Iterator

import numpy as np

from training.data.records import load_records, object_bbox, rasterize_object

from .objects import AnnotatedImage, LabelledObject, Skips, SplitRule, everything_train, image_size
from .regions import region_objects


def read_geopixeld(
    paths, skips: Skips, split: SplitRule = everything_train
) -> Iterator[AnnotatedImage]:
    """Images of the records under ``paths`` (files or folders, as ``load_records`` reads)."""
    records, skipped = load_records(paths, strict=skips.strict)
    for where, reason in skipped:
        skips.add(where, "bad record", reason)
    for record in records:
        size = record.image_size or image_size(record.image_path)
        objects = []
        for k, (phrase, obj) in enumerate(zip(record.phrases, record.objects)):
            where = f"{record.id} object {k}"
            phrase = re.sub(r"-\d+$", "", phrase)
            if isinstance(obj, dict):  # RLE: outline it
                mask = rasterize_object(obj, *size).astype(np.int32)
                found = region_objects(mask, {1: (phrase, False)}, where, skips, min_area=1)
                objects.extend(found[:1])
                continue
            box = object_bbox(obj, *size)
            objects.append(LabelledObject(phrase, [np.asarray(p) for p in obj], box, where))
        yield AnnotatedImage(
            record.id, record.image_path, objects, size, split(record.image_path.name)
        )
