"""Issue 12: results are never lost or silently wrong, and a checkpoint cannot run code, reach
the network or exhaust memory. Each test names the case of the issue it reproduces.

The full disk is a real 300 KB tmpfs (mounting needs root; the tests skip elsewhere).
"""

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from helpers import real
from osgeo import ogr
from shapely.geometry import MultiPolygon, box

import model_core.batch as batch
import model_core.checkpoint as checkpoint_module
import model_core.writers as writers
from model_core.checkpoint import load_checkpoint, load_sam_weights
from model_core.cli import main
from model_core.errors import CheckpointError, InputError
from model_core.raster import RasterSource
from model_core.result import DetectedObject, PredictionResult, Relation

ogr.UseExceptions()
X0, Y0 = 500000.0, 4000000.0
UTM18 = "EPSG:32618"


# ------------------------------------------------------------------------------- helpers
def _result(k: int, objects: int = 3) -> PredictionResult:
    """A result with ``objects`` squares, the last without a polygon, and relations between
    every pair, one of which names the object without a polygon."""
    from rasterio.crs import CRS

    x = X0 + 1000.0 * k
    found = [
        DetectedObject(
            f"building {j}",
            None,
            0.9,
            _square(x + 30 * j),
        )
        for j in range(objects - 1)
    ]
    found.append(DetectedObject("a speck", None, 0.1, None))
    relations = [Relation(0, "next to", 1, 0.8), Relation(1, "next to", objects - 1, 0.5)]
    return PredictionResult(
        caption=f"caption {k} " * 8,
        tagged_caption=f"caption {k}",
        objects=found,
        relations=relations,
        crs_wkt=CRS.from_string(UTM18).to_wkt(),
        model="clvnet-tiny",
        source="/data/scene.tif",
        box_geometry=box(x - 10, Y0 - 10, x + 100, Y0 + 30),
    )


def _square(x: float) -> MultiPolygon:
    return MultiPolygon([box(x, Y0, x + 20, Y0 + 20)])


def _digest(folder: Path) -> dict:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != "filler"
    }


def _run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def small_disk(tmp_path):
    """A 300 KB tmpfs; ``fill(leave)`` fills it up to ``leave`` bytes left."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("a tmpfs cannot be mounted here (needs root): " + done.stderr.decode()[:200])

    def fill(leave: int = 0) -> None:
        with (mount / "filler").open("ab", buffering=0) as handle:  # unbuffered: close cannot fail
            try:
                handle.write(b"\0" * max(0, shutil.disk_usage(mount).free - leave))
                while not leave:
                    handle.write(b"\0" * 512)
            except OSError:
                pass

    yield mount, fill
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture(scope="module")
def cogeo_boxes(tmp_path_factory):
    """Box files over cogeo.tif in its own CRS: four boxes, two other boxes, four outside."""
    folder = tmp_path_factory.mktemp("boxes")
    with RasterSource(str(real("cogeo"))) as src:
        inside = [src.pixel_box_to_crs((100 + 150 * k, 200, 220 + 150 * k, 320)) for k in range(4)]
        other = [src.pixel_box_to_crs((600, 600 + 100 * k, 700, 700 + 100 * k)) for k in range(2)]
        outside = [(b[0] + 1e6, b[1] + 1e6, b[2] + 1e6, b[3] + 1e6) for b in inside]
        wkt = src.crs_wkt
    paths = {}
    for name, boxes in (("four", inside), ("two", other), ("outside", outside)):
        path = folder / f"{name}.gpkg"
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
        srs = ogr.osr.SpatialReference()
        srs.ImportFromWkt(wkt)
        layer = ds.CreateLayer("boxes", srs, ogr.wkbPolygon)
        for x0, y0, x1, y1 in boxes:
            feature = ogr.Feature(layer.GetLayerDefn())
            ring = f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))"
            feature.SetGeometry(ogr.CreateGeometryFromWkt(ring))
            layer.CreateFeature(feature)
        ds = None
        paths[name] = path
    return paths


def _batch(out, boxes, ckpt, **kw):
    args = dict(checkpoint=str(ckpt), device="cpu", max_new_tokens=4, log=lambda s: None)
    return batch.run_batch(str(real("cogeo")), str(boxes), str(out), **{**args, **kw})


def _crash_after(monkeypatch, count, action=None):
    """Make ``run_groups`` stop (KeyboardInterrupt) after ``count`` boxes; ``action`` runs then."""
    original = batch.run_groups

    def crashing(*a, **k):
        for n, item in enumerate(original(*a, **k)):
            if n == count:
                if action is None:
                    raise KeyboardInterrupt
                action()
            yield item

    monkeypatch.setattr(batch, "run_groups", crashing)
    return original


def _prompt_ids(path):
    ds = ogr.Open(str(path))
    return sorted(f.GetField("box_id") for f in ds.GetLayerByName("clvnet_prompts"))


# ----------------------------------------------------------------- 1. full disk, writer
@pytest.mark.parametrize("ext", [".geojson", ".gpkg", ".shp"])
def test_1_full_disk_refuses_and_keeps_the_earlier_output(small_disk, ext):
    mount, fill = small_disk
    path = mount / f"x{ext}"
    writers.write_results(str(path), [_result(0)])
    before = _digest(mount)
    fill(leave=20_000)
    with pytest.raises(InputError, match=r"^No space left on the disk holding .* unchanged\.$"):
        writers.write_results(str(path), [_result(k) for k in range(150)])
    assert _digest(mount) == before  # earlier files intact, no temporary folder left
    assert sorted(p.name for p in mount.iterdir()) == sorted([*before, "filler"])


def test_1_full_disk_predict_exits_2_and_keeps_the_earlier_geojson(
    small_disk, capsys, random_checkpoint
):
    mount, fill = small_disk
    out = mount / "x.geojson"
    common = ["--raster", real("cogeo"), "--box-crs", "pixel", "--max-tokens", "4"]
    common += ["--checkpoint", random_checkpoint]
    code, _, err = _run(capsys, "predict", *common, "--box", "100,100,300,300", "--out", out)
    assert code == 0, err
    before = _digest(mount)
    fill()
    code, stdout, err = _run(capsys, "predict", *common, "--box", "400,400,700,700", "--out", out)
    assert code == 2 and "written:" not in stdout
    assert err.startswith("error: No space left on") and err.count("\n") == 1
    assert _digest(mount) == before
    json.loads(out.read_text())  # still the earlier, valid result


# ---------------------------------------------------------- 2. torn journal tail, resume
def test_2_torn_journal_tail_loses_no_box_on_resume(
    tmp_path, monkeypatch, cogeo_boxes, random_checkpoint
):
    out = tmp_path / "out.gpkg"
    original = _crash_after(monkeypatch, 2)
    with pytest.raises(KeyboardInterrupt):
        _batch(out, cogeo_boxes["four"], random_checkpoint)
    monkeypatch.setattr(batch, "run_groups", original)
    (part,) = (tmp_path / "out.gpkg.partial").glob("rank-*.jsonl")
    with part.open("a", encoding="utf-8") as handle:  # killed in the middle of a record
        handle.write('{"box_id": 3, "caption": "half a rec')
    summary = _batch(out, cogeo_boxes["four"], random_checkpoint, resume=True)
    assert summary.done == 4 and summary.resumed == 2
    assert _prompt_ids(out) == [1, 2, 3, 4]  # the box whose record was torn is redone


# -------------------------------------------------- 3. lock; merge never loses boxes
def test_3_a_second_run_on_the_same_output_is_refused(tmp_path, cogeo_boxes, random_checkpoint):
    out = tmp_path / "out.gpkg"
    with batch.output_lock(out), pytest.raises(InputError, match="Another run is writing"):
        _batch(out, cogeo_boxes["four"], random_checkpoint)
    assert not out.exists() and not (tmp_path / "out.gpkg.partial").exists()
    with batch.output_lock(out):  # released when the holder is done
        pass
    assert list(tmp_path.iterdir()) == []  # and its file removed


def test_3_a_vanished_journal_never_replaces_the_output(
    tmp_path, monkeypatch, cogeo_boxes, random_checkpoint
):
    out = tmp_path / "out.gpkg"
    writers.write_results(str(out), [_result(0)])  # an earlier result
    before = hashlib.sha256(out.read_bytes()).hexdigest()
    partial = tmp_path / "out.gpkg.partial"
    _crash_after(monkeypatch, 2, action=lambda: shutil.rmtree(partial))
    with pytest.raises(InputError, match="lacks 4 of 4 boxes"):
        _batch(out, cogeo_boxes["four"], random_checkpoint, overwrite=True)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == before


# --------------------------------------------------------- 4. resume with other inputs
def test_4_resume_with_another_boxes_file_is_refused(
    tmp_path, monkeypatch, cogeo_boxes, random_checkpoint
):
    out = tmp_path / "out.gpkg"
    original = _crash_after(monkeypatch, 2)
    with pytest.raises(KeyboardInterrupt):
        _batch(out, cogeo_boxes["four"], random_checkpoint)
    monkeypatch.setattr(batch, "run_groups", original)
    with pytest.raises(InputError, match="started with another boxes;"):
        _batch(out, cogeo_boxes["two"], random_checkpoint, resume=True)
    with pytest.raises(InputError, match="another options"):
        _batch(out, cogeo_boxes["four"], random_checkpoint, resume=True, context=1.0)
    assert not out.exists()


# ------------------------------------------------------------------- 5. every box skipped
def test_5_every_box_skipped_exits_2_and_keeps_the_output(
    tmp_path, capsys, cogeo_boxes, random_checkpoint
):
    out = tmp_path / "out.gpkg"
    out.write_bytes(b"an earlier result")
    code, stdout, err = _run(
        capsys, "batch", "--raster", real("cogeo"), "--boxes", cogeo_boxes["outside"],
        "--out", out, "--checkpoint", tmp_path / "not-loaded",
    )  # fmt: skip
    assert code == 2 and err.startswith("error: None of the 4 boxes") and err.count("\n") == 1
    assert out.read_bytes() == b"an earlier result"
    assert not (tmp_path / "out.gpkg.partial").exists()


# --------------------------------------------------------- 6. multi-file output as one unit
def test_6_a_failed_replace_restores_the_whole_shapefile_set(tmp_path, monkeypatch):
    path = tmp_path / "keep.shp"
    writers.write_results(str(path), [_result(0)])
    before = _digest(tmp_path)
    real_replace = os.replace
    failed = []

    def failing_replace(src, dst):
        if str(dst).endswith("keep.shx") and os.sep + "new" + os.sep in str(src) and not failed:
            failed.append(dst)
            raise OSError(5, "Input/output error")
        return real_replace(src, dst)

    monkeypatch.setattr(writers.os, "replace", failing_replace)
    with pytest.raises(InputError, match="unchanged"):
        writers.write_results(str(path), [_result(1), _result(2)])
    assert failed and _digest(tmp_path) == before


# ------------------------------------------------------- 7. relations and writer warnings
def test_7_relations_only_name_written_objects_and_warn(tmp_path):
    path = tmp_path / "out.gpkg"
    notes = writers.write_results(str(path), [_result(0), _result(1)])
    ds = ogr.Open(str(path))
    objects = {(f["box_id"], f["obj_id"]) for f in ds.GetLayerByName("clvnet_objects")}
    relations = [
        (f["box_id"], f["subj_id"], f["obj_id"]) for f in ds.GetLayerByName("clvnet_relations")
    ]
    assert relations and all((b, s) in objects and (b, o) in objects for b, s, o in relations)
    assert any("2 relation(s)" in note for note in notes)


def test_7_batch_prints_the_writer_warnings(
    tmp_path, capsys, monkeypatch, cogeo_boxes, random_checkpoint
):
    original = batch.run_groups

    def with_a_speck(*a, **k):
        for box_id, result in original(*a, **k):
            result.objects.append(DetectedObject("a speck", None, 0.1, None))
            result.relations.append(Relation(0, "next to", len(result.objects) - 1, 0.5))
            yield box_id, result

    monkeypatch.setattr(batch, "run_groups", with_a_speck)
    code, _, err = _run(
        capsys, "batch", "--raster", real("cogeo"), "--boxes", cogeo_boxes["two"],
        "--out", tmp_path / "out.gpkg", "--checkpoint", random_checkpoint, "--device", "cpu",
        "--max-tokens", "4", "--min-score", "0",  # keep the low-score specks for the writer
    )  # fmt: skip
    assert code == 0, err
    assert "warning: 2 object(s) had no polygon" in err
    assert "warning: 2 relation(s) referred to such objects" in err


# ---------------------------------------------------------------- the checkpoint boundary
def _checkpoint_with(tmp_path, source: Path, change) -> Path:
    """A copy of ``source`` whose config.json is edited by ``change(config)``."""
    folder = tmp_path / "ckpt"
    shutil.copytree(source, folder)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    change(config)
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


def _lm_folder(tmp_path, config: dict, files: dict) -> Path:
    folder = tmp_path / "lm"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def test_8_a_language_model_folder_cannot_run_code(
    tmp_path, capsys, monkeypatch, random_checkpoint
):
    marker = tmp_path / "code-ran"
    lm = _lm_folder(
        tmp_path,
        {
            "model_type": "evil_lm",
            "hidden_size": 256,
            "auto_map": {"AutoConfig": "evil.EvilConfig", "AutoModelForCausalLM": "evil.Evil"},
        },
        {
            "evil.py": f"open({str(marker)!r}, 'w').write('ran')\n".encode(),
            "model.safetensors": (random_checkpoint / "model.safetensors").read_bytes(),
        },
    )
    folder = _checkpoint_with(
        tmp_path, random_checkpoint, lambda c: c["reasoner"].update(pretrained_path=str(lm))
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n" * 10))  # "trust it?" answered yes
    code, _, err = _run(capsys, "info", "--checkpoint", folder)
    assert code == 2 and err.count("\n") == 1, err
    assert not marker.exists()


def test_9_a_hub_name_is_refused_before_transformers_sees_it(tmp_path, capsys, random_checkpoint):
    folder = _checkpoint_with(
        tmp_path, random_checkpoint, lambda c: c["reasoner"].update(pretrained_path="gpt2")
    )
    code, _, err = _run(capsys, "info", "--checkpoint", folder)
    assert code == 2 and "'gpt2'" in err and "is not a local folder" in err


def test_9_a_local_language_model_loads_offline_without_remote_code(tmp_path, monkeypatch):
    import transformers
    from transformers import LlamaConfig, LlamaForCausalLM

    from model_core.modeling import vp_reasoner

    lm = tmp_path / "lm"
    tiny = LlamaConfig(
        vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
        num_attention_heads=2, num_key_value_heads=2,
    )  # fmt: skip
    LlamaForCausalLM(tiny).save_pretrained(str(lm))
    seen = {}
    original = transformers.AutoModelForCausalLM.from_pretrained

    def spy(*args, **kwargs):
        from huggingface_hub import constants

        seen.update(kwargs, env=os.environ.get("HF_HUB_OFFLINE"), hub=constants.HF_HUB_OFFLINE)
        return original(*args, **kwargs)

    monkeypatch.setattr(transformers.AutoModelForCausalLM, "from_pretrained", spy)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    model = vp_reasoner._load_pretrained_lm(str(lm))
    assert model.config.hidden_size == 16
    assert seen["trust_remote_code"] is False and seen["env"] == "1" and seen["hub"] is True
    assert "HF_HUB_OFFLINE" not in os.environ  # restored afterwards


@pytest.mark.parametrize(
    "section,key,value,needle",
    [
        ("image_encoder", "depth", 2000, "'image_encoder.depth' must be between 1 and 64"),
        ("image_encoder", "embed_dim", 10**7, "'image_encoder.embed_dim' must be between"),
        ("image_encoder", "depth", 12, "hold 8,5"),  # in range, but not what the weights hold
    ],
)
def test_10_a_config_cannot_exhaust_memory(
    tmp_path, monkeypatch, random_checkpoint, section, key, value, needle
):
    folder = _checkpoint_with(
        tmp_path, random_checkpoint, lambda c: c[section].update({key: value})
    )

    def never(*a, **k):
        raise AssertionError("weights were read before the config was checked")

    monkeypatch.setattr(checkpoint_module, "load_file", never)
    with pytest.raises(CheckpointError, match=needle):
        load_checkpoint(folder)


@pytest.mark.parametrize(
    "section,key,value,needle",
    [
        ("image_encoder", "embed_dim", "abc", "'image_encoder.embed_dim' must be a whole number"),
        ("image_encoder", "embed_dim", 192.5, "'image_encoder.embed_dim' must be a whole number"),
        ("image_encoder", "patch_size", 0, "'image_encoder.patch_size' must be between"),
        ("image_encoder", "img_size", -256, "'image_encoder.img_size' must be between"),
        (None, "decoder", None, "'decoder' must be an object of settings, got null"),
        (None, "max_new_tokens", "many", "'max_new_tokens' must be a whole number"),
        (None, "pixel_std", [0, 0, 0], r"'pixel_std\[0\]' must be between"),
        ("reasoner", "pretrained_path", 5, "'reasoner.pretrained_path' must be text"),
    ],
)
def test_11_config_values_of_the_wrong_type_name_the_key(
    tmp_path, capsys, random_checkpoint, section, key, value, needle
):
    def change(config):
        (config[section] if section else config)[key] = value

    folder = _checkpoint_with(tmp_path, random_checkpoint, change)
    with pytest.raises(CheckpointError, match=needle):
        load_checkpoint(folder)
    code, _, err = _run(capsys, "info", "--checkpoint", folder)
    assert code == 2 and err.count("\n") == 1


# ------------------------------------------------------------- 12. damaged files, one line
def test_12_a_truncated_raster_is_damaged_before_the_model_loads(tmp_path, capsys):
    raster = tmp_path / "cut.tif"
    raster.write_bytes(real("cogeo").read_bytes()[:50_000])
    code, _, err = _run(
        capsys, "predict", "--raster", raster, "--box", "10,10,200,200", "--box-crs", "pixel",
        "--checkpoint", tmp_path / "never-loaded",
    )  # fmt: skip
    assert code == 2
    assert err.strip().splitlines()[-1].startswith("error: The raster 'cut.tif' is damaged (")


def test_12_pickled_language_model_weights_are_refused_in_one_sentence(
    tmp_path, capsys, random_checkpoint
):
    lm = _lm_folder(
        tmp_path, {"model_type": "llama", "hidden_size": 256}, {"pytorch_model.bin": b"\x80\x04K."}
    )
    folder = _checkpoint_with(
        tmp_path, random_checkpoint, lambda c: c["reasoner"].update(pretrained_path=str(lm))
    )
    code, _, err = _run(capsys, "info", "--checkpoint", folder)
    assert code == 2 and err.count("\n") == 1
    assert "only the pickled pytorch_model.bin" in err


def test_12_a_pickled_sam_file_is_refused_in_one_sentence(tmp_path):
    from model_core.config import preset
    from model_core.modeling.build import build_clvnet
    from model_core.tokenizer import CaptionTokenizer

    class Payload:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "sam.pth"
    torch.save({"x": Payload()}, path)
    model = build_clvnet(preset("tiny"), CaptionTokenizer.from_base_corpus(512))
    with pytest.raises(CheckpointError) as refused:
        load_sam_weights(model, path)
    message = str(refused.value)
    assert "\n" not in message and "weights_only" not in message
    assert "cannot be read safely" in message


# ------------------------------------------------------ 13. cheap checks before the model
@pytest.mark.parametrize(
    "extra,needle",
    [
        (["--box", "0,0,1e308,1e308"], "The box (0.0, 0.0, 1e+308, 1e+308) has a coordinate"),
        (["--box", "10,10,200,200", "--bands", "1,2,9"], "Band 9 of the RGB bands"),
        (["--box", "-10,-10,200,200"], "checkpoint"),  # parsed as typed, then the checkpoint
    ],
)
def test_13_cheap_checks_come_before_the_model_loads(tmp_path, capsys, extra, needle):
    code, _, err = _run(
        capsys, "predict", "--raster", real("cogeo"), "--box-crs", "pixel",
        "--checkpoint", tmp_path / "never-loaded", *extra,
    )  # fmt: skip
    assert code == 2 and needle in err and "inf" not in err, err
    assert err.count("\n") == 1


def test_13_an_output_that_is_a_folder_is_refused_first(tmp_path, capsys):
    folder = tmp_path / "out.gpkg"
    folder.mkdir()
    code, _, err = _run(
        capsys, "predict", "--raster", real("cogeo"), "--box", "10,10,200,200", "--box-crs",
        "pixel", "--checkpoint", tmp_path / "never-loaded", "--out", folder,
    )  # fmt: skip
    assert code == 2 and "is a folder" in err


def test_13_a_box_of_only_nodata_pixels_is_refused(tmp_path, capsys):
    code, _, err = _run(
        capsys, "predict", "--raster", real("landsat"), "--box", "0,0,30,30", "--box-crs",
        "pixel", "--checkpoint", tmp_path / "never-loaded",
    )  # fmt: skip
    assert code == 2 and "The box covers only nodata pixels" in err


def _raster_with_nodata_corner(path: Path) -> Path:
    """A 3-band 200 x 200 GeoTIFF (EPSG:3857, nodata 0) whose top-left quarter is nodata."""
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    data = np.random.default_rng(0).integers(1, 256, (3, 200, 200), dtype=np.uint8)
    data[:, :100, :100] = 0
    profile = dict(driver="GTiff", width=200, height=200, count=3, dtype="uint8", nodata=0)
    transform = from_origin(1000.0, 2000.0, 1.0, 1.0)
    with rasterio.open(path, "w", crs="EPSG:3857", transform=transform, **profile) as dst:
        dst.write(data)
    return path


def _box_file(path: Path, boxes) -> Path:
    """A GeoPackage of rectangles in EPSG:3857."""
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = ogr.osr.SpatialReference()
    srs.ImportFromEPSG(3857)
    layer = ds.CreateLayer("boxes", srs, ogr.wkbPolygon)
    for rectangle in boxes:
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometry(ogr.CreateGeometryFromWkt(box(*rectangle).wkt))
        layer.CreateFeature(feature)
    ds = None
    return path


def test_13_a_nodata_box_in_a_batch_is_skipped_with_the_reason(tmp_path, capsys, random_checkpoint):
    from model_core.api import Describer

    raster = _raster_with_nodata_corner(tmp_path / "corner.tif")
    nodata_box, data_box = (1010.0, 1940.0, 1060.0, 1990.0), (1120.0, 1820.0, 1180.0, 1880.0)
    boxes = _box_file(tmp_path / "boxes.gpkg", [nodata_box, data_box])
    reason = "The box covers only nodata pixels"
    out = tmp_path / "out.gpkg"
    code, stdout, err = _run(
        capsys, "batch", "--raster", raster, "--boxes", boxes, "--out", out,
        "--checkpoint", random_checkpoint, "--device", "cpu", "--max-tokens", "4",
    )  # fmt: skip
    assert code == 0, err
    assert "1 of 2 boxes done" in stdout + err and "1 skipped" in stdout + err
    written = ogr.Open(str(out))
    assert written.GetLayerByName("clvnet_prompts").GetFeatureCount() == 1
    written = None

    result = Describer(checkpoint=random_checkpoint, device="cpu").describe(
        raster, [nodata_box, data_box]
    )
    assert list(result.skipped) == [0] and result.skipped[0].startswith(reason)
    assert list(result.prompts["box_id"]) == [1]

    only_nodata = _box_file(tmp_path / "nodata.gpkg", [nodata_box])
    code, _, err = _run(
        capsys, "batch", "--raster", raster, "--boxes", only_nodata, "--out", tmp_path / "no.gpkg",
        "--checkpoint", tmp_path / "not-loaded",
    )  # fmt: skip
    assert code == 2 and err.startswith(f"error: The box in '{only_nodata}' cannot be used, so")
    assert reason in err
    assert not (tmp_path / "no.gpkg").exists()
