"""The tiny CLV-Net: shapes of a forward pass, [SEG]/mask alignment, the embedding cache."""

import numpy as np
import pytest
import torch

from model_core.config import PREDICATES, ModelConfig, preset
from model_core.errors import CheckpointError
from model_core.modeling.build import build_clvnet
from model_core.predictor import Predictor, phrases_for_segs
from model_core.tokenizer import CaptionTokenizer, strip_tags
from model_core.window import window_from_array

CAPTION = "<p> a large white building </p> [SEG] beside <p> two small vehicles </p> [SEG] ."


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    tokenizer = CaptionTokenizer.from_base_corpus(512)
    return build_clvnet(preset("tiny"), tokenizer).eval(), tokenizer


def test_config_json_round_trip(tmp_path):
    cfg = preset("sam-vit-b", "/models/llm")
    cfg.to_json(tmp_path / "config.json")
    assert ModelConfig.from_json(tmp_path / "config.json") == cfg
    data = cfg.to_dict()
    data["format_version"] = 99
    with pytest.raises(CheckpointError, match="format version 99"):
        ModelConfig.from_dict(data)


def test_tiny_preset_has_a_few_million_parameters(tiny):
    model, _ = tiny
    count = sum(p.numel() for p in model.parameters())
    assert 2e6 < count < 20e6


def test_tokenizer_keeps_special_tokens_and_round_trips(tiny):
    _, tok = tiny
    ids = tok.encode(CAPTION)
    assert ids.count(tok.seg_id) == 2 and ids.count(tok.p_open_id) == 2
    assert tok.decode(ids) == CAPTION
    assert strip_tags(CAPTION) == "a large white building beside two small vehicles."


def test_forward_shapes_and_one_mask_per_seg(tiny):
    model, tok = tiny
    ids = tok.encode(CAPTION) + [tok.eos_id]
    short = tok.encode("<p> a road </p> [SEG] .") + [tok.eos_id]
    caption = torch.full((2, len(ids)), tok.pad_id)
    caption[0] = torch.tensor(ids)
    caption[1, : len(short)] = torch.tensor(short)
    mask = (torch.arange(len(ids))[None] < torch.tensor([[len(ids)], [len(short)]])).long()
    images = torch.rand(2, 3, 256, 256) * 255
    boxes = torch.tensor([[40.0, 50.0, 200.0, 210.0], [10.0, 10.0, 90.0, 120.0]])
    gt = torch.rand(3, 256, 256) > 0.5
    out = model(images, boxes, caption, mask, gt_masks=gt)
    assert out.caption_logits.shape == (2, len(ids), tok.vocab_size)
    n_seg = int((caption == tok.seg_id).sum())
    assert n_seg == 3
    assert out.masks.shape == (n_seg, 64, 64)
    assert out.scores.shape == (n_seg,)
    assert out.groups.tolist() == [0, 0, 1]
    assert [r.shape for r in out.relation_logits] == [
        (2, 2, len(PREDICATES)),
        (1, 1, len(PREDICATES)),
    ]
    assert out.phrase_embeddings.shape == out.visual_embeddings.shape == (n_seg, 128)


def test_predictor_returns_one_object_per_generated_seg(tiny, monkeypatch):
    model, tok = tiny
    predictor = Predictor(model, tok, device="cpu")
    forced = tok.encode(CAPTION) + [tok.eos_id]

    def fake_generate(features, boxes, max_new_tokens, use_cache=True, should_stop=None):
        tokens = torch.tensor([forced])
        hidden = torch.randn(1, len(forced), model.reasoner.hidden_size)
        return tokens, hidden, torch.ones(1, len(forced))

    monkeypatch.setattr(model, "generate", fake_generate)
    image = np.random.default_rng(0).integers(0, 255, (300, 300, 3), dtype=np.uint8)
    result = predictor.predict(window_from_array(image, (100, 100, 180, 160)))
    assert [o.phrase for o in result.objects] == ["a large white building", "two small vehicles"]
    assert all(o.mask.shape == (256, 256) and o.mask.dtype == bool for o in result.objects)
    assert result.caption == "a large white building beside two small vehicles."
    assert {"encode", "caption", "decode"} <= set(result.timing_ms)


def test_cache_encodes_a_window_once_for_two_boxes(tiny):
    model, tok = tiny
    predictor = Predictor(model, tok, device="cpu", cache_size=2)
    image = np.random.default_rng(1).integers(0, 255, (256, 256, 3), dtype=np.uint8)
    window = window_from_array(image, (64, 64, 128, 128), source="scene")
    other_box = window_from_array(image, (64, 64, 128, 128), source="scene")
    other_box.box = (70.0, 70.0, 120.0, 110.0)  # a second box inside the same window
    predictor.predict(window, max_new_tokens=3)
    predictor.predict(other_box, max_new_tokens=3)
    assert predictor.encode_count == 1
    predictor.predict(window_from_array(image, (0, 0, 60, 60), source="scene"), max_new_tokens=3)
    assert predictor.encode_count == 2


def test_kv_cache_gives_the_same_tokens(tiny):
    model, _ = tiny
    features = model.encode_image(torch.rand(1, 3, 256, 256) * 255)
    box = torch.tensor([[30.0, 30.0, 200.0, 220.0]])
    with_cache, _, _ = model.generate(features, box, 12, use_cache=True)
    without, _, _ = model.generate(features, box, 12, use_cache=False)
    assert torch.equal(with_cache, without)


def test_phrases_for_segs_handles_missing_phrases():
    assert phrases_for_segs("<p> a road </p> [SEG] and [SEG]", 2) == ["a road", "object 2"]


def test_mask_confidence_is_mean_probability_inside_the_mask():
    from model_core.predictor import mask_confidence

    logits = torch.full((2, 4, 4), -10.0)
    logits[0, :2, :2] = 2.0  # p = 0.881 inside, the rest outside
    scores = mask_confidence(logits)
    assert scores[0] == pytest.approx(torch.sigmoid(torch.tensor(2.0)).item())
    assert scores[1] == 0.0
