"""Training samples: the model's window around a record's box, its masks, caption ids, relations.

Every sample is cut with ``model_core.window.window_from_array``, the function inference uses,
so the model trains on exactly the view it gets in QGIS. Masks go through the same function
(three masks per call, as colour channels), so image and masks share one geometry.

A sample (S = ``size``, N = number of ``[SEG]`` kept):

* ``image``: uint8 (3, S, S); ``box``: float32 (4,) x0, y0, x1, y1 in window pixels;
* ``caption_ids``: int64 (L,) = ``tokenizer.encode(caption) + [eos]`` (no ``<bos>``);
* ``masks``: float32 (N, S, S) 0/1, the k-th for the k-th ``[SEG]``;
* ``relations``: int64 (N, N) index into ``model_core.config.PREDICATES`` (0 = none),
  -1 on the diagonal;
* ``box_only``: bool (N,), True for an object known only by its box (its mask is the box's
  rectangle: a box target, not a mask target);
* ``record_id``: str; ``caption``: the tagged caption the ids encode (after augmentation
  and truncation).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

import numpy as np
import torch
from torch.utils.data import Dataset

from model_core.config import PREDICATES
from model_core.tokenizer import CaptionTokenizer
from model_core.window import ImageWindow, context_window, window_from_array

from .augment import Augmentation, colour_jitter, sample_augmentation, transform_relations
from .records import (
    Record,
    RecordError,
    load_image,
    load_records,
    parse_record,
    rasterize_object,
    whole_image_box,
)

LOG = logging.getLogger("training.data")

#: Attempts to replace an unreadable item by the next one before giving up.
MAX_ITEM_RETRIES = 8


def record_window(
    record: Union[Record, Dict[str, Any]],
    image: np.ndarray,
    size: int = 256,
    context: float = 0.5,
) -> Tuple[ImageWindow, np.ndarray]:
    """The model's window on a record and its ground-truth masks (deterministic).

    Args:
        record: a :class:`Record`, or a record dict of the extended GeoPixelD format
            (as ``training.synth`` returns them), validated here.
        image: (H, W, 3) uint8 RGB, the record's image.
        size: side S of the model input.
        context: margin of the window around the box (``model_core.window.context_window``).
            Records without a box use the union bbox of their masks plus a small margin.

    Returns:
        (window, masks): ``window_from_array``'s ImageWindow and a bool array (N, S, S), one
        mask per ``[SEG]`` in order, in the window's pixel grid.
    """
    h, w = image.shape[:2]
    if isinstance(record, dict):
        record = parse_record(record, source=str(record.get("id", "<memory>")), image_size=(w, h))
    box = record.box if record.box is not None else whole_image_box(record, w, h)
    window = window_from_array(image, box, context=context, size=size, source=record.id)
    return window, window_masks(record, (w, h), box, context, size)


def window_masks(
    record: Record, image_size: Tuple[int, int], box, context: float, size: int
) -> np.ndarray:
    """Masks (N, S, S) bool of a record's objects in the window ``window_from_array`` cuts.

    Objects are rasterised at full resolution inside the window's source crop only, and the
    crop is resampled by ``window_from_array`` itself (bilinear, threshold 0.5).
    """
    w, h = image_size
    n = record.num_objects
    out = np.zeros((n, size, size), dtype=bool)
    wx0, wy0, wx1, wy1 = context_window(box, context)
    # The same integer source window as window_from_array; shifting by it is exact.
    sx0, sy0 = max(0, int(np.floor(wx0))), max(0, int(np.floor(wy0)))
    sx1, sy1 = min(w, int(np.ceil(wx1))), min(h, int(np.ceil(wy1)))
    if n == 0 or sx1 <= sx0 or sy1 <= sy0:
        return out
    crop_box = (box[0] - sx0, box[1] - sy0, box[2] - sx0, box[3] - sy0)
    for start in range(0, n, 3):
        stack = np.zeros((sy1 - sy0, sx1 - sx0, 3), dtype=np.uint8)
        for c, obj in enumerate(record.objects[start : start + 3]):
            stack[..., c] = _crop_mask(obj, w, h, sx0, sy0, sx1, sy1) * np.uint8(255)
        win = window_from_array(stack, crop_box, context=context, size=size)
        for c in range(min(3, n - start)):
            out[start + c] = win.image[..., c] >= 128
    return out


def _crop_mask(obj, w: int, h: int, sx0: int, sy0: int, sx1: int, sy1: int) -> np.ndarray:
    if isinstance(obj, dict):
        return rasterize_object(obj, w, h)[sy0:sy1, sx0:sx1]
    shifted = [poly - np.array([sx0, sy0], dtype=np.float64) for poly in obj]
    return rasterize_object(shifted, sx1 - sx0, sy1 - sy0)


def encode_caption(
    tokenizer: CaptionTokenizer, caption: str, max_len: int
) -> Tuple[List[int], int, str]:
    """Ids of a tagged caption plus ``<eos>``, at most ``max_len`` long.

    A longer caption is cut to ``max_len - 1`` tokens and, if the cut falls inside a
    ``<p> ... </p> [SEG]`` group, back to just before that group's ``<p>``: whole trailing
    phrases are dropped, so every kept ``[SEG]`` still has its mask.

    Returns:
        (ids, number of ``[SEG]`` kept, the caption text the ids encode).
    """
    ids = tokenizer.encode(caption)
    if len(ids) + 1 <= max_len:
        return ids + [tokenizer.eos_id], ids.count(tokenizer.seg_id), caption
    cut = ids[: max(max_len - 1, 0)]
    opens = [k for k, t in enumerate(cut) if t == tokenizer.p_open_id]
    segs = [k for k, t in enumerate(cut) if t == tokenizer.seg_id]
    if opens and (not segs or opens[-1] > segs[-1]):
        cut = cut[: opens[-1]]
    return cut + [tokenizer.eos_id], cut.count(tokenizer.seg_id), tokenizer.decode(cut)


#: When a record lists several predicates for one ordered pair (synthetic records give e.g.
#: "next to" and "west of"), the matrix keeps the first of this order: topology, then "along",
#: then direction, then the least specific "next to". A fixed rule keeps the label learnable.
PREDICATE_PRIORITY: Tuple[str, ...] = (
    "inside",
    "contains",
    "surrounded by",
    "surrounds",
    "on",
    "along",
    "north of",
    "south of",
    "east of",
    "west of",
    "next to",
)


def relation_matrix(relations: Iterable[Tuple[int, str, int]], n: int) -> np.ndarray:
    """(n, n) int64 predicate indices into ``PREDICATES``; 0 = none, -1 on the diagonal.

    Triples whose objects were truncated away are dropped; of several predicates for one
    ordered pair the one earliest in :data:`PREDICATE_PRIORITY` is kept.
    """
    rank = {p: k for k, p in enumerate(PREDICATE_PRIORITY)}
    best: Dict[Tuple[int, int], str] = {}
    for i, pred, j in relations:
        if (
            i < n
            and j < n
            and (
                (i, j) not in best or rank.get(pred, len(rank)) < rank.get(best[(i, j)], len(rank))
            )
        ):
            best[(i, j)] = pred
    matrix = np.zeros((n, n), dtype=np.int64)
    for (i, j), pred in best.items():
        matrix[i, j] = PREDICATES.index(pred)
    np.fill_diagonal(matrix, -1)
    return matrix


def make_sample(
    record: Record,
    image: np.ndarray,
    tokenizer: CaptionTokenizer,
    size: int = 256,
    context: float = 0.5,
    max_len: int = 96,
    augmentation: Optional[Augmentation] = None,
) -> Dict[str, Any]:
    """The training sample of one record (module docstring), optionally augmented."""
    if augmentation is not None and augmentation.context is not None:
        context = augmentation.context
    window, masks = record_window(record, image, size, context)
    pixels, box = window.image, window.box
    caption, relations = record.caption, record.relations
    if augmentation is not None:
        geometry = augmentation.geometry
        pixels, masks = geometry.image(pixels), geometry.masks(masks)
        box = geometry.box(box, size)
        caption = geometry.caption(caption)
        relations = transform_relations(relations, geometry)
        valid = geometry.image(window.valid) if window.valid is not None else None
        pixels = colour_jitter(pixels, augmentation, valid)
    ids, n_kept, caption = encode_caption(tokenizer, caption, max_len)
    return {
        "image": torch.from_numpy(np.ascontiguousarray(pixels.transpose(2, 0, 1))),
        "box": torch.tensor(box, dtype=torch.float32),
        "caption_ids": torch.tensor(ids, dtype=torch.int64),
        "masks": torch.from_numpy(masks[:n_kept].astype(np.float32)),
        "relations": torch.from_numpy(relation_matrix(relations, n_kept)),
        "box_only": torch.tensor([k in record.box_only for k in range(n_kept)], dtype=torch.bool),
        "record_id": record.id,
        "caption": caption,
    }


def item_rng(*keys: int) -> np.random.Generator:
    """A generator fixed by integer keys (seed, epoch, index): the same item, the same draw."""
    return np.random.default_rng(np.random.SeedSequence([int(k) & 0xFFFFFFFF for k in keys]))


class RecordDataset(Dataset):
    """Records from JSON files/folders (``records`` module formats), as training samples.

    Bad records are skipped at construction (``self.skipped`` lists where and why) unless
    ``strict``; an image that fails to decode later is replaced by the next item, with a log
    line, so a training step never sees an exception from the data.

    Augmentation (``augment=True``) is drawn from ``(seed, epoch, index)``: reproducible, and
    different each epoch once the trainer calls :meth:`set_epoch`.
    """

    def __init__(
        self,
        paths: Union[str, Path, Iterable[Union[str, Path]]],
        tokenizer: CaptionTokenizer,
        size: int = 256,
        context: float = 0.5,
        augment: bool = False,
        max_len: int = 96,
        strict: bool = False,
        image_root: Optional[Union[str, Path]] = None,
        seed: int = 0,
        rotate: bool = True,
        colour: float = 0.1,
        low_light: float = 0.0,
    ) -> None:
        self.records, self.skipped = load_records(paths, image_root=image_root, strict=strict)
        if not self.records:
            raise RecordError(f"No usable record in {paths} ({len(self.skipped)} skipped).")
        self.tokenizer, self.size, self.context = tokenizer, size, context
        self.augment, self.max_len, self.strict = augment, max_len, strict
        self.seed, self.rotate, self.colour, self.epoch = seed, rotate, colour, 0
        self.low_light = low_light

    def __len__(self) -> int:
        return len(self.records)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __getitem__(self, index: int) -> Dict[str, Any]:
        for attempt in range(MAX_ITEM_RETRIES):
            record = self.records[(index + attempt) % len(self.records)]
            try:
                image = load_image(record)
                augmentation = None
                if self.augment:
                    rng = item_rng(self.seed, self.epoch, index)
                    augmentation = sample_augmentation(
                        rng, self.rotate, colour=self.colour, low_light=self.low_light
                    )
                return make_sample(
                    record,
                    image,
                    self.tokenizer,
                    self.size,
                    self.context,
                    self.max_len,
                    augmentation,
                )
            except (RecordError, OSError, ValueError) as exc:
                if self.strict:
                    raise
                LOG.warning("Record %s unusable, taking the next one: %s", record.id, exc)
        raise RecordError(f"{MAX_ITEM_RETRIES} records in a row from index {index} are unusable.")


# Seed offset of the substitute for a scene that yields no record; far beyond any data set's
# scene seeds (``seed * 100003 + i``), so a substitute never repeats a training or test scene.
SUBSTITUTE_STRIDE = 10**12


class GeneratedDataset(Dataset):
    """Scenes generated on the fly: item ``i`` is fixed by ``(seed, i)``, its augmentation (if
    on) by ``(seed, epoch, i, AUGMENT_KEY)``. Subclasses say how a scene and its record are
    made (:meth:`record`) and which augmentations they draw (:meth:`draw_augmentation`)."""

    #: Keeps the augmentation draws of two generator kinds with one seed apart.
    AUGMENT_KEY = 1

    def __init__(
        self,
        tokenizer: CaptionTokenizer,
        seed: int,
        length: int,
        size: int = 256,
        context: float = 0.5,
        augment: bool = False,
        max_len: int = 96,
        scene_size: int = 384,
    ) -> None:
        self.tokenizer, self.seed, self.length = tokenizer, seed, length
        self.size, self.context, self.augment, self.max_len = size, context, augment, max_len
        self.scene_size, self.epoch = scene_size, 0

    def __len__(self) -> int:
        return self.length

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def record(self, index: int) -> Tuple[np.ndarray, Record]:
        """The scene image and the record of item ``index`` (no augmentation)."""
        raise NotImplementedError

    def draw_augmentation(self, rng: np.random.Generator) -> Augmentation:
        return sample_augmentation(rng)

    def __getitem__(self, index: int) -> Dict[str, Any]:
        if not 0 <= index < self.length:
            raise IndexError(index)
        image, record = self.record(index)
        augmentation = None
        if self.augment:
            rng = item_rng(self.seed, self.epoch, index, self.AUGMENT_KEY)
            augmentation = self.draw_augmentation(rng)
        return make_sample(
            record, image, self.tokenizer, self.size, self.context, self.max_len, augmentation
        )


class SyntheticDataset(GeneratedDataset):
    """Procedural scenes generated on the fly (``training.synth``), as training samples.

    Item ``i`` is fully determined by ``(seed, i)``: it is scene ``i`` of the data set that
    ``python -m training.synth --seed seed`` writes (scene seed ``training.synth.scene_seed``,
    ``seed * 100003 + i``, the same ``records_per_scene`` records), of which one record is
    picked with a generator keyed by ``(seed, i)``; the rare scene with no usable target is
    replaced by a substitute scene, also fixed by ``(seed, i)``. Augmentation, if on, is drawn
    from ``(seed, epoch, i)``. Data sets with seeds ``s < t`` share no scene while
    ``length <= (t - s) * 100003``: keep training and test seeds apart accordingly.
    """

    def __init__(
        self,
        tokenizer: CaptionTokenizer,
        seed: int,
        length: int,
        records_per_scene: int = 3,
        rotate: bool = True,
        **common: Any,
    ) -> None:
        """``common``: :class:`GeneratedDataset`'s size, context, augment, max_len, scene_size."""
        super().__init__(tokenizer, seed, length, **common)
        self.records_per_scene, self.rotate = records_per_scene, rotate

    def draw_augmentation(self, rng: np.random.Generator) -> Augmentation:
        return sample_augmentation(rng, rotate=self.rotate)

    def record(self, index: int) -> Tuple[np.ndarray, Record]:
        """The scene image and the record of item ``index`` (no augmentation)."""
        from training.synth import generate_records, scene_seed

        seed = scene_seed(self.seed, index)
        image, records = generate_records(
            seed, size=self.scene_size, n_records=self.records_per_scene
        )
        first_seed, retry = seed, 0
        while not records:  # a scene with no usable target: draw a substitute, deterministically
            retry += 1
            if retry > 20:
                raise RuntimeError(f"Scene {first_seed} and its substitutes give no records.")
            seed = scene_seed(self.seed, index) + retry * SUBSTITUTE_STRIDE
            image, records = generate_records(
                seed, size=self.scene_size, n_records=self.records_per_scene
            )
        pick = int(item_rng(self.seed, index).integers(len(records)))
        h, w = image.shape[:2]
        record = parse_record(records[pick], source=f"synthetic scene {seed}", image_size=(w, h))
        return image, record
