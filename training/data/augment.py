"""Augmentations that keep the labels true.

A flip or a 90-degree rotation of the model's window changes what "north of" means: the
pixels, the masks and the box move, and so must the relation predicates and the direction
words of the caption ("north" <-> "south" under a vertical flip, "east" <-> "west" under a
horizontal one, rotations turn the compass). Every geometric change here is a
:class:`Dihedral` element: an integer 2x2 matrix acting on direction vectors (x right, y down;
north = up = -y), which maps arrays, boxes, predicates and words with the same matrix.

Colour jitter and the context-size jitter are label-free; :func:`sample_augmentation` draws
all of them from one ``numpy.random.Generator``, so an item's augmentation is reproducible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np

Box = Tuple[float, float, float, float]
Vector = Tuple[int, int]

_HFLIP = ((-1, 0), (0, 1))
_VFLIP = ((1, 0), (0, -1))
# np.rot90 (k=1) turns the picture counter-clockwise: (x, y) -> (y, S - x), so up becomes left.
_ROT90 = ((0, 1), (-1, 0))
_IDENTITY = ((1, 0), (0, 1))

_COMPASS_VERTICAL = {(0, -1): "north", (0, 1): "south"}
_COMPASS_HORIZONTAL = {(1, 0): "east", (-1, 0): "west"}
_COMPASS_VECTORS = {"north": (0, -1), "south": (0, 1), "east": (1, 0), "west": (-1, 0)}
_COMPASS = re.compile(
    r"\b(?:(?P<v>north|south)(?:(?P<sep>[- ]?)(?P<h>east|west))?|(?P<h2>east|west))"
    r"(?P<suffix>ernmost|erly|ern|wards|ward)?\b",
    re.IGNORECASE,
)

# Screen words: a vertical word keeps its family ("top"/"bottom" or "upper"/"lower");
# horizontal ones are "left"/"right"; a lone horizontal word turning vertical becomes top/bottom.
_SCREEN_VERTICAL_FAMILIES = {
    "top": ("top", "bottom"),
    "bottom": ("top", "bottom"),
    "upper": ("upper", "lower"),
    "lower": ("upper", "lower"),
}
_SCREEN_VECTORS = {
    "top": (0, -1),
    "upper": (0, -1),
    "bottom": (0, 1),
    "lower": (0, 1),
    "left": (-1, 0),
    "right": (1, 0),
}
_SCREEN = re.compile(
    r"\b(?:(?P<v>top|bottom|upper|lower)(?P<sep>[- ])(?P<h>left|right)"
    r"|(?P<w>top|bottom|upper|lower|left|right)(?P<most>most)?)\b",
    re.IGNORECASE,
)
_AXIS = re.compile(r"\b(?P<w>horizontal|vertical)(?P<suffix>ly)?\b", re.IGNORECASE)


def _matmul(a, b):
    return tuple(
        tuple(sum(a[i][k] * b[k][j] for k in range(2)) for j in range(2)) for i in range(2)
    )


def _keep_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


@dataclass(frozen=True)
class Dihedral:
    """A flip/rotation of a square window: ``k`` quarter turns counter-clockwise, then flips.

    Order of application: rotate by ``k`` quarter turns (``np.rot90``), then a horizontal
    flip (mirror left-right) if ``hflip``, then a vertical flip (mirror top-bottom) if ``vflip``.
    """

    k: int = 0
    hflip: bool = False
    vflip: bool = False

    @property
    def matrix(self) -> Tuple[Tuple[int, int], Tuple[int, int]]:
        """Integer matrix acting on direction vectors (dx, dy), y pointing down."""
        m = _IDENTITY
        for _ in range(self.k % 4):
            m = _matmul(_ROT90, m)
        if self.hflip:
            m = _matmul(_HFLIP, m)
        if self.vflip:
            m = _matmul(_VFLIP, m)
        return m

    @property
    def is_identity(self) -> bool:
        return self.matrix == _IDENTITY

    def vector(self, v: Vector) -> Vector:
        m = self.matrix
        return (m[0][0] * v[0] + m[0][1] * v[1], m[1][0] * v[0] + m[1][1] * v[1])

    # ------------------------------------------------------------------ arrays and boxes
    def image(self, image: np.ndarray) -> np.ndarray:
        """Transform an (H, W, ...) array (an HWC image or an HW mask); returns a copy."""
        return self._array(image, 0, 1)

    def masks(self, masks: np.ndarray) -> np.ndarray:
        """Transform an (N, H, W) stack of masks; returns a copy."""
        return self._array(masks, 1, 2)

    def _array(self, arr: np.ndarray, row: int, col: int) -> np.ndarray:
        out = np.rot90(arr, self.k % 4, axes=(row, col))
        if self.hflip:
            out = np.flip(out, axis=col)
        if self.vflip:
            out = np.flip(out, axis=row)
        return np.ascontiguousarray(out)

    def box(self, box: Box, size: int) -> Box:
        """Transform an (x0, y0, x1, y1) box in a square window of side ``size`` (pixel edges)."""
        corners = [(box[0], box[1]), (box[2], box[3])]
        for _ in range(self.k % 4):
            corners = [(y, size - x) for x, y in corners]
        if self.hflip:
            corners = [(size - x, y) for x, y in corners]
        if self.vflip:
            corners = [(x, size - y) for x, y in corners]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        return (min(xs), min(ys), max(xs), max(ys))

    # ----------------------------------------------------------------- words and labels
    def caption(self, text: str) -> str:
        """The caption with its direction words changed to match the transformed picture.

        Compass words (north, south-east, northern, westward, northernmost, ...), screen words
        (top, bottom, left, right, upper, lower, top-left, leftmost, ...) and
        horizontal/vertical are rewritten; every other character is kept as it is.
        """
        if self.is_identity:
            return text
        text = _COMPASS.sub(self._compass, text)
        text = _SCREEN.sub(self._screen, text)
        if self.k % 2:
            text = _AXIS.sub(_swap_axis, text)
        return text

    def predicate(self, predicate: str) -> str:
        """The relation predicate after the transform ("north of" -> "south of" for vflip)."""
        return self.caption(predicate)

    def _compass(self, m: re.Match) -> str:
        v_word = m.group("v")
        h_word = m.group("h") or m.group("h2")
        vec = (0, 0)
        for word in (v_word, h_word):
            if word:
                d = _COMPASS_VECTORS[word.lower()]
                vec = (vec[0] + d[0], vec[1] + d[1])
        nx, ny = self.vector(vec)
        parts = []
        if ny:
            parts.append(_COMPASS_VERTICAL[(0, ny)])
        if nx:
            parts.append(_COMPASS_HORIZONTAL[(nx, 0)])
        word = (m.group("sep") or "").join(parts) + (m.group("suffix") or "").lower()
        return _keep_case(m.group(0), word)

    def _screen(self, m: re.Match) -> str:
        if m.group("v"):
            v_word, h_word = m.group("v").lower(), m.group("h").lower()
            family = _SCREEN_VERTICAL_FAMILIES[v_word]
            vec = tuple(a + b for a, b in zip(_SCREEN_VECTORS[v_word], _SCREEN_VECTORS[h_word]))
            nx, ny = self.vector(vec)
            word = family[0 if ny < 0 else 1] + m.group("sep") + ("left" if nx < 0 else "right")
            return _keep_case(m.group(0), word)
        word = m.group("w").lower()
        nx, ny = self.vector(_SCREEN_VECTORS[word])
        if ny:
            family = _SCREEN_VERTICAL_FAMILIES.get(word, ("top", "bottom"))
            new = family[0 if ny < 0 else 1]
        else:
            new = "left" if nx < 0 else "right"
        return _keep_case(m.group(0), new + (m.group("most") or "").lower())


def _swap_axis(m: re.Match) -> str:
    word = "vertical" if m.group("w").lower() == "horizontal" else "horizontal"
    return _keep_case(m.group(0), word + (m.group("suffix") or "").lower())


@dataclass(frozen=True)
class Augmentation:
    """One draw of the augmentations for one sample (see :func:`sample_augmentation`)."""

    geometry: Dihedral = Dihedral()
    context: Optional[float] = None
    brightness: float = 1.0
    contrast: float = 1.0
    saturation: float = 1.0


def sample_augmentation(
    rng: np.random.Generator,
    rotate: bool = True,
    context_range: Tuple[float, float] = (0.4, 0.6),
    colour: float = 0.1,
    low_light: float = 0.0,
) -> Augmentation:
    """Draw flips (each with p = 0.5), quarter turns (if ``rotate``), a context margin
    uniform in ``context_range`` and colour factors uniform in [1 - colour, 1 + colour].

    With probability ``low_light`` the sample is also darkened and greyed (brightness x 0.3-0.6,
    saturation x 0.5-0.9): the same ground in shadow, at dusk or in winter light, where it
    would otherwise look like dark water."""
    k = int(rng.integers(0, 4)) if rotate else 0
    hflip, vflip = bool(rng.random() < 0.5), bool(rng.random() < 0.5)
    context = float(rng.uniform(*context_range))
    b, c, s = (float(x) for x in rng.uniform(1.0 - colour, 1.0 + colour, size=3))
    if low_light > 0 and rng.random() < low_light:
        b, s = b * float(rng.uniform(0.3, 0.6)), s * float(rng.uniform(0.5, 0.9))
    return Augmentation(Dihedral(k, hflip, vflip), context, b, c, s)


def colour_jitter(
    image: np.ndarray, aug: Augmentation, valid: Optional[np.ndarray] = None
) -> np.ndarray:
    """Brightness, contrast and saturation factors on an (H, W, 3) uint8 image.

    Pixels where ``valid`` is False (nodata padding outside the raster) stay black.
    """
    if aug.brightness == aug.contrast == aug.saturation == 1.0:
        return image
    img = image.astype(np.float32) * aug.brightness
    grey = img @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    img = grey[..., None] + (img - grey[..., None]) * aug.saturation
    mean = float(grey.mean() if valid is None or not valid.any() else grey[valid].mean())
    img = mean + (img - mean) * aug.contrast
    out = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    if valid is not None:
        out[~valid] = 0
    return out


def transform_relations(relations: List[Tuple[int, str, int]], geometry: Dihedral) -> List:
    """Relation triples with their predicates mapped by ``geometry``."""
    return [(i, geometry.predicate(p), j) for i, p, j in relations]
