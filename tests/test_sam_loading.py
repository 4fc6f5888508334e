"""An official SAM ViT-B state dict loads into the sam-vit-b CLV-Net, tensor for tensor."""

import pytest
import torch
from segment_anything import sam_model_registry

from model_core.checkpoint import load_sam_weights
from model_core.config import preset
from model_core.errors import CheckpointError
from model_core.modeling.build import build_clvnet
from model_core.tokenizer import CaptionTokenizer


@pytest.fixture(scope="module")
def sam_pth(tmp_path_factory):
    torch.manual_seed(0)
    sam = sam_model_registry["vit_b"]()
    path = tmp_path_factory.mktemp("sam") / "sam_vit_b.pth"
    torch.save(sam.state_dict(), path)
    return path, sam.state_dict()


def test_sam_vit_b_weights_load_into_clvnet(sam_pth):
    path, reference = sam_pth
    cfg = preset("sam-vit-b")  # no LM folder: a scratch reasoner is enough for this test
    model = build_clvnet(cfg, CaptionTokenizer.from_base_corpus(512))
    counts = load_sam_weights(model, path)
    ours = model.state_dict()
    prefixes = {
        "image_encoder.": "image_encoder.",
        "prompt_encoder.": "prompt_encoder.",
        "mask_decoder.": "mask_decoder.sam.",
    }
    compared = 0
    for key, tensor in reference.items():
        prefix = next(p for p in prefixes if key.startswith(p))
        assert torch.equal(ours[prefixes[prefix] + key[len(prefix) :]], tensor), key
        compared += 1
    assert counts["loaded"] == compared > 200


def test_sam_weights_of_another_size_are_refused(sam_pth):
    path, _ = sam_pth
    model = build_clvnet(preset("tiny"), CaptionTokenizer.from_base_corpus(512))
    with pytest.raises(CheckpointError, match="same ViT size"):
        load_sam_weights(model, path)


def test_pickled_code_is_never_run(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "evil.pth"
    torch.save({"x": Evil()}, path)
    model = build_clvnet(preset("tiny"), CaptionTokenizer.from_base_corpus(512))
    with pytest.raises(CheckpointError, match="cannot be read safely"):
        load_sam_weights(model, path)
