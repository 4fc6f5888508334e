"""Preview PNGs of records: the context window, the box, the coloured masks, the caption."""

from __future__ import annotations

import textwrap
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw

from model_core.window import context_window

#: Colours of the [SEG] objects in caption order (target first).
PALETTE = ((230, 40, 40), (40, 120, 255), (40, 200, 80), (250, 160, 20), (190, 60, 220))
SIDE = 512
TEXT_WIDTH = 80


def render_preview(rgb: np.ndarray, record: dict, context: float = 0.5) -> Image.Image:
    """The record drawn on its image: ``SIDE`` x ``SIDE`` window (inference's context window
    around the box), masks filled (box-only objects outlined), box in yellow, caption below."""
    wx0, wy0, wx1, wy1 = context_window(tuple(record["box"]), context)
    scale = SIDE / (wx1 - wx0)
    base = Image.fromarray(rgb).convert("RGBA")
    window = base.transform(
        (SIDE, SIDE), Image.Transform.EXTENT, (wx0, wy0, wx1, wy1), Image.Resampling.BILINEAR
    )
    overlay = Image.new("RGBA", (SIDE, SIDE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    box_only = set(record.get("box_only", []))

    def to_window(points: Sequence[Sequence[float]]):
        return [((x + 0.5 - wx0) * scale, (y + 0.5 - wy0) * scale) for x, y in points]

    order = list(range(1, len(record["polygons"]))) + [0]  # the target on top
    for k in order:
        polygons = record["polygons"][k]
        colour = PALETTE[k % len(PALETTE)]
        for poly in polygons:
            if len(poly) < 3:
                continue
            if k in box_only:
                draw.polygon(to_window(poly), outline=colour + (255,), width=3)
            else:
                draw.polygon(to_window(poly), fill=colour + (110,), outline=colour + (255,))
    x0, y0, x1, y1 = record["box"]
    draw.rectangle(
        to_window([(x0 - 0.5, y0 - 0.5), (x1 - 0.5, y1 - 0.5)]), outline=(255, 230, 0, 255), width=2
    )
    shown = Image.alpha_composite(window, overlay).convert("RGB")
    lines = textwrap.wrap(record["gcg_description"], TEXT_WIDTH)
    lines += textwrap.wrap(f"classes: {', '.join(record.get('classes', []))}", TEXT_WIDTH)
    canvas = Image.new("RGB", (SIDE, SIDE + 14 * len(lines) + 8), (255, 255, 255))
    canvas.paste(shown, (0, 0))
    text = ImageDraw.Draw(canvas)
    for n, line in enumerate(lines):
        text.text((4, SIDE + 4 + 14 * n), line, fill=(0, 0, 0))
    return canvas
