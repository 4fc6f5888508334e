"""Python API: describe boxes on a raster and get the results as (Geo)DataFrames.

    from model_core.api import Describer

    describer = Describer()                       # the bundled model on the best device
    result = describer.describe("ortho.tif", [(x0, y0, x1, y1), ...])
    result.objects     # geopandas.GeoDataFrame: layer clvnet_objects, raster CRS
    result.relations   # pandas.DataFrame: layer clvnet_relations
    result.prompts     # geopandas.GeoDataFrame: layer clvnet_prompts (boxes and captions)
    result.to_file("out.gpkg")

This module is a stable contract (like the Processing ids): names, arguments and columns only
grow. It runs the batch path (``model_core.batch``: boxes grouped into shared windows, captions
batched across windows), so it gives what ``python -m model_core batch`` gives for the same
boxes. Bad input raises ``InputError`` (a ``ValueError``) with the command line's sentence.
See docs/python.md.
"""

import math
import numbers
import os
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import geopandas as gpd
import pandas as pd

from .batch import pixel_boxes, read_boxes, run_groups
from .errors import InputError
from .grouping import group_boxes
from .predictor import Predictor
from .raster import RasterSource
from .result import PredictionResult, keep_confident
from .writers import OBJECT_FIELDS, PROMPT_FIELDS, RELATION_FIELDS, write_results

__all__ = ["Describer", "DescribeResult", "InputError"]

Box = Tuple[float, float, float, float]
PathLike = Union[str, "os.PathLike[str]"]
BoxesLike = Union[gpd.GeoDataFrame, gpd.GeoSeries, Sequence[Sequence[float]], PathLike]

OBJECT_COLUMNS = [name for name, _ in OBJECT_FIELDS]
RELATION_COLUMNS = [name for name, _ in RELATION_FIELDS]
PROMPT_COLUMNS = [name for name, _ in PROMPT_FIELDS]
INTEGER_COLUMNS = ("box_id", "obj_id", "subj_id")


@dataclass(repr=False)
class DescribeResult:
    """What ``Describer.describe`` returns: the three CLV-Net layers as data frames.

    Attributes:
        objects: one row per grounded phrase with a polygon: ``box_id``, ``obj_id``, ``phrase``,
            ``caption``, ``score``, ``area_m2``, ``model``, ``source`` and a MultiPolygon
            ``geometry``, in the raster's CRS (layer ``clvnet_objects``).
        relations: ``box_id``, ``subj_id``, ``predicate``, ``obj_id``, ``score``; ids are the
            ``obj_id`` of the same box (layer ``clvnet_relations``).
        prompts: one row per described box: ``box_id``, ``caption``, ``tagged``, ``model``,
            ``source`` and the box as a Polygon in the raster's CRS (layer ``clvnet_prompts``).
        skipped: box id -> the sentence saying why that box could not be used.
    """

    objects: gpd.GeoDataFrame
    relations: pd.DataFrame
    prompts: gpd.GeoDataFrame
    skipped: Dict[int, str] = field(default_factory=dict)
    _results: List[PredictionResult] = field(default_factory=list)
    _box_ids: List[int] = field(default_factory=list)

    def to_file(self, path: PathLike) -> List[str]:
        """Write the three layers to ``path`` (.gpkg, .shp or .geojson) with the project's
        atomic writer (an existing file is replaced only when the write succeeded).

        Returns:
            Warnings for the user (e.g. Shapefile text truncated).
        """
        return write_results(os.fspath(path), self._results, box_ids=self._box_ids)

    def __repr__(self) -> str:
        return (
            f"DescribeResult({len(self.prompts)} boxes, {len(self.objects)} objects, "
            f"{len(self.relations)} relations, {len(self.skipped)} skipped)"
        )


class Describer:
    """A loaded CLV-Net that captions, segments and relates the objects in boxes of rasters.

    Thread safety: one Describer holds one model and its window cache. ``describe`` may be
    called from any thread, one call at a time: concurrent calls wait for each other on a lock.
    For parallel work use one Describer per process (or ``python -m model_core batch`` under
    ``torchrun``).
    """

    def __init__(
        self,
        checkpoint: Optional[PathLike] = None,
        device: str = "auto",
        *,
        batch_size: int = 8,
        precision: str = "auto",
    ) -> None:
        """Load the model.

        Args:
            checkpoint: a checkpoint folder; None for the bundled model.
            device: "auto" (CUDA when present), "cpu", "cuda" or "cuda:N".
            batch_size: boxes captioned together (as ``batch --batch-size``).
            precision: "auto", "fp32", "bf16" or "fp16" (CUDA only).

        Raises:
            InputError: a missing or broken checkpoint, an unknown or absent device, a batch
                size below 1.
        """
        if not isinstance(batch_size, int) or batch_size < 1:
            raise InputError(f"The batch size {batch_size!r} must be a whole number of 1 or more.")
        folder = os.fspath(checkpoint) if checkpoint is not None else None
        self._predictor = Predictor.from_checkpoint(folder, device, precision)
        self.batch_size = batch_size
        self._lock = threading.Lock()

    @property
    def model_name(self) -> str:
        """The checkpoint's model name (the ``model`` column of the results)."""
        return self._predictor.model_name

    @property
    def device(self) -> str:
        """The device the model runs on, e.g. "cpu" or "cuda:0"."""
        return str(self._predictor.device)

    def describe(
        self,
        raster: PathLike,
        boxes: BoxesLike,
        box_crs: Optional[str] = None,
        context: float = 0.5,
        min_score: Optional[float] = None,
        *,
        bands: Sequence[int] = (1, 2, 3),
        layer: Optional[str] = None,
    ) -> DescribeResult:
        """Caption, segment and relate the objects in each box.

        Args:
            raster: any raster GDAL can open.
            boxes: a GeoDataFrame or GeoSeries (each geometry's extent is a box; reprojected
                from its CRS, or taken in ``box_crs`` when it has none), a list of
                ``(x0, y0, x1, y1)`` in ``box_crs``, or the path of a vector file (as
                ``batch --boxes``; its features' extents in the file's CRS).
            box_crs: "EPSG:NNNN", any CRS pyproj reads, or "pixel"; None for the raster's CRS.
            context: margin read around each box, as a fraction of the box size.
            min_score: drop objects scoring below this (and the relations that name them);
                the kept objects of a box are numbered 0, 1, ... again. None keeps all.
            bands: the raster's 1-based bands shown to the model as red, green and blue.
            layer: the layer of a vector file (default: its first).

        Returns:
            The three layers. ``box_id`` is the box's position in a list, GeoSeries or
            GeoDataFrame (``boxes.iloc[box_id]``), or its feature id in a vector file (as the
            batch command). Boxes that cannot be used (e.g. outside the raster) are left out
            with their reason in ``skipped`` and a warning.

        Raises:
            InputError: an unreadable raster or box file, boxes of an unknown kind, no usable
                box, or a bad ``context``, ``min_score`` or ``bands``.
        """
        _check_number("context", context, minimum=0.0)
        if min_score is not None:
            _check_number("min_score", min_score)
        rgb = _rgb_bands(bands)
        with self._lock, RasterSource(os.fspath(raster)) as source:
            source.band_mapping(rgb)  # a missing band fails before any box is read
            listed, crs = _listed_boxes(boxes, box_crs, layer, source.is_georeferenced)
            good, skipped = pixel_boxes(source, listed, crs, rgb)
            if not good:
                raise InputError(_none_usable(skipped))
            if skipped:
                first, reason = next(iter(skipped.items()))
                warnings.warn(
                    f"{len(skipped)} of {len(listed)} boxes were skipped (box {first}: "
                    f"{reason.rstrip('.')}); see DescribeResult.skipped.",
                    stacklevel=2,
                )
            ids = sorted(good)
            groups = group_boxes([good[i] for i in ids], context)
            by_id = dict(
                run_groups(self._predictor, source, groups, good, ids, self.batch_size, rgb)
            )
            crs_wkt = source.crs_wkt
        results = [_keep_objects(by_id[i], min_score) for i in ids]
        return DescribeResult(
            objects=_objects_frame(results, ids, crs_wkt),
            relations=_relations_frame(results, ids),
            prompts=_prompts_frame(results, ids, crs_wkt),
            skipped=skipped,
            _results=results,
            _box_ids=ids,
        )


# ----------------------------------------------------------------------------- input
def _check_number(name: str, value: Any, minimum: Optional[float] = None) -> None:
    """Refuse a value that is not a finite number (at least ``minimum`` when given)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or (minimum is not None and value < minimum):
        bound = f" of {minimum:g} or more" if minimum is not None else ""
        raise InputError(f"The {name} {value!r} must be a finite number{bound}.")


def _rgb_bands(bands: Sequence[int]) -> Tuple[int, int, int]:
    """Three 1-based band numbers, as ``--bands R,G,B`` takes them."""
    try:
        values = tuple(int(b) for b in bands)
    except (TypeError, ValueError):
        values = ()
    if len(values) != 3 or min(values) < 1:
        raise InputError(f"The band mapping {bands!r} is not three 1-based band numbers R,G,B.")
    return values  # type: ignore[return-value]


def _listed_boxes(
    boxes: BoxesLike, box_crs: Optional[str], layer: Optional[str], georeferenced: bool
) -> Tuple[List[Tuple[int, Box]], Optional[str]]:
    """(box id, x0, y0, x1, y1) of every box and the CRS they are in (None: the raster's)."""
    if isinstance(boxes, (str, os.PathLike)):
        listed, file_crs = read_boxes(os.fspath(boxes), layer)
        if not georeferenced:
            return listed, "pixel"
        return listed, file_crs or box_crs
    if isinstance(boxes, (gpd.GeoDataFrame, gpd.GeoSeries)):
        geometries = boxes.geometry if isinstance(boxes, gpd.GeoDataFrame) else boxes
        listed = [
            (position, tuple(geometry.bounds))
            for position, geometry in enumerate(geometries)
            if geometry is not None and not geometry.is_empty
        ]
        if not listed:
            raise InputError("The boxes have no geometry that is not empty.")
        return listed, boxes.crs.to_wkt() if boxes.crs is not None else box_crs
    if isinstance(boxes, Sequence) and not isinstance(boxes, (bytes, bytearray)):
        if not boxes:
            raise InputError("No boxes were given.")
        if all(isinstance(v, numbers.Real) for v in boxes):
            raise InputError(
                "The boxes must be a list of (x0, y0, x1, y1); put a single box in a list."
            )
        return list(enumerate(boxes)), box_crs  # each box is checked by pixel_boxes
    raise InputError(
        f"The boxes ({type(boxes).__name__}) must be a GeoDataFrame, a GeoSeries, a list of "
        "(x0, y0, x1, y1) or the path of a vector file."
    )


def _none_usable(skipped: Dict[int, str]) -> str:
    """The sentence for a call where every box was skipped (one box: its own sentence)."""
    box_id, reason = next(iter(skipped.items()))
    if len(skipped) == 1:
        return reason
    return f"None of the {len(skipped)} boxes can be used (box {box_id}: {reason.rstrip('.')})."


# ---------------------------------------------------------------------------- output
def _keep_objects(result: PredictionResult, min_score: Optional[float]) -> PredictionResult:
    """``result`` as the command line's ``--min-score`` leaves it (``keep_confident``: objects
    scoring below ``min_score`` and their ``[SEG]`` and relations dropped); None keeps all."""
    return result if min_score is None else keep_confident(result, min_score)


def _frame(rows: List[Dict[str, Any]], columns: List[str]) -> pd.DataFrame:
    """Rows as a frame with the layer's columns in order and integer ids as int64."""
    frame = pd.DataFrame(rows, columns=columns)
    for name in INTEGER_COLUMNS:
        if name in frame.columns:
            frame[name] = frame[name].astype("int64")
    return frame


def _geo_frame(
    rows: List[Dict[str, Any]], columns: List[str], geometries: list, crs_wkt: Optional[str]
) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        _frame(rows, columns), geometry=gpd.GeoSeries(geometries, crs=crs_wkt), crs=crs_wkt
    )


def _objects_frame(
    results: List[PredictionResult], box_ids: List[int], crs_wkt: Optional[str]
) -> gpd.GeoDataFrame:
    """Layer clvnet_objects: objects without a polygon are left out, as the writer does."""
    rows, geometries = [], []
    for result, box_id in zip(results, box_ids):
        for obj_id, obj in enumerate(result.objects):
            if obj.geometry is None:
                continue
            rows.append(
                {
                    "box_id": box_id,
                    "obj_id": obj_id,
                    "phrase": obj.phrase,
                    "caption": result.caption,
                    "score": float(obj.score),
                    "area_m2": obj.area_m2,
                    "model": result.model,
                    "source": result.source,
                }
            )
            geometries.append(obj.geometry)
    return _geo_frame(rows, OBJECT_COLUMNS, geometries, crs_wkt)


def _relations_frame(results: List[PredictionResult], box_ids: List[int]) -> pd.DataFrame:
    rows = [
        {
            "box_id": box_id,
            "subj_id": r.subject,
            "predicate": r.predicate,
            "obj_id": r.object,
            "score": float(r.score),
        }
        for result, box_id in zip(results, box_ids)
        for r in result.relations
    ]
    return _frame(rows, RELATION_COLUMNS)


def _prompts_frame(
    results: List[PredictionResult], box_ids: List[int], crs_wkt: Optional[str]
) -> gpd.GeoDataFrame:
    rows = [
        {
            "box_id": box_id,
            "caption": r.caption,
            "tagged": r.tagged_caption,
            "model": r.model,
            "source": r.source,
        }
        for r, box_id in zip(results, box_ids)
    ]
    return _geo_frame(rows, PROMPT_COLUMNS, [r.box_geometry for r in results], crs_wkt)
