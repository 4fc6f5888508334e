"""Reading and validating grounded-caption records.

Formats read (ARCHITECTURE section 3):

* **Per-image JSON** (GeoPixelD, extended): one object with ``id``, ``img``,
  ``gcg_description`` (``... <p> phrase </p> [SEG] ...``) and ``polygons`` (one list of
  ``[[x, y], ...]`` polygons per ``[SEG]``, in order), optionally ``box`` ``[x0, y0, x1, y1]``
  (the visual prompt, pixels) and ``relations`` ``[[i, "predicate", j], ...]``.
  ``box_only`` ``[k, ...]`` lists the objects known only by their box (box annotations:
  YOLO, VOC, DOTA, CSV): their polygon is that box's rectangle, which the trainer uses as a
  box (projection loss), never as a mask (no mask BCE/Dice, no mask metrics).
* **Record lists**: a JSON list of such objects, or ``{"records": [...]}``; this is how
  ``training.synth`` may write several records of one scene into one file.
* **GeoPixelD conversation format** (GeoPixel's ``GeoPixelD.json``, InternLM-XComposer
  style): a list of ``{"id", "image", "conversations": [{"from": "human", "value": ...},
  {"from": "gpt" | "bot" | "assistant", "value": tagged caption}], "polygons" | "segmentation"}``
  where ``polygons`` is the path of a per-image JSON holding ``"polygons"`` (or the list itself)
  and ``segmentation`` a list of COCO RLE masks, one per ``[SEG]``.

Image (and polygon file) paths are looked up relative to the JSON's folder (or as given, when
absolute), then by file name in that folder and in an ``images/`` folder inside it or beside it
(the ``training.synth`` layout ``DIR/annotations/*.json`` + ``DIR/images/*``), then under
``image_root`` (the path, then the name), and last relative to the JSON folder's parents and
the working directory (GeoPixel's ``GeoPixelD.json`` names paths from its training folder).
A folder argument reads its ``*.json`` files and those of an ``annotations/`` sub-folder;
``manifest.json`` is not a record file.

Bad records (malformed JSON, ``[SEG]`` count different from the number of masks or of
``<p>`` phrases, unbalanced tags, missing or unreadable image, empty caption, bad box or
relation) are skipped, counted, and the first few reasons logged on the
``training.data`` logger; with ``strict=True`` the first one raises :class:`RecordError`.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from model_core.config import PREDICATES
from model_core.errors import InputError

LOG = logging.getLogger("training.data")

Box = Tuple[float, float, float, float]
Relation = Tuple[int, str, int]
Skipped = List[Tuple[str, str]]

#: How many skip reasons :func:`load_records` writes to the log before only counting.
LOGGED_REASONS = 5
#: Margin around the union of the masks for whole-image records (fraction of the longer side).
WHOLE_IMAGE_MARGIN = 0.05

_TAG = re.compile(r"<p>|</p>|\[SEG\]")
_ASSISTANT = {"gpt", "bot", "assistant"}
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


class RecordError(InputError):
    """A record that cannot be used for training (raised only with ``strict=True``)."""


@dataclass
class Record:
    """One grounded caption on one image, validated.

    Attributes:
        id: record identifier (unique within a data set).
        caption: tagged caption ``... <p> phrase </p> [SEG] ...``.
        objects: per ``[SEG]``, in order, either a list of (K, 2) float polygons in image
            pixels (x right, y down; integer coordinates are pixel centres, as PIL and OpenCV
            draw them) or a COCO RLE dict.
        box: the visual prompt (x0, y0, x1, y1) in image pixels, or None (whole-image record).
        relations: (i, predicate, j) triples indexing ``objects``.
        image_path: the image file, or None when the image is held in memory.
        image_size: (width, height) of the image when known.
        source: the JSON file the record came from (for messages).
        box_only: indices of the objects known only by their box (their polygon is the box).
    """

    id: str
    caption: str
    objects: List[Union[List[np.ndarray], Dict[str, Any]]]
    box: Optional[Box] = None
    relations: List[Relation] = field(default_factory=list)
    image_path: Optional[Path] = None
    image_size: Optional[Tuple[int, int]] = None
    source: str = ""
    box_only: List[int] = field(default_factory=list)

    @property
    def phrases(self) -> List[str]:
        """The grounded phrases in ``[SEG]`` order."""
        return [p.strip() for p in re.findall(r"<p>(.*?)</p>", self.caption, flags=re.S)]

    @property
    def num_objects(self) -> int:
        return len(self.objects)


# ----------------------------------------------------------------------------- parsing
def parse_record(
    data: Any,
    source: str = "<memory>",
    image_path: Optional[Path] = None,
    image_size: Optional[Tuple[int, int]] = None,
) -> Record:
    """Validate one record dict of the (extended) GeoPixelD per-image format.

    Args:
        data: the decoded JSON object.
        source: where it came from (for messages and as a fallback id).
        image_path: the resolved image file, if any (existence is checked by the loader).
        image_size: (width, height) when known; enables the "object outside image" check.

    Raises:
        RecordError: naming the problem.
    """
    if not isinstance(data, dict):
        raise RecordError(f"{source}: a record must be a JSON object, not {type(data).__name__}.")
    caption = data.get("gcg_description")
    if not isinstance(caption, str) or not caption.strip():
        raise RecordError(f"{source}: the caption (gcg_description) is missing or empty.")
    check_tags(caption, source)
    n_seg = caption.count("[SEG]")
    if "segmentation" in data and "polygons" not in data:
        objects = _parse_rles(data["segmentation"], n_seg, source)
    else:
        objects = _parse_polygons(data.get("polygons"), n_seg, source)
    if (
        image_size is None
        and isinstance(data.get("width"), int)
        and isinstance(data.get("height"), int)
    ):
        image_size = (data["width"], data["height"])
    box = _parse_box(data.get("box"), source)
    relations = _parse_relations(data.get("relations", []), len(objects), source)
    box_only = _parse_box_only(data.get("box_only", []), len(objects), source)
    if image_size is not None:
        _check_inside(objects, image_size, source)
    if box is None and not objects:
        raise RecordError(f"{source}: a record without a box needs at least one mask.")
    return Record(
        id=_record_id(data, source, image_path),
        caption=caption.strip(),
        objects=objects,
        box=box,
        relations=relations,
        image_path=image_path,
        image_size=image_size,
        source=source,
        box_only=box_only,
    )


def check_tags(caption: str, source: str = "<memory>") -> None:
    """Check the grounding tags: ``<p>``, ``</p>`` and ``[SEG]`` counts agree and the tags come
    in ``<p> ... </p> [SEG]`` order, so the k-th phrase owns the k-th mask."""
    counts = {t: caption.count(t) for t in ("<p>", "</p>", "[SEG]")}
    if counts["<p>"] != counts["[SEG]"] or counts["</p>"] != counts["[SEG]"]:
        raise RecordError(
            f"{source}: the caption has {counts['<p>']} <p>, {counts['</p>']} </p> and "
            f"{counts['[SEG]']} [SEG] tags; they must be equal."
        )
    if _TAG.findall(caption) != ["<p>", "</p>", "[SEG]"] * counts["[SEG]"]:
        raise RecordError(f"{source}: the caption's tags are not in '<p> ... </p> [SEG]' order.")


def _parse_polygons(polygons: Any, n_seg: int, source: str) -> List[List[np.ndarray]]:
    if not isinstance(polygons, list):
        raise RecordError(f"{source}: 'polygons' is missing or not a list.")
    if len(polygons) != n_seg:
        raise RecordError(
            f"{source}: {len(polygons)} polygon lists for {n_seg} [SEG] tokens; they must be equal."
        )
    objects: List[List[np.ndarray]] = []
    for k, obj in enumerate(polygons):
        if not isinstance(obj, list):
            raise RecordError(f"{source}: polygons of object {k} are not a list.")
        parts: List[np.ndarray] = []
        for poly in obj:
            try:
                pts = np.asarray(poly, dtype=np.float64)
            except (TypeError, ValueError):
                raise RecordError(f"{source}: a polygon of object {k} is not numeric.") from None
            if pts.ndim != 2 or pts.shape[1] != 2 or not np.isfinite(pts).all():
                raise RecordError(f"{source}: a polygon of object {k} is not a list of [x, y].")
            if len(pts) >= 3:
                parts.append(pts)
        if not parts:
            raise RecordError(f"{source}: object {k} has no polygon with 3 or more points.")
        objects.append(parts)
    return objects


def _parse_rles(segmentation: Any, n_seg: int, source: str) -> List[Dict[str, Any]]:
    if not isinstance(segmentation, list) or not all(
        isinstance(r, dict) and "size" in r and "counts" in r for r in segmentation
    ):
        raise RecordError(f"{source}: 'segmentation' must be a list of COCO RLE masks.")
    if len(segmentation) != n_seg:
        raise RecordError(
            f"{source}: {len(segmentation)} RLE masks for {n_seg} [SEG] tokens; they must be equal."
        )
    return list(segmentation)


def _parse_box(box: Any, source: str) -> Optional[Box]:
    if box is None:
        return None
    try:
        x0, y0, x1, y1 = (float(v) for v in box)
    except (TypeError, ValueError):
        raise RecordError(f"{source}: 'box' must be four numbers [x0, y0, x1, y1].") from None
    if not (np.isfinite([x0, y0, x1, y1]).all() and x1 > x0 and y1 > y0):
        raise RecordError(f"{source}: 'box' {box} is empty or not finite.")
    return (x0, y0, x1, y1)


def _parse_relations(relations: Any, n: int, source: str) -> List[Relation]:
    if not isinstance(relations, list):
        raise RecordError(f"{source}: 'relations' must be a list of [i, predicate, j].")
    out: List[Relation] = []
    for rel in relations:
        ok = isinstance(rel, (list, tuple)) and len(rel) == 3
        i, pred, j = rel if ok else (None, None, None)
        if not (ok and isinstance(i, int) and isinstance(j, int) and isinstance(pred, str)):
            raise RecordError(f"{source}: relation {rel!r} is not [i, predicate, j].")
        if not (0 <= i < n and 0 <= j < n) or i == j:
            raise RecordError(f"{source}: relation {rel!r} does not join two of the {n} objects.")
        if pred not in PREDICATES[1:]:
            raise RecordError(
                f"{source}: relation predicate '{pred}' is not one of {PREDICATES[1:]}."
            )
        out.append((i, pred, j))
    return out


def _parse_box_only(box_only: Any, n: int, source: str) -> List[int]:
    """Sorted indices of the box-only objects; each must name one of the ``n`` objects once."""
    if not isinstance(box_only, list) or not all(
        isinstance(k, int) and not isinstance(k, bool) for k in box_only
    ):
        raise RecordError(f"{source}: 'box_only' must be a list of object indices.")
    if any(not 0 <= k < n for k in box_only) or len(set(box_only)) != len(box_only):
        raise RecordError(
            f"{source}: 'box_only' {box_only} must name each of the {n} objects at most once."
        )
    return sorted(box_only)


def _check_inside(objects: Sequence[Any], image_size: Tuple[int, int], source: str) -> None:
    w, h = image_size
    for k, obj in enumerate(objects):
        if isinstance(obj, dict):
            size = obj["size"]
            if list(size) != [h, w]:
                raise RecordError(f"{source}: RLE mask {k} is {size}, the image is {[h, w]}.")
            continue
        pts = np.concatenate(obj, axis=0)
        if (
            pts[:, 0].max() < 0
            or pts[:, 1].max() < 0
            or pts[:, 0].min() >= w
            or pts[:, 1].min() >= h
        ):
            raise RecordError(f"{source}: object {k} lies outside the {w}x{h} image.")


def _record_id(data: Dict[str, Any], source: str, image_path: Optional[Path]) -> str:
    """The record's string id; GeoPixelD's numeric ids are not unique, so use the image name."""
    rid = data.get("id")
    if isinstance(rid, str) and rid.strip():
        return rid.strip()
    if image_path is not None:
        return image_path.stem
    return source if rid is None else f"{source}#{rid}"


# ----------------------------------------------------------------------------- loading
def load_records(
    paths: Union[str, Path, Iterable[Union[str, Path]]],
    image_root: Optional[Union[str, Path]] = None,
    strict: bool = False,
) -> Tuple[List[Record], Skipped]:
    """Read and validate every record under ``paths`` (JSON files or folders).

    Returns:
        (records, skipped) where ``skipped`` lists (where, reason) of each rejected record or
        file. The first :data:`LOGGED_REASONS` reasons go to the ``training.data`` log, then
        a summary count.

    Raises:
        RecordError: on the first bad record when ``strict``; also when a path does not exist.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    root = Path(image_root) if image_root is not None else None
    records: List[Record] = []
    skipped: Skipped = []
    seen: Dict[str, int] = {}
    for path in paths:
        for file in _json_files(Path(path)):
            for item, error in _records_of_file(file, root):
                if error is None:
                    seen[item.id] = seen.get(item.id, 0) + 1
                    if seen[item.id] > 1:
                        item.id = f"{item.id}#{seen[item.id] - 1}"
                    records.append(item)
                    continue
                if strict:
                    raise error
                skipped.append((str(file), str(error)))
                if len(skipped) <= LOGGED_REASONS:
                    LOG.warning("Skipped a record: %s", error)
    if skipped:
        LOG.warning("Skipped %d bad record(s) or file(s); %d loaded.", len(skipped), len(records))
    return records, skipped


def _json_files(path: Path) -> List[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise RecordError(f"The data path '{path}' does not exist.")
    files = sorted(path.glob("*.json"))
    if (path / "annotations").is_dir():
        files += sorted((path / "annotations").glob("*.json"))
    return [f for f in files if f.name != "manifest.json"]


def _records_of_file(file: Path, root: Optional[Path]):
    """Yield (record, None) or (None, RecordError) for every entry of one JSON file."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        yield None, RecordError(f"{file}: malformed JSON ({exc}).")
        return
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        entries = data["records"]
    elif isinstance(data, list):
        entries = data
    else:
        entries = [data]
    single = len(entries) == 1
    for k, entry in enumerate(entries):
        where = str(file) if single else f"{file}:{k}"
        try:
            yield _read_entry(entry, file, where, root), None
        except RecordError as exc:
            yield None, exc


def _read_entry(entry: Any, file: Path, where: str, root: Optional[Path]) -> Record:
    if isinstance(entry, dict) and "conversations" in entry:
        entry = _from_conversation(entry, file, where, root)
    if not isinstance(entry, dict):
        raise RecordError(f"{where}: a record must be a JSON object.")
    image_name = entry.get("img", entry.get("image"))
    if not isinstance(image_name, str) or not image_name:
        raise RecordError(f"{where}: the record names no image ('img').")
    image_path = resolve_file(image_name, file, root)
    if image_path is None:
        raise RecordError(f"{where}: the image '{image_name}' was not found.")
    size = _image_size(image_path, where)
    return parse_record(entry, where, image_path, size)


def _from_conversation(entry: Dict[str, Any], file: Path, where: str, root: Optional[Path]):
    """The per-image record equivalent to one GeoPixelD conversation entry."""
    turns = entry.get("conversations")
    if not isinstance(turns, list) or not all(isinstance(t, dict) for t in turns):
        raise RecordError(f"{where}: 'conversations' must be a list of turns.")
    answers = [t.get("value") for t in turns if str(t.get("from", "")).lower() in _ASSISTANT]
    if len(answers) != 1:
        raise RecordError(f"{where}: {len(answers)} answers in the conversation; one is supported.")
    record: Dict[str, Any] = {
        "id": entry.get("id"),
        "img": entry.get("image"),
        "gcg_description": answers[0],
    }
    masks = entry.get("polygons", entry.get("polygon"))
    if isinstance(masks, str):
        poly_file = resolve_file(masks, file, root)
        if poly_file is None:
            raise RecordError(f"{where}: the polygon file '{masks}' was not found.")
        try:
            poly_data = json.loads(poly_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise RecordError(f"{where}: malformed polygon JSON {poly_file} ({exc}).") from None
        if not isinstance(poly_data, dict):
            raise RecordError(f"{where}: the polygon file {poly_file} is not a JSON object.")
        record["polygons"] = poly_data.get("polygons")
        for key in ("box", "relations"):
            if key in poly_data:
                record[key] = poly_data[key]
    elif masks is not None:
        record["polygons"] = masks
    elif "segmentation" in entry:
        record["segmentation"] = entry["segmentation"]
    for key in ("box", "relations"):
        if key in entry:
            record[key] = entry[key]
    return record


def resolve_file(name: str, json_file: Path, root: Optional[Path] = None) -> Optional[Path]:
    """The file a record names, looked up as the module docstring describes."""
    given = Path(name)
    base = json_file.parent
    candidates = [given] if given.is_absolute() else [base / given]
    candidates += [
        base / given.name,
        base / "images" / given.name,
        base.parent / "images" / given.name,
    ]
    if root is not None:
        candidates += [root / given, root / given.name]
    if not given.is_absolute():
        # GeoPixel's conversation JSON names paths relative to the training folder.
        candidates += [parent / given for parent in list(base.parents)[:3]]
        candidates.append(Path.cwd() / given)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def _image_size(path: Path, where: str) -> Tuple[int, int]:
    """(width, height) from the image header, without decoding the pixels."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            return img.size
    except (OSError, UnidentifiedImageError):
        pass
    try:
        import rasterio

        with rasterio.open(path) as src:
            return (src.width, src.height)
    except Exception as exc:  # rasterio raises several unrelated types for unreadable files
        raise RecordError(f"{where}: the image {path} cannot be read ({exc}).") from None


def load_image(record: Record) -> np.ndarray:
    """The record's image as (H, W, 3) uint8 RGB.

    PIL reads PNG/JPEG/simple TIFF; other rasters go through rasterio (first three bands,
    a grey band repeated; non-byte data stretched from its 2nd to 98th percentile).
    """
    if record.image_path is None:
        raise RecordError(f"{record.source}: the record {record.id} has no image file.")
    from PIL import Image

    try:
        with Image.open(record.image_path) as img:
            if img.mode in ("RGB", "RGBA", "L", "P", "LA"):
                return np.asarray(img.convert("RGB"))
    except OSError:
        pass
    return _read_raster(record.image_path, record.source)


def _read_raster(path: Path, where: str) -> np.ndarray:
    try:
        import rasterio

        with rasterio.open(path) as src:
            bands = list(range(1, min(src.count, 3) + 1))
            data = src.read(bands)
    except Exception as exc:  # rasterio raises several unrelated types for unreadable files
        raise RecordError(f"{where}: the image {path} cannot be read ({exc}).") from None
    if len(data) < 3:
        data = np.repeat(data[:1], 3, axis=0)
    if data.dtype != np.uint8:
        lo, hi = np.percentile(data, (2, 98))
        data = np.clip((data.astype(np.float64) - lo) / max(hi - lo, 1e-9) * 255.0, 0, 255)
        data = np.rint(data).astype(np.uint8)
    return np.ascontiguousarray(np.transpose(data, (1, 2, 0)))


# ------------------------------------------------------------------------------ masks
def rasterize_object(
    obj: Union[List[np.ndarray], Dict[str, Any]], width: int, height: int
) -> np.ndarray:
    """Full-resolution bool mask (height, width) of one object (its polygons' union, or RLE)."""
    if isinstance(obj, dict):
        from pycocotools import mask as mask_utils

        rle = obj
        if isinstance(rle["counts"], list):
            rle = mask_utils.frPyObjects(rle, *rle["size"])
        return mask_utils.decode(rle).astype(bool)
    from PIL import Image, ImageDraw

    img = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(img)
    for poly in obj:
        draw.polygon([(float(x), float(y)) for x, y in poly], fill=1)
    return np.asarray(img, dtype=bool)


def object_bbox(obj: Union[List[np.ndarray], Dict[str, Any]], width: int, height: int) -> Box:
    """Pixel-edge bbox (x0, y0, x1, y1) of one object, clipped to the image."""
    if isinstance(obj, dict):
        mask = rasterize_object(obj, width, height)
        ys, xs = np.nonzero(mask)
        if not len(xs):
            raise RecordError("An RLE mask is empty.")
        x0, y0, x1, y1 = xs.min(), ys.min(), xs.max(), ys.max()
    else:
        pts = np.concatenate(obj, axis=0)
        x0, y0 = np.floor(pts.min(axis=0))
        x1, y1 = np.ceil(pts.max(axis=0))
    x0, y0 = min(max(float(x0), 0.0), width - 1.0), min(max(float(y0), 0.0), height - 1.0)
    x1, y1 = min(max(float(x1), x0), width - 1.0), min(max(float(y1), y0), height - 1.0)
    return (x0, y0, x1 + 1.0, y1 + 1.0)


def whole_image_box(record: Record, width: int, height: int) -> Box:
    """Box of a record without one: the union bbox of its masks plus a small margin.

    The margin is :data:`WHOLE_IMAGE_MARGIN` of the union's longer side (at least 2 px) and
    the result is clipped to the image.
    """
    boxes = np.array([object_bbox(obj, width, height) for obj in record.objects])
    x0, y0 = boxes[:, 0].min(), boxes[:, 1].min()
    x1, y1 = boxes[:, 2].max(), boxes[:, 3].max()
    margin = max(2.0, WHOLE_IMAGE_MARGIN * max(x1 - x0, y1 - y0))
    return (
        float(max(0.0, x0 - margin)),
        float(max(0.0, y0 - margin)),
        float(min(float(width), x1 + margin)),
        float(min(float(height), y1 + margin)),
    )
