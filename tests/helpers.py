"""Shared test helpers (paths, small checkpoints) importable from any test module."""

from contextlib import contextmanager
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
REAL_DATA = REPO.parent / "shared" / "data" / "real"
REAL_RASTERS = {
    "cogeo": "cogeo.tif",
    "landsat": "RGB.byte.tif",
    "naip": "m_4709963_se_14_1_20200831.tif",
    "berkeley": "berkeley.jpg",
}


def real(name: str) -> Path:
    """Path of a real raster in ../shared/data/real, or skip the test with the reason."""
    path = REAL_DATA / REAL_RASTERS.get(name, name)
    if not path.exists():
        pytest.skip(f"real data {path} is missing (../shared/data/real beside the repository)")
    return path


@contextmanager
def scripted_caption(model, tokenizer, text: str, unsure_after: str = ""):
    """Make ``model`` generate ``text`` (then ``<eos>``) whatever it sees.

    With ``unsure_after``, the token after that prefix of ``text`` gets probability 0.5 (its
    logit shared with one other token), as a class word the model was unsure of.
    """
    script = tokenizer.encode(text) + [tokenizer.eos_id]
    unsure = len(tokenizer.encode(unsure_after)) if unsure_after else -1
    original = model.reasoner.forward
    calls = [0]

    def scripted(embeds, attention_mask=None, past_key_values=None, use_cache=False):
        logits, hidden, past = original(embeds, attention_mask, past_key_values, use_cache)
        step = calls[0]
        calls[0] += 1
        logits = torch.full_like(logits, -20.0)
        token = script[min(step, len(script) - 1)]
        logits[:, -1, token] = 0.0
        if step == unsure:
            logits[:, -1, (token + 1) % logits.shape[-1]] = -1e-6
        return logits, hidden, past

    model.reasoner.forward = scripted
    try:
        yield
    finally:
        model.reasoner.forward = original
