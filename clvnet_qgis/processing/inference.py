"""From box prompts to georeferenced results, on the algorithm's thread, through the server.

The model runs in the model server (``clvnet_qgis.model_server``), never in QGIS. A raster file
is read here in groups: boxes of one neighbourhood share one window (``model_core.grouping``,
as ``python -m model_core batch`` groups them), so the server encodes it once; consecutive
groups are packed and captioned ``BATCH_BOXES`` at a time. Any other layer (rendered by QGIS)
is read box by box through ``clvnet_qgis.pixels``. The server answers in window pixels; the
results come back in the raster layer's map coordinates.
"""

from dataclasses import replace
from typing import Callable, Iterator, List, Sequence, Tuple

from model_core.errors import InputError
from model_core.grouping import box_in_window, group_boxes, pack_groups
from model_core.result import PredictionResult
from model_core.server_client import ServerClient
from model_core.window import ImageWindow

from ..pixels import rect_box
from .prompts import BoxPrompt, SkipLog
from .raster_input import RasterInput

BATCH_BOXES = 8
"""Boxes captioned together in one ``describe_batch`` request."""

Result = Tuple[int, PredictionResult]
Member = Tuple[int, ImageWindow]


def describe(
    raster: RasterInput,
    prompts: List[BoxPrompt],
    client: ServerClient,
    model: dict,
    context: float,
    skips: SkipLog,
    cancel: Callable[[], bool],
) -> Iterator[Result]:
    """(index into ``prompts``, result) for every box that could be read, in any order.

    ``model`` is the server's ``load`` answer. Boxes that cannot be read (outside the raster,
    nothing drawn there) go to ``skips``. Raises ``model_core.server_client.RequestCancelled``
    when ``cancel`` turns true during a request.
    """
    from model_core.remote_result import result_from_answer  # rasterio: not at plugin load

    if raster.request.path is not None:
        members = _file_windows(raster, prompts, model["input_size"], context, skips)
    else:
        members = _rendered_windows(raster, prompts, model["input_size"], context, skips)
    for chunk in members:
        if cancel():
            return
        items = [
            {"image": w.image, "box": w.box, "valid": w.valid, "cache_key": repr(w.cache_key)}
            for _, w in chunk
        ]
        answers = client.describe_batch(items, model=model["handle"], cancel=cancel)
        for (index, window), answer in zip(chunk, answers):
            yield index, result_from_answer(answer, window)


def _file_windows(
    raster: RasterInput,
    prompts: List[BoxPrompt],
    size: int,
    context: float,
    skips: SkipLog,
) -> Iterator[List[Member]]:
    """Chunks of (index, window) of a GDAL file: one read per group of neighbouring boxes."""
    from affine import Affine

    from model_core.raster import RasterSource

    request = raster.request
    with RasterSource(request.path) as source:
        # QGIS shows a raster without georeference in y-up pixel units; GDAL in rows.
        to_map = None if source.is_georeferenced else Affine(*request.layer_transform)
        good = {}
        for index, prompt in enumerate(prompts):
            box = rect_box(prompt.rect)
            try:
                if to_map is None:
                    good[index] = source.usable_pixel_box(box, None, request.rgb_bands)
                else:
                    pixel_box = _to_pixels(box, ~to_map)
                    good[index] = source.usable_pixel_box(pixel_box, "pixel", request.rgb_bands)
            except InputError as err:
                skips.skip(prompt.box_id, str(err))
        ids = sorted(good)
        groups = group_boxes([good[i] for i in ids], context)
        for pack in pack_groups(groups, BATCH_BOXES):
            members: List[Member] = []
            for group in pack:
                shared = source.read_window(
                    group.window,
                    "pixel",
                    context=0.0,
                    size=size,
                    rgb_bands=request.rgb_bands,
                    refuse_nodata=False,  # a window shared by many boxes
                )
                if to_map is not None:
                    shared.transform = to_map * shared.transform
                    shared.crs_wkt = request.crs_wkt
                for m in group.members:
                    box = box_in_window(good[ids[m]], group.window, size)
                    members.append((ids[m], replace(shared, box=box)))
            for k in range(0, len(members), BATCH_BOXES):
                yield members[k : k + BATCH_BOXES]


def _to_pixels(box: Sequence[float], to_pixels) -> Tuple[float, float, float, float]:
    """A map box as (col0, row0, col1, row1) with an affine from map to pixel coordinates."""
    x0, y0, x1, y1 = box
    (c0, r0), (c1, r1) = to_pixels * (x0, y1), to_pixels * (x1, y0)
    return (min(c0, c1), min(r0, r1), max(c0, c1), max(r0, r1))


def _rendered_windows(
    raster: RasterInput,
    prompts: List[BoxPrompt],
    size: int,
    context: float,
    skips: SkipLog,
) -> Iterator[List[Member]]:
    """One rendered window per box, ``BATCH_BOXES`` at a time."""
    for start in range(0, len(prompts), BATCH_BOXES):
        chunk: List[Member] = []
        for index in range(start, min(start + BATCH_BOXES, len(prompts))):
            try:
                chunk.append((index, raster.read_window(prompts[index].rect, context, size)))
            except InputError as err:
                skips.skip(prompts[index].box_id, str(err))
        if chunk:
            yield chunk
