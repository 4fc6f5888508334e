"""The trainer: two gloo processes stay in sync and learn; a killed run resumes exactly."""

import csv
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from helpers import REPO
from safetensors.torch import load_file

SMALL = [
    "size=128",
    "model_overrides.image_encoder.img_size=128",
    "model_overrides.image_encoder.depth=2",
    "model_overrides.reasoner.num_layers=2",
    "model_overrides.reasoner.vocab_size=512",
    "tokenizer_corpus_records=200",
    "batch_size=2",
    "warmup_steps=1",
    "lr=0.001",
    "num_workers=0",
    "threads=1",
    "log_every=1",
]


def train_cmd(out, steps, save_every, data="synthetic:3:4", extra=()):
    sets = [*SMALL, f"steps={steps}", f"save_every={save_every}", *extra]
    args = ["--data", data, "--out", str(out)]
    for item in sets:
        args += ["--set", item]
    return args


def run(args, **kw):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        args, cwd=REPO, env=env, capture_output=True, text=True, timeout=600, **kw
    )


def losses(out):
    with open(out / "log.csv") as handle:
        return [float(row["loss"]) for row in csv.DictReader(handle)]


def test_two_gloo_processes_hold_identical_weights_and_learn(tmp_path):
    out = tmp_path / "ddp"
    proc = run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nproc_per_node",
            "2",
            "--master_port",
            "29531",
            "-m",
            "training.train",
            *train_cmd(out, 8, 8),
        ]
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    sums = json.loads((out / "rank_checksums.json").read_text())
    assert len(sums) == 2 and sums[0] == sums[1]
    history = losses(out)
    assert len(history) == 8
    assert sum(history[-2:]) / 2 < sum(history[:2]) / 2  # the same 4 samples: loss must fall
    assert (out / "model.safetensors").exists() and (out / "MODEL_CARD.md").exists()


def test_killed_run_resumes_to_the_same_weights(tmp_path):
    reference = tmp_path / "reference"
    proc = run(
        [sys.executable, "-m", "training.train", *train_cmd(reference, 6, 3, "synthetic:5:40")]
    )
    assert proc.returncode == 0, proc.stderr[-3000:]

    out = tmp_path / "killed"
    args = [sys.executable, "-m", "training.train", *train_cmd(out, 6, 3, "synthetic:5:40")]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    child = subprocess.Popen(
        args, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    state = out / "train_state.pt"
    deadline = time.time() + 300
    while time.time() < deadline and child.poll() is None:
        if state.exists() and torch.load(state, weights_only=True)["step"] == 3:
            child.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    child.wait()
    assert child.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    assert torch.load(state, weights_only=True)["step"] == 3

    refused = run([sys.executable, "-m", "training.train", *train_cmd(out, 6, 3, "synthetic:5:40")])
    assert refused.returncode == 2 and "--resume" in refused.stderr

    resumed = run(
        [
            sys.executable,
            "-m",
            "training.train",
            *train_cmd(out, 6, 3, "synthetic:5:40"),
            "--resume",
        ]
    )
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    a = load_file(str(reference / "model.safetensors"))
    b = load_file(str(out / "model.safetensors"))
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert losses(out)[-3:] == losses(reference)[-3:]


def test_reused_tokenizer_machine_record_and_model_card(tmp_path):
    """``tokenizer=FILE`` skips learning a vocabulary; run.json says where the run trained;
    TensorBoard gets the logged losses; the model card reads every number from the run's files
    and the evaluation report."""
    from model_core.tokenizer import CaptionTokenizer
    from training.model_card import write_card

    bundled = REPO / "model_core" / "checkpoints" / "clvnet-tiny" / "tokenizer.json"
    out = tmp_path / "run"
    proc = run(
        [
            sys.executable,
            "-m",
            "training.train",
            *train_cmd(out, 2, 2, extra=[f"tokenizer={bundled}"]),
        ]
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    # stderr is a pipe, not a terminal: one line per logged step, no progress bar redraws
    assert "step 2/2 loss " in proc.stderr and "it/s" not in proc.stderr
    assert "\r" not in proc.stderr
    text = "three small white vehicles are parked <p> next to </p> a road [SEG]"
    assert CaptionTokenizer.from_file(out / "tokenizer.json").encode(
        text
    ) == CaptionTokenizer.from_file(bundled).encode(text)
    assert "CPU only" in json.loads((out / "run.json").read_text())["machine"]
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(out / "tensorboard"))
    events.Reload()
    logged = events.Scalars("train/loss")
    assert [e.step for e in logged] == [1, 2]
    assert [e.value for e in logged] == pytest.approx(losses(out), abs=1e-4)

    overall = {"records": 3, "miou": 0.75, "ap50": 0.25, "recall": 0.5, "meteor": 0.4, "cider": 2.0}
    report = tmp_path / "eval.json"
    report.write_text(
        json.dumps(
            {"data": {"synthetic_seed": 777, "generator": "1.0"}, "metrics": {"overall": overall}}
        )
    )
    card = write_card(out, report, None, [], tmp_path / "card.md", "make train-default")
    assert "2 steps of batch 2 x accumulation 1 x 1 process(es) = 4 samples" in card
    # two logged steps fill the middle quarters only; the empty ones are not written as 0
    first, second = (f"{v:.3f}" for v in losses(out))
    assert "from scratch): 2 steps" in card
    assert f"Loss by quarter of the stage: -, {first}, {second}, -." in card
    assert "CPU only" in card
    assert "| miou | 0.750 | 0.7 | met |" in card
    assert "| ap50 | 0.250 | 0.5 | **not met** |" in card


def test_bad_precision_and_auto_workers():
    from training.train import data_workers

    proc = run(
        [
            sys.executable,
            "-m",
            "training.train",
            "--data",
            "synthetic:1:4",
            "--out",
            "/nonexistent/x",
            "--set",
            "precision=fp8",
        ]
    )
    assert proc.returncode == 2 and "precision must be 'bf16' or 'fp32'" in proc.stderr
    assert data_workers(0) == 0 and data_workers(3) == 3
    assert data_workers(-1) == max(1, (os.cpu_count() or 2) - 1)
