"""Batch inference: grouping, two torchrun processes equal one, resume, a failing disk."""

import errno
import subprocess
import sys

import pytest
from helpers import REPO, real
from osgeo import ogr, osr

import model_core.batch as batch
from model_core.checkpoint import init_checkpoint
from model_core.errors import InputError
from model_core.grouping import WindowGroup, fits, group_boxes, pack_groups
from model_core.raster import RasterSource


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """Untrained tiny weights: the test compares runs with each other, not with truth."""
    return init_checkpoint("tiny", tmp_path_factory.mktemp("ckpt") / "tiny", seed=3)


@pytest.fixture(scope="module")
def boxes_file(tmp_path_factory):
    """Twelve boxes over cogeo.tif in EPSG:4326 (the raster is EPSG:3857), one outside."""
    path = tmp_path_factory.mktemp("boxes") / "boxes.gpkg"
    with RasterSource(str(real("cogeo"))) as src:
        pixel = [
            (80 + 70 * k, 100 + 55 * (k % 4), 160 + 70 * k, 170 + 55 * (k % 4)) for k in range(11)
        ]
        geo = [src.pixel_box_to_crs(b, "EPSG:4326") for b in pixel]
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    layer = ds.CreateLayer("boxes", srs, ogr.wkbPolygon)
    for x0, y0, x1, y1 in geo + [(10.0, 10.0, 10.1, 10.1)]:
        ring = f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))"
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometry(ogr.CreateGeometryFromWkt(ring))
        layer.CreateFeature(feature)
    ds = None
    return path


def rows(path):
    ds = ogr.Open(str(path))
    out = {}
    for name in ("clvnet_objects", "clvnet_relations", "clvnet_prompts"):
        layer = ds.GetLayerByName(name)
        items = []
        for f in layer:
            geom = f.GetGeometryRef()
            attrs = {k: v for k, v in f.items().items() if k not in ("score",)}
            items.append((sorted(attrs.items()), geom.ExportToWkt() if geom else None))
        out[name] = sorted(items)
    return out


def test_grouping_shares_windows_and_respects_scale():
    boxes = [(0, 0, 50, 50), (10, 10, 60, 60), (5, 5, 45, 45), (0, 0, 500, 500)]
    groups = group_boxes(boxes, context=0.5)
    assert sorted(len(g.members) for g in groups) == [1, 3]
    for g in groups:
        for m in g.members:
            assert fits(boxes[m], g.window) or g.members == [m]
    assert not fits((0, 0, 5, 5), (0, 0, 100, 100))  # too small for that window


def test_packs_fill_caption_batches_and_split_back_exactly():
    sizes = [3, 2, 4, 1, 9, 2, 2, 5, 1]
    groups = [WindowGroup((0, 0, 1, 1), list(range(n))) for n in sizes]
    packs = pack_groups(groups, 8)
    assert [[len(g.members) for g in p] for p in packs] == [[3, 2], [4, 1], [9], [2, 2], [5, 1]]
    assert [g for p in packs for g in p] == groups  # order kept, nothing lost
    for lo in range(len(packs)):  # a rank's contiguous share packs back to the same packs
        for hi in range(lo + 1, len(packs) + 1):
            share = [g for p in packs[lo:hi] for g in p]
            assert pack_groups(share, 8) == packs[lo:hi]


def test_two_processes_equal_one(tmp_path, checkpoint, boxes_file):
    common = [
        "--raster",
        str(real("cogeo")),
        "--boxes",
        str(boxes_file),
        "--checkpoint",
        str(checkpoint),
        "--device",
        "cpu",
        "--max-tokens",
        "10",
    ]
    single = tmp_path / "single.gpkg"
    proc = subprocess.run(
        [sys.executable, "-m", "model_core", "batch", *common, "--out", str(single)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "11 of 12 boxes done" in proc.stdout and "1 skipped" in proc.stdout
    double = tmp_path / "double.gpkg"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nproc_per_node",
            "2",
            "--master_port",
            "29517",
            "-m",
            "model_core",
            "batch",
            *common,
            "--out",
            str(double),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "OMP_NUM_THREADS": "1"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert rows(single) == rows(double)
    assert len(rows(double)["clvnet_prompts"]) == 11
    assert not (tmp_path / "double.gpkg.partial").exists()


def test_interrupted_run_resumes_only_missing_boxes(tmp_path, checkpoint, boxes_file, monkeypatch):
    args = dict(checkpoint=str(checkpoint), device="cpu", max_new_tokens=10, log=lambda s: None)
    reference = tmp_path / "reference.gpkg"
    batch.run_batch(str(real("cogeo")), str(boxes_file), str(reference), **args)

    out = tmp_path / "resumed.gpkg"
    original = batch.run_groups

    def crash_after_four(*a, **k):
        for n, item in enumerate(original(*a, **k)):
            if n == 4:
                raise KeyboardInterrupt
            yield item

    monkeypatch.setattr(batch, "run_groups", crash_after_four)
    with pytest.raises(KeyboardInterrupt):
        batch.run_batch(str(real("cogeo")), str(boxes_file), str(out), **args)
    partial = tmp_path / "resumed.gpkg.partial"
    assert (partial / "INCOMPLETE").exists() and not out.exists()
    monkeypatch.setattr(batch, "run_groups", original)
    with pytest.raises(InputError, match="--resume"):
        batch.run_batch(str(real("cogeo")), str(boxes_file), str(out), **args)
    summary = batch.run_batch(str(real("cogeo")), str(boxes_file), str(out), resume=True, **args)
    assert summary.resumed == 4 and summary.done == 11
    assert rows(out) == rows(reference)


def test_full_disk_leaves_a_marked_partial_output(tmp_path, checkpoint, boxes_file, monkeypatch):
    out = tmp_path / "full.gpkg"
    real_record = batch.result_to_record
    calls = {"n": 0}

    def failing_record(*a, **k):
        calls["n"] += 1
        if calls["n"] > 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_record(*a, **k)

    monkeypatch.setattr(batch, "result_to_record", failing_record)
    with pytest.raises(InputError, match="incomplete: free some space and rerun with --resume"):
        batch.run_batch(
            str(real("cogeo")),
            str(boxes_file),
            str(out),
            checkpoint=str(checkpoint),
            device="cpu",
            max_new_tokens=6,
            log=lambda s: None,
        )
    assert not out.exists()
    assert "not a result" in (tmp_path / "full.gpkg.partial" / "INCOMPLETE").read_text()
