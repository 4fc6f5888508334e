"""``python -m training.prepare FORMAT ...``: annotated imagery in, record folders out.

Reads labels with one of :mod:`training.readers`, writes grounded captions for them
(:mod:`training.real_captions`) and lays out one folder per split::

    OUT/train/images/*.png|jpg      the image, or the raster window, as 8-bit RGB
    OUT/train/annotations/*.json    {"records": [...]} per image (ARCHITECTURE section 3)
    OUT/train/previews/*.png        a few records drawn: window, box, masks, caption
    OUT/summary.json, OUT/summary.md

and prints the summary: images, objects per class, records, skipped input with reasons.
``all-sources`` does this for every source of ``../shared/data/train_real`` with the fixed
split of its SOURCES.md, into ``OUT/<source>/<split>/``, plus ``OUT/SUMMARY.md``.

Bad input is skipped and counted; ``--strict`` refuses it with one sentence (exit 2).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence

from model_core.errors import InputError
from model_core.progress import progress
from training.readers.objects import AnnotatedImage, Skips
from training.real_captions import caption_records, records_per_image

SPLITS = ("train", "validation")
#: Records per image at most (an image gives about one record per two labels).
MAX_RECORDS_PER_IMAGE = 64
#: Previews drawn per split.
PREVIEWS = 6


class Summary:
    """Counts of one output folder: images, objects per class, records, skips."""

    def __init__(self) -> None:
        self.images = 0
        self.objects: Counter = Counter()
        self.box_only = 0
        self.records = 0
        self.no_record = 0

    def to_dict(self) -> dict:
        return {
            "images": self.images,
            "objects": dict(sorted(self.objects.items())),
            "box_only_objects": self.box_only,
            "records": self.records,
            "images_without_record": self.no_record,
        }


def prepare(
    images: Iterable[AnnotatedImage],
    out: Path,
    skips: Skips,
    seed: int = 0,
    max_records: int = MAX_RECORDS_PER_IMAGE,
    previews: int = PREVIEWS,
    default_noun: Optional[str] = None,
    quiet: bool = False,
    desc: str = "prepare",
) -> Dict[str, dict]:
    """Write the record folders of ``images`` under ``out/<split>/``; returns the summary
    (per split, plus ``skipped`` reasons with counts)."""
    out = Path(out)
    for split in SPLITS:  # a rerun replaces what an earlier run wrote, nothing else
        for sub in ("images", "annotations", "previews"):
            shutil.rmtree(out / split / sub, ignore_errors=True)
    summaries = {s: Summary() for s in SPLITS}
    drawn: Dict[str, List[tuple]] = {s: [] for s in SPLITS}
    for image in progress(images, desc=desc, unit="image", quiet=quiet):
        split = image.split if image.split in SPLITS else "train"
        folder = out / split
        (folder / "images").mkdir(parents=True, exist_ok=True)
        (folder / "annotations").mkdir(parents=True, exist_ok=True)
        rgb, valid = image.pixels()
        name = _write_image(image, rgb, folder / "images")
        n = records_per_image(len(image.objects), max_records)
        records = caption_records(image, rgb, valid, seed, n, name, default_noun)
        summary = summaries[split]
        summary.images += 1
        summary.objects.update(o.class_name for o in image.objects)
        summary.box_only += sum(o.box_only for o in image.objects)
        if not records:
            summary.no_record += 1
            skips.note(image.source_id, "no captionable target")
            continue
        summary.records += len(records)
        stem = Path(name).stem
        (folder / "annotations" / f"{stem}.json").write_text(
            json.dumps({"records": records}, ensure_ascii=False), encoding="utf-8"
        )
        if len(drawn[split]) < previews:
            drawn[split].append((rgb, records[len(drawn[split]) % len(records)]))
    from training.previews import render_preview

    for split, items in drawn.items():
        for k, (rgb, record) in enumerate(items):
            target = out / split / "previews" / f"{k:02d}_{record['id']}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            render_preview(rgb, record).save(target)
    result = {s: summaries[s].to_dict() for s in SPLITS if summaries[s].images}
    result["skipped"] = dict(sorted(skips.counts().items()))
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=1, ensure_ascii=False) + "\n"
    (out / "summary.json").write_text(text, encoding="utf-8")
    (out / "summary.md").write_text(summary_table({out.name: result}) + "\n", encoding="utf-8")
    return result


def _write_image(image: AnnotatedImage, rgb, folder: Path) -> str:
    """Copy an 8-bit PNG/JPEG as it is; write anything else (windows, 16-bit, many bands) as
    PNG of the pixels the captions were written from. Returns the file name."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in image.source_id)
    suffix = image.image_path.suffix.lower()
    if image.window is None and suffix in (".png", ".jpg", ".jpeg"):
        name = safe + suffix
        shutil.copyfile(image.image_path, folder / name)
        return name
    from PIL import Image

    name = safe + ".png"
    Image.fromarray(rgb).save(folder / name)
    return name


def summary_table(results: Dict[str, dict]) -> str:
    """Markdown table: source, split, images, objects per class, records, skipped and why."""
    lines = [
        "| source | split | images | objects per class | box-only | records | skipped (why) |",
        "|---|---|---|---|---|---|---|",
    ]
    for source, result in results.items():
        skipped = ", ".join(f"{n} {why}" for why, n in result.get("skipped", {}).items()) or "-"
        first = True
        for split in SPLITS:
            if split not in result:
                continue
            row = result[split]
            objects = ", ".join(f"{name} {n}" for name, n in row["objects"].items())
            lines.append(
                f"| {source} | {split} | {row['images']} | {objects} | {row['box_only_objects']} "
                f"| {row['records']} | {skipped if first else '(see above)'} |"
            )
            first = False
        if first:
            lines.append(f"| {source} | - | 0 | - | 0 | 0 | {skipped} |")
    return "\n".join(lines)


# ------------------------------------------------------------------------------ command line
def _split_rule(patterns: Sequence[str]) -> Callable[[str], str]:
    def rule(name: str) -> str:
        hit = any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(Path(name).name, p) for p in patterns)
        return "validation" if hit else "train"

    return rule


def _table(path: str) -> dict:
    """A class table file: {"#RRGGBB" or index: "Class" | ["Class", "stuff"] | null}."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    table = {}
    for key, value in data.items():
        key = key if key.startswith("#") else int(key)
        if value is None:
            table[key] = None
        elif isinstance(value, str):
            table[key] = (value, False)
        else:
            table[key] = (str(value[0]), len(value) > 1 and value[1] == "stuff")
    return table


def _images(args, skips: Skips) -> Iterable[AnnotatedImage]:
    """The reader the FORMAT argument names, with its options."""
    split = _split_rule(args.validation)
    bands = tuple(args.bands) if getattr(args, "bands", None) else (1, 2, 3)
    if args.format == "yolo":
        from training.readers.yolo import read_yolo

        return read_yolo(Path(args.folder), Path(args.names), skips, split, args.oriented)
    if args.format == "voc":
        from training.readers.voc import read_voc

        return read_voc([Path(p) for p in args.files], skips, split)
    if args.format == "csv":
        from training.readers.csv_boxes import read_csv_boxes, read_label_names

        names = read_label_names(Path(args.label_names)) if args.label_names else None
        return read_csv_boxes([Path(p) for p in args.files], skips, split, names)
    if args.format == "coco":
        from training.readers.coco import read_coco

        images = Path(args.images) if args.images else None
        return read_coco(Path(args.json), skips, split, images)
    if args.format == "dota":
        from training.readers.dota import read_dota

        images = Path(args.images) if args.images else None
        return read_dota(Path(args.labels), skips, split, images, args.skip_difficult)
    if args.format in ("semantic", "binary"):
        from training.readers.masks import binary_table, read_masks

        if args.format == "semantic":
            table = _table(args.classes)
        else:
            table = binary_table(args.class_name, args.on_value, args.stuff)
        return read_masks(
            Path(args.images), Path(args.masks), args.image_glob, args.mask_name, table, skips,
            split, args.min_area, bands, args.blank_is_nodata,
        )  # fmt: skip
    if args.format == "vector":
        from training.readers.vector import read_vector

        extent = tuple(args.extent) if args.extent else None
        return read_vector(
            Path(args.raster), Path(args.labels), args.class_field, skips, split, args.tile,
            bands, extent,
        )  # fmt: skip
    if args.format == "geopixeld":
        from training.readers.geopixeld import read_geopixeld

        return read_geopixeld([Path(p) for p in args.paths], skips, split)
    raise InputError(f"Unknown format {args.format!r}.")


def _with_gsd(images: Iterable[AnnotatedImage], gsd: Optional[float]):
    for image in images:
        if image.gsd is None and gsd is not None:
            image.gsd = gsd
        yield image


def all_sources(root: Path, out: Path, names: Sequence[str], seed: int, quiet: bool) -> dict:
    """Prepare every named source of ``root`` (train_real) into ``out/<source>/``."""
    from training.real_sources import DEFAULT_NOUN, MAX_RECORDS, read_source

    results = {}
    for name in names:
        skips = Skips()
        results[name] = prepare(
            read_source(name, root, skips), out / name, skips, seed,
            MAX_RECORDS.get(name, MAX_RECORDS_PER_IMAGE), default_noun=DEFAULT_NOUN.get(name),
            quiet=quiet, desc=name,
        )  # fmt: skip
    from training.real_sources import SOURCE_NAMES

    # the table covers every source prepared in ``out`` so far, not only this run's
    everything = {}
    for name in SOURCE_NAMES:
        file = out / name / "summary.json"
        if file.is_file():
            everything[name] = json.loads(file.read_text(encoding="utf-8"))
    table = summary_table(everything)
    (out / "SUMMARY.md").write_text(
        "# Records prepared from train_real\n\n"
        f"`python -m training.prepare all-sources --root {root} --out {out}` (seed {seed}).\n"
        "Skipped input is counted per source (both splits).\n\n" + table + "\n",
        encoding="utf-8",
    )
    return results


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m training.prepare",
        description="Write grounded-caption record folders from annotated imagery.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--out", required=True, help="output folder (OUT/train, OUT/validation)")
    common.add_argument(
        "--validation",
        action="append",
        default=[],
        metavar="PATTERN",
        help="image names matching go to the validation split (repeatable)",
    )
    common.add_argument("--seed", type=int, default=0, help="caption seed (default 0)")
    common.add_argument(
        "--max-records",
        type=int,
        default=MAX_RECORDS_PER_IMAGE,
        help=f"records per image at most (default {MAX_RECORDS_PER_IMAGE})",
    )
    common.add_argument(
        "--previews", type=int, default=PREVIEWS, help=f"previews per split (default {PREVIEWS})"
    )
    common.add_argument("--gsd", type=float, help="metres per pixel when the image has none")
    common.add_argument("--default-noun", help="noun for classes missing from the class map")
    common.add_argument("--strict", action="store_true", help="refuse the first bad input")
    common.add_argument("--quiet", action="store_true", help="no progress output")
    sub = parser.add_subparsers(dest="format", required=True, metavar="FORMAT")

    p = sub.add_parser("yolo", parents=[common], help="YOLO .txt labels beside the images")
    p.add_argument("folder")
    p.add_argument("--names", required=True, help="class names file, one a line")
    p.add_argument("--oriented", action="store_true", help="labels are normalised quads")
    p = sub.add_parser("voc", parents=[common], help="Pascal VOC XML files")
    p.add_argument("files", nargs="+")
    p = sub.add_parser("csv", parents=[common], help="CSV image_path,xmin,ymin,xmax,ymax,label")
    p.add_argument("files", nargs="+")
    p.add_argument("--label-names", help="CSV of name,id for numeric labels")
    p = sub.add_parser("coco", parents=[common], help="COCO instances JSON")
    p.add_argument("json")
    p.add_argument("--images", help="image folder (default: beside the JSON)")
    p = sub.add_parser("dota", parents=[common], help="DOTA labelTxt folder")
    p.add_argument("labels")
    p.add_argument("--images", help="image folder (default: ../images)")
    p.add_argument("--skip-difficult", action="store_true")
    for fmt in ("semantic", "binary"):
        p = sub.add_parser(fmt, parents=[common], help=f"{fmt} masks paired with images")
        p.add_argument("--images", required=True)
        p.add_argument("--masks", required=True)
        p.add_argument("--image-glob", default="*.png", help="'*SUFFIX'; the key is the rest")
        p.add_argument("--mask-name", default="{key}.png", help="mask file name from {key}")
        p.add_argument("--min-area", type=int, default=64, help="smallest region in pixels")
        p.add_argument("--bands", type=int, nargs=3, help="1-based R G B bands of the image")
        p.add_argument("--blank-is-nodata", action="store_true", help="white pixels: no data")
        if fmt == "semantic":
            p.add_argument("--classes", required=True, help="class table JSON")
        else:
            p.add_argument("--class", dest="class_name", required=True)
            p.add_argument("--on-value", type=int, default=255)
            p.add_argument("--stuff", action="store_true", help="the class is a region class")
    p = sub.add_parser("vector", parents=[common], help="vector labels over a raster")
    p.add_argument("raster")
    p.add_argument("labels")
    p.add_argument("--class-field", required=True)
    p.add_argument("--tile", type=int, default=1024, help="window side in pixels")
    p.add_argument("--bands", type=int, nargs=3)
    p.add_argument("--extent", type=float, nargs=4, metavar=("MINX", "MINY", "MAXX", "MAXY"))
    p = sub.add_parser("geopixeld", parents=[common], help="GeoPixelD / project records")
    p.add_argument("paths", nargs="+")
    p = sub.add_parser(
        "all-sources", aliases=["sources"], help="every source of train_real with its fixed split"
    )
    p.add_argument("--root", help="train_real folder (default ../shared/data/train_real)")
    p.add_argument("--out", required=True)
    p.add_argument("--sources", help="comma-separated subset of the sources")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", action="store_true")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.format in ("all-sources", "sources"):
            from training.real_sources import DEFAULT_ROOT, SOURCE_NAMES

            root = Path(args.root) if args.root else DEFAULT_ROOT
            if not root.is_dir():
                raise InputError(f"The train_real folder '{root}' does not exist.")
            names = args.sources.split(",") if args.sources else list(SOURCE_NAMES)
            unknown = [n for n in names if n not in SOURCE_NAMES]
            if unknown:
                raise InputError(f"Unknown sources {unknown}; known: {', '.join(SOURCE_NAMES)}.")
            results = all_sources(root, Path(args.out), names, args.seed, args.quiet)
            print(summary_table(results))
            return 0
        skips = Skips(strict=args.strict)
        images = _with_gsd(_images(args, skips), args.gsd)
        result = prepare(
            images, Path(args.out), skips, args.seed, args.max_records, args.previews,
            args.default_noun, args.quiet,
        )  # fmt: skip
    except (InputError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(summary_table({Path(args.out).name: result}))
    if not any(split in result for split in SPLITS):
        print("error: no labelled image was found.", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
