"""Readers of annotated imagery (training.readers) on the real files of ../shared/data/train_real:
counts against the label files, boxes and masks where the labels put them, and every kind of
bad input skipped with its reason or refused in strict mode."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from training.readers.coco import read_coco
from training.readers.csv_boxes import read_csv_boxes, read_label_names
from training.readers.dota import read_dota
from training.readers.geopixeld import read_geopixeld
from training.readers.masks import binary_table, read_masks
from training.readers.objects import ReaderError, Skips
from training.readers.pixels import blank_areas
from training.readers.vector import read_vector
from training.readers.voc import read_voc
from training.readers.yolo import read_yolo
from training.real_sources import DUBAI_TABLE, split_of

ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "train_real"
DEEPFOREST = ROOT / "deepforest" / "src" / "deepforest" / "data"
CARS = ROOT / "aerial_cars"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real data {path} is missing (../shared/data/train_real beside the repo)")
    return path


def mask_of(obj, size) -> np.ndarray:
    """The object's polygons drawn as the record format does (PIL, pixel centres)."""
    img = Image.new("L", size, 0)
    draw = ImageDraw.Draw(img)
    for poly in obj.polygons:
        draw.polygon([(float(x), float(y)) for x, y in poly], fill=1)
    return np.asarray(img, dtype=bool)


def tiny_image(path: Path, size=(64, 48)) -> Path:
    Image.new("RGB", size, (90, 120, 60)).save(path)
    return path


def test_outlines_keep_holes_out():
    from shapely.geometry import Polygon, box
    from shapely.ops import unary_union

    from training.readers.objects import outlines

    field = box(0, 0, 100, 100).difference(box(20, 20, 30, 30)).difference(box(60, 50, 80, 70))
    rings = outlines(field)
    union = unary_union([Polygon(r) for r in rings])
    assert all(len(r) >= 3 for r in rings) and union.symmetric_difference(field).area < 1e-6


# ------------------------------------------------------------------------------ YOLO
def test_yolo_counts_and_boxes_match_the_label_files():
    need(CARS)
    skips = Skips()
    images = {i.source_id: i for i in read_yolo(CARS, CARS / "aerial.names", skips)}
    labels = [p for p in CARS.glob("*.txt") if p.name[0] in "DM"]  # not aerial.names, lists
    with_image = [
        p for p in labels if any(p.with_suffix(s).exists() for s in (".png", ".jpg", ".JPG"))
    ]
    assert len(images) == len(with_image) == 122
    # 12 labels whose (large) image is not in the snapshot, and the empty yakubava.txt
    assert skips.counts()["label without image"] == len(labels) - len(with_image) + 1 == 13
    lines = sum(len(p.read_text().split("\n")) - (p.read_text().endswith("\n")) for p in with_image)
    assert sum(len(i.objects) for i in images.values()) == lines
    # MOS155.txt, first line: "0 0.2544138321995465 0.7131232558139534 0.0240114... 0.0512544..."
    image = images["MOS155"]
    w, h = image.size
    second = image.objects[1]
    assert second.class_name == "car" and second.box_only and second.polygons == []
    cx, cy, bw, bh = (
        0.2544138321995465,
        0.7131232558139534,
        0.024011451247165534,
        0.051254418604651165,
    )
    assert second.box == pytest.approx(
        (cx * w - bw * w / 2, cy * h - bh * h / 2, cx * w + bw * w / 2, cy * h + bh * h / 2)
    )
    # the first box sticks out of the left edge by a hair: clipped to the image
    assert images["MOS155"].objects[0].box[0] >= 0.0
    assert {o.class_name for i in images.values() for o in i.objects} <= {
        "car",
        "truck",
        "bus",
        "minibus",
        "cyclist",
    }


def test_yolo_oriented_quads_become_polygons(tmp_path):
    tiny_image(tmp_path / "a.png", (100, 50))
    (tmp_path / "names.txt").write_text("car\ntruck\n")
    (tmp_path / "a.txt").write_text("1 0.1 0.2 0.5 0.2 0.5 0.6 0.1 0.6\n")
    (image,) = read_yolo(tmp_path, tmp_path / "names.txt", Skips(), oriented=True)
    (obj,) = image.objects
    assert obj.class_name == "truck" and not obj.box_only
    assert obj.box == (10.0, 10.0, 50.0, 30.0)
    assert 40 * 20 <= mask_of(obj, (100, 50)).sum() <= 41 * 21  # PIL fills the outline too


def test_yolo_bad_input_is_skipped_with_its_reason_or_refused(tmp_path):
    (tmp_path / "names.txt").write_text("car\n")
    tiny_image(tmp_path / "empty.png")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "orphan.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    tiny_image(tmp_path / "bad.png")
    (tmp_path / "bad.txt").write_text("0 1.5 0.5 0.1 0.1\n7 0.5 0.5 0.1 0.1\n0 0.5 0.5 0.1 0.1\n")
    skips = Skips()
    images = list(read_yolo(tmp_path, tmp_path / "names.txt", skips))
    assert [i.source_id for i in images] == ["bad"] and len(images[0].objects) == 1
    assert skips.counts() == {
        "empty file": 1,
        "label without image": 1,
        "box outside image": 1,
        "unknown class": 1,
    }
    with pytest.raises(ReaderError, match="box outside image"):
        list(read_yolo(tmp_path, tmp_path / "names.txt", Skips(strict=True)))


# ------------------------------------------------------------------------------ VOC, CSV
def test_voc_boxes_match_the_xml():
    xml = need(DEEPFOREST / "OSBS_029.xml")
    (image,) = read_voc([xml], Skips())
    assert image.image_path.name == "OSBS_029.tif" and image.size == (400, 400)
    assert len(image.objects) == len(ET.parse(xml).getroot().findall("object")) == 61
    first = image.objects[0]
    assert (first.class_name, first.box, first.box_only) == (
        "Tree",
        (203.0, 67.0, 227.0, 90.0),
        True,
    )
    assert split_of("deepforest", image.image_path.name) == "validation"


def test_voc_skips_xml_that_is_not_an_annotation(tmp_path):
    (tmp_path / "x.tif.aux.xml").write_text("<PAMDataset><Metadata/></PAMDataset>")
    skips = Skips()
    assert list(read_voc([tmp_path / "x.tif.aux.xml"], skips)) == []
    assert skips.counts() == {"not a VOC annotation": 1}


def test_voc_finds_an_image_in_another_folder():
    xml = need(DEEPFOREST / "2019_YELL_2_528000_4978000_image_crop2.xml")
    wheel = ROOT / "deepforest" / "from_pypi_wheel_2.1.0" / "deepforest" / "data"
    skips = Skips()
    assert list(read_voc([xml], skips)) == [] and skips.counts() == {"label without image": 1}
    (image,) = read_voc([xml], Skips(), image_dirs=[wheel])
    assert image.image_path.parent == wheel and image.objects


def test_csv_reads_columns_by_name_and_maps_numeric_labels():
    truth = need(DEEPFOREST / "2018_SJER_3_252000_4107000_image_477_truth.csv")
    names = read_label_names(ROOT / "deepforest" / "tests" / "data" / "classes.csv")
    (image,) = read_csv_boxes([truth], Skips(), label_names=names)
    assert len(image.objects) == 7
    # first row "...,1,82,103,235,0" with the header xmin,xmax,ymin,ymax
    assert (image.objects[0].class_name, image.objects[0].box) == (
        "Tree",
        (1.0, 103.0, 82.0, 235.0),
    )
    skips = Skips()
    assert list(read_csv_boxes([truth], skips)) == []  # label 0 without its names
    assert skips.counts() == {"unknown class": 7, "no usable object": 1}


def test_csv_refuses_model_output_and_zero_boxes():
    predictions = need(DEEPFOREST / "2018_SJER_3_252000_4107000_image_477.csv")
    skips = Skips()
    assert list(read_csv_boxes([predictions], skips)) == []
    assert skips.counts() == {"model output (score column)": 1}
    with pytest.raises(ReaderError, match="score column"):
        list(read_csv_boxes([predictions], Skips(strict=True)))
    blank = need(ROOT / "deepforest" / "tests" / "data" / "blank_annotations.csv")
    skips = Skips()
    list(read_csv_boxes([blank], skips))
    assert skips.counts()["label without image"] == 1  # OSBS_029.tif is not beside it


# ------------------------------------------------------------------------------ COCO
def test_coco_polygons_from_the_json():
    path = need(ROOT / "oam_tcd" / "tests" / "test_20221010_single.json")
    (image,) = read_coco(path, Skips(), image_dir=path.parent / "images")
    names = [o.class_name for o in image.objects]
    assert (names.count("tree"), names.count("canopy")) == (34, 14)
    ann = json.loads(path.read_text())["annotations"][0]
    seg = ann["segmentation"]
    seg = json.loads(seg) if isinstance(seg, str) else seg
    tree = image.objects[0]
    # the polygon is the annotation's, moved by half a pixel to pixel centres
    first = np.asarray(seg[0][:2]) - 0.5
    assert min(np.abs(p - first).sum(axis=1).min() for p in tree.polygons) < 0.02
    area = mask_of(tree, image.size).sum()
    assert area == pytest.approx(ann["area"], rel=0.1)


def test_coco_rle_crowd_and_missing_category(tmp_path):
    from pycocotools import mask as mask_utils

    need(DEEPFOREST / "OSBS_029.png")
    square = np.zeros((400, 400), dtype=np.uint8, order="F")
    square[100:140, 200:260] = 1
    rle = mask_utils.encode(square)
    rle["counts"] = rle["counts"].decode()
    data = {
        "images": [{"id": 1, "file_name": "OSBS_029.png", "width": 400, "height": 400}],
        "categories": [{"id": 3, "name": "tree"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 3, "segmentation": rle, "iscrowd": 0},
            {"id": 2, "image_id": 1, "category_id": 3, "segmentation": rle, "iscrowd": 1},
            {"id": 3, "image_id": 1, "category_id": 9, "segmentation": rle, "iscrowd": 0},
            {"id": 4, "image_id": 1, "category_id": 3, "bbox": [10, 20, 30, 40]},
        ],
    }
    (tmp_path / "coco.json").write_text(json.dumps(data))
    skips = Skips()
    (image,) = read_coco(tmp_path / "coco.json", skips, image_dir=DEEPFOREST)
    rle_obj, box_obj = image.objects
    assert rle_obj.box == (200.0, 100.0, 260.0, 140.0)
    assert (mask_of(rle_obj, (400, 400)) == square.astype(bool)).mean() > 0.995
    assert box_obj.box_only and box_obj.box == (10.0, 20.0, 40.0, 60.0)
    assert skips.counts() == {"crowd annotation (iscrowd)": 1, "unknown class": 1}


# ------------------------------------------------------------------------------ DOTA
def test_dota_quads_headers_difficult_and_degenerate(tmp_path):
    need(DEEPFOREST / "OSBS_029.png")
    (tmp_path / "labelTxt").mkdir()
    (tmp_path / "labelTxt" / "OSBS_029.txt").write_text(
        "imagesource:GoogleEarth\ngsd:0.1\n"
        "10 10 50 10 50 30 10 30 small-vehicle 0\n"
        "100 100 140 100 140 120 100 120 ship 1\n"
        "5 5 5 5 5 5 5 5 plane 0\n"
    )
    skips = Skips()
    (image,) = read_dota(tmp_path / "labelTxt", skips, image_dir=DEEPFOREST)
    assert image.gsd == 0.1 and [o.class_name for o in image.objects] == ["small-vehicle", "ship"]
    assert image.objects[0].box == (10.0, 10.0, 50.0, 30.0)
    assert skips.counts() == {"degenerate polygon": 1}
    skips = Skips()
    (image,) = read_dota(tmp_path / "labelTxt", skips, image_dir=DEEPFOREST, skip_difficult=True)
    assert [o.class_name for o in image.objects] == ["small-vehicle"]
    with pytest.raises(ReaderError, match="degenerate polygon"):
        list(read_dota(tmp_path / "labelTxt", Skips(strict=True), image_dir=DEEPFOREST))


# ------------------------------------------------------------------------------ masks
def test_semantic_dubai_regions_cover_the_mask_colours(tmp_path):
    tile = need(ROOT / "dubai" / "Semantic segmentation dataset" / "Tile 1")
    for sub, name in (("images", "image_part_001.jpg"), ("masks", "image_part_001.png")):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / name).symlink_to(tile / sub / name)
    skips = Skips()
    (image,) = read_masks(
        tmp_path / "images", tmp_path / "masks", "*.jpg", "{key}.png", DUBAI_TABLE, skips
    )
    mask = np.asarray(Image.open(tile / "masks" / "image_part_001.png").convert("RGB"))
    building = np.all(mask == (0x3C, 0x10, 0x98), axis=2)
    drawn = np.zeros_like(building)
    for obj in image.objects:
        if obj.class_name == "Building":
            assert not obj.stuff
            drawn |= mask_of(obj, image.size)
    iou = (drawn & building).sum() / (drawn | building).sum()
    assert iou > 0.9
    land = np.zeros_like(building)
    for obj in image.objects:
        if obj.class_name == "Land (unpaved area)":
            land |= mask_of(obj, image.size)
    # buildings are holes in the land regions: cut into hole-free pieces, not filled in
    assert (land & building).sum() < 0.1 * building.sum()
    assert {o.class_name for o in image.objects} <= {
        "Building",
        "Land (unpaved area)",
        "Road",
        "Vegetation",
        "Water",
    }
    assert all(o.stuff for o in image.objects if o.class_name == "Water")
    # stuff regions are cut into cells, so none is wider than one cell
    assert max(o.box[2] - o.box[0] for o in image.objects if o.stuff) <= 256


def test_binary_masks_spacenet_georeferenced_and_massroads_blank(tmp_path):
    out = need(ROOT / "spacenet_rio" / "example_outputs")
    skips = Skips()
    images = list(
        read_masks(
            out / "3band",
            out / "building_mask_vis",
            "*.tif",
            "{key}.tif",
            binary_table("Building"),
            skips,
            min_area=8,
        )
    )
    assert len(images) + skips.counts()["no labelled object"] == 15
    assert all(0.3 < i.gsd < 0.7 for i in images)  # ~0.5 m from EPSG:4326 at Rio's latitude
    roads = need(ROOT / "massroads")
    (tmp_path / "i").mkdir()
    (tmp_path / "m").mkdir()
    # a 600 px crop across the blank edge (the left ~46 % of 23279080_15 is blank), for speed
    crop = (400, 0, 1000, 600)
    Image.open(roads / "images" / "23279080_15.png").crop(crop).save(tmp_path / "i" / "a.png")
    Image.open(roads / "masks" / "23279080_15.png").crop(crop).save(tmp_path / "m" / "a.png")
    table = binary_table("Road", stuff=True)
    (image,) = read_masks(
        tmp_path / "i", tmp_path / "m", "*.png", "{key}.png", table, Skips(), blank_is_nodata=True
    )
    rgb, valid = image.pixels()
    blank = blank_areas(rgb)
    assert 0.2 < blank.mean() < 0.8 and not valid[blank].any()
    road_label = np.asarray(Image.open(tmp_path / "m" / "a.png")) > 0
    assert (road_label & blank).sum() > 5000  # the trap: roads marked inside the blank part
    drawn = np.zeros_like(blank)
    for obj in image.objects:
        drawn |= mask_of(obj, image.size)
    assert (drawn & blank).sum() < 0.01 * drawn.sum()  # ... are left out
    assert (drawn & road_label & ~blank).sum() > 0.8 * (road_label & ~blank).sum()


def test_levir_change_masks_and_image_without_label():
    levir = need(ROOT / "levir_cd" / "samples_LEVIR")
    skips = Skips()
    images = list(
        read_masks(
            levir / "B",
            levir / "label",
            "*.png",
            "{key}.png",
            binary_table("Building"),
            skips,
            min_area=16,
        )
    )
    assert skips.counts()["image without label"] == 1  # B/test_N_N.png has no label
    assert len(images) + skips.counts()["no labelled object"] == 11
    assert all(o.class_name == "Building" for i in images for o in i.objects)


def test_sen1floods_true_colour_bands_stretched():
    from model_core.raster import _stretch

    sample = need(ROOT / "sen1floods11" / "sample")
    table = {-1: None, 0: None, 1: ("Water", True)}
    (image,) = read_masks(
        sample / "S2",
        sample / "Labels",
        "*_S2Hand.tif",
        "{key}_LabelHand.tif",
        table,
        Skips(),
        bands=(4, 3, 2),
    )
    rgb, valid = image.pixels()
    import rasterio

    with rasterio.open(image.image_path) as src:
        red = src.read(4)
    assert rgb.dtype == np.uint8 and np.array_equal(rgb[..., 0], _stretch(red, valid))
    label = rasterio.open(sample / "Labels" / "Spain_7370579_LabelHand.tif").read(1)
    drawn = np.zeros(label.shape, bool)
    for obj in image.objects:
        drawn |= mask_of(obj, image.size)
    # water where the label says water (region outlines drop their holes: some land inside)
    assert (drawn & (label == 1)).sum() / drawn.sum() > 0.85
    assert (drawn & (label == 1)).sum() / (label == 1).sum() > 0.9


def test_mask_size_mismatch_and_unknown_colour(tmp_path):
    (tmp_path / "i").mkdir()
    (tmp_path / "m").mkdir()
    tiny_image(tmp_path / "i" / "a.png", (32, 32))
    tiny_image(tmp_path / "i" / "b.png", (32, 32))
    Image.new("L", (16, 16), 255).save(tmp_path / "m" / "a.png")
    Image.new("RGB", (32, 32), (1, 2, 3)).save(tmp_path / "m" / "b.png")
    skips = Skips()
    table = {"#FFFFFF": ("Building", False)}
    assert (
        list(read_masks(tmp_path / "i", tmp_path / "m", "*.png", "{key}.png", table, skips)) == []
    )
    assert skips.counts() == {
        "mask size differs from image": 1,
        "unknown class": 1,
        "no labelled object": 1,
    }


# ------------------------------------------------------------------------------ vector over raster
def test_vector_dk_fields_reprojected_into_pixels():
    import geopandas
    import rasterio

    data = need(ROOT / "dk_fields" / "data")
    skips = Skips()
    (image,) = read_vector(data / "RGB_small.tif", data / "marker2016_small.shp", "Afgroede", skips)
    assert image.window == (0, 0, 452, 413) and image.gsd == pytest.approx(10.0)
    frame = geopandas.read_file(data / "marker2016_small.shp")
    # one empty Afgroede, one sliver of 78 m2 (< 1 pixel) inside the raster: each counted
    assert skips.counts() == {"unknown class": 1, "sliver below one pixel": 1}
    assert len(image.objects) == 274 and len(image.objects) + len(skips.items) == len(frame) == 276
    with rasterio.open(data / "RGB_small.tif") as src:
        inverse = ~src.transform
    centroid = frame.geometry[0].centroid
    col, row = inverse * (centroid.x, centroid.y)
    first = image.objects[0]
    from shapely.geometry import Polygon

    got = Polygon(first.polygons[0]).centroid
    assert (first.class_name, got.x, got.y) == (
        frame.Afgroede[0],
        pytest.approx(col - 0.5, abs=0.05),
        pytest.approx(row - 0.5, abs=0.05),
    )
    rgb, valid = image.pixels()
    assert rgb.shape == (413, 452, 3) and valid.all()


def test_vector_tiles_windows_and_other_crs(tmp_path):
    data = need(ROOT / "dk_fields" / "data")
    images = list(
        read_vector(
            data / "RGB_small.tif", data / "marker2016_small.shp", "Afgroede", Skips(), tile=200
        )
    )
    assert {i.window[:2] for i in images} <= {(c, r) for c in (0, 200, 400) for r in (0, 200, 400)}
    assert all(i.size[0] <= 200 and i.size[1] <= 200 for i in images)
    rgb, _ = images[-1].pixels()
    assert rgb.shape == (images[-1].size[1], images[-1].size[0], 3)
    # the same layer in EPSG:4326 lands on the same pixels
    import geopandas

    geopandas.read_file(data / "marker2016_small.shp").to_crs("EPSG:4326").to_file(
        tmp_path / "wgs84.gpkg", driver="GPKG"
    )
    (a,) = read_vector(data / "RGB_small.tif", data / "marker2016_small.shp", "Afgroede", Skips())
    (b,) = read_vector(data / "RGB_small.tif", tmp_path / "wgs84.gpkg", "Afgroede", Skips())
    assert a.objects[5].box == pytest.approx(b.objects[5].box, abs=1.0)


def test_vector_features_off_the_raster_are_counted(tmp_path):
    import geopandas
    from shapely.affinity import translate as shifted

    data = need(ROOT / "dk_fields" / "data")
    frame = geopandas.read_file(data / "marker2016_small.shp").iloc[:4].copy()
    moved = [shifted(g, 1e5, 0) if k == 3 else g for k, g in enumerate(frame.geometry)]
    frame = frame.set_geometry(geopandas.GeoSeries(moved, crs=frame.crs, index=frame.index))
    frame.to_file(tmp_path / "off.gpkg", driver="GPKG")  # feature 3: 100 km east of the raster
    skips = Skips()
    (image,) = read_vector(data / "RGB_small.tif", tmp_path / "off.gpkg", "Afgroede", skips)
    assert len(image.objects) == 3 and skips.items == [("off.gpkg feature 3", "outside the raster")]


def test_vector_bad_inputs(tmp_path):
    data = need(DEEPFOREST / "australia.shp")
    skips = Skips()
    (image,) = read_vector(DEEPFOREST / "australia.tif", data, "label", skips)
    assert [o.class_name for o in image.objects] == ["Tree"] and not skips.items
    skips = Skips()
    assert list(read_vector(DEEPFOREST / "australia.tif", data, "species", skips)) == []
    assert skips.counts() == {"missing class field": 1}
    with pytest.raises(ReaderError, match="missing class field"):
        list(read_vector(DEEPFOREST / "australia.tif", data, "species", Skips(strict=True)))
    skips = Skips()
    assert list(read_vector(DEEPFOREST / "OSBS_029.png", data, "label", skips)) == []
    assert skips.counts() == {"labels over a raster without georeference": 1}


# ------------------------------------------------------------------------------ GeoPixelD
def test_geopixeld_records_on_the_same_type():
    sample = need(ROOT.parent / "real" / "geopixeld_sample")
    (image,) = read_geopixeld([sample / "P0224_0_800_0_800.json"], Skips())
    data = json.loads((sample / "P0224_0_800_0_800.json").read_text())
    assert len(image.objects) == len(data["polygons"]) and image.size == (800, 800)
    assert all(not o.box_only for o in image.objects)
    assert {o.class_name for o in image.objects} == {"tennis court"}  # "tennis court-1" ...
