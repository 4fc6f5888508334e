"""The class head: fitting, the keep/replace/abstain rule, the predictor and its replay."""

import dataclasses

import numpy as np
import pytest
import torch
from helpers import scripted_caption

from model_core.config import ClassHeadConfig, ModelConfig, preset
from model_core.errors import CheckpointError
from model_core.modeling.build import build_clvnet
from model_core.modeling.class_head import box_colour
from model_core.naming import GENERIC_PHRASES, head_verdict, judge_first_object, phrase_kinds
from model_core.tokenizer import CaptionTokenizer
from training.class_head import UNFAMILIAR, fit_logistic, generated_kind, kind_table
from training.evaluate.real import Target, choose_head_thresholds, head_sweep, outcome

HEAD = ClassHeadConfig(
    kinds=["building", "small vehicle", UNFAMILIAR],
    phrases=["a building", "a vehicle", "an area"],
    plurals=["some buildings", "some vehicles", "some areas"],
    words=[["building", "buildings"], ["car", "cars", "vehicle"], ["an area", "some areas"]],
    keep=0.3,
    replace=0.6,
)


def test_fit_logistic_separates_and_folds_the_standardisation():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 1, (50, 4)), rng.normal(0, 1, (50, 4)) + [6, 0, 0, 100]])
    y = np.array([0] * 50 + [1] * 50)
    weight, bias = fit_logistic(x, y, 2)
    logits = x @ weight.T + bias
    assert (logits.argmax(1) == y).all()
    again = fit_logistic(x, y, 2)
    assert np.array_equal(weight, again[0]) and np.array_equal(bias, again[1])


def test_phrase_kinds_reads_nouns_and_keeps_generic_phrases_apart():
    assert phrase_kinds("a large grey building", HEAD.words) == [0]
    assert phrase_kinds("two white cars", HEAD.words) == [1]
    assert phrase_kinds("an area", HEAD.words) == [2]
    assert phrase_kinds("an area of bare ground", HEAD.words) == []  # not the generic kind


def test_head_verdict_keeps_replaces_or_abstains():
    assert head_verdict("a grey building", [0.5, 0.4, 0.1], HEAD) == (
        "keep",
        "a grey building",
        0.5,
    )
    assert head_verdict("a grey building", [0.1, 0.8, 0.1], HEAD) == ("replace", "a vehicle", 0.8)
    assert head_verdict("two buildings", [0.1, 0.8, 0.1], HEAD)[1] == "some vehicles"
    decision, phrase, confidence = head_verdict("a grey building", [0.2, 0.5, 0.3], HEAD)
    assert (decision, phrase, confidence) == ("abstain", "a grey building", 0.5)
    # the head's best kind is "nothing it knows": never a replacement, an abstention
    assert head_verdict("a ship", [0.05, 0.05, 0.9], HEAD)[0] == "abstain"
    # nor does it name what the language model called "an area"
    assert head_verdict("an area", [0.95, 0.05, 0.0], HEAD) == ("keep", "an area", 0.0)
    # the head's best kind is the phrase's own: the phrase (with its attributes) stays
    strict = dataclasses.replace(HEAD, keep=0.9)
    assert head_verdict("a big grey building", [0.65, 0.3, 0.05], strict)[0] == "keep"
    lower = dataclasses.replace(HEAD, keep=0.1)
    assert head_verdict("a grey building", [0.2, 0.5, 0.3], lower)[0] == "keep"
    # a phrase the language model was sure of is kept whatever the head says
    trusting = dataclasses.replace(HEAD, trust=0.95)
    assert head_verdict("a grey building", [0.1, 0.8, 0.1], trusting, 0.97) == (
        "keep", "a grey building", 0.97,
    )  # fmt: skip
    assert head_verdict("a grey building", [0.1, 0.8, 0.1], trusting, 0.9)[0] == "replace"


def test_judge_first_object_rewrites_only_the_first_phrase():
    from model_core.result import DetectedObject, PredictionResult

    tagged = "<p> a white ship </p> [SEG] next to <p> a road </p> [SEG] ."
    mask = np.zeros((8, 8), dtype=bool)
    result = PredictionResult(
        caption="", tagged_caption=tagged, relations=[],
        objects=[DetectedObject("a white ship", mask, 0.9), DetectedObject("a road", mask, 0.9)],
    )  # fmt: skip
    judge_first_object(result, [0.9, 0.05, 0.05], HEAD)
    assert result.objects[0].phrase == "a building"
    assert result.objects[0].naming_confidence == pytest.approx(0.9)
    assert result.tagged_caption == "<p> a building </p> [SEG] next to <p> a road </p> [SEG] ."
    assert result.caption == "a building next to a road."
    judge_first_object(result, [0.3, 0.3, 0.4], dataclasses.replace(HEAD, keep=0.5))
    assert result.objects[0].phrase in GENERIC_PHRASES
    assert result.objects[1].phrase == "a road"


def test_kind_table_and_generated_kinds():
    table = kind_table()
    assert {"car", "vehicle", "minibus"} <= set(table.words["small vehicle"])
    assert table.phrases["bare ground"] == "an area of bare ground"
    assert table.phrases["building"] == "a building"
    assert table.plurals["building"] == "some buildings"
    assert table.phrases[UNFAMILIAR] in GENERIC_PHRASES
    assert generated_kind("a large white vehicle") == "large vehicle"
    assert generated_kind("two small red vehicles") == "small vehicle"
    assert generated_kind("a cluster of trees") == "tree cluster"
    assert generated_kind("a large grey L-shaped building") == "building"
    assert generated_kind("something else") is None


def test_config_refuses_a_head_table_of_the_wrong_length():
    values = ModelConfig().to_dict()
    values["class_head"] = {**dataclasses.asdict(HEAD), "phrases": ["a building"]}
    with pytest.raises(CheckpointError, match="class_head.phrases"):
        ModelConfig.from_dict(values)
    values["class_head"] = {**dataclasses.asdict(HEAD), "keep": 2.0}
    with pytest.raises(CheckpointError, match="class_head.keep"):
        ModelConfig.from_dict(values)
    values["class_head"] = {**dataclasses.asdict(HEAD), "views": 3}
    with pytest.raises(CheckpointError, match="class_head.views' must be 1, 2, 4 or 8"):
        ModelConfig.from_dict(values)


def test_predictor_reports_kind_probabilities_and_the_head_names_the_box():
    from model_core.predictor import Predictor
    from model_core.window import window_from_array

    torch.manual_seed(0)
    tokenizer = CaptionTokenizer.from_base_corpus(512)
    cfg = preset("tiny")
    cfg.class_head = dataclasses.replace(HEAD, keep=1.0, replace=0.0)
    model = build_clvnet(cfg, tokenizer).eval()
    with torch.no_grad():  # the head is sure of "building" whatever the box holds
        model.class_head.linear.weight.zero_()
        model.class_head.linear.bias.copy_(torch.tensor([9.0, 0.0, 0.0]))
    image = (np.random.default_rng(0).random((64, 64, 3)) * 255).astype(np.uint8)
    window = window_from_array(image, (10, 10, 50, 50), source="s")
    predictor = Predictor(model, tokenizer, device="cpu", cache_size=0)
    with scripted_caption(
        model, tokenizer, "<p> a red ship </p> [SEG] next to <p> a road </p> [SEG]"
    ):
        result = predictor.predict(window)
    assert list(result.kind_probabilities) == HEAD.kinds
    assert sum(result.kind_probabilities.values()) == pytest.approx(1.0)
    assert [o.phrase for o in result.objects] == ["a building", "a road"]
    assert result.caption.startswith("a building next to a road")
    predictor.use_class_head = False  # what an evaluation replaying the rule sees
    with scripted_caption(model, tokenizer, "<p> a red ship </p> [SEG]"):
        assert predictor.predict(window).objects[0].phrase == "a red ship"


def test_the_head_averages_its_views_and_caches_each_one():
    from model_core.modeling.views import turn
    from model_core.predictor import Predictor
    from model_core.window import window_from_array

    torch.manual_seed(0)
    tokenizer = CaptionTokenizer.from_base_corpus(512)
    cfg = preset("tiny")
    cfg.class_head = dataclasses.replace(HEAD, views=2)
    model = build_clvnet(cfg, tokenizer).eval()
    with torch.no_grad():
        model.class_head.linear.weight.normal_(0, 0.05)
    image = (np.random.default_rng(0).random((64, 64, 3)) * 255).astype(np.uint8)
    window = window_from_array(image, (4, 10, 30, 50), source="s")
    predictor = Predictor(model, tokenizer, device="cpu", cache_size=4)
    with scripted_caption(model, tokenizer, "<p> a building </p> [SEG]"):
        result = predictor.predict(window)
    assert predictor.encode_count == 2  # the window and its mirror image
    side = predictor.input_size
    box = torch.tensor([[c * side / window.image.shape[1] for c in window.box]])
    pixels = torch.nn.functional.interpolate(
        torch.from_numpy(window.image).permute(2, 0, 1)[None].float(), size=(side, side),
        mode="bilinear",
    )  # fmt: skip
    (mirror,), mirror_box = turn([pixels], box, 0, True, side)
    colour = torch.tensor(box_colour(window.image, window.box))[None]
    with torch.no_grad():
        one = model.class_head(model.encode_image(pixels), box, colour)
        other = model.class_head(model.encode_image(mirror), mirror_box, colour)
    assert not torch.allclose(one, other, atol=1e-3)  # the views differ, so averaging does
    expected = ((one + other) / 2)[0].tolist()
    assert list(result.kind_probabilities.values()) == pytest.approx(expected, abs=1e-5)
    with scripted_caption(model, tokenizer, "<p> a building </p> [SEG]"):
        again = predictor.predict(window)
    assert predictor.encode_count == 2  # both views came from the cache
    assert again.kind_probabilities == pytest.approx(result.kind_probabilities)
    predictor.set_image(window_from_array(image, (20, 20, 60, 60), source="s"))
    assert predictor.encode_count == 4


def test_box_colour_is_the_mean_and_spread_inside_the_box():
    image = np.zeros((10, 10, 3), dtype=np.uint8)
    image[2:4, 2:6] = (255, 0, 51)
    assert box_colour(image, (2, 2, 6, 4)) == pytest.approx([1.0, 0.0, 0.2, 0, 0, 0])
    # a box past the edge still reads at least one pixel
    assert box_colour(image, (20, 20, 30, 30)).shape == (6,)


def target(phrase, probabilities, cls="Building", names=True):
    return Target(
        record_id=phrase, source="spacenet_rio", class_name=cls, has_mask=True, iou=0.5,
        score=0.5, phrase=phrase, naming_confidence=0.9, mask_fraction=0.1, names_class=names,
        kind_probabilities=probabilities,
    )  # fmt: skip


def test_outcome_replays_the_head_and_the_thresholds_are_chosen():
    kept = target("a grey building", [0.6, 0.3, 0.1])
    replaced = target("a white car", [0.9, 0.05, 0.05], names=False)
    wrong = target("a grey building", [0.4, 0.5, 0.1], cls="car", names=False)
    assert outcome(kept, 0.0, HEAD) == "named"
    assert outcome(replaced, 0.0, HEAD) == "named"  # "a building" names the class
    assert outcome(wrong, 0.0, HEAD) == "wrong"
    assert outcome(wrong, 0.0, dataclasses.replace(HEAD, keep=0.5, replace=0.9)) == "abstained"
    assert outcome(replaced, 0.0) == "wrong"  # without the head: the phrase as written
    sweep = head_sweep([kept, replaced, wrong], HEAD)
    # all three named: keep the phrase from 0.45 (above the wrong phrase's 0.4), replace from
    # the lowest value tried, never trust the language model (it was 0.9 sure of each)
    assert choose_head_thresholds(sweep, 3, max_wrong=0.0, z=0.0) == (0.45, 0.3, 0.0)
    assert sweep[(0.45, 0.3, 0.0)]["named"] == 1.0
    assert sweep[(0.0, 0.3, 0.0)]["wrong"] == pytest.approx(2 / 3)  # every phrase kept
    assert sweep[(0.45, 0.3, 0.9)]["wrong"] == pytest.approx(2 / 3)  # every phrase trusted


def test_training_from_a_checkpoint_drops_its_stale_class_head(tmp_path):
    from model_core.checkpoint import load_checkpoint, save_checkpoint
    from training.train import TrainConfig, build_model

    tokenizer = CaptionTokenizer.from_base_corpus(512)
    cfg = preset("tiny")
    cfg.class_head = HEAD
    save_checkpoint(build_clvnet(cfg, tokenizer), tokenizer, tmp_path / "headed", "card")
    loaded, _ = load_checkpoint(tmp_path / "headed")
    assert loaded.class_head is not None and loaded.cfg.class_head.kinds == HEAD.kinds
    model, _ = build_model(TrainConfig(init_checkpoint=str(tmp_path / "headed")), [])
    assert model.class_head is None and model.cfg.class_head.kinds == []
