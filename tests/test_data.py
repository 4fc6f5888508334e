"""training.data: record reading and validation, windows and masks, augmentation, batches."""

import json
import logging
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from model_core.config import PREDICATES
from model_core.tokenizer import CaptionTokenizer
from training.data import (
    Augmentation,
    Dihedral,
    RecordDataset,
    RecordError,
    SyntheticDataset,
    collate,
    encode_caption,
    load_image,
    load_records,
    make_sample,
    parse_record,
    record_window,
    sample_augmentation,
    whole_image_box,
)
from training.data.records import rasterize_object

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
SAMPLE_DIR = REAL / "geopixeld_sample"
SAMPLE_JSON = SAMPLE_DIR / "P0224_0_800_0_800.json"


@pytest.fixture(scope="module")
def tok():
    return CaptionTokenizer.from_base_corpus()


@pytest.fixture(scope="module")
def real_record():
    if not SAMPLE_JSON.exists():
        pytest.skip(f"real GeoPixelD sample {SAMPLE_JSON} is missing (../shared/data/real)")
    records, skipped = load_records(SAMPLE_DIR)
    assert skipped == []
    assert len(records) == 1
    return records[0]


def _square(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def _scene(tmp_path: Path, name: str = "scene") -> Path:
    """A 96x96 image with a red square (north) above a grey road (south), both in the
    window of the box [36, 16, 60, 40]."""
    img = np.full((96, 96, 3), 60, dtype=np.uint8)
    img[20:36, 40:56] = (200, 30, 30)
    img[42:50, 10:86] = (128, 128, 128)
    path = tmp_path / f"{name}.png"
    Image.fromarray(img).save(path)
    return path


def _record(**extra):
    rec = {
        "id": "hand",
        "img": "scene.png",
        "gcg_description": "<p> a red building </p> [SEG] stands north of "
        "<p> a grey road </p> [SEG] .",
        "polygons": [[_square(40, 20, 55, 35)], [_square(10, 42, 85, 49)]],
        "box": [36, 16, 60, 40],
        "relations": [[0, "next to", 1], [0, "north of", 1], [1, "next to", 0]],
    }
    rec.update(extra)
    return rec


def _write(path: Path, data) -> Path:
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


# ------------------------------------------------------------------------ the real record
def test_real_record_is_whole_image_with_four_masks(real_record, tok):
    rec = real_record
    assert rec.box is None and rec.num_objects == 4 and rec.caption.count("[SEG]") == 4
    assert rec.phrases == [f"tennis court-{k}" for k in range(1, 5)]
    image = load_image(rec)
    h, w = image.shape[:2]
    assert (w, h) == rec.image_size == (800, 800)
    full = [rasterize_object(obj, w, h) for obj in rec.objects]
    assert all(m.sum() > 1000 for m in full)
    # Box derived from the union of the masks, with a margin, inside the image.
    ys, xs = np.nonzero(np.any(full, axis=0))
    box = whole_image_box(rec, w, h)
    assert 0 <= box[0] < xs.min() and 0 <= box[1] < ys.min()
    assert xs.max() + 1 <= box[2] <= w and ys.max() + 1 <= box[3] <= h
    assert box[2] - box[0] < 1.2 * (xs.max() - xs.min() + 1)

    window, masks = record_window(rec, image, size=256, context=0.5)
    assert masks.shape == (4, 256, 256) and masks.dtype == bool
    scale = 1.0 / window.transform.a  # window pixels per image pixel
    for k in range(4):
        assert masks[k].any()
        # Whole masks fit in the window: areas agree after the resampling.
        assert masks[k].sum() == pytest.approx(full[k].sum() * scale**2, rel=0.15)
        # Masks lie on real pixels, not on the black padding beyond the image.
        assert window.valid[masks[k]].all()

    sample = RecordDataset(SAMPLE_DIR, tok, max_len=512)[0]
    assert sample["masks"].shape == (4, 256, 256)
    assert int((sample["caption_ids"] == tok.seg_id).sum()) == 4
    assert sample["caption_ids"][-1].item() == tok.eos_id
    assert sample["relations"].shape == (4, 4)
    assert torch.equal(torch.diagonal(sample["relations"]), torch.full((4,), -1))


def test_kth_seg_is_kth_polygon(real_record):
    """Each window mask, mapped back to the image, sits on its own polygon."""
    rec = real_record
    image = load_image(rec)
    window, masks = record_window(rec, image, size=256, context=0.5)
    full = [rasterize_object(obj, 800, 800) for obj in rec.objects]
    for k in range(4):
        ys, xs = np.nonzero(masks[k])
        cx, cy = window.transform * (xs.mean() + 0.5, ys.mean() + 0.5)
        fy, fx = np.nonzero(full[k])
        assert abs(cx - (fx.mean() + 0.5)) < 4 and abs(cy - (fy.mean() + 0.5)) < 4
    # Reversing phrases and polygons together reverses the masks.
    swapped = parse_record(
        {
            "id": "r",
            "gcg_description": " ".join(f"<p> court {k} </p> [SEG]" for k in range(4)),
            "polygons": [[p.tolist() for p in obj] for obj in rec.objects[::-1]],
            "box": list(whole_image_box(rec, 800, 800)),
        }
    )
    _, masks_rev = record_window(swapped, image, size=256, context=0.5)
    assert np.array_equal(masks_rev, masks[::-1])


def test_seg_alignment_in_tokens(tmp_path, tok):
    _scene(tmp_path)
    _write(tmp_path / "scene.json", _record())
    sample = RecordDataset(tmp_path, tok)[0]
    ids = sample["caption_ids"]
    assert ids[-1].item() == tok.eos_id and tok.bos_id not in ids.tolist()
    assert int((ids == tok.seg_id).sum()) == len(sample["masks"]) == 2
    # First [SEG] -> the small square, second -> the long strip.
    areas = sample["masks"].sum((1, 2))
    assert areas[0] < areas[1]
    assert sample["record_id"] == "hand"
    # Of "next to" and "north of" for one pair the more specific predicate is the label.
    assert sample["relations"][0, 1].item() == PREDICATES.index("north of")
    assert sample["relations"][1, 0].item() == PREDICATES.index("next to")
    assert torch.equal(torch.diagonal(sample["relations"]), torch.tensor([-1, -1]))


# ----------------------------------------------------------------------- augmentation
def test_vflip_updates_predicates_words_and_masks(tmp_path, tok):
    rec = parse_record(_record(), image_size=(96, 96))
    image = np.asarray(Image.open(_scene(tmp_path)))
    plain = make_sample(rec, image, tok)
    flipped = make_sample(rec, image, tok, augmentation=Augmentation(Dihedral(vflip=True)))
    assert "south of" in flipped["caption"] and "north" not in flipped["caption"]
    assert flipped["caption"].replace("south", "north") == plain["caption"]
    assert flipped["relations"][0, 1].item() == PREDICATES.index("south of")
    assert torch.equal(flipped["masks"], torch.flip(plain["masks"], dims=[1]))
    assert torch.equal(flipped["image"], torch.flip(plain["image"], dims=[1]))
    x0, y0, x1, y1 = plain["box"].tolist()
    assert flipped["box"].tolist() == pytest.approx([x0, 256 - y1, x1, 256 - y0])
    # The mask still covers the red pixels after the flip.
    red = flipped["image"][0] > 150
    assert flipped["masks"][0][red].float().mean() > 0.9


def test_hflip_and_rotation_words():
    h, v, r = Dihedral(hflip=True), Dihedral(vflip=True), Dihedral(k=1)
    text = "A house east of the road, in the north-west corner, at the top left; Eastern side."
    assert (
        h.caption(text)
        == "A house west of the road, in the north-east corner, at the top right; Western side."
    )
    assert (
        v.caption(text)
        == "A house east of the road, in the south-west corner, at the bottom left; Eastern side."
    )
    # A quarter turn counter-clockwise: up becomes left, right becomes up.
    assert (
        r.caption(text)
        == "A house north of the road, in the south-west corner, at the bottom left; Northern side."
    )
    assert r.caption("a horizontal road") == "a vertical road"
    # Words that merely contain direction roots stay as they are.
    untouched = "Eastwood northerners copyright bottomless easter"
    for g in (h, v, r):
        assert g.caption(untouched) == untouched
    assert [r.predicate(p) for p in ("north of", "east of", "south of", "west of", "next to")] == [
        "west of",
        "north of",
        "east of",
        "south of",
        "next to",
    ]
    # Four quarter turns, or two flips of the same axis, change nothing.
    assert Dihedral(k=4).is_identity and Dihedral(k=2, hflip=True, vflip=True).is_identity


def test_rotation_moves_masks_with_words(tmp_path, tok):
    image = np.asarray(Image.open(_scene(tmp_path)))
    rec = parse_record(_record(), image_size=(96, 96))
    plain = make_sample(rec, image, tok)
    turned = make_sample(rec, image, tok, augmentation=Augmentation(Dihedral(k=1)))
    assert "west of" in turned["caption"]
    assert turned["relations"][0, 1].item() == PREDICATES.index("west of")
    assert torch.equal(turned["masks"], torch.rot90(plain["masks"], 1, dims=(1, 2)))
    # The building (object 0) is now west (left) of the road's centre.
    ys0, xs0 = torch.nonzero(turned["masks"][0], as_tuple=True)
    ys1, xs1 = torch.nonzero(turned["masks"][1], as_tuple=True)
    assert xs0.float().mean() < xs1.float().mean()


def test_synth_direction_helpers_agree():
    synth = pytest.importorskip("training.synth")
    h, v = Dihedral(hflip=True), Dihedral(vflip=True)
    for pred in PREDICATES[1:]:
        assert synth.flip_predicate(pred, horizontal=True) == h.predicate(pred)
        assert synth.flip_predicate(pred, horizontal=False) == v.predicate(pred)
    for geometry, swaps in ((h, synth.DIRECTION_SWAPS_HFLIP), (v, synth.DIRECTION_SWAPS_VFLIP)):
        for word, new in swaps.items():
            assert geometry.caption(word) == new


def test_augmentation_is_deterministic_and_bounded(tmp_path, tok):
    _scene(tmp_path)
    _write(tmp_path / "scene.json", _record())
    ds = RecordDataset(tmp_path, tok, augment=True, seed=3)
    a, b = ds[0], ds[0]
    assert torch.equal(a["image"], b["image"]) and a["caption"] == b["caption"]
    draws = [sample_augmentation(np.random.default_rng(s)) for s in range(40)]
    assert all(0.4 <= d.context <= 0.6 for d in draws)
    assert all(0.9 <= f <= 1.1 for d in draws for f in (d.brightness, d.contrast, d.saturation))
    assert len({(d.geometry.k, d.geometry.hflip, d.geometry.vflip) for d in draws}) > 8
    images = []
    for epoch in range(6):
        ds.set_epoch(epoch)
        images.append(ds[0]["image"])
    assert any(not torch.equal(images[0], other) for other in images[1:])


# ------------------------------------------------------------------------- validation
def test_malformed_records_are_skipped_and_counted(tmp_path, tok, caplog):
    _scene(tmp_path)
    _write(tmp_path / "good.json", _record())
    _write(tmp_path / "broken.json", '{"id": "x", "gcg_description": ')
    _write(tmp_path / "count.json", _record(id="count", polygons=[[_square(1, 1, 5, 5)]]))
    _write(
        tmp_path / "phrases.json",
        _record(id="phrases", gcg_description="<p> a </p> [SEG] and b </p> [SEG] ."),
    )
    _write(tmp_path / "noimage.json", _record(id="noimage", img="missing.png"))
    _write(tmp_path / "empty.json", _record(id="empty", gcg_description="  "))
    _write(tmp_path / "relation.json", _record(id="rel", relations=[[0, "north of", 5]]))
    with caplog.at_level(logging.WARNING, logger="training.data"):
        records, skipped = load_records(tmp_path)
    assert [r.id for r in records] == ["hand"]
    reasons = {Path(where).stem: why for where, why in skipped}
    assert set(reasons) == {"broken", "count", "phrases", "noimage", "empty", "relation"}
    assert "malformed JSON" in reasons["broken"]
    assert "1 polygon lists for 2 [SEG]" in reasons["count"]
    assert "<p>" in reasons["phrases"]
    assert "not found" in reasons["noimage"]
    assert "empty" in reasons["empty"]
    logged = [r.getMessage() for r in caplog.records if r.name == "training.data"]
    assert sum("Skipped a record" in m for m in logged) == 5  # the first few reasons only
    assert any("Skipped 6 bad record" in m for m in logged)
    ds = RecordDataset(tmp_path, tok)
    assert len(ds) == 1 and len(ds.skipped) == 6
    with pytest.raises(RecordError):
        load_records(tmp_path, strict=True)
    with pytest.raises(RecordError):
        RecordDataset(tmp_path, tok, strict=True)


def test_unreadable_image_is_replaced_not_raised(tmp_path, tok):
    _scene(tmp_path)
    _write(tmp_path / "a.json", _record(id="a"))
    _write(tmp_path / "b.json", _record(id="b", img="b.png"))
    Image.new("RGB", (96, 96)).save(tmp_path / "b.png")
    ds = RecordDataset(tmp_path, tok)
    (tmp_path / "b.png").write_bytes(b"not a png")  # corrupted after loading
    assert [ds[k]["record_id"] for k in range(2)] == ["a", "a"]


# -------------------------------------------------------------------------- formats
def test_conversation_format_and_image_root(tmp_path, real_record):
    conv = [
        {
            "id": 0,
            "conversations": [
                {"from": "human", "value": "Describe the image with masks."},
                {"from": "gpt", "value": real_record.caption},
            ],
            "image": "data/GeoPixelD/train/P0224_0_800_0_800.png",
            "polygons": str(SAMPLE_JSON),
        }
    ]
    path = _write(tmp_path / "GeoPixelD.json", conv)
    records, skipped = load_records(path, image_root=SAMPLE_DIR)
    assert skipped == []
    rec = records[0]
    assert rec.id == "P0224_0_800_0_800" and rec.caption == real_record.caption
    assert rec.num_objects == 4 and rec.image_path == SAMPLE_DIR / "P0224_0_800_0_800.png"
    # Without the image root the image cannot be found: skipped with the reason.
    records, skipped = load_records(path)
    assert records == [] and "not found" in skipped[0][1]


def test_rle_segmentation_and_synth_layout(tmp_path, tok):
    from pycocotools import mask as mask_utils

    (tmp_path / "images").mkdir()
    (tmp_path / "annotations").mkdir()
    _scene(tmp_path / "images")
    rles = []
    for x0, y0, x1, y1 in ((40, 20, 56, 36), (10, 42, 86, 50)):
        m = np.zeros((96, 96), dtype=np.uint8, order="F")
        m[y0:y1, x0:x1] = 1
        rle = mask_utils.encode(m)
        rles.append({"size": rle["size"], "counts": rle["counts"].decode()})
    conv = [
        {
            "id": 7,
            "conversations": [
                {"from": "human", "value": "?"},
                {"from": "bot", "value": _record()["gcg_description"]},
            ],
            "image": "scene.png",
            "segmentation": rles,
            "box": [36, 16, 60, 40],
        }
    ]
    _write(tmp_path / "annotations" / "conv.json", conv)
    _write(
        tmp_path / "annotations" / "multi.json", {"records": [_record(id="m0"), _record(id="m1")]}
    )
    _write(tmp_path / "manifest.json", {"generator": "x", "n": 1})
    records, skipped = load_records(tmp_path)
    assert skipped == []
    assert sorted(r.id for r in records) == ["m0", "m1", "scene"]
    rle_rec = next(r for r in records if r.id == "scene")
    poly_rec = next(r for r in records if r.id == "m0")
    image = load_image(rle_rec)
    _, m_rle = record_window(rle_rec, image, 64)
    _, m_poly = record_window(poly_rec, image, 64)
    assert np.array_equal(m_rle, m_poly)


# ------------------------------------------------------------------ truncation, batches
def test_truncation_drops_whole_trailing_phrases(tok):
    caption = "<p> a red building </p> [SEG] north of <p> a long grey road </p> [SEG] ."
    full = tok.encode(caption)
    segs = [k for k, t in enumerate(full) if t == tok.seg_id]
    for max_len in range(1, len(full) + 2):
        ids, n_kept, text = encode_caption(tok, caption, max_len)
        assert len(ids) <= max_len and ids[-1] == tok.eos_id
        body = ids[:-1]
        assert body == full[: len(body)]
        assert n_kept == body.count(tok.seg_id) == sum(s < max_len - 1 for s in segs)
        assert body.count(tok.p_open_id) == body.count(tok.p_close_id) == n_kept
        assert text.count("[SEG]") == text.count("<p>") == n_kept
    assert encode_caption(tok, caption, len(full) + 1) == (full + [tok.eos_id], 2, caption)


def test_collate_shapes(tmp_path, tok):
    _scene(tmp_path)
    _write(tmp_path / "a.json", _record(id="a"))
    one = _record(
        id="b",
        gcg_description="<p> a red building </p> [SEG] .",
        polygons=[[_square(40, 20, 55, 35)]],
        relations=[],
    )
    _write(tmp_path / "b.json", one)
    ds = RecordDataset(tmp_path, tok, size=128)
    batch = collate([ds[0], ds[1]], pad_id=tok.pad_id)
    n0, n1 = len(ds[0]["caption_ids"]), len(ds[1]["caption_ids"])
    assert batch["images"].shape == (2, 3, 128, 128) and batch["images"].dtype == torch.uint8
    assert batch["boxes"].shape == (2, 4) and batch["boxes"].dtype == torch.float32
    assert batch["caption_ids"].shape == (2, max(n0, n1))
    assert batch["caption_mask"].dtype == torch.int64
    assert batch["caption_mask"].sum(1).tolist() == [n0, n1]
    short = 0 if n0 < n1 else 1
    assert (batch["caption_ids"][short, min(n0, n1) :] == tok.pad_id).all()
    assert batch["masks"].shape == (3, 128, 128) and batch["masks"].dtype == torch.float32
    assert int((batch["caption_ids"] == tok.seg_id).sum()) == len(batch["masks"])
    assert [r.shape for r in batch["relations"]] == [(2, 2), (1, 1)]
    assert batch["record_ids"] == ["a", "b"] and len(batch["captions"]) == 2


# --------------------------------------------------------------------------- synthetic
def test_synthetic_dataset_deterministic_and_fast(tok):
    pytest.importorskip("training.synth")
    ds = SyntheticDataset(tok, seed=5, length=100, size=128, augment=True)
    start = time.perf_counter()
    samples = [ds[i] for i in range(20)]
    assert time.perf_counter() - start < 3.0
    again = SyntheticDataset(tok, seed=5, length=100, size=128, augment=True)[3]
    assert torch.equal(samples[3]["image"], again["image"])
    assert (
        torch.equal(samples[3]["masks"], again["masks"])
        and samples[3]["caption"] == again["caption"]
    )
    other = SyntheticDataset(tok, seed=6, length=100, size=128)[3]
    assert not torch.equal(other["image"], samples[3]["image"])
    for s in samples:
        n = int((s["caption_ids"] == tok.seg_id).sum())
        assert n == len(s["masks"]) == len(s["relations"]) >= 1
        assert s["masks"].flatten(1).sum(1).min() > 0
    batch = collate(samples[:4], tok.pad_id)
    assert batch["images"].shape == (4, 3, 128, 128)


def test_synthetic_items_match_the_written_dataset(tmp_path, tok):
    """Item i of SyntheticDataset is a record of scene i that `python -m training.synth` writes."""
    synth = pytest.importorskip("training.synth")
    synth.write_dataset(tmp_path, n=2, seed=11)
    ds = RecordDataset(tmp_path, tok, size=128)
    assert ds.skipped == [] and len(ds) == 6
    by_id = {r.id: k for k, r in enumerate(ds.records)}
    live = SyntheticDataset(tok, seed=11, length=2, size=128)
    for i in range(2):
        sample = live[i]
        from_file = ds[by_id[sample["record_id"]]]
        for key in ("image", "box", "caption_ids", "masks", "relations"):
            assert torch.equal(sample[key], from_file[key]), key


def test_scene_without_records_gets_a_deterministic_substitute(tok):
    """Scene 137390 of seed 1 (scene seed 237393) yields no record; it crashed a DataLoader
    worker mid-run once. The dataset must give a substitute sample, the same every time."""
    synth = pytest.importorskip("training.synth")
    assert synth.generate_records(synth.scene_seed(1, 137390), size=384, n_records=3)[1] == []
    ds = SyntheticDataset(tok, seed=1, length=1_000_000, size=128)
    first, again = ds[137390], ds[137390]
    assert torch.equal(first["image"], again["image"]) and first["caption"] == again["caption"]
    assert int((first["caption_ids"] == tok.seg_id).sum()) == len(first["masks"]) >= 1
