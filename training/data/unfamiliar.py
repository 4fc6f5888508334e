"""Unfamiliar surfaces: boxes on ground none of the training sources has, captioned "an area".

No training source shows snow, ice, cloud or other bright, low-contrast surfaces, nor ground of
colours no class has, and a model trained only on named classes names *something* there with
confidence (on a winter scene the stage-4 model called snow fields bare ground). This is
outlier exposure: procedural scenes of such surfaces, each box captioned with the generic phrase
the naming rule uses when it abstains (``<p> an area </p> [SEG] .``) and its mask the surface
under the box, so the model learns to say "an area" - and still segment it - where it has no
class that fits.

A scene (``scene_size`` square, RGB uint8) is split into 2-4 regions with smooth borders, each
painted as one surface:

* ``bright``: near-white, slightly tinted, smooth shading and fine grain (snow, ice, cloud),
  sometimes with thin dark tracks;
* ``mottled``: a bright surface broken by dark patches at a random scale (snow among rock or
  trees, salt crust);
* ``shadow``: dark, grey-blue ground with strong fine texture and bright flecks (shadowed
  forest or rock, burnt ground): dark like water, but rough where water is smooth;
* ``unnatural``: a saturated colour no class has (violet to magenta), with grain.

Item ``i`` is fixed by ``(seed, i)``, like :class:`training.data.SyntheticDataset`.
"""

from __future__ import annotations

import colorsys
from typing import Any, Tuple

import numpy as np
from PIL import Image

from model_core.naming import GENERIC_AREA
from model_core.tokenizer import CaptionTokenizer

from .augment import Augmentation, sample_augmentation
from .dataset import GeneratedDataset, item_rng
from .records import Record

#: The caption of every unfamiliar-surface box: the naming rule's own abstention phrase.
CAPTION = f"<p> {GENERIC_AREA} </p> [SEG] ."
SURFACES = ("bright", "mottled", "shadow", "unnatural")
SURFACE_WEIGHTS = (0.35, 0.3, 0.25, 0.1)
#: The smallest share of a box its target surface covers (so the target is what the box shows).
MIN_BOX_SHARE = 0.5


def smooth_field(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    """(size, size) float32 noise, smooth at ``size / cells`` pixels, values about -1..1."""
    coarse = rng.standard_normal((cells, cells)).astype(np.float32)
    return np.asarray(Image.fromarray(coarse, mode="F").resize((size, size), Image.BICUBIC))


def fractal_field(rng: np.random.Generator, size: int, cells: int, octaves: int = 4) -> np.ndarray:
    """Smooth noise plus finer octaves at half the amplitude each: rough, natural edges."""
    total = np.zeros((size, size), dtype=np.float32)
    for k in range(octaves):
        total += 0.5**k * smooth_field(rng, size, min(cells * 2**k, size // 2))
    return total


def _hsv_to_rgb(h: float, s: float, v: float) -> np.ndarray:
    """One colour, hue/saturation/value in 0..1, as float RGB 0..255."""
    return np.array(colorsys.hsv_to_rgb(h, s, v), dtype=np.float32) * 255.0


def paint_surface(rng: np.random.Generator, kind: str, size: int) -> np.ndarray:
    """(size, size, 3) float32 RGB of one surface kind (module docstring)."""
    if kind == "unnatural":
        hue = float(rng.uniform(0.72, 0.95))
        base = _hsv_to_rgb(hue, float(rng.uniform(0.5, 0.9)), float(rng.uniform(0.45, 0.9)))
    elif kind == "shadow":
        base = _hsv_to_rgb(
            float(rng.uniform(0.45, 0.65)),
            float(rng.uniform(0, 0.25)),
            float(rng.uniform(0.1, 0.3)),
        )
    else:
        base = _hsv_to_rgb(
            float(rng.uniform(0, 1)), float(rng.uniform(0, 0.12)), float(rng.uniform(0.8, 0.98))
        )
    shade = 12.0 * fractal_field(rng, size, int(rng.integers(2, 6)))
    grain = float(rng.uniform(2, 9)) * rng.standard_normal((size, size)).astype(np.float32)
    image = base[None, None, :] + (shade + grain)[..., None]
    if kind == "mottled":
        patches = fractal_field(rng, size, int(rng.integers(6, 30))) > float(rng.uniform(0.4, 1.2))
        hue, saturation, value = rng.uniform((0, 0, 0.1), (1, 0.4, 0.4))
        dark = _hsv_to_rgb(float(hue), float(saturation), float(value))
        image[patches] = dark + 10.0 * rng.standard_normal((int(patches.sum()), 3))
    elif kind == "shadow":
        image += (
            float(rng.uniform(12, 30))
            * fractal_field(rng, size, int(rng.integers(24, 64)), 2)[..., None]
        )
        flecks = fractal_field(rng, size, int(rng.integers(30, 90)), 2) > float(
            rng.uniform(1.0, 1.6)
        )
        image[flecks] += float(rng.uniform(60, 140))
    elif kind == "bright" and rng.random() < 0.5:
        for _ in range(int(rng.integers(1, 4))):
            image = _draw_track(rng, image)
    return image


def _draw_track(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """A thin dark curved line across the surface (tracks, a fence, a path)."""
    size = image.shape[0]
    t = np.linspace(0, 1, 4 * size)
    (x0, y0), (x1, y1), (cx, cy) = rng.uniform(0, size, (3, 2))
    xs = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x1
    ys = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y1
    cols, rows = np.clip(xs.astype(int), 0, size - 1), np.clip(ys.astype(int), 0, size - 1)
    image[rows, cols] *= float(rng.uniform(0.5, 0.85))
    return image


def unfamiliar_scene(rng: np.random.Generator, size: int = 384) -> Tuple[np.ndarray, np.ndarray]:
    """(image (size, size, 3) uint8, regions (size, size) int): 2-4 surfaces, smooth borders."""
    count = int(rng.integers(2, 5))
    fields = np.stack([smooth_field(rng, size, int(rng.integers(2, 5))) for _ in range(count)])
    regions = fields.argmax(0)
    image = np.zeros((size, size, 3), dtype=np.float32)
    for k in range(count):
        surface = paint_surface(rng, str(rng.choice(SURFACES, p=SURFACE_WEIGHTS)), size)
        image[regions == k] = surface[regions == k]
    return np.clip(image, 0, 255).astype(np.uint8), regions


def unfamiliar_record(rng: np.random.Generator, regions: np.ndarray, record_id: str) -> Record:
    """A box mostly on one surface; its target is that surface inside the box, as an RLE.

    Boxes are drawn until one has at least :data:`MIN_BOX_SHARE` of a single surface (the last
    of 50 draws is kept otherwise, with its largest surface as the target)."""
    from pycocotools import mask as mask_utils

    size = regions.shape[0]
    for _ in range(50):
        side_w, side_h = (int(v) for v in rng.uniform(0.12, 0.6, 2) * size)
        x0, y0 = int(rng.integers(0, size - side_w)), int(rng.integers(0, size - side_h))
        inside = regions[y0 : y0 + side_h, x0 : x0 + side_w]
        label = int(np.bincount(inside.ravel()).argmax())
        if (inside == label).mean() >= MIN_BOX_SHARE:
            break
    mask = np.zeros((size, size), dtype=np.uint8)
    mask[y0 : y0 + side_h, x0 : x0 + side_w] = inside == label
    rle = mask_utils.encode(np.asfortranarray(mask))
    rle["counts"] = rle["counts"].decode("ascii")
    box = (float(x0), float(y0), float(x0 + side_w), float(y0 + side_h))
    return Record(record_id, CAPTION, [rle], box=box, image_size=(size, size))


class UnfamiliarDataset(GeneratedDataset):
    """Unfamiliar-surface samples generated on the fly; item ``i`` fixed by ``(seed, i)``."""

    AUGMENT_KEY = 3

    def __init__(
        self,
        tokenizer: CaptionTokenizer,
        seed: int,
        length: int,
        colour: float = 0.1,
        **common: Any,
    ) -> None:
        """``common``: :class:`GeneratedDataset`'s size, context, augment, max_len, scene_size."""
        super().__init__(tokenizer, seed, length, **common)
        self.colour = colour

    def draw_augmentation(self, rng: np.random.Generator) -> Augmentation:
        return sample_augmentation(rng, colour=self.colour)

    def record(self, index: int) -> Tuple[np.ndarray, Record]:
        """The scene image and the record of item ``index`` (no augmentation)."""
        rng = item_rng(self.seed, index, 2)
        image, regions = unfamiliar_scene(rng, self.scene_size)
        return image, unfamiliar_record(rng, regions, f"unfamiliar {self.seed}/{index}")
