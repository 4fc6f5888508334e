"""Mixed training: sources and weights from config and command line, the weighted sampler, and a
short run on synthetic scenes plus real box-only records (DeepForest's OSBS_029 tree boxes)."""

import csv
import json
import subprocess
import sys
from collections import Counter

import pytest
import torch
from helpers import REPO
from test_train import SMALL, run

from model_core.errors import InputError
from training.data import WeightedMixSampler, combine_sources, load_records, make_sample
from training.data.mixing import DEFAULT_SYNTHETIC_LENGTH, parse_records_arg

DEEPFOREST = REPO.parent / "shared" / "data" / "train_real" / "deepforest" / "src" / "deepforest"
OSBS = DEEPFOREST / "data" / "OSBS_029"


def tree_records(folder):
    """One record over OSBS_029.png with its first two labelled trees as box-only objects."""
    with open(OSBS.with_suffix(".csv")) as handle:
        rows = list(csv.DictReader(handle))[:2]
    boxes = [[int(r[k]) for k in ("xmin", "ymin", "xmax", "ymax")] for r in rows]
    rect = [[[x0, y0], [x1 - 1, y0], [x1 - 1, y1 - 1], [x0, y1 - 1]] for x0, y0, x1, y1 in boxes]
    record = {
        "id": "osbs029-trees",
        "img": str(OSBS.with_suffix(".png")),
        "gcg_description": "<p> a tree </p> [SEG] stands west of <p> a tree </p> [SEG] .",
        "polygons": [[r] for r in rect],
        "box": [190, 50, 300, 150],
        "box_only": [0, 1],
    }
    folder.mkdir()
    (folder / "trees.json").write_text(json.dumps(record))
    return boxes


def test_box_only_objects_reach_the_sample_as_their_box(tmp_path):
    from model_core.tokenizer import CaptionTokenizer

    tree_records(tmp_path / "trees")
    (record,), skipped = load_records(tmp_path / "trees")
    assert not skipped and record.box_only == [0, 1]
    from PIL import Image

    image = __import__("numpy").asarray(Image.open(record.image_path).convert("RGB"))
    tokenizer = CaptionTokenizer.from_file(
        REPO / "model_core" / "checkpoints" / "clvnet-tiny" / "tokenizer.json"
    )
    sample = make_sample(record, image, tokenizer, size=128)
    assert sample["box_only"].tolist() == [True, True]
    # Box-only "masks" are filled rectangles (up to resampling at their corners), in the window
    # where the boxes are: OSBS tree 1 (203..227 x 67..90) west of tree 2 (256..288).
    centres = []
    for mask in sample["masks"]:
        ys, xs = torch.nonzero(mask, as_tuple=True)
        assert mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].mean() > 0.95
        centres.append(float(xs.float().mean()))
    assert centres[0] < centres[1]


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"records": "/x", "weight": -1}, "must be 0 or more"),
        ({"synthetic": {"seed": 1}}, "needs 'synthetic'"),
        ({"records": "/x", "synthetic": {"length": 3}}, "one 'synthetic', 'unfamiliar' or"),
        ({"records": "/x", "weight": 1, "share": 2}, "unknown keys"),
    ],
)
def test_bad_data_entries_are_refused_with_one_sentence(entry, message):
    with pytest.raises(InputError, match=message):
        combine_sources([entry], [], [], None)


def test_sources_from_config_and_command_line():
    sources = combine_sources(
        [{"records": "/a", "weight": 2}],
        ["synthetic:4:100"],
        ["/b:0.5", r"C:\data"],
        0.25,
    )
    assert [(s.kind, s.spec, s.weight) for s in sources] == [
        ("records", "/a", 2.0),
        ("synthetic", "synthetic:4:100", 0.25),
        ("records", "/b", 0.5),
        ("records", r"C:\data", 1.0),
    ]
    assert parse_records_arg("/data/x:y").path == "/data/x:y"  # not a weight: part of the path
    # --synthetic-weight alone adds the default synthetic stream; weight 0 drops a source.
    (synthetic, records) = combine_sources([], [], ["/r"], 0.3)
    assert synthetic.length == DEFAULT_SYNTHETIC_LENGTH and synthetic.weight == 0.3
    assert [s.spec for s in combine_sources([], ["synthetic:1:5"], ["/r"], 0.0)] == ["/r"]
    with pytest.raises(InputError, match="No training data given"):
        combine_sources([], [], [], None)
    with pytest.raises(InputError, match="synthetic:SEED:LENGTH"):
        combine_sources([], ["synthetic:x:5"], [], None)


def test_weighted_sampler_draws_sources_in_proportion_and_walks_each_source():
    sizes, weights = [3000, 7], [0.25, 0.75]
    sampler = WeightedMixSampler(sizes, weights, rank=0, world=1, seed=5)
    plan = list(sampler)
    assert len(plan) == len(sampler) == 3007
    from_small = [i - 3000 for i in plan if i >= 3000]
    assert abs(len(from_small) / len(plan) - 0.75) < 0.03
    # each source is walked in shuffled passes: a small source's items are drawn evenly.
    counts = Counter(from_small)
    assert set(counts) == set(range(7)) and max(counts.values()) - min(counts.values()) <= 1
    # two ranks split one plan; a new epoch draws a new one; skip resumes part-way.
    ranks = [WeightedMixSampler(sizes, weights, r, 2, seed=5) for r in (0, 1)]
    shared = ranks[0].plan()
    assert shared == ranks[1].plan() and len(shared) == 3008
    assert list(ranks[0]) == shared[0::2] and list(ranks[1]) == shared[1::2]
    sampler.set_epoch(1)
    assert list(sampler) != plan
    sampler.set_epoch(0)
    sampler.skip = 100
    assert list(sampler) == plan[100:] and len(sampler) == 2907


def test_mixed_run_samples_both_sources_by_weight_and_trains_boxes(tmp_path):
    tree_records(tmp_path / "trees")
    out = tmp_path / "run"
    sets = [*SMALL, "steps=4", "save_every=4", "augment=false"]
    args = [sys.executable, "-m", "training.train", "--out", str(out)]
    args += ["--data", "synthetic:3:40", "--records", f"{tmp_path / 'trees'}:3"]
    for item in sets:
        args += ["--set", item]
    proc = run(args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    cfg = json.loads((out / "train_config.json").read_text())
    assert cfg["data"] == [
        {"synthetic": {"seed": 3, "length": 40}, "weight": 1.0},
        {"records": str(tmp_path / "trees"), "weight": 3.0},
    ]
    card = (out / "MODEL_CARD.md").read_text()
    rows = [line.split("|") for line in card.splitlines() if line.startswith("| `")]
    drawn = {cells[1].strip(" `"): int(cells[3]) for cells in rows}
    assert sum(drawn.values()) == 8  # 4 steps of batch 2
    assert drawn["synthetic:3:40"] >= 1 and drawn[str(tmp_path / "trees")] >= 4
    with open(out / "log.csv") as handle:
        log = list(csv.DictReader(handle))
    assert any(float(row["mask_box"]) > 0 for row in log)  # the tree boxes trained the masks


def test_missing_records_folder_is_one_sentence(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "training.train", "--records", str(tmp_path / "none:2")]
        + ["--out", str(tmp_path / "out")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("error: The data path")
    assert "Traceback" not in proc.stderr


def test_a_folder_smaller_than_a_batch_is_cycled(tmp_path):
    """One record and batch 2: the single source is cycled instead of giving no batch at all."""
    tree_records(tmp_path / "trees")
    out = tmp_path / "run"
    args = [sys.executable, "-m", "training.train", "--out", str(out)]
    args += ["--records", str(tmp_path / "trees")]
    for item in [*SMALL, "steps=2", "save_every=2", "tokenizer_corpus_records=1"]:
        args += ["--set", item]
    proc = run(args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    card = (out / "MODEL_CARD.md").read_text()
    assert f"| `{tmp_path / 'trees'}` | 1 | 4 | 100% |" in card
