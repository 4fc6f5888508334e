"""Batching samples of variable caption length and object count."""

from __future__ import annotations

from typing import Any, Dict, Sequence

import torch


def collate(samples: Sequence[Dict[str, Any]], pad_id: int) -> Dict[str, Any]:
    """Stack samples (``training.data.dataset`` format) into a batch.

    Returns:
        ``images`` uint8 (B, 3, S, S); ``boxes`` float32 (B, 4); ``caption_ids`` int64 (B, L)
        right-padded with ``pad_id``; ``caption_mask`` int64 (B, L), 1 on real tokens;
        ``masks`` float32 (N_total, S, S), every sample's masks in batch order (the order of
        the ``[SEG]`` tokens in ``caption_ids`` read row by row); ``relations`` list of
        (n_i, n_i) int64; ``box_only`` bool (N_total,), True where a mask is only a box;
        ``sources`` int64 (B,), each sample's data source (0 unless a ``MixedDataset`` says);
        ``record_ids`` and ``captions`` lists of str.
    """
    if not samples:
        raise ValueError("Cannot collate an empty list of samples.")
    lengths = [len(s["caption_ids"]) for s in samples]
    ids = torch.full((len(samples), max(lengths)), pad_id, dtype=torch.int64)
    mask = torch.zeros_like(ids)
    for row, (sample, n) in enumerate(zip(samples, lengths)):
        ids[row, :n] = sample["caption_ids"]
        mask[row, :n] = 1
    return {
        "images": torch.stack([s["image"] for s in samples]),
        "boxes": torch.stack([s["box"] for s in samples]).float(),
        "caption_ids": ids,
        "caption_mask": mask,
        "masks": torch.cat([s["masks"] for s in samples], dim=0).float(),
        "relations": [s["relations"] for s in samples],
        "box_only": torch.cat([s["box_only"] for s in samples], dim=0),
        "sources": torch.tensor([s.get("source", 0) for s in samples], dtype=torch.int64),
        "record_ids": [s["record_id"] for s in samples],
        "captions": [s["caption"] for s in samples],
    }
