"""Label rasters: semantic masks (RGB-coded or index) and binary masks of one class.

Each image is paired with its mask by name: ``image_glob`` is ``*SUFFIX`` (e.g. ``*_sat.jpg``),
the key is the file name without SUFFIX, and the mask is ``mask_name.format(key=key)`` in
``mask_dir``. A class table maps a colour (``#RRGGBB``) or an index to (class, stuff?) or to
None (ignored, e.g. "Unlabeled" or "no water"). Objects are the connected regions of one class
(:mod:`.regions`). Colours or indices missing from the table are counted as unknown classes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterator, Optional, Tuple, Union

import numpy as np

from .objects import AnnotatedImage, Skips, SplitRule, everything_train, image_size
from .pixels import ground_size, load_pixels
from .regions import region_objects

#: key -> (class name, stuff?) or None; keys are "#RRGGBB" colours or integer indices.
ClassTable = Dict[Union[str, int], Optional[Tuple[str, bool]]]
#: Unknown colours covering less than this share of an image are noise (edge antialiasing).
UNKNOWN_SHARE = 0.001


def read_masks(
    image_dir: Path,
    mask_dir: Path,
    image_glob: str,
    mask_name: str,
    table: ClassTable,
    skips: Skips,
    split: SplitRule = everything_train,
    min_area: int = 64,
    bands: Tuple[int, int, int] = (1, 2, 3),
    blank_is_nodata: bool = False,
) -> Iterator[AnnotatedImage]:
    """Images of ``image_dir`` with their objects from the paired masks (see module docstring).

    ``blank_is_nodata``: pure white image pixels are no data, so no object covers them.
    """
    if not image_glob.startswith("*"):
        raise ValueError("image_glob must start with '*'")
    suffix = image_glob[1:]
    for image in sorted(Path(image_dir).glob(image_glob)):
        key = image.name[: len(image.name) - len(suffix)]
        mask_path = Path(mask_dir) / mask_name.format(key=key)
        where = str(image)
        if not mask_path.is_file():
            skips.add(where, "image without label")
            continue
        size = image_size(image)
        classes = _class_indices(mask_path, table, size, where, skips)
        if classes is None:
            continue
        indices, names = classes
        if blank_is_nodata:
            _, valid = load_pixels(image, None, bands, True)
            indices[~valid] = -1
        objects = region_objects(indices, names, image.stem, skips, min_area)
        if not objects:
            skips.add(where, "no labelled object")
            continue
        gsd = ground_size(image) if image.suffix.lower() in (".tif", ".tiff") else None
        yield AnnotatedImage(
            key, image, objects, size, split(image.name), None, bands, blank_is_nodata, gsd
        )


def _class_indices(mask_path: Path, table: ClassTable, size, where: str, skips: Skips):
    """(int32 class index per pixel, -1 = ignored; index -> (name, stuff)) or None."""
    index_table = all(isinstance(k, int) for k in table)
    mask = _read_mask(mask_path, index_table)
    if mask.shape[:2] != (size[1], size[0]):
        skips.add(where, "mask size differs from image", f"{mask.shape[1]}x{mask.shape[0]}")
        return None
    if mask.ndim == 3 and index_table:  # a grey mask saved as RGB: the first band is the index
        mask = mask[..., 0]
    if mask.ndim == 3 and mask.shape[2] >= 3:
        mask = (
            mask[..., 0].astype(np.int64) << 16 | mask[..., 1].astype(np.int64) << 8 | mask[..., 2]
        )
        keys = {_colour_code(k): v for k, v in table.items()}
    else:
        mask = mask.reshape(mask.shape[:2]).astype(np.int64)
        keys = {int(k): v for k, v in table.items()}
    out = np.full(mask.shape, -1, dtype=np.int32)
    names: Dict[int, Tuple[str, bool]] = {}
    values, counts = np.unique(mask, return_counts=True)
    for value, count in zip(values.tolist(), counts.tolist()):
        if value not in keys:
            if count >= UNKNOWN_SHARE * mask.size:
                skips.add(where, "unknown class", f"mask value {value} on {count} pixels")
            continue
        entry = keys[value]
        if entry is None:
            continue
        index = next((i for i, n in names.items() if n == tuple(entry)), len(names))
        names[index] = (entry[0], bool(entry[1]))
        out[mask == value] = index
    return out, names


def _colour_code(key: Union[str, int]) -> int:
    if isinstance(key, str) and key.startswith("#"):
        return int(key[1:], 16)
    raise ValueError(f"an RGB mask needs '#RRGGBB' keys, got {key!r}")


def _read_mask(path: Path, index: bool) -> np.ndarray:
    """The mask's values: indices (a palette PNG's indices) or RGB colours."""
    if path.suffix.lower() in (".tif", ".tiff"):
        import rasterio

        with rasterio.open(path) as src:
            return src.read(1)
    from PIL import Image

    with Image.open(path) as img:
        if index:
            return np.asarray(img if img.mode in ("P", "L", "I", "I;16") else img.convert("L"))
        return np.asarray(img.convert("RGB"))


def binary_table(class_name: str, on_value: int = 255, stuff: bool = False) -> ClassTable:
    """The table of a binary mask: ``on_value`` is the class, 0 is background."""
    return {0: None, on_value: (class_name, stuff)}
