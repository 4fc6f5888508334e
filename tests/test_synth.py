"""Tests of the procedural scene generator (training.synth): determinism, record format,
geometry of polygons and windows, relations, distractors, the command line and speed."""

import json
import re
import time
from collections import Counter

import numpy as np
import pytest
from PIL import Image, ImageDraw
from shapely.geometry import MultiPoint, Polygon
from shapely.ops import unary_union

from model_core.errors import InputError
from model_core.window import context_window
from training.grammar.relations import NEXT_TO_M
from training.synth import (
    DIRECTION_SWAPS_HFLIP,
    DIRECTION_SWAPS_VFLIP,
    GENERATOR_VERSION,
    PREDICATES,
    SCENE_TYPES,
    flip_caption,
    flip_predicate,
    generate_records,
    generate_scene,
    make_records,
    scene_seed,
    write_dataset,
)
from training.synth.__main__ import main

SEEDS = list(range(40, 64))
RECORD_KEYS = {
    "id",
    "img",
    "gcg_description",
    "polygons",
    "box",
    "relations",
    "width",
    "height",
    "generator",
    "seed",
}
TOKEN = re.compile(r"<p>|</p>|\[SEG\]|[,.]|[a-z]+(-[a-z]+)?|L-shaped")
CLAUSE_PREDICATES = {
    "inside": "inside",
    "on": "on",
    "next to": "next to",
    "beside": "next to",
    "along": "along",
    "surrounded by": "surrounded by",
    "north of": "north of",
    "south of": "south of",
    "east of": "east of",
    "west of": "west of",
    "with": "contains",
    "around": "surrounds",
}


@pytest.fixture(scope="module")
def samples():
    """(scene, records) for a couple of dozen scenes, three records each."""
    out = []
    for s in SEEDS:
        scene = generate_scene(s)
        out.append((scene, make_records(scene, s, 3)))
    return out


def rasterize(polygons, width, height):
    img = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(img)
    for poly in polygons:
        draw.polygon([tuple(p) for p in poly], fill=1)
    return np.array(img, dtype=bool)


def centroid(mask):
    ys, xs = np.nonzero(mask)
    return xs.mean(), ys.mean()


def test_scene_is_deterministic_and_seeds_differ():
    a, b, c = generate_scene(7), generate_scene(7), generate_scene(8)
    assert a.image.shape == (384, 384, 3) and a.image.dtype == np.uint8
    assert np.array_equal(a.image, b.image)
    assert [o.kind for o in a.objects] == [o.kind for o in b.objects]
    assert all(
        np.array_equal(p, q)
        for o, k in zip(a.objects, b.objects)
        for p, q in zip(o.polygons, k.polygons)
    )
    assert not np.array_equal(a.image, c.image)
    assert json.dumps(make_records(a, 7, 3)) == json.dumps(make_records(b, 7, 3))


def test_every_scene_type_and_size_gsd():
    kinds = {generate_scene(s, scene_type=t).scene_type for s, t in zip(range(6), SCENE_TYPES)}
    assert kinds == set(SCENE_TYPES)
    small = generate_scene(3, size=256, gsd=0.3)
    assert small.image.shape == (256, 256, 3) and small.gsd == 0.3
    with pytest.raises(InputError):
        generate_scene(-1)
    with pytest.raises(InputError):
        generate_scene(1, scene_type="moon")


def test_record_schema_and_caption_format(samples):
    n = 0
    for scene, records in samples:
        assert records, f"scene {scene.seed} gave no record"
        for rec in records:
            n += 1
            assert set(rec) == RECORD_KEYS
            assert rec["generator"] == GENERATOR_VERSION and rec["seed"] == scene.seed
            assert (rec["width"], rec["height"]) == (scene.width, scene.height)
            text = rec["gcg_description"]
            segs, opens, closes = text.count("[SEG]"), text.count("<p>"), text.count("</p>")
            assert segs == opens == closes == len(rec["polygons"]) and 1 <= segs <= 4
            assert all(TOKEN.fullmatch(tok) for tok in text.split(" ")), text
            assert text.startswith(("<p>", "there ", "the image shows <p>")) and text.endswith(" .")
            for obj in rec["polygons"]:
                assert obj and all(len(p) >= 3 and all(len(pt) == 2 for pt in p) for p in obj)
            for i, pred, j in rec["relations"]:
                assert pred in PREDICATES and i != j and 0 <= i < segs and 0 <= j < segs
    assert n >= 2 * len(samples)


def test_box_size_and_margin(samples):
    for _, records in samples:
        for rec in records:
            x0, y0, x1, y1 = rec["box"]
            assert 24 <= max(x1 - x0, y1 - y0) <= 160
            pts = np.array([pt for p in rec["polygons"][0] for pt in p])
            assert x0 <= pts[:, 0].min() and pts[:, 0].max() <= x1
            assert y0 <= pts[:, 1].min() and pts[:, 1].max() <= y1


def test_polygons_rasterise_inside_image_and_window(samples):
    for _scene, records in samples:
        for rec in records:
            w, h = rec["width"], rec["height"]
            wx0, wy0, wx1, wy1 = context_window(tuple(rec["box"]), 0.5)
            yy, xx = np.mgrid[0:h, 0:w]
            in_window = (
                (xx >= wx0 - 0.5) & (xx <= wx1 + 0.5) & (yy >= wy0 - 0.5) & (yy <= wy1 + 0.5)
            )
            for k, obj in enumerate(rec["polygons"]):
                pts = np.array([pt for p in obj for pt in p])
                assert pts.min() >= 0 and pts[:, 0].max() <= w - 1 and pts[:, 1].max() <= h - 1
                mask = rasterize(obj, w, h)
                assert mask.sum() > 0
                inside = (mask & in_window).sum() / mask.sum()
                assert inside >= (0.999 if k == 0 else 0.69), (rec["id"], k, inside)


def test_target_polygons_are_the_drawn_object_masks(samples):
    """The target's polygons are exactly those of scene objects, whose masks they rasterise to."""
    for scene, records in samples:
        for rec in records:
            target = [np.array(p) for p in rec["polygons"][0]]
            owners = [
                o
                for o in scene.objects
                if any(np.array_equal(q, p) for q in o.polygons for p in target)
            ]
            assert owners and sum(len(o.polygons) for o in owners) == len(target)
            union = np.zeros((scene.height, scene.width), dtype=bool)
            for o in owners:
                union |= o.mask(scene.height, scene.width)
            assert np.array_equal(union, rasterize(rec["polygons"][0], scene.width, scene.height))


def test_every_target_has_look_alike_distractors(samples):
    for scene, records in samples:
        counts = Counter(o.kind for o in scene.objects)
        for rec in records:
            first = np.array(rec["polygons"][0][0])
            kind = next(
                o.kind for o in scene.objects if any(np.array_equal(q, first) for q in o.polygons)
            )
            assert counts[kind] >= 2, (scene.seed, kind)


def test_relations_hold_in_the_masks_and_cover_the_caption(samples):
    checked = Counter()
    for scene, records in samples:
        near = NEXT_TO_M / scene.gsd + 1.5
        for rec in records:
            w, h = rec["width"], rec["height"]
            masks = [rasterize(obj, w, h) for obj in rec["polygons"]]
            shapes = [unary_union([Polygon(p).buffer(0) for p in obj]) for obj in rec["polygons"]]
            for i, pred, j in rec["relations"]:
                (xi, yi), (xj, yj) = centroid(masks[i]), centroid(masks[j])
                dx, dy = xi - xj, yi - yj
                if pred in ("north of", "south of"):
                    assert (dy < 0) == (pred == "north of") and abs(dy) >= abs(dx) - 1.0
                elif pred in ("east of", "west of"):
                    assert (dx > 0) == (pred == "east of") and abs(dx) >= abs(dy) - 1.0
                elif pred in ("inside", "on"):
                    assert (masks[i] & masks[j]).sum() >= 0.75 * masks[i].sum()
                elif pred == "contains":
                    assert (masks[i] & masks[j]).sum() >= 0.75 * masks[j].sum()
                elif pred in ("next to", "along"):
                    assert shapes[i].distance(shapes[j]) <= near
                elif pred == "surrounded by":
                    assert MultiPoint(np.argwhere(masks[j])[:, ::-1]).convex_hull.contains(
                        MultiPoint([(xi, yi)]).centroid
                    )
                checked[pred] += 1
            stated = _stated_relations(rec["gcg_description"])
            for pred, k in stated:  # the stated predicate is the pair's first (primary) one
                assert next(t for t in rec["relations"] if t[0] == 0 and t[2] == k)[1] == pred
            assert all([0, p, k] in rec["relations"] for p, k in stated), (
                rec["gcg_description"],
                rec["relations"],
            )
    assert {"north of", "south of", "east of", "west of", "next to", "on", "inside"} <= set(checked)


def _stated_relations(text):
    """(predicate, object index) pairs that a caption states about its target (index 0): the
    words right before each later phrase."""
    out = []
    parts = text.split("<p>")  # parts[k] holds phrase k-1 and the words before phrase k
    for k in range(1, len(parts) - 1):
        words = parts[k].split("</p> [SEG]")[-1].replace(",", " ").split()
        cue = next(
            (" ".join(words[-n:]) for n in (2, 1) if " ".join(words[-n:]) in CLAUSE_PREDICATES),
            None,
        )
        assert cue is not None, f"no predicate before phrase {k} in {text!r}"
        out.append((CLAUSE_PREDICATES[cue], k))
    return out


def test_colour_words_match_the_pixels(samples):
    rules = {
        "red": lambda c: c[0] - c[1] > 25,
        "blue": lambda c: c[2] - c[0] > 20,
        "white": lambda c: c.min() > 150,
        "grey": lambda c: c.max() - c.min() < 30 and 80 < c.mean() < 185,
        "brown": lambda c: c[0] - c[2] > 15 and c.mean() < 150,
    }
    n = 0
    for scene, _ in samples:
        for obj in scene.objects:
            if obj.kind == "building":
                colour = scene.image[obj.mask(scene.height, scene.width)].mean(axis=0)
                assert rules[obj.attributes["colour"]](colour), (scene.seed, obj.attributes, colour)
                n += 1
            elif obj.kind == "swimming pool":
                colour = scene.image[obj.mask(scene.height, scene.width)].mean(axis=0)
                assert colour[2] - colour[0] > 40, colour
    assert n > 50


def test_captions_use_a_moderate_vocabulary(samples):
    words = Counter(w for _, recs in samples for r in recs for w in r["gcg_description"].split())
    assert 60 <= len(words) <= 400


def test_flip_helpers():
    assert DIRECTION_SWAPS_HFLIP == {"east": "west", "west": "east"}
    assert DIRECTION_SWAPS_VFLIP == {"north": "south", "south": "north"}
    assert (
        flip_predicate("east of", True) == "west of"
        and flip_predicate("north of", True) == "north of"
    )
    assert (
        flip_predicate("north of", False) == "south of"
        and flip_predicate("west of", False) == "west of"
    )
    assert all(flip_predicate(p, h) in PREDICATES for p in PREDICATES for h in (True, False))
    text = "<p> a tree </p> [SEG] grows east of <p> a road </p> [SEG] , north of <p> a pond </p> ."
    assert flip_caption(text, True) == text.replace("east", "west")
    assert flip_caption(text, False) == text.replace("north", "south")


def test_flipped_records_stay_consistent(samples):
    """Mirroring polygons and swapping direction words keeps every direction triple true."""
    for _, records in samples[:8]:
        for rec in records:
            w, h = rec["width"], rec["height"]
            for horizontal in (True, False):
                flipped = [
                    [[[w - 1 - x, y] if horizontal else [x, h - 1 - y] for x, y in p] for p in obj]
                    for obj in rec["polygons"]
                ]
                cents = [centroid(rasterize(obj, w, h)) for obj in flipped]
                for i, pred, j in rec["relations"]:
                    new = flip_predicate(pred, horizontal)
                    dx, dy = cents[i][0] - cents[j][0], cents[i][1] - cents[j][1]
                    expect = {
                        "north of": dy < 0,
                        "south of": dy > 0,
                        "east of": dx > 0,
                        "west of": dx < 0,
                    }
                    assert expect.get(new, True), (rec["id"], pred, new)


def test_generate_records_convenience():
    image, records = generate_records(11, n_records=2, img="x.png")
    assert np.array_equal(image, generate_scene(11).image)
    assert 1 <= len(records) <= 2 and all(r["img"] == "x.png" for r in records)
    assert len({json.dumps(r["polygons"][0]) for r in records}) == len(records)


def test_cli_writes_png_dataset(tmp_path):
    out = tmp_path / "ds"
    assert main(["--out", str(out), "--n", "2", "--seed", "5", "--size", "256"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert (
        manifest["generator"] == GENERATOR_VERSION and manifest["n"] == 2 and manifest["seed"] == 5
    )
    assert sum(manifest["objects_per_class"].values()) > 10
    anns = sorted((out / "annotations").glob("*.json"))
    assert len(anns) == manifest["n_records"] >= 2
    rec = json.loads(anns[0].read_text())
    image = np.array(Image.open(out / rec["img"]))
    assert np.array_equal(image, generate_scene(scene_seed(5, 0), 256).image)
    assert main(["--out", str(out), "--n", "0", "--seed", "5"]) == 2


def test_geotiff_has_crs_and_gsd(tmp_path):
    rasterio = pytest.importorskip("rasterio")
    write_dataset(tmp_path, 1, 2, size=128, geotiff=True, crs="EPSG:32633", records_per_scene=1)
    path = tmp_path / "images" / "000000.tif"
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == 32633 and src.res == (0.5, 0.5) and src.count == 3
        x, y = src.transform * (0, 0)
        assert 166000 <= x <= 834000 and 0 <= y <= 9330000
        assert np.array_equal(
            np.transpose(src.read(), (1, 2, 0)), generate_scene(scene_seed(2, 0), 128).image
        )
    with pytest.raises(InputError):
        write_dataset(tmp_path / "geo", 1, 2, geotiff=True, crs="EPSG:4326")


def test_generation_is_fast():
    """CPU time of one core per 384 px scene (the brief's budget is 30 ms; 50 ms is generous)."""
    generate_scene(0)
    start = time.process_time()
    for s in range(100, 120):
        generate_scene(s)
    mean_ms = (time.process_time() - start) / 20 * 1000
    assert mean_ms < 50, f"{mean_ms:.1f} ms per scene"
