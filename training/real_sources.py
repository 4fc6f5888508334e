"""The real annotated sources of ``../shared/data/train_real``: reader, options and fixed split.

``SOURCES.md`` in that folder is the authority: formats, traps and the train/validation split
coded here (``split_of``). ``read_source(name, root, skips)`` yields the source's images.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Callable, Dict, Iterator

from training.readers.coco import read_coco
from training.readers.csv_boxes import read_csv_boxes, read_label_names
from training.readers.masks import binary_table, read_masks
from training.readers.objects import AnnotatedImage, Skips
from training.readers.vector import read_vector
from training.readers.voc import read_voc
from training.readers.yolo import read_yolo

#: Where the real data lives, relative to the repository root.
DEFAULT_ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "train_real"

#: Validation images per source (file-name patterns); everything else is training data.
VALIDATION: Dict[str, tuple] = {
    "dubai": ("Tile 8/*",),
    "aerial_cars": ("MunichStreet02-*", "DJI_0762-*"),
    "deepforest": ("OSBS_029.*", "2018_SJER_3_252000_4107000_image_477*"),
    "levir_cd": ("samples_DSIFN/*",),
    "spacenet_rio": ("*_img62.tif", "*_img63.tif", "*_img64.tif"),
    "deepglobe_roads": ("388_*",),
}
#: Licences of the sources, and whether the bundled (shipped) model may train on them.
LICENCES: Dict[str, tuple] = {
    "dubai": ("CC0-1.0", True),
    "aerial_cars": ("CC BY 3.0 / CC BY-SA", True),
    "deepforest": ("MIT (NEON open data)", True),
    "spacenet_rio": ("CC BY-SA 4.0", True),
    "dk_fields": ("open data (Copernicus, Danish field register)", True),
    "oam_tcd": ("CC BY 4.0", True),
    "sen1floods11": ("CC BY 4.0", True),
    "levir_cd": ("academic research only", False),
    "massroads": ("academic use, citation", False),
    "deepglobe_roads": ("research only (CC BY-NC 4.0)", False),
}
#: Every source, in the order ``all-sources`` prepares them.
SOURCE_NAMES = tuple(LICENCES)
#: Dubai masks' real colours (SOURCES.md: classes.json's colours are wrong).
DUBAI_TABLE = {
    "#3C1098": ("Building", False),
    "#8429F6": ("Land (unpaved area)", True),
    "#6EC1E4": ("Road", True),
    "#FEDD3A": ("Vegetation", True),
    "#E2A929": ("Water", True),
    "#9B9B9B": None,
    "#000000": None,
}
#: Metres per pixel of sources without a georeference (stated or typical).
GROUND_SIZE = {
    "dubai": 0.5,
    "aerial_cars": 0.15,
    "levir_cd": 0.5,
    "deepglobe_roads": 0.5,
    "massroads": 1.0,
    "deepforest": 0.1,
}


#: Records per image at most, where a source is one large scene (default: prepare.MAX_RECORDS).
MAX_RECORDS = {"dk_fields": 200}
#: Noun for classes the class map lacks (a crop register names every crop: all are fields).
DEFAULT_NOUN = {"dk_fields": "field"}


def split_of(source: str, relative: str) -> str:
    """The split, "validation" or "train", of a file of ``source`` (path relative to it)."""
    patterns = VALIDATION.get(source, ())
    name = Path(relative).name
    hit = any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(name, p) for p in patterns)
    return "validation" if hit else "train"


def read_source(name: str, root: Path, skips: Skips) -> Iterator[AnnotatedImage]:
    """Every annotated image of the source ``name`` under ``root`` with its split."""

    def split(file_name: str) -> str:
        return split_of(name, file_name)

    for image in _images(name, Path(root) / name, skips, split):
        if image.gsd is None:
            image.gsd = GROUND_SIZE.get(name)
        yield image


def _voc_files(folder: Path) -> list:
    """VOC label files of a folder; GDAL's ``*.aux.xml`` side files are not labels."""
    return sorted(p for p in folder.glob("*.xml") if not p.name.endswith(".aux.xml"))


def _images(
    name: str, base: Path, skips: Skips, split: Callable[[str], str]
) -> Iterator[AnnotatedImage]:
    """The readers and options of each source (SOURCES.md: formats and traps)."""
    if name == "dubai":
        for tile in sorted((base / "Semantic segmentation dataset").glob("Tile *")):
            for image in read_masks(
                tile / "images",
                tile / "masks",
                "*.jpg",
                "{key}.png",
                DUBAI_TABLE,
                skips,
                lambda n, t=tile.name: split_of(name, f"{t}/{n}"),
            ):
                image.source_id = f"{tile.name.replace(' ', '')}_{image.source_id}"
                yield image
    elif name == "aerial_cars":
        yield from read_yolo(base, base / "aerial.names", skips, split)
    elif name == "deepforest":
        data = base / "src" / "deepforest" / "data"
        wheel = base / "from_pypi_wheel_2.1.0" / "deepforest" / "data"
        yield from read_voc(_voc_files(data), skips, split, [wheel])
        truth = [data / "2018_SJER_3_252000_4107000_image_477_truth.csv"]
        yield from read_csv_boxes(
            truth, skips, split, read_label_names(base / "tests" / "data" / "classes.csv")
        )
        yield from read_coco(data / "coco_sample_file.json", skips, split)
        yield from read_vector(
            data / "australia.tif", data / "australia.shp", "label", skips, split
        )
    elif name == "levir_cd":
        for sample in ("samples_LEVIR", "samples_DSIFN"):
            folder = base / sample
            for image in read_masks(
                folder / "B",
                folder / "label",
                "*.png",
                "{key}.png",
                binary_table("Building"),
                skips,
                lambda n, s=sample: split_of(name, f"{s}/{n}"),
                min_area=16,
            ):
                image.source_id = f"{sample}_{image.source_id}"
                yield image
    elif name == "spacenet_rio":
        out = base / "example_outputs"
        yield from read_masks(
            out / "3band",
            out / "building_mask_vis",
            "*.tif",
            "{key}.tif",
            binary_table("Building"),
            skips,
            split,
            min_area=8,
        )
    elif name == "deepglobe_roads":
        train = base / "dataset" / "train"
        yield from read_masks(
            train,
            train,
            "*_sat.jpg",
            "{key}_mask.png",
            binary_table("Road", stuff=True),
            skips,
            split,
        )
    elif name == "massroads":
        yield from read_masks(
            base / "images",
            base / "masks",
            "*.png",
            "{key}.png",
            binary_table("Road", stuff=True),
            skips,
            split,
            blank_is_nodata=True,
        )
    elif name == "sen1floods11":
        sample = base / "sample"
        yield from read_masks(
            sample / "S2",
            sample / "Labels",
            "*_S2Hand.tif",
            "{key}_LabelHand.tif",
            {-1: None, 0: None, 1: ("Water", True)},
            skips,
            split,
            bands=(4, 3, 2),
        )
    elif name == "dk_fields":
        data = base / "data"
        yield from read_vector(
            data / "RGB_small.tif", data / "marker2016_small.shp", "Afgroede", skips, split
        )
    elif name == "oam_tcd":
        tests = base / "tests"
        yield from read_coco(tests / "test_20221010_single.json", skips, split, tests / "images")
    else:
        raise KeyError(name)
