"""The caption writer for real annotations (training.real_captions): nouns from the class map,
relations that agree with the geometry, colours from the pixels, class spread, determinism."""

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from shapely.geometry import Polygon

from model_core.window import context_window
from training.data.records import parse_record
from training.grammar.relations import direction, pair
from training.readers.objects import AnnotatedImage, LabelledObject, Skips
from training.readers.yolo import read_yolo
from training.real_captions import (
    CLASS_NAMES_FILE,
    MARGIN,
    caption_records,
    class_words,
    colour_name,
    named_correctly,
)

CARS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "train_real" / "aerial_cars"


def square(cls, x, y, side=20, source="s"):
    pts = np.array(
        [[x, y], [x + side - 1, y], [x + side - 1, y + side - 1], [x, y + side - 1]], float
    )
    return LabelledObject(cls, [pts], (x, y, x + side, y + side), source)


def scene(tmp_path, objects, size=(200, 200), colour=(200, 40, 40)):
    rgb = np.full((size[1], size[0], 3), 90, np.uint8)
    for obj in objects:
        x0, y0, x1, y1 = (int(v) for v in obj.box)
        rgb[y0:y1, x0:x1] = colour
    Image.fromarray(rgb).save(tmp_path / "scene.png")
    image = AnnotatedImage("scene", tmp_path / "scene.png", objects, size, gsd=0.5)
    return image, rgb, np.ones(rgb.shape[:2], bool)


def test_class_map_nouns_and_naming():
    assert CLASS_NAMES_FILE.is_file() and CLASS_NAMES_FILE.parent.name == "training"
    assert class_words("Small_Vehicle").noun == "car"
    assert class_words("Land (unpaved area)").phrase == "an area of bare ground"
    assert class_words("Land (unpaved area)").stuff
    assert class_words("Vårbyg").noun == "barley field"
    assert class_words("Permanent græs, lavt udb").noun == "grass field"  # truncated name
    assert class_words("Blanding af noget nyt", default_noun="field").noun == "field"
    assert class_words("gazebo").noun == "gazebo"
    assert class_words("a large white ship").phrase == "a large white ship"  # GeoPixelD
    assert named_correctly("Small_Vehicle", "a white car is parked next to a road")
    assert named_correctly("Vinterhvede", "two wheat fields")
    assert not named_correctly("Building", "a large tree grows next to a road")


@pytest.mark.parametrize(
    "rgb, word",
    [((250, 250, 250), "white"), ((20, 20, 20), "black"), ((128, 128, 130), "grey"),
     ((200, 30, 30), "red"), ((40, 60, 200), "blue"), ((40, 160, 50), "green"),
     ((230, 200, 40), "yellow"), ((120, 70, 30), "brown")],
)  # fmt: skip
def test_colour_words(rgb, word):
    assert colour_name(np.array([rgb] * 10, np.uint8)) == word


def test_mixed_pixels_get_no_colour_word():
    pixels = np.array([(250, 250, 250)] * 3 + [(200, 30, 30)] * 3 + [(40, 60, 200)] * 3, np.uint8)
    assert colour_name(pixels) == ""


def test_relations_agree_with_the_geometry(tmp_path):
    objects = [
        square("Building", 40, 90),
        square("Building", 90, 90, 24),
        square("Small_Vehicle", 90, 60, 10),
        square("Water", 140, 80, 40),
    ]
    image, rgb, valid = scene(tmp_path, objects)
    for seed in range(12):
        for record in caption_records(image, rgb, valid, seed, 4, "scene.png"):
            parse_record(record, "test", image_size=(200, 200))
            geoms = [Polygon(p[0]).buffer(0) if len(p) == 1 else None for p in record["polygons"]]
            kinds = [class_words(c).kind for c in record["classes"]]
            for i, pred, j in record["relations"]:
                if geoms[i] is not None and geoms[j] is not None:
                    assert pred in pair(geoms[i], geoms[j], kinds[i], kinds[j], 0.5)
                    if "of" in pred and pred != "next to":
                        assert direction(geoms[i], geoms[j])[0] == pred
            # each stated clause is a relation of the target with that [SEG]
            words = re.findall(
                r"(north of|south of|east of|west of|next to|beside|inside|on) <p>",
                record["gcg_description"],
            )
            stated = {p for i, p, j in record["relations"] if i == 0}
            assert all((w if w != "beside" else "next to") in stated for w in words)


def test_phrases_use_the_map_nouns_and_the_pixels(tmp_path):
    objects = [square("Small_Vehicle", 30, 30, 12), square("Building", 120, 120, 30)]
    image, rgb, valid = scene(tmp_path, objects, colour=(200, 30, 30))
    records = caption_records(image, rgb, valid, 0, 2, "scene.png")
    targets = {
        r["classes"][0]: re.search(r"<p> (.*?) </p>", r["gcg_description"]).group(1)
        for r in records
    }
    assert targets == {"Small_Vehicle": "a red car", "Building": "a red building"}


def test_box_margin_and_context_window(tmp_path):
    objects = [square("Building", 60, 60, 40), square("Building", 150, 150, 20)]
    image, rgb, valid = scene(tmp_path, objects)
    for seed in range(5):
        for record in caption_records(image, rgb, valid, seed, 2, "scene.png"):
            obj = objects[0] if record["polygons"][0][0][0][0] == 60 else objects[1]
            x0, y0, x1, y1 = record["box"]
            bx0, by0, bx1, by1 = obj.box
            side = bx1 - bx0
            for margin in (bx0 - x0, by0 - y0, x1 - bx1, y1 - by1):
                assert MARGIN[0] * side - 0.1 <= margin <= MARGIN[1] * side + 0.1 or margin < 2
            window = context_window(record["box"], 0.5)
            for polys in record["polygons"][1:]:  # context objects lie in the window
                pts = np.concatenate([np.asarray(p) for p in polys])
                inside = (pts[:, 0] >= window[0] - 1) & (pts[:, 0] <= window[2] + 1)
                assert inside.mean() > 0.5


def test_targets_spread_over_classes_and_determinism(tmp_path):
    objects = [square("Building", 10 + 25 * k, 10, 15) for k in range(6)]
    objects += [square("Small_Vehicle", 10 + 25 * k, 100, 8) for k in range(3)] + [
        square("tree", 150, 150)
    ]
    image, rgb, valid = scene(tmp_path, objects)
    records = caption_records(image, rgb, valid, 7, 3, "scene.png")
    assert sorted(r["classes"][0] for r in records) == ["Building", "Small_Vehicle", "tree"]
    assert caption_records(image, rgb, valid, 7, 3, "scene.png") == records
    others = [caption_records(image, rgb, valid, s, 3, "scene.png") for s in range(8)]
    assert any(o != records for o in others)


def test_box_only_objects_stay_box_only_in_records():
    if not CARS.exists():
        pytest.skip("real data ../shared/data/train_real/aerial_cars is missing")
    image = next(iter(read_yolo(CARS, CARS / "aerial.names", Skips())))
    rgb, valid = image.pixels()
    records = caption_records(image, rgb, valid, 0, 6, "x.jpg")
    assert len(records) == 6
    for record in records:
        assert record["box_only"] == list(range(len(record["polygons"])))
        assert all(
            len(polys) >= 1 and all(len(p) == 4 for p in polys) for polys in record["polygons"]
        )
        for cls, phrase in zip(
            record["classes"], re.findall(r"<p> (.*?) </p>", record["gcg_description"])
        ):
            assert class_words(cls).noun in phrase or class_words(cls).plural in phrase
