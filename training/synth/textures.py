"""Noise fields and land-cover backgrounds (grass, bare soil, concrete, farmland).

Images here are planar float32 arrays (3, H, W) in 0..255: numpy broadcasts over a leading
channel axis far faster than over a trailing one. Noise is made on coarse grids and upsampled
with PIL (bicubic), which keeps a 384 px background within a few milliseconds.
"""

from __future__ import annotations

import math
from typing import Sequence, Tuple

import numpy as np
from PIL import Image

RGB = Tuple[float, float, float]

GRASS = ((86, 108, 56), (112, 124, 70), (136, 130, 90))
SOIL = ((150, 130, 102), (126, 108, 84), (168, 150, 120))
CONCRETE = ((148, 146, 140), (126, 124, 120), (164, 160, 152))
CROPS = (
    (96, 122, 58),
    (128, 140, 70),
    (176, 160, 102),
    (148, 122, 92),
    (110, 98, 78),
    (188, 176, 120),
)


def _upsample(grid: np.ndarray, h: int, w: int) -> np.ndarray:
    """Bicubic resize of a small float grid to (h, w), cropping the border cells."""
    gh, gw = grid.shape
    big = Image.fromarray(grid.astype(np.float32), mode="F")
    sx, sy = w / (gw - 2), h / (gh - 2)
    box = (1.0, 1.0, gw - 1.0, gh - 1.0)
    out = big.resize((w, h), Image.BICUBIC, box=box) if sx > 0 and sy > 0 else big
    return np.asarray(out, dtype=np.float32)


def noise(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Smooth value noise (h, w) with about ``cells`` features across the longer side, std ~1."""
    ch = max(2, int(round(cells * h / max(h, w)))) + 2
    cw = max(2, int(round(cells * w / max(h, w)))) + 2
    return _upsample(rng.standard_normal((ch, cw)), h, w)


def fractal(
    rng: np.random.Generator, h: int, w: int, octaves: Sequence[Tuple[int, float]]
) -> np.ndarray:
    """Sum of value-noise octaves given as (cells, weight), std ~1; summed on a coarse grid
    (4 pixels per finest cell) and upsampled once."""
    finest = max(c for c, _ in octaves)
    gh = gw = min(max(h, w), 4 * finest) + 2
    total = sum(wt * _upsample(rng.standard_normal((c + 2, c + 2)), gh, gw) for c, wt in octaves)
    total = _upsample(np.pad(total, 1, mode="edge"), h, w)
    return total / max(float(total.std()), 1e-6)


def mix(field: np.ndarray, colours: Sequence[RGB], edges: Sequence[float]) -> np.ndarray:
    """Planar image (3, H, W): colour k where the scalar field passes edges[k-1] (soft steps)."""
    weights = [np.clip((field - e) * 2.0 + 0.5, 0.0, 1.0) for e in edges]
    out = np.empty((3,) + field.shape, dtype=np.float32)
    for ch in range(3):
        plane = np.full(field.shape, colours[0][ch], dtype=np.float32)
        for colour, a in zip(colours[1:], weights):
            plane += a * (colour[ch] - plane)
        out[ch] = plane
    return out


def _jitter(rng: np.random.Generator, colours: Sequence[RGB], amount: float = 10.0):
    """Colours with a shared random brightness change and a slight per-channel change."""
    shift = rng.uniform(-amount, amount)
    return [tuple(float(v) + shift + rng.uniform(-3, 3) for v in c) for c in colours]


def cover(rng: np.random.Generator, h: int, w: int, kind: str, gsd: float) -> Image.Image:
    """Background land cover as an RGB image (w x h): 'grass', 'soil', 'concrete' or 'fields'.

    It is computed at half resolution and upsampled: its finest detail is coarser than the
    objects drawn on it, and the scene renderer adds pixel-level grain afterwards.
    """
    h2, w2, g2 = (h + 1) // 2, (w + 1) // 2, gsd * 2.0
    if kind == "fields":
        planar = _fields(rng, h2, w2, g2)
    else:
        palette = {"grass": GRASS, "soil": SOIL, "concrete": CONCRETE}[kind]
        c0, c1, c2 = _jitter(rng, palette)
        cells = max(2, int(max(h2, w2) * g2 / 64.0))  # patches of about 64 m
        field = fractal(rng, h2, w2, ((cells, 1.0), (3 * cells, 0.5), (9 * cells, 0.3)))
        planar = mix(field, (c0, c1, c2), (0.2, 1.3))
        planar *= (1.0 + 0.05 * noise(rng, h2, w2, max(8, int(max(h2, w2) / 2))))[None]
    rgb = np.clip(planar, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    return Image.fromarray(np.ascontiguousarray(rgb)).resize((w, h), Image.BILINEAR)


def _fields(rng: np.random.Generator, h: int, w: int, gsd: float) -> np.ndarray:
    """Farmland: a rotated grid of parcels, each with a crop colour and row stripes."""
    angle = rng.uniform(-0.5, 0.5)
    pw, ph = rng.uniform(70, 140) / gsd, rng.uniform(50, 110) / gsd
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    c, s = math.cos(angle), math.sin(angle)
    u = xx * c + yy * s + rng.uniform(0, pw)
    v = yy * c - xx * s + rng.uniform(0, ph) + h
    row = np.floor(v / ph)
    u += (row * 0.37 % 1.0) * pw
    col = np.floor(u / pw)
    pid = ((row * 31 + col * 17) % 64).astype(np.intp)
    colours = np.asarray(CROPS, dtype=np.float32)[rng.integers(0, len(CROPS), 64)]
    colours += rng.uniform(-12, 12, (64, 3)).astype(np.float32)
    freq = (2.0 * math.pi * gsd / rng.uniform(2.5, 5.0, 64)).astype(np.float32)
    across = rng.random(64) < 0.5
    coord = np.where(across[pid], u, v)
    shade = 1.0 + 0.06 * np.sin(coord * freq[pid])
    border = np.minimum(u % pw, v % ph) < 1.2 / gsd
    shade[border] *= 0.8
    shade *= 1.0 + 0.05 * fractal(rng, h, w, ((8, 1.0), (40, 0.5)))
    return np.stack([colours[:, ch][pid] * shade for ch in range(3)])
