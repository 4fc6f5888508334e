"""From box prompts to georeferenced results, on the algorithm's thread.

A raster file goes through ``model_core.batch`` exactly like ``python -m model_core batch``:
boxes of one neighbourhood are grouped so they share one read and one encoder pass. Any other
layer (rendered by QGIS) is read box by box through ``clvnet_qgis.pixels`` and captioned
``BATCH_BOXES`` at a time. Either way results come in the raster layer's map coordinates.
"""

from typing import TYPE_CHECKING, Callable, Dict, Iterator, List, Tuple

from ..pixels import rect_box
from .prompts import BoxPrompt, SkipLog
from .raster_input import RasterInput

if TYPE_CHECKING:
    from model_core.predictor import Predictor
    from model_core.result import PredictionResult

BATCH_BOXES = 8
"""Boxes captioned together in one ``Predictor.predict_batch`` call."""

Result = Tuple[int, "PredictionResult"]


def describe(
    raster: RasterInput,
    prompts: List[BoxPrompt],
    predictor: "Predictor",
    context: float,
    skips: SkipLog,
    cancel: Callable[[], bool],
) -> Iterator[Result]:
    """(index into ``prompts``, result) for every box that could be read, in any order.

    Boxes that cannot be read (outside the raster, nothing drawn there) go to ``skips``.
    Raises ``model_core.predictor.Cancelled`` when ``cancel`` turns true during a prediction.
    """
    if raster.request.path is not None:
        return _file_results(raster, prompts, predictor, context, skips, cancel)
    return _rendered_results(raster, prompts, predictor, context, skips, cancel)


def _file_results(
    raster: RasterInput,
    prompts: List[BoxPrompt],
    predictor: "Predictor",
    context: float,
    skips: SkipLog,
    cancel: Callable[[], bool],
) -> Iterator[Result]:
    """Grouped windows of a GDAL file (``model_core.batch.run_groups``)."""
    from affine import Affine
    from shapely.affinity import affine_transform

    from model_core.batch import pixel_boxes, run_groups
    from model_core.grouping import group_boxes
    from model_core.raster import RasterSource

    request = raster.request
    with RasterSource(request.path) as source:
        listed = [(index, rect_box(prompt.rect)) for index, prompt in enumerate(prompts)]
        to_map = None
        if source.is_georeferenced:
            good, skipped = pixel_boxes(source, listed, None)
        else:
            # QGIS shows a raster without georeference in y-up pixel units; GDAL in rows.
            to_map = Affine(*request.layer_transform)
            good, skipped = pixel_boxes(source, _to_pixels(listed, ~to_map), "pixel")
        for index, reason in sorted(skipped.items()):
            skips.skip(prompts[index].box_id, reason)
        ids = sorted(good)
        groups = group_boxes([good[i] for i in ids], context)
        results = run_groups(
            predictor,
            source,
            groups,
            good,
            ids,
            BATCH_BOXES,
            request.rgb_bands,
            cancel=cancel,
        )
        for index, result in results:
            if to_map is not None:
                matrix = [to_map.a, to_map.b, to_map.d, to_map.e, to_map.c, to_map.f]
                for obj in result.objects:
                    if obj.geometry is not None:
                        obj.geometry = affine_transform(obj.geometry, matrix)
            yield index, result


def _to_pixels(
    listed: List[Tuple[int, Tuple[float, float, float, float]]], to_pixels
) -> List[Tuple[int, Tuple[float, float, float, float]]]:
    """Map boxes to (col0, row0, col1, row1) with an affine from map to pixel coordinates."""
    out = []
    for index, (x0, y0, x1, y1) in listed:
        (c0, r0), (c1, r1) = to_pixels * (x0, y1), to_pixels * (x1, y0)
        out.append((index, (min(c0, c1), min(r0, r1), max(c0, c1), max(r0, r1))))
    return out


def _rendered_results(
    raster: RasterInput,
    prompts: List[BoxPrompt],
    predictor: "Predictor",
    context: float,
    skips: SkipLog,
    cancel: Callable[[], bool],
) -> Iterator[Result]:
    """One rendered window per box, captioned ``BATCH_BOXES`` at a time."""
    from model_core.errors import InputError
    from model_core.pipeline import georeference

    for start in range(0, len(prompts), BATCH_BOXES):
        if cancel():
            return
        chunk: Dict[int, object] = {}
        for index in range(start, min(start + BATCH_BOXES, len(prompts))):
            try:
                chunk[index] = raster.read_window(
                    prompts[index].rect, context, predictor.input_size
                )
            except InputError as err:
                skips.skip(prompts[index].box_id, str(err))
        if not chunk:
            continue
        results = predictor.predict_batch(list(chunk.values()), cancel=cancel)
        for (index, window), result in zip(chunk.items(), results):
            yield index, georeference(result, window)
