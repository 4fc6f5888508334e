"""``make demo``: the plugin's Processing algorithm through ``qgis_process.bin``, end to end.

1. A synthetic aerial scene (GeoTIFF) from the training package's generator, with its records'
   box prompts as demo boxes; also the real ``../shared/data/real/cogeo.tif`` when it exists,
   with a few boxes on its road, tunnel portal and forest.
2. ``qgis_process.bin plugins enable clvnet`` with the repository as the plugin folder (a
   symlink ``build/plugins/clvnet``), in a profile of its own (``build/qgis-profile``), with
   the venv's site-packages on ``PYTHONPATH`` and ``CLVNET_MODEL_PYTHON`` set to this Python
   (unless already set), so the model server runs in the venv; QGIS never imports torch.
3. ``qgis_process.bin --json run clvnet:segment_describe_boxes`` per raster, writing the three
   layers into ``demo_out/<name>.gpkg``.
4. A Shapefile export (``demo_out/<name>_shp/``) and a PNG map rendered by QGIS
   (``demo_out/<name>.png``), then each box's caption, objects and relations are printed.

Usage: .venv/bin/python scripts/demo.py [--checkpoint DIR] [--device auto|cpu|cuda]
                                        [--out demo_out] [--seed 7]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

REPO = Path(__file__).resolve().parents[1]
QGIS_PROCESS = Path("/usr/bin/qgis_process.bin")
COGEO = REPO.parent / "shared" / "data" / "real" / "cogeo.tif"
BUNDLED = REPO / "model_core" / "checkpoints" / "clvnet-tiny"
#: Boxes on cogeo.tif (1024 x 1024 px, 0.6 m) in pixels: col0, row0, col1, row1.
COGEO_BOXES = {
    "tunnel portal": (460, 380, 560, 500),
    "road bend": (540, 240, 660, 360),
    "highway": (780, 40, 1000, 170),
    "forest edge": (660, 400, 840, 560),
}
MAX_SCENE_BOXES = 4
SHAPEFILE_TEXT_BYTES = 254

Box = Tuple[float, float, float, float]


@dataclass
class DemoRaster:
    """A raster, its named boxes in pixels (col0, row0, col1, row1) and, for a generated
    scene, the true caption of each box."""

    name: str
    path: Path
    pixel_boxes: Dict[str, Box]
    truths: Dict[str, str] = field(default_factory=dict)


# ------------------------------------------------------------------------------ inputs
def synthetic_scene(work: Path, seed: int) -> DemoRaster:
    """One generated scene: its GeoTIFF and the box prompts of its records."""
    scene_dir = work / "scene"
    if scene_dir.exists():
        shutil.rmtree(scene_dir)
    command = [sys.executable, "-m", "training.synth", "--out", str(scene_dir)]
    command += ["--n", "1", "--seed", str(seed), "--geotiff"]
    print("$ " + " ".join(command), flush=True)
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"The scene generator failed with exit status {done.returncode}.")
    rasters = sorted(scene_dir.rglob("*.tif"))
    if not rasters:
        raise SystemExit(f"The scene generator wrote no GeoTIFF into {scene_dir}.")
    raster = rasters[0]
    boxes: Dict[str, Box] = {}
    truths: Dict[str, str] = {}
    for record in scene_records(scene_dir):
        if Path(str(record.get("img", ""))).stem != raster.stem or "box" not in record:
            continue
        box = tuple(float(v) for v in record["box"])
        if box not in boxes.values():
            name = f"target {len(boxes) + 1}"
            boxes[name] = box
            truths[name] = plain_caption(str(record.get("gcg_description", "")))
        if len(boxes) == MAX_SCENE_BOXES:
            break
    if not boxes:
        raise SystemExit(f"The scene's records in {scene_dir} have no box prompts.")
    return DemoRaster("synthetic", raster, boxes, truths)


def plain_caption(tagged: str) -> str:
    """A grounded caption without its ``<p>``, ``</p>`` and ``[SEG]`` tags."""
    words = [w for w in tagged.split() if w not in ("<p>", "</p>", "[SEG]")]
    return " ".join(words).replace(" .", ".").replace(" ,", ",")


def scene_records(folder: Path) -> List[dict]:
    """Every record (GeoPixelD layout plus ``box``) in the JSON files under ``folder``."""
    records: List[dict] = []
    for path in sorted(folder.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            data = data.get("records", data.get("annotations", [data]))
        records.extend(r for r in data if isinstance(r, dict))
    return records


def pixels_to_map(raster: Path, boxes: Dict[str, Box]) -> Dict[str, Box]:
    """Pixel boxes as (xmin, ymin, xmax, ymax) in the raster's map coordinates."""
    from osgeo import gdal

    dataset = gdal.Open(str(raster))
    x0, dx, rx, y0, ry, dy = dataset.GetGeoTransform()
    out = {}
    for name, (c0, r0, c1, r1) in boxes.items():
        xs = [x0 + c * dx + r * rx for c in (c0, c1) for r in (r0, r1)]
        ys = [y0 + c * ry + r * dy for c in (c0, c1) for r in (r0, r1)]
        out[name] = (min(xs), min(ys), max(xs), max(ys))
    return out


def write_boxes(raster: Path, boxes: Dict[str, Box], path: Path) -> Path:
    """A GeoPackage of the boxes (map coordinates) in the raster's CRS, with a ``name`` field."""
    from qgis.core import (
        QgsCoordinateTransformContext,
        QgsFeature,
        QgsGeometry,
        QgsRasterLayer,
        QgsRectangle,
        QgsVectorFileWriter,
        QgsVectorLayer,
    )

    crs = QgsRasterLayer(str(raster), "raster").crs()
    layer = QgsVectorLayer("Polygon?field=name:string(40)", "boxes", "memory")
    layer.setCrs(crs)
    features = []
    for name, (x0, y0, x1, y1) in boxes.items():
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromRect(QgsRectangle(x0, y0, x1, y1)))
        feature.setAttributes([name])
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    error, message, *_ = QgsVectorFileWriter.writeAsVectorFormatV3(
        layer, str(path), QgsCoordinateTransformContext(), options
    )
    if error != QgsVectorFileWriter.NoError:
        raise SystemExit(f"Cannot write the demo boxes {path}: {message}")
    return path


# ------------------------------------------------------------------------- qgis_process
class QgisProcess:
    """``qgis_process.bin`` with the repository enabled as the ``clvnet`` plugin."""

    def __init__(self, build: Path) -> None:
        plugins = build / "plugins"
        plugins.mkdir(parents=True, exist_ok=True)
        link = plugins / "clvnet"
        if not link.is_symlink() or link.resolve() != REPO:
            if link.is_symlink() or link.is_file():
                link.unlink()
            elif link.exists():
                shutil.rmtree(link)
            link.symlink_to(REPO, target_is_directory=True)
        site = sysconfig.get_paths()["purelib"]
        self.env = dict(
            os.environ,
            QGIS_PLUGINPATH=str(plugins),
            QGIS_CUSTOM_CONFIG_PATH=str(build / "qgis-profile"),
            PYTHONPATH=os.pathsep.join(filter(None, [site, os.environ.get("PYTHONPATH")])),
            CLVNET_MODEL_PYTHON=os.environ.get("CLVNET_MODEL_PYTHON") or sys.executable,
            QT_QPA_PLATFORM="offscreen",
        )
        self.call(["plugins", "enable", "clvnet"], tolerate="already enabled")

    def call(self, args: List[str], tolerate: str = "") -> str:
        """Run ``qgis_process.bin ARGS`` (shown as it runs); its stdout, or exit on failure
        (a failure whose output contains ``tolerate`` is not one)."""
        print("$ qgis_process.bin " + " ".join(args), flush=True)
        done = subprocess.run(
            [str(QGIS_PROCESS), *args], env=self.env, capture_output=True, text=True
        )
        if done.returncode != 0 and not (tolerate and tolerate in done.stdout + done.stderr):
            sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
            raise SystemExit(f"qgis_process.bin failed with exit status {done.returncode}.")
        return done.stdout


def describe_boxes(
    qgis: QgisProcess,
    raster: Path,
    boxes: Path,
    gpkg: Path,
    checkpoint: Optional[Path],
    device: str,
) -> dict:
    """``clvnet:segment_describe_boxes`` into the three ``clvnet_*`` layers of ``gpkg``."""
    if gpkg.exists():
        gpkg.unlink()
    params = {
        "INPUT": str(raster),
        "BOXES": str(boxes),
        "ID_FIELD": "name",
        "DEVICE": device,
        "CONTEXT": "0.5",
        "OUTPUT": f"ogr:dbname='{gpkg}' table=\"clvnet_objects\" (geom)",
        "OUTPUT_RELATIONS": f"ogr:dbname='{gpkg}' table=\"clvnet_relations\"",
        "OUTPUT_PROMPTS": f"ogr:dbname='{gpkg}' table=\"clvnet_prompts\" (geom)",
    }
    if checkpoint is not None:
        params["CHECKPOINT"] = str(checkpoint)
    args = ["--json", "run", "clvnet:segment_describe_boxes", "--"]
    report = json.loads(qgis.call(args + [f"{k}={v}" for k, v in params.items()]))
    for warning in report.get("log", {}).get("warning", []):
        print(f"  warning: {warning}")
    return report["results"]


# ----------------------------------------------------------------------------- outputs
def export_shapefiles(gpkg: Path, folder: Path) -> List[str]:
    """Objects and boxes as Shapefiles (relations as a .dbf); returns truncation notes."""
    from qgis.core import (
        QgsCoordinateTransformContext,
        QgsVectorFileWriter,
        QgsVectorLayer,
    )

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    notes = []
    for name in ("clvnet_objects", "clvnet_prompts", "clvnet_relations"):
        layer = QgsVectorLayer(f"{gpkg}|layername={name}", name)
        long_texts = sum(
            len(str(value).encode("utf-8")) > SHAPEFILE_TEXT_BYTES
            for feature in layer.getFeatures()
            for value in feature.attributes()
            if isinstance(value, str)
        )
        if long_texts:
            notes.append(f"{name}: {long_texts} texts cut to {SHAPEFILE_TEXT_BYTES} bytes")
        options = QgsVectorFileWriter.SaveVectorOptions()
        options.driverName = "ESRI Shapefile"
        options.fileEncoding = "UTF-8"
        error, message, *_ = QgsVectorFileWriter.writeAsVectorFormatV3(
            layer, str(folder / f"{name}.shp"), QgsCoordinateTransformContext(), options
        )
        if error != QgsVectorFileWriter.NoError:
            raise SystemExit(f"Shapefile export of {name} failed: {message}")
    return notes


def print_results(title: str, gpkg: Path, truths: Dict[str, str]) -> None:
    """Each box's caption (and the true one, when known), its objects (phrase, score, area)
    and their relations."""
    from qgis.core import QgsVectorLayer

    prompts = QgsVectorLayer(f"{gpkg}|layername=clvnet_prompts", "prompts")
    objects = QgsVectorLayer(f"{gpkg}|layername=clvnet_objects", "objects")
    relations = QgsVectorLayer(f"{gpkg}|layername=clvnet_relations", "relations")
    by_box: Dict[int, List] = {}
    for feature in objects.getFeatures():
        by_box.setdefault(feature["box_id"], []).append(feature)
    rels: Dict[int, List] = {}
    for feature in relations.getFeatures():
        rels.setdefault(feature["box_id"], []).append(feature)
    print(f"\n=== {title} ===")
    for prompt in sorted(prompts.getFeatures(), key=lambda f: f["box_id"]):
        box_id = prompt["box_id"]
        print(f"\n[{prompt['name']}] {prompt['caption'] or '(no caption)'}")
        if prompt["name"] in truths:
            print(f"    (generator's caption: {truths[prompt['name']]})")
        phrases = {}
        for obj in sorted(by_box.get(box_id, []), key=lambda f: f["obj_id"]):
            phrases[obj["obj_id"]] = obj["phrase"]
            area = f"{obj['area_m2']:.0f} m2" if obj["area_m2"] is not None else "area n/a"
            print(
                f"    object {obj['obj_id']}: {obj['phrase']}  (score {obj['score']:.2f}, {area})"
            )
        if not phrases:
            print("    no objects")
        for rel in rels.get(box_id, []):
            subject = phrases.get(rel["subj_id"], f"object {rel['subj_id']}")
            target = phrases.get(rel["obj_id"], f"object {rel['obj_id']}")
            print(f"    relation: {subject} {rel['predicate']} {target} ({rel['score']:.2f})")


# -------------------------------------------------------------------------------- main
def main(argv: List[str]) -> int:
    """Run the demo; exit status 0 on success."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", type=Path, help="checkpoint folder (default: bundled)")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--out", type=Path, default=REPO / "demo_out")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    if args.checkpoint is None and not (BUNDLED / "model.safetensors").is_file():
        raise SystemExit(
            f"No bundled checkpoint in {BUNDLED.relative_to(REPO)}: train it with "
            "'make train-default' or pass --checkpoint DIR."
        )
    if not QGIS_PROCESS.is_file():
        raise SystemExit(f"{QGIS_PROCESS} is missing: run 'make setup' (Debian package qgis).")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(REPO))
    from demo_map import render_map
    from qgis.core import QgsApplication

    app = QgsApplication([], True)
    app.initQgis()
    out = args.out.resolve()
    work = out / "inputs"
    work.mkdir(parents=True, exist_ok=True)
    build = REPO / "build"
    checkpoint = args.checkpoint.resolve() if args.checkpoint else None

    rasters = [synthetic_scene(work, args.seed)]
    if COGEO.is_file():
        rasters.append(DemoRaster("cogeo", COGEO, COGEO_BOXES))
    else:
        print(f"{COGEO} is missing: the demo runs on the synthetic scene only.")

    qgis = QgisProcess(build)
    done = []
    for demo in rasters:
        boxes = write_boxes(
            demo.path, pixels_to_map(demo.path, demo.pixel_boxes), work / f"{demo.name}_boxes.gpkg"
        )
        gpkg = out / f"{demo.name}.gpkg"
        results = describe_boxes(qgis, demo.path, boxes, gpkg, checkpoint, args.device)
        notes = export_shapefiles(gpkg, out / f"{demo.name}_shp")
        png = render_map(demo.path, gpkg, out / f"{demo.name}.png")
        print_results(f"{demo.name}: {demo.path}", gpkg, demo.truths)
        for note in notes:
            print(f"    Shapefile export: {note}")
        done.append((demo.name, results, gpkg, png))

    print("\nWritten:")
    for name, results, gpkg, png in done:
        print(
            f"  {name}: {results['PROCESSED_COUNT']} boxes, {results['OBJECT_COUNT']} objects, "
            f"{results['SKIPPED_COUNT']} skipped -> {gpkg.relative_to(out.parent)}, "
            f"{name}_shp/, {png.relative_to(out.parent)}"
        )
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
