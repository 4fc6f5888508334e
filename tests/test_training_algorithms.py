"""The toolbox's training path end to end in a real headless QGIS, at tiny scale: labelled layers
(DeepForest's one-tree ``australia.shp``, the 276 ``dk_fields`` parcels over a 16-bit GeoTIFF)
-> ``clvnet:prepare_training_data`` -> ``clvnet:train_model`` (2 steps, batch 1, in the model's
Python) -> a checkpoint that ``python -m model_core`` loads and predicts with, and that the plugin
then uses (``clvnet:segment_describe_boxes`` with it as CHECKPOINT, and the map tool's worker with
it in Settings). Cancel leaves nothing behind; bad input is one sentence."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO
from qgis.core import (
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorLayer,
)

from clvnet_qgis.pixels import prepare_window
from clvnet_qgis.processing.training_process import TrainingUnavailable, check_training_package
from clvnet_qgis.settings import ClvnetSettings
from clvnet_qgis.worker import PredictionWorker

TRAIN_REAL = REPO.parent / "shared" / "data" / "train_real"
AUSTRALIA = TRAIN_REAL / "deepforest" / "src" / "deepforest" / "data" / "australia"
DK_FIELDS = TRAIN_REAL / "dk_fields" / "data"
PREPARE = "clvnet:prepare_training_data"
TRAIN = "clvnet:train_model"


class RecordingFeedback(QgsProcessingFeedback):
    """Keeps the messages an algorithm writes to the log."""

    def __init__(self) -> None:
        super().__init__()
        self.messages = []

    def pushInfo(self, info: str) -> None:
        self.messages.append(info)
        super().pushInfo(info)


@pytest.fixture(scope="module")
def run_alg(clvnet_provider):
    import processing

    def run(alg, params, feedback=None):
        return processing.run(alg, params, feedback=feedback or RecordingFeedback())

    return run


def project_layer(layer):
    assert layer.isValid(), layer.source()
    QgsProject.instance().addMapLayer(layer, False)
    return layer


@pytest.fixture(scope="module")
def layers():
    if not AUSTRALIA.with_suffix(".tif").exists() or not DK_FIELDS.exists():
        pytest.skip("../shared/data/train_real (deepforest, dk_fields) is missing")
    made = {
        "australia": project_layer(QgsRasterLayer(str(AUSTRALIA.with_suffix(".tif")), "au")),
        "australia_labels": project_layer(
            QgsVectorLayer(str(AUSTRALIA.with_suffix(".shp")), "au_labels", "ogr")
        ),
        "dk": project_layer(QgsRasterLayer(str(DK_FIELDS / "RGB_small.tif"), "dk")),
        "dk_labels": project_layer(
            QgsVectorLayer(str(DK_FIELDS / "marker2016_small.shp"), "dk_labels", "ogr")
        ),
    }
    yield made
    for layer in made.values():
        QgsProject.instance().removeMapLayer(layer.id())


@pytest.fixture(scope="module")
def prepared(run_alg, layers, tmp_path_factory):
    """Both labelled layers prepared once: {name: (results, feedback)}."""
    root = tmp_path_factory.mktemp("prepared")
    out = {}
    for name, field in (("australia", "label"), ("dk", "Afgroede")):
        feedback = RecordingFeedback()
        params = {
            "INPUT": layers[name],
            "LABELS": layers[f"{name}_labels"],
            "CLASS_FIELD": field,
            "OUTPUT": str(root / name),
        }
        out[name] = (run_alg(PREPARE, params, feedback), feedback)
    return out


def no_leftovers(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if ".partial-" in p.name]


def test_prepare_writes_records_previews_and_summary(prepared):
    results, feedback = prepared["australia"]
    out = Path(results["OUTPUT"])
    assert (results["IMAGES"], results["RECORDS"], results["SKIPPED"]) == (1, 1, 0)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["train"]["objects"] == {"Tree": 1}
    (record,) = json.loads(next((out / "train" / "annotations").glob("*.json")).read_text())[
        "records"
    ]
    assert record["gcg_description"].count("[SEG]") == 1 and "tree" in record["gcg_description"]
    assert len(list((out / "train" / "previews").glob("*.png"))) == 1
    assert any("| Tree 1 |" in m for m in feedback.messages)
    assert no_leftovers(out.parent)

    results, _ = prepared["dk"]
    summary = json.loads((Path(results["OUTPUT"]) / "summary.json").read_text())
    # 276 parcels over a 16-bit raster: one has no class, one is a sliver below one pixel
    # inside the raster (both skipped and counted; 76 "Vårbyg" in the file).
    assert results["SKIPPED"] == 2
    assert summary["skipped"] == {"unknown class": 1, "sliver below one pixel": 1}
    assert 270 <= sum(summary["train"]["objects"].values()) <= 275
    assert summary["train"]["objects"]["Silomajs"] == 34
    assert summary["train"]["objects"]["Vårbyg"] in (75, 76)
    assert results["RECORDS"] >= 10


def test_prepare_keeps_to_the_extent(run_alg, layers, prepared, tmp_path):
    raster = layers["dk"]
    full = raster.extent()
    west = QgsRectangle(
        full.xMinimum(), full.yMinimum(), full.center().x(), full.yMaximum()
    )  # the western half, in the raster's CRS (EPSG:32632)
    extent = f"{west.xMinimum()},{west.xMaximum()},{west.yMinimum()},{west.yMaximum()} [EPSG:32632]"
    results = run_alg(
        PREPARE,
        {
            "INPUT": raster,
            "LABELS": layers["dk_labels"],
            "CLASS_FIELD": "Afgroede",
            "EXTENT": extent,
            "OUTPUT": str(tmp_path / "west"),
        },
    )
    west_objects = json.loads((tmp_path / "west" / "summary.json").read_text())["train"]["objects"]
    full_out = Path(prepared["dk"][0]["OUTPUT"])
    all_objects = json.loads((full_out / "summary.json").read_text())["train"]["objects"]
    assert 0 < sum(west_objects.values()) < sum(all_objects.values())
    assert results["IMAGES"] == 1


@pytest.fixture(scope="module")
def fine_tuned(run_alg, prepared, tmp_path_factory):
    """Both prepared folders fine-tuned once (2 steps): (results, feedback, checkpoint folder)."""
    folders = [prepared[name][0]["OUTPUT"] for name in ("australia", "dk")]
    feedback = RecordingFeedback()
    out = tmp_path_factory.mktemp("fine_tuned") / "my-fields-model"
    results = run_alg(
        TRAIN,
        {
            "DATA": "\n".join(folders),
            "STEPS": 2,
            "BATCH_SIZE": 1,
            "SYNTHETIC_SHARE": 0.5,
            "DEVICE": "cpu",
            "OUTPUT": str(out),
        },
        feedback,
    )
    return results, feedback, out


def test_train_model_fine_tunes_a_checkpoint_the_model_core_uses(prepared, fine_tuned):
    folders = [prepared[name][0]["OUTPUT"] for name in ("australia", "dk")]
    results, feedback, out = fine_tuned
    assert results["OUTPUT"] == str(out) and results["STEPS_DONE"] == 2
    assert 0 < results["FINAL_LOSS"] < 100
    assert any(m.startswith("Step 2/2: loss") for m in feedback.messages)
    intro = " for 2 steps on 2 record folders, synthetic share "
    assert any(m.startswith("Fine-tuning ") and intro in m for m in feedback.messages)
    names = {p.name for p in out.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "MODEL_CARD.md"} <= names
    assert "train_state.pt" not in names and no_leftovers(out.parent)
    assert json.loads((out / "config.json").read_text())["name"] == "my-fields-model"
    card = (out / "MODEL_CARD.md").read_text()
    assert "fine-tuned from" in card and "clvnet-tiny" in card
    for folder in folders:
        assert f"`{Path(folder) / 'train'}` | 0.25 |" in card

    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    info = subprocess.run(
        [sys.executable, "-m", "model_core", "info", "--checkpoint", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert info.returncode == 0 and "my-fields-model" in info.stdout, info.stderr
    predict = subprocess.run(
        [
            sys.executable,
            "-m",
            "model_core",
            "predict",
            "--raster",
            str(DK_FIELDS / "RGB_small.tif"),
        ]
        + ["--box", "100,100,228,228", "--box-crs", "pixel", "--checkpoint", str(out)]
        + ["--device", "cpu", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert predict.returncode == 0, predict.stderr[-2000:]
    answer = json.loads(predict.stdout)
    assert isinstance(answer["caption"], str) and "objects" in answer


def test_the_plugin_describes_with_the_fine_tuned_checkpoint(run_alg, layers, fine_tuned):
    """The new folder as the toolbox's CHECKPOINT: the plugin's model server loads it (not the
    bundled model) and the objects and prompts it writes are named after it."""
    _, _, checkpoint = fine_tuned
    labels = layers["dk_labels"]
    boxes = QgsVectorLayer(f"Polygon?crs={labels.crs().authid()}", "parcels", "memory")
    parcels = [f for f in labels.getFeatures() if f["Afgroede"] == "Silomajs"][:2]
    assert len(parcels) == 2 and boxes.dataProvider().addFeatures(parcels)[0]
    feedback = RecordingFeedback()
    results = run_alg(
        "clvnet:segment_describe_boxes",
        {
            "INPUT": layers["dk"],
            "BOXES": boxes,
            "CHECKPOINT": str(checkpoint),
            "DEVICE": "cpu",
            "OUTPUT": "TEMPORARY_OUTPUT",
            "OUTPUT_PROMPTS": "TEMPORARY_OUTPUT",
        },
        feedback,
    )
    assert any(m.startswith(f"Model my-fields-model ({checkpoint})") for m in feedback.messages)
    assert results["PROCESSED_COUNT"] == 2 and results["SKIPPED_COUNT"] == 0
    prompts = list(results["OUTPUT_PROMPTS"].getFeatures())
    assert len(prompts) == 2
    assert all(p["model"] == "my-fields-model" and p["caption"].strip() for p in prompts)
    objects = list(results["OUTPUT"].getFeatures())
    assert objects and len(objects) == results["OBJECT_COUNT"]
    for feature in objects:
        assert feature["model"] == "my-fields-model" and feature["caption"].strip()
        assert feature["source"] == str(DK_FIELDS / "RGB_small.tif")


def test_the_box_tool_worker_uses_the_fine_tuned_checkpoint(layers, fine_tuned, wait_until):
    """Settings' checkpoint set to the new folder: the map tool's worker loads it and answers."""
    _, _, checkpoint = fine_tuned
    settings = ClvnetSettings(checkpoint=str(checkpoint), device="cpu", max_caption_tokens=16)
    worker = PredictionWorker(QgsProject.instance())
    results, failed = [], []
    worker.resultReady.connect(lambda token, result, request: results.append(result))
    worker.failed.connect(lambda token, sentence: failed.append(sentence))
    raster = layers["dk"]
    extent = raster.extent()
    box = QgsRectangle(extent.center(), extent.center())
    box.grow(extent.width() / 8)
    try:
        worker.configure(settings.model_config())
        worker.submit(prepare_window(raster, box, settings.context), settings)
        wait_until(lambda: results or failed, 120, "the worker's answer")
        assert not failed, failed
        assert worker.status.state == "loaded" and worker.status.model == "my-fields-model"
        assert worker.status.checkpoint == str(checkpoint)
        assert isinstance(results[0].caption, str) and results[0].caption.strip()
    finally:
        worker.shutdown()


def test_cancel_stops_training_and_leaves_no_folder(run_alg, prepared, tmp_path):
    feedback = RecordingFeedback()
    feedback.progressChanged.connect(lambda progress: progress > 0 and feedback.cancel())
    out = tmp_path / "cancelled"
    with pytest.raises(QgsProcessingException, match="cancelled; nothing was written"):
        run_alg(
            TRAIN,
            {
                "DATA": prepared["australia"][0]["OUTPUT"],
                "STEPS": 500,
                "BATCH_SIZE": 1,
                "SYNTHETIC_SHARE": 0.0,
                "DEVICE": "cpu",
                "OUTPUT": str(out),
            },
            feedback,
        )
    assert 0 < feedback.progress() < 100  # it was training when cancelled
    assert not out.exists() and no_leftovers(tmp_path)


def test_bad_input_is_one_sentence(run_alg, prepared, tmp_path):
    not_records = tmp_path / "empty"
    not_records.mkdir()
    with pytest.raises(QgsProcessingException, match="is not a folder of training records"):
        run_alg(TRAIN, {"DATA": str(not_records), "STEPS": 1, "OUTPUT": str(tmp_path / "o")})
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("user data")
    with pytest.raises(QgsProcessingException, match="is not empty"):
        run_alg(
            TRAIN,
            {"DATA": prepared["australia"][0]["OUTPUT"], "STEPS": 1, "OUTPUT": str(busy)},
        )
    assert (busy / "keep.txt").read_text() == "user data"
    with pytest.raises(QgsProcessingException, match="not a CLV-Net checkpoint"):
        run_alg(
            TRAIN,
            {
                "DATA": prepared["australia"][0]["OUTPUT"],
                "BASE": str(not_records),
                "STEPS": 1,
                "OUTPUT": str(tmp_path / "o2"),
            },
        )
    with pytest.raises(TrainingUnavailable, match="pip install"):
        check_training_package(sys.executable, "no_such_module")


def test_prepare_takes_a_memory_layer_in_another_crs(run_alg, layers, prepared, tmp_path):
    """Labels that are no file (a memory layer), in WGS 84 over a UTM raster: the same record."""
    import processing

    wgs84 = processing.run(
        "native:reprojectlayer",
        {
            "INPUT": layers["australia_labels"],
            "TARGET_CRS": "EPSG:4326",
            "OUTPUT": "memory:",
        },
    )["OUTPUT"]
    assert wgs84.crs().authid() == "EPSG:4326" and wgs84.providerType() == "memory"
    results = run_alg(
        PREPARE,
        {
            "INPUT": layers["australia"],
            "LABELS": wgs84,
            "CLASS_FIELD": "label",
            "OUTPUT": str(tmp_path / "from_memory"),
        },
    )
    assert (results["IMAGES"], results["RECORDS"], results["SKIPPED"]) == (1, 1, 0)

    def box_of(folder):
        annotation = next((Path(folder) / "train" / "annotations").glob("*.json"))
        return json.loads(annotation.read_text())["records"][0]["box"]

    reprojected, original = box_of(results["OUTPUT"]), box_of(prepared["australia"][0]["OUTPUT"])
    assert reprojected == pytest.approx(original, abs=1.5)  # pixels, after a round trip
