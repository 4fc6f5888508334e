"""Procedural top-down aerial scenes: lay out a scene type, then draw it with one sun.

Drawing order: land cover, ground surfaces (water, roads, lots, courts...), one shadow pass for
everything elevated (buildings, tanks, trees, vehicles, planes, ships), then the elevated
objects, then sensor-like blur and noise.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Optional

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from model_core.errors import InputError

from . import textures
from .layout import Layout
from .objects import Scene
from .painters import ELEVATED_PAINTERS, GROUND_PAINTERS, Painter, paint_road_marks, shadow_parts
from .scenes import BUILDERS, SCENE_TYPES, build

GROUND_ORDER = (
    "water",
    "river",
    "apron",
    "runway",
    "pier",
    "parking lot",
    "road",
    "pond",
    "soccer field",
    "running track",
    "baseball diamond",
    "tennis court",
    "basketball court",
    "swimming pool",
    "roundabout",
)
ELEVATED_ORDER = (
    "bridge",
    "small vehicle",
    "large vehicle",
    "plane",
    "helicopter",
    "ship",
    "container stack",
    "storage tank",
    "building",
    "tree",
    "tree cluster",
)


def generate_scene(
    seed: int, size: int = 384, gsd: float = 0.5, scene_type: Optional[str] = None
) -> Scene:
    """Generate one scene; the same arguments always give the same scene.

    Args:
        seed: non-negative integer; it fixes the scene type (unless given), layout and pixels.
        size: side of the square image in pixels (at least 128).
        gsd: ground sampling distance in metres per pixel (0.2 to 2); object sizes are in metres.
        scene_type: one of SCENE_TYPES, or None to draw one from the seed.
    """
    if int(seed) < 0:
        raise InputError(f"The scene seed must be a non-negative integer, not {seed}.")
    if size < 128:
        raise InputError(f"The scene size must be at least 128 pixels, not {size}.")
    if not 0.2 <= gsd <= 2.0:
        raise InputError(f"The ground sampling distance must lie between 0.2 and 2 m, not {gsd}.")
    rng = np.random.default_rng(int(seed))
    kind = SCENE_TYPES[int(rng.integers(len(SCENE_TYPES)))]
    if scene_type is not None:
        if scene_type not in BUILDERS:
            raise InputError(
                f"Unknown scene type {scene_type!r}; use one of {', '.join(SCENE_TYPES)}."
            )
        kind = scene_type
    layout = Layout(rng, int(size), float(gsd))
    build(layout, kind)
    for obj in layout.objects:
        obj.round()
    azimuth = float(rng.uniform(90.0, 270.0))
    elevation = float(rng.uniform(42.0, 68.0))
    image = render(layout, azimuth, elevation)
    return Scene(image, layout.objects, float(gsd), int(seed), kind, azimuth, layout.groups)


def render(layout: Layout, azimuth: float, elevation: float) -> np.ndarray:
    """Draw the layout's objects; returns the uint8 image (size, size, 3).

    Pixel work is done with PIL operations on 8-bit images (lookup tables, composites, a box
    blur), which are several times faster than float arithmetic on the same array.
    """
    rng, size, gsd = layout.np_rng, layout.size, layout.gsd
    az = math.radians(azimuth)
    sun = (math.sin(az), -math.cos(az))
    per_metre = 1.0 / math.tan(math.radians(elevation)) / gsd
    shadow_vec = (-sun[0] * per_metre, -sun[1] * per_metre)

    img = textures.cover(rng, size, size, layout.cover, gsd)
    painter = Painter(ImageDraw.Draw(img), sun, gsd)
    by_kind = defaultdict(list)
    for obj in layout.objects:
        by_kind[obj.kind].append(obj)
    for kind in GROUND_ORDER:
        if kind == "roundabout":
            for road in by_kind["road"]:
                paint_road_marks(painter, road)
        for obj in by_kind[kind]:
            GROUND_PAINTERS[kind](painter, obj)

    # shadows are drawn at half resolution: upsampling gives their soft edges for free
    half = (size + 1) // 2
    shade = Image.new("L", (half, half), 0)
    sdraw = ImageDraw.Draw(shade)
    for kind in ELEVATED_ORDER:
        for obj in by_kind[kind]:
            for poly in shadow_parts(obj, shadow_vec):
                sdraw.polygon((poly * 0.5 - 0.25).ravel().tolist(), fill=255)
    shade = shade.resize((size, size), Image.BILINEAR)
    lut = [int(v * f) for f in (0.5, 0.53, 0.6) for v in range(256)]
    img = Image.composite(img.point(lut), img, shade)

    painter = Painter(ImageDraw.Draw(img), sun, gsd)
    for kind in ELEVATED_ORDER:
        for obj in by_kind[kind]:
            ELEVATED_PAINTERS[kind](painter, obj)

    img = img.filter(SOFTEN)
    quarter = size // 4 + 2
    low = Image.fromarray(rng.integers(0, 9, (quarter, quarter), dtype=np.uint8)).resize(
        (size, size), Image.BILINEAR
    )
    grain = np.asarray(low) + rng.integers(0, 7, (size, size), dtype=np.uint8)
    img = ImageChops.add(img, Image.fromarray(grain).convert("RGB"), 1.0, -7)
    haze = float(rng.uniform(0.0, 0.06))
    tint = rng.uniform(0.97, 1.03, 3)
    lut = [min(255, int((v * (1 - haze) + 255 * haze * 0.8) * t)) for t in tint for v in range(256)]
    return np.array(img.point(lut))


#: Mild optical blur (a [1/4, 1/2, 1/4] kernel each way): soft edges as in an orthophoto.
SOFTEN = ImageFilter.BoxBlur(0.5)
