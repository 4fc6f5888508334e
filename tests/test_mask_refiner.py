"""The mask refiner: it starts as the identity, learns, resumes, and redraws only the box's mask."""

import dataclasses
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch
from helpers import REPO, scripted_caption

from model_core.checkpoint import load_checkpoint, save_checkpoint
from model_core.config import MaskRefinerConfig, ModelConfig, preset
from model_core.errors import CheckpointError
from model_core.modeling.build import build_clvnet
from model_core.modeling.mask_refiner import MaskRefiner, box_plane
from model_core.modeling.views import turn
from model_core.predictor import Predictor
from model_core.tokenizer import CaptionTokenizer
from model_core.window import window_from_array
from training.mask_refiner import RefinerSamples, train_refiner

SIDE = 64  # model input side of these tests' refiners


def disc_samples(count: int = 24, size: int = 32) -> RefinerSamples:
    """Bright discs on dark ground; the coarse mask is the disc's box, the truth the disc."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:SIDE, 0:SIDE] + 0.5
    pixels, coarse, truth, boxes = [], [], [], []
    for _ in range(count):
        cx, cy, r = rng.uniform(20, 44), rng.uniform(20, 44), rng.uniform(8, 16)
        disc = (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
        image = np.full((SIDE, SIDE, 3), 40, np.uint8)
        image[disc] = 220
        box = [cx - r, cy - r, cx + r, cy + r]
        inside = box_plane(torch.tensor([box]), 16, SIDE)[0, 0].numpy()
        pixels.append(image)
        coarse.append(np.where(inside > 0, 3.0, -3.0).astype(np.float16))
        small = torch.from_numpy(disc.astype(np.float32))[None, None]
        truth.append(torch.nn.functional.interpolate(small, size=(size, size), mode="area")[0, 0])
        boxes.append(box)
    return RefinerSamples(
        pixels=np.stack(pixels),
        coarse=np.stack(coarse),
        truth=torch.stack(truth).numpy().astype(np.float16),
        boxes=np.asarray(boxes, np.float32),
        sources=["discs"] * count,
    )


def small_config() -> ModelConfig:
    cfg = preset("tiny")
    cfg.image_encoder = dataclasses.replace(cfg.image_encoder, img_size=SIDE)
    return cfg


def box_iou(net: MaskRefiner, samples: RefinerSamples, refine: bool = True) -> float:
    """Mean IoU with the truth of the refined (or the coarse) masks of ``samples``."""
    cfg = small_config()
    mean, std = (
        torch.tensor(cfg.pixel_mean).view(1, 3, 1, 1),
        torch.tensor(cfg.pixel_std).view(1, 3, 1, 1),
    )
    pixels = (torch.from_numpy(samples.pixels).permute(0, 3, 1, 2).float() - mean) / std
    coarse = torch.from_numpy(samples.coarse.astype(np.float32))
    with torch.no_grad():
        logits = net(pixels, coarse, torch.from_numpy(samples.boxes))
    if not refine:
        size = (net.size, net.size)
        logits = torch.nn.functional.interpolate(coarse[:, None], size=size, mode="bilinear")[:, 0]
    masks, truth = logits.numpy() > 0, samples.truth.astype(np.float32) > 0.5
    return float(np.mean([(m & t).sum() / (m | t).sum() for m, t in zip(masks, truth)]))


def test_an_untrained_refiner_returns_the_coarse_logits():
    net = MaskRefiner(4, 32, SIDE)
    samples = disc_samples(4)
    assert box_iou(net, samples) == box_iou(net, samples, refine=False)


def test_turning_keeps_boxes_on_their_planes():
    boxes = torch.tensor([[3.0, 5.0, 20.0, 11.0], [40.0, 2.0, 63.0, 30.0]])
    plane = box_plane(boxes, SIDE, SIDE)
    for quarter_turns in range(4):
        for flip in (False, True):
            (turned,), moved = turn([plane], boxes, quarter_turns, flip, SIDE)
            assert torch.equal(turned, box_plane(moved, SIDE, SIDE))


def test_training_learns_discs_is_deterministic_and_resumes(tmp_path):
    samples = disc_samples()
    cfg, refiner = small_config(), MaskRefinerConfig(width=4, size=32)
    net, losses = train_refiner(samples, cfg, refiner, 60, 8, 1e-2, seed=1, log=lambda _: None)
    assert box_iou(net, samples) > box_iou(net, samples, refine=False) + 0.1
    again, _ = train_refiner(samples, cfg, refiner, 60, 8, 1e-2, seed=1, log=lambda _: None)
    assert all(
        torch.equal(a, b) for a, b in zip(net.state_dict().values(), again.state_dict().values())
    )
    # a run stopped after its state was saved at step 40 and resumed ends where one run does
    state = tmp_path / "state.pt"
    train_refiner(samples, cfg, refiner, 60, 8, 1e-2, 1, state, save_every=40, log=lambda _: None)
    lines = []
    resumed, resumed_losses = train_refiner(
        samples, cfg, refiner, 60, 8, 1e-2, 1, state, save_every=40, log=lines.append
    )
    assert lines[0] == "resumed at step 40" and resumed_losses == losses
    assert all(
        torch.equal(a, b) for a, b in zip(net.state_dict().values(), resumed.state_dict().values())
    )


def test_the_predictor_refines_the_boxed_object_only():
    torch.manual_seed(0)
    tokenizer = CaptionTokenizer.from_base_corpus(512)
    cfg = preset("tiny")
    cfg.mask_refiner = MaskRefinerConfig(width=4, size=32)
    model = build_clvnet(cfg, tokenizer).eval()
    with torch.no_grad():  # the refiner says "object" everywhere
        model.mask_refiner.out.bias.fill_(100.0)
    image = (np.random.default_rng(0).random((64, 64, 3)) * 255).astype(np.uint8)
    window = window_from_array(image, (10, 10, 50, 50), source="s")
    predictor = Predictor(model, tokenizer, device="cpu", cache_size=0)
    caption = "<p> a building </p> [SEG] next to <p> a road </p> [SEG]"
    with scripted_caption(model, tokenizer, caption):
        refined = predictor.predict(window)
    predictor.use_mask_refiner = False
    with scripted_caption(model, tokenizer, caption):
        plain = predictor.predict(window)
    assert refined.objects[0].mask[window.valid].all()
    assert not refined.objects[0].mask[~window.valid].any()  # nodata stays outside
    assert not np.array_equal(refined.objects[0].mask, plain.objects[0].mask)
    assert np.array_equal(refined.objects[1].mask, plain.objects[1].mask)


def test_refiner_config_is_checked_and_training_drops_a_stale_refiner(tmp_path):
    from training.train import TrainConfig, build_model

    for bad in ({"width": 6}, {"size": 100}, {"width": -4}):
        data = preset("tiny").to_dict()
        data["mask_refiner"] = {**data["mask_refiner"], **bad}
        with pytest.raises(CheckpointError, match="mask_refiner"):
            ModelConfig.from_dict(data)
    old = preset("tiny").to_dict()
    del old["mask_refiner"]  # a checkpoint from before the refiner
    assert ModelConfig.from_dict(old).mask_refiner.width == 0
    tokenizer = CaptionTokenizer.from_base_corpus(512)
    cfg = preset("tiny")
    cfg.mask_refiner = MaskRefinerConfig(width=4, size=32)
    save_checkpoint(build_clvnet(cfg, tokenizer), tokenizer, tmp_path / "refined", "card")
    loaded, _ = load_checkpoint(tmp_path / "refined")
    assert loaded.mask_refiner is not None
    model, _ = build_model(TrainConfig(init_checkpoint=str(tmp_path / "refined")), [])
    assert model.mask_refiner is None and model.cfg.mask_refiner.width == 0


def test_mask_refiner_command_trains_on_records_and_writes_the_checkpoint(
    processing_checkpoint, real_records, tmp_path
):
    checkpoint = tmp_path / "ck"
    shutil.copytree(processing_checkpoint, checkpoint)
    done = subprocess.run(
        [sys.executable, "-m", "training.mask_refiner", "--checkpoint", str(checkpoint),
         "--records", str(real_records), "--per-folder", "4", "--width", "4", "--size", "32",
         "--steps", "3", "--batch-size", "2"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads((checkpoint / "config.json").read_text())["mask_refiner"] == {
        "width": 4,
        "size": 32,
    }
    summary = json.loads((checkpoint / "mask_refiner.json").read_text())
    assert summary["boxes"] > 0 and summary["sources"] == {"spacenet_rio": summary["boxes"]}
    assert not (checkpoint / "mask_refiner.state.pt").exists()
    model, _ = load_checkpoint(checkpoint)
    assert model.mask_refiner is not None and model.mask_refiner.size == 32
    for flags, used in (([], True), (["--no-mask-refiner"], False)):
        evaluated = subprocess.run(
            [sys.executable, "-m", "training.evaluate", "--checkpoint", str(checkpoint),
             "--records", str(real_records), "--limit", "2", "--out", str(tmp_path / "r.json"),
             *flags],
            cwd=REPO, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert evaluated.returncode == 0, evaluated.stderr
        assert json.loads((tmp_path / "r.json").read_text())["mask_refiner"] is used
    bad = subprocess.run(
        [sys.executable, "-m", "training.mask_refiner", "--checkpoint", str(checkpoint),
         "--records", str(real_records), "--width", "6"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert bad.returncode == 2 and "--width must be a positive multiple of 4" in bad.stderr
