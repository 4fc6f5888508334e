"""Batch inference: many boxes over one raster, on one process or many under ``torchrun``.

    python -m model_core batch --raster scene.tif --boxes boxes.gpkg --out objects.gpkg
    torchrun --nproc_per_node 4 -m model_core batch --raster ... --boxes ... --out ...

Boxes are grouped so boxes of one neighbourhood share one encoded window (``grouping``), and
consecutive groups are packed into caption batches; each rank takes a contiguous run of
packs, so every box is batched with the same neighbours however many processes run. Each rank
appends its results to ``OUT.partial/rank-R.jsonl`` as it goes (so ``--resume`` redoes only missing
boxes); rank 0 merges every part into OUT, written atomically, and removes the partial folder.
While ``OUT.partial/`` exists the run is incomplete, and its ``INCOMPLETE`` file says so.

The journal cannot drop or mix boxes: ``RUN.json`` records what the run was started with (a
resume with other inputs is refused), a record torn by a crash is cut off before appending, the
merge refuses to write unless every usable box is in the journal, and a lock beside OUT refuses
a second run on the same output.
"""

import hashlib
import json
import os
import shutil
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from osgeo import ogr, osr
from shapely import wkt as shapely_wkt

from .errors import InputError
from .grouping import WindowGroup, box_in_window, group_boxes, pack_groups
from .pipeline import georeference
from .predictor import Predictor
from .raster import RasterSource
from .result import DEFAULT_MIN_SCORE, DetectedObject, PredictionResult, Relation, keep_confident
from .window import ImageWindow

ogr.UseExceptions()
osr.UseExceptions()


@dataclass
class BatchSummary:
    """What a batch run did, for the user and for tests."""

    total: int = 0
    done: int = 0
    resumed: int = 0
    skipped: Dict[int, str] = field(default_factory=dict)
    windows: int = 0
    seconds: float = 0.0
    warnings: List[str] = field(default_factory=list)

    def line(self) -> str:
        rate = self.done / self.seconds if self.seconds else 0.0
        return (
            f"{self.done} of {self.total} boxes done ({self.resumed} from an earlier run), "
            f"{len(self.skipped)} skipped, {self.windows} windows encoded, "
            f"{self.seconds:.1f} s ({rate:.2f} boxes/s)"
        )


# --------------------------------------------------------------------------- input
def read_boxes(
    path: str, layer_name: Optional[str] = None
) -> Tuple[List[Tuple[int, tuple]], Optional[str]]:
    """(feature id, envelope as x0, y0, x1, y1) of every feature, and the layer CRS as WKT."""
    try:
        ds = ogr.Open(str(path))
    except RuntimeError as exc:
        raise InputError(f"The box file '{path}' cannot be opened: {exc}.") from exc
    if ds is None:
        raise InputError(f"The box file '{path}' cannot be opened.")
    layer = ds.GetLayerByName(layer_name) if layer_name else ds.GetLayer(0)
    if layer is None:
        raise InputError(f"The box file '{path}' has no layer '{layer_name}'.")
    srs = layer.GetSpatialRef()
    boxes = []
    for feature in layer:
        geom = feature.GetGeometryRef()
        if geom is None or geom.IsEmpty():
            continue
        x0, x1, y0, y1 = geom.GetEnvelope()
        boxes.append((int(feature.GetFID()), (x0, y0, x1, y1)))
    if not boxes:
        raise InputError(f"The box file '{path}' has no features with a geometry.")
    return boxes, srs.ExportToWkt() if srs is not None else None


def pixel_boxes(
    source: RasterSource,
    boxes: Sequence[Tuple[int, tuple]],
    box_crs: Optional[str],
    rgb_bands: Tuple[int, int, int] = (1, 2, 3),
) -> Tuple[Dict[int, tuple], Dict[int, str]]:
    """Boxes in raster pixels by id; boxes that cannot be used are skipped with the reason.

    A box outside the raster, or over nodata pixels only, is skipped with the sentence the
    single-box path gives (``RasterSource.usable_pixel_box``).
    """
    good: Dict[int, tuple] = {}
    skipped: Dict[int, str] = {}
    for box_id, box in boxes:
        try:
            good[box_id] = source.usable_pixel_box(box, box_crs, rgb_bands)
        except InputError as exc:
            skipped[box_id] = str(exc)
    return good, skipped


# ------------------------------------------------------------------------ windows
def group_windows(
    source: RasterSource,
    group: WindowGroup,
    boxes: Dict[int, tuple],
    ids: List[int],
    size: int,
    rgb_bands: Tuple[int, int, int],
) -> List[Tuple[int, ImageWindow]]:
    """Read a group's window once; one ImageWindow per member box (shared pixels and key)."""
    shared = source.read_window(
        group.window, "pixel", context=0.0, size=size, rgb_bands=rgb_bands, refuse_nodata=False
    )
    return [
        (ids[m], replace(shared, box=box_in_window(boxes[ids[m]], group.window, size)))
        for m in group.members
    ]


def run_groups(
    predictor: Predictor,
    source: RasterSource,
    groups: Sequence[WindowGroup],
    boxes: Dict[int, tuple],
    ids: List[int],
    batch_size: int = 8,
    rgb_bands: Tuple[int, int, int] = (1, 2, 3),
    min_area_px: float = 4.0,
    simplify_px: float = 0.0,
    cancel: Optional[Callable[[], bool]] = None,
) -> Iterator[Tuple[int, PredictionResult]]:
    """Predict every box of every group; yields (box id, georeferenced result without masks).

    Each window is read and encoded once. Consecutive groups are packed (``pack_groups``) so
    boxes of several windows are captioned ``batch_size`` at a time; the encoded features
    are dropped when a pack is done, so memory stays flat.
    """
    for pack in pack_groups(groups, batch_size):
        if cancel is not None and cancel():
            return
        start = time.perf_counter()
        members = [
            member
            for group in pack
            for member in group_windows(source, group, boxes, ids, predictor.input_size, rgb_bands)
        ]
        read_ms = (time.perf_counter() - start) * 1000 / len(members)
        for k in range(0, len(members), batch_size):
            chunk = members[k : k + batch_size]
            results = predictor.predict_batch([w for _, w in chunk], cancel=cancel)
            for (box_id, window), result in zip(chunk, results):
                georeference(result, window, min_area_px, simplify_px)
                result.timing_ms = {"read": read_ms, **result.timing_ms}
                for obj in result.objects:
                    obj.mask = None  # keep only polygons: flat memory over thousands of boxes
                yield box_id, result
        predictor.clear_cache()


# ------------------------------------------------------------------- serialisation
def result_to_record(box_id: int, result: PredictionResult) -> dict:
    return {
        "box_id": box_id,
        "caption": result.caption,
        "tagged": result.tagged_caption,
        "model": result.model,
        "source": result.source,
        "box_wkt": result.box_geometry.wkt if result.box_geometry is not None else None,
        "objects": [
            {
                "phrase": o.phrase,
                "score": o.score,
                "area_m2": o.area_m2,
                "wkt": o.geometry.wkt if o.geometry is not None else None,
            }
            for o in result.objects
        ],
        "relations": [[r.subject, r.predicate, r.object, r.score] for r in result.relations],
        "timing_ms": result.timing_ms,
    }


def record_to_result(record: dict, crs_wkt: Optional[str]) -> PredictionResult:
    objects = [
        DetectedObject(
            phrase=o["phrase"],
            mask=None,
            score=o["score"],
            geometry=shapely_wkt.loads(o["wkt"]) if o["wkt"] else None,
            area_m2=o["area_m2"],
        )
        for o in record["objects"]
    ]
    return PredictionResult(
        caption=record["caption"],
        tagged_caption=record["tagged"],
        objects=objects,
        relations=[Relation(s, p, o, sc) for s, p, o, sc in record["relations"]],
        timing_ms=record["timing_ms"],
        crs_wkt=crs_wkt,
        model=record["model"],
        source=record["source"],
        box_geometry=shapely_wkt.loads(record["box_wkt"]) if record["box_wkt"] else None,
    )


def read_parts(folder: Path) -> Dict[int, dict]:
    """Every complete record in the part files (a torn last line is ignored)."""
    done: Dict[int, dict] = {}
    for part in sorted(folder.glob("rank-*.jsonl")):
        for line in part.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            done[int(record["box_id"])] = record
    return done


def open_journal(part: Path) -> IO[str]:
    """Append handle on one rank's journal, cut back first to its last complete record.

    A crash or a full disk can leave half a record without its newline; appending after it
    would glue the next record to the fragment and lose both.
    """
    if part.exists():
        data = part.read_bytes()
        complete = data.rfind(b"\n") + 1
        if complete != len(data):
            with part.open("r+b") as handle:
                handle.truncate(complete)
    return part.open("a", encoding="utf-8")


# --------------------------------------------------------------------- run inputs
RUN_FILE = "RUN.json"


def run_inputs(
    raster: str,
    boxes_path: str,
    listed: Sequence[Tuple[int, tuple]],
    box_wkt: Optional[str],
    checkpoint: Optional[str],
    options: Dict[str, object],
) -> Dict[str, object]:
    """What a run's results depend on, as recorded in ``RUN.json`` and compared on resume.

    Boxes by a checksum of their ids and envelopes (what is predicted, whatever the format);
    raster and weights by path, size and modification time (hashing gigabytes would cost
    more than it protects); the checkpoint config by its checksum.
    """
    from .pipeline import default_checkpoint_dir

    folder = Path(checkpoint) if checkpoint else default_checkpoint_dir()
    boxes = json.dumps([[i, list(b)] for i, b in listed] + [box_wkt or ""])
    return {
        "raster": _file_identity(Path(raster)),
        "boxes": {
            "path": str(Path(boxes_path).resolve()),
            "sha256": hashlib.sha256(boxes.encode("utf-8")).hexdigest(),
        },
        "checkpoint": {
            "path": str(folder.resolve()),
            "config_sha256": _sha256(folder / "config.json"),
            "weights": _file_identity(folder / "model.safetensors"),
        },
        "options": options,
    }


def check_resume_inputs(partial: Path, inputs: Dict[str, object]) -> None:
    """Refuse to resume ``partial`` when it was started with other inputs than ``inputs``."""
    try:
        started = json.loads((partial / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(
            f"The interrupted run in '{partial}' does not record what it was started with, so "
            "it cannot be resumed safely; pass --overwrite to start again."
        ) from None
    differing = [key for key in inputs if started.get(key) != json.loads(json.dumps(inputs[key]))]
    if differing:
        raise InputError(
            f"The interrupted run in '{partial}' was started with another "
            f"{' and '.join(differing)}; resume it with the same inputs, or pass --overwrite "
            "to start again."
        )


def _file_identity(path: Path) -> Dict[str, object]:
    try:
        stat = path.stat()
    except OSError:
        return {"path": str(path.resolve())}
    return {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _sha256(path: Path) -> Optional[str]:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@contextmanager
def output_lock(out_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``out_path`` for one run; a second run is refused at once.

    The lock is the operating system's (released even when the process is killed), on a
    hidden file beside the output that is removed when the run ends.
    """
    lock_path = out_path.with_name(f".{out_path.name}.lock")
    handle = lock_path.open("a+b")
    try:
        try:
            _lock_file(handle)
        except OSError:
            raise InputError(
                f"Another run is writing '{out_path}' (it holds '{lock_path.name}'); wait for it "
                "to finish, or choose another --out."
            ) from None
        try:
            yield
        finally:
            lock_path.unlink(missing_ok=True)
    finally:
        handle.close()


def _lock_file(handle: IO[bytes]) -> None:
    """Non-blocking exclusive lock of an open file (OSError when someone else holds it)."""
    if os.name == "nt":
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


# ---------------------------------------------------------------------------- run
def run_batch(
    raster: str,
    boxes_path: str,
    out: str,
    checkpoint: Optional[str] = None,
    device: str = "auto",
    context: float = 0.5,
    batch_size: int = 8,
    rgb_bands: Tuple[int, int, int] = (1, 2, 3),
    resume: bool = False,
    overwrite: bool = False,
    layer: Optional[str] = None,
    max_new_tokens: int = 0,
    log: Callable[[str], None] = print,
    progress: Optional[Callable[[int, int], None]] = None,
    min_score: float = DEFAULT_MIN_SCORE,
) -> BatchSummary:
    """The whole batch job on this process's share; rank 0 merges. Returns the summary.

    ``progress(done, total)`` is called as this process's boxes are done (e.g. a
    ``model_core.progress.Progress``); without it, ``log`` gets a line every 50 boxes.
    Objects scoring below ``min_score`` are left out of the output when it is merged (the
    journal keeps them, so a resumed run may use another minimum).

    Raises:
        InputError: bad input, no usable box, another run on ``out``, a resume with other
            inputs, a full disk, or a journal that lacks boxes at the merge; an existing
            ``out`` is then unchanged.
    """
    import torch.distributed as dist

    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("gloo")
    rank = dist.get_rank() if world > 1 else 0
    out_path = Path(out)
    with ExitStack() as held:
        if rank == 0:
            held.enter_context(output_lock(out_path))
        options = dict(
            context=context,
            batch_size=batch_size,
            rgb_bands=list(rgb_bands),
            max_new_tokens=max_new_tokens,
            layer=layer,
        )
        summary = _run_locked(
            raster,
            boxes_path,
            out_path,
            checkpoint,
            device,
            options,
            resume,
            overwrite,
            rank,
            world,
            log,
            progress,
            min_score,
        )
    _barrier(world)
    return summary


def _run_locked(
    raster: str,
    boxes_path: str,
    out_path: Path,
    checkpoint: Optional[str],
    device: str,
    options: Dict[str, object],
    resume: bool,
    overwrite: bool,
    rank: int,
    world: int,
    log: Callable[[str], None],
    progress: Optional[Callable[[int, int], None]] = None,
    min_score: float = DEFAULT_MIN_SCORE,
) -> BatchSummary:
    """``run_batch`` once rank 0 holds the output lock."""
    from .writers import write_results

    context, batch_size = float(options["context"]), int(options["batch_size"])
    rgb_bands = tuple(options["rgb_bands"])
    partial = out_path.with_name(out_path.name + ".partial")
    if partial.exists() and not resume:
        if not overwrite:
            raise InputError(
                f"An interrupted run left '{partial}'; pass --resume to finish it or "
                "--overwrite to start again."
            )
        if rank == 0:
            shutil.rmtree(partial)
    _barrier(world)
    start = time.perf_counter()
    summary = BatchSummary()
    with RasterSource(raster) as source:
        source.band_mapping(rgb_bands)
        listed, layer_wkt = read_boxes(boxes_path, options["layer"])
        summary.total = len(listed)
        box_crs = layer_wkt if source.is_georeferenced else "pixel"
        good, summary.skipped = pixel_boxes(source, listed, box_crs, rgb_bands)
        if not good:
            first, reason = next(iter(summary.skipped.items()))
            if len(listed) == 1:
                unusable = f"The box in '{boxes_path}' cannot be used"
            else:
                unusable = f"None of the {len(listed)} boxes in '{boxes_path}' can be used"
            raise InputError(
                f"{unusable}, so nothing was written (box {first}: {reason.rstrip('.')})."
            )
        inputs = run_inputs(raster, boxes_path, listed, layer_wkt, checkpoint, options)
        if partial.exists():
            check_resume_inputs(partial, inputs)
        done = read_parts(partial) if partial.exists() else {}
        summary.resumed = len([i for i in done if i in good])
        ids = sorted(good)
        todo = [i for i in ids if i not in done]
        # each rank takes a contiguous run of packs, which run_groups packs back exactly
        packs = pack_groups(group_boxes([good[i] for i in todo], context), batch_size)
        share = packs[rank * len(packs) // world : (rank + 1) * len(packs) // world]
        mine = [group for pack in share for group in pack]
        summary.windows = len(mine)
        predictor = Predictor.from_checkpoint(checkpoint, device)
        if options["max_new_tokens"]:
            predictor.max_new_tokens = int(options["max_new_tokens"])
        if rank == 0:
            _start_journal(partial, out_path, inputs)
        _barrier(world)
        part = partial / f"rank-{rank}-of-{world}.jsonl"
        count, share_size = 0, sum(len(group.members) for group in mine)
        if progress is not None:
            progress(0, share_size)
        with open_journal(part) as handle:
            for box_id, result in run_groups(
                predictor, source, mine, good, todo, batch_size, rgb_bands
            ):
                try:
                    handle.write(json.dumps(result_to_record(box_id, result)) + "\n")
                    handle.flush()
                except OSError as exc:
                    raise InputError(
                        f"Writing the partial results failed ({exc.strerror or exc}), so "
                        f"'{partial}' is incomplete: free some space and rerun with --resume."
                    ) from None
                count += 1
                if progress is not None:
                    progress(count, share_size)
                elif count % 50 == 0:
                    log(f"rank {rank}: {count} boxes")
        summary.done = count + summary.resumed
        _barrier(world)
        if rank == 0:
            records = read_parts(partial)
            missing = [i for i in ids if i not in records]
            if missing:
                raise InputError(
                    f"The journal in '{partial}' lacks {len(missing)} of {len(ids)} boxes "
                    f"(ids {', '.join(map(str, missing[:5]))}), so '{out_path.name}' was not "
                    "replaced; rerun with --resume to compute them."
                )
            summary.warnings = write_results(
                str(out_path),
                [
                    keep_confident(record_to_result(records[i], source.crs_wkt), min_score)
                    for i in ids
                ],
                box_ids=ids,
            )
            shutil.rmtree(partial)
            summary.done = len(ids)
    summary.seconds = time.perf_counter() - start
    return summary


def _start_journal(partial: Path, out_path: Path, inputs: Dict[str, object]) -> None:
    """Create the partial folder with its ``INCOMPLETE`` note and, for a new run, ``RUN.json``."""
    partial.mkdir(parents=True, exist_ok=True)
    (partial / "INCOMPLETE").write_text(
        f"This folder holds the parts of an unfinished batch run writing {out_path.name}; "
        "it is not a result. Rerun with --resume to finish it.\n",
        encoding="utf-8",
    )
    if not (partial / RUN_FILE).exists():
        (partial / RUN_FILE).write_text(json.dumps(inputs, indent=1), encoding="utf-8")


def _barrier(world: int) -> None:
    if world > 1:
        import torch.distributed as dist

        dist.barrier()
