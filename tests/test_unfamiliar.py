"""Unfamiliar surfaces (outlier exposure): boxes on ground no class has, captioned "an area"."""

import numpy as np
import pytest
import torch
from helpers import REPO

from model_core.errors import InputError
from model_core.naming import GENERIC_PHRASES
from model_core.tokenizer import CaptionTokenizer, strip_tags
from training.data import MixedDataset, combine_sources
from training.data.unfamiliar import (
    MIN_BOX_SHARE,
    UnfamiliarDataset,
    paint_surface,
    unfamiliar_scene,
)
from training.train import TrainConfig, build_dataset, caption_corpus, load_train_config

SAMPLE_DIR = REPO.parent / "shared" / "data" / "real" / "geopixeld_sample"


@pytest.fixture(scope="module")
def tokenizer():
    return CaptionTokenizer.from_file(
        REPO / "model_core" / "checkpoints" / "clvnet-tiny" / "tokenizer.json"
    )


def test_a_sample_is_an_abstention_phrase_with_the_surface_under_its_box(tokenizer):
    data = UnfamiliarDataset(tokenizer, seed=3, length=20, size=128)
    for index in range(6):
        sample = data[index]
        ids = [t for t in sample["caption_ids"].tolist() if t != tokenizer.eos_id]
        phrase = strip_tags(tokenizer.decode(ids)).rstrip(" .")
        assert phrase in GENERIC_PHRASES  # what the naming rule says when it abstains
        assert sample["masks"].shape == (1, 128, 128) and sample["box_only"].tolist() == [False]
        mask = sample["masks"][0] > 0.5
        x0, y0, x1, y1 = (int(round(v)) for v in sample["box"].tolist())
        inside = mask[y0:y1, x0:x1]
        # the target is the surface that covers most of the box, and nothing outside the box
        assert inside.float().mean() >= MIN_BOX_SHARE - 0.05
        assert int(mask.sum()) - int(inside.sum()) <= 2 * (x1 - x0 + y1 - y0)


def test_items_are_fixed_by_seed_and_index(tokenizer):
    first = UnfamiliarDataset(tokenizer, seed=3, length=5, size=64)
    again = UnfamiliarDataset(tokenizer, seed=3, length=5, size=64)
    other = UnfamiliarDataset(tokenizer, seed=4, length=5, size=64)
    assert torch.equal(first[2]["image"], again[2]["image"])
    assert not torch.equal(first[2]["image"], first[3]["image"])
    assert not torch.equal(first[2]["image"], other[2]["image"])
    with pytest.raises(IndexError):
        first[5]


def test_scenes_hold_several_surfaces_no_class_colour_explains():
    rng = np.random.default_rng(0)
    image, regions = unfamiliar_scene(rng, 96)
    assert image.shape == (96, 96, 3) and image.dtype == np.uint8
    assert 2 <= len(np.unique(regions)) <= 4
    # bright surfaces (snow, ice, cloud) dominate: most scenes have a near-white region
    bright = 0
    for seed in range(20):
        image, regions = unfamiliar_scene(np.random.default_rng(seed), 96)
        means = [image[regions == k].mean() for k in np.unique(regions)]
        bright += max(means) > 180
    assert bright >= 12


def test_sources_parse_and_build_an_unfamiliar_dataset(tokenizer):
    sources = combine_sources(
        [{"unfamiliar": {"seed": 2, "length": 30}, "weight": 0.1}], ["synthetic:1:10"], [], None
    )
    assert [(s.kind, s.spec, s.weight) for s in sources] == [
        ("unfamiliar", "unfamiliar:2:30", 0.1),
        ("synthetic", "synthetic:1:10", 1.0),
    ]
    assert sources[0].to_config() == {"unfamiliar": {"seed": 2, "length": 30}, "weight": 0.1}
    assert combine_sources([], ["unfamiliar:5:7"], [], None)[0].length == 7
    with pytest.raises(InputError, match="unfamiliar:SEED:LENGTH"):
        combine_sources([], ["unfamiliar:x:5"], [], None)
    dataset = build_dataset(sources, tokenizer, TrainConfig(size=64))
    assert isinstance(dataset, MixedDataset)
    assert isinstance(dataset.datasets[0], UnfamiliarDataset) and len(dataset) == 40
    # a tokenizer trained from scratch learns the abstention phrase too
    assert any("an area" in caption for caption in caption_corpus(sources[:1], 5))


def test_shadow_surfaces_are_dark_and_rough():
    """Dark like water, but with the fine texture water lacks (what tells them apart)."""
    rng = np.random.default_rng(2)
    for _ in range(5):
        surface = np.clip(paint_surface(rng, "shadow", 128), 0, 255)
        grey = surface.mean(-1)
        fine = grey[1:, :] - grey[:-1, :]
        assert grey.mean() < 110 and fine.std() > 8


def test_colour_jitter_reaches_real_records_and_surfaces_only(tmp_path, tokenizer):
    cfg = load_train_config(None, ["colour_jitter=0.3", "size=64"])
    sources = combine_sources([], ["synthetic:1:4", "unfamiliar:1:4", str(SAMPLE_DIR)], [], None)
    synthetic, unfamiliar, records = build_dataset(sources, tokenizer, cfg).datasets
    assert unfamiliar.colour == records.colour == 0.3
    assert not hasattr(synthetic, "colour")  # its generator varies the colours itself
    with pytest.raises(InputError, match="colour_jitter must be at least 0 and below 1"):
        load_train_config(None, ["colour_jitter=1.5"])


def test_low_light_darkens_and_greys_a_share_of_real_samples(tokenizer):
    from training.data import sample_augmentation

    plain = [sample_augmentation(np.random.default_rng(k)) for k in range(50)]
    # off (the default), the draws are exactly the earlier ones: old runs resume identically
    assert plain == [
        sample_augmentation(np.random.default_rng(k), low_light=0.0) for k in range(50)
    ]
    dark = [sample_augmentation(np.random.default_rng(k), low_light=1.0) for k in range(50)]
    assert all(0.27 <= a.brightness <= 0.66 and a.saturation <= 0.99 for a in dark)
    some = [sample_augmentation(np.random.default_rng(k), low_light=0.3) for k in range(200)]
    share = sum(a.brightness < 0.7 for a in some) / len(some)
    assert 0.2 < share < 0.4
    cfg = load_train_config(None, ["low_light=0.25"])
    records = build_dataset(combine_sources([], [str(SAMPLE_DIR)], [], None), tokenizer, cfg)
    assert records.low_light == 0.25
    with pytest.raises(InputError, match="low_light must be a probability"):
        load_train_config(None, ["low_light=2"])
