"""Box prompt encoder: Segment Anything's ``PromptEncoder``, used for boxes only."""

import torch
from segment_anything.modeling import PromptEncoder

from ..config import ImageEncoderConfig


def build_prompt_encoder(cfg: ImageEncoderConfig) -> PromptEncoder:
    """SAM ``PromptEncoder`` matching the encoder's output width and grid."""
    return PromptEncoder(
        embed_dim=cfg.out_chans,
        image_embedding_size=(cfg.grid_size, cfg.grid_size),
        input_image_size=(cfg.img_size, cfg.img_size),
        mask_in_chans=16,
    )


def embed_boxes(encoder: PromptEncoder, boxes: torch.Tensor):
    """Sparse (B, 2, C) corner embeddings and dense (B, C, g, g) no-mask embeddings of boxes.

    Args:
        boxes: (B, 4) as x0, y0, x1, y1 in input-image pixels.
    """
    return encoder(points=None, boxes=boxes, masks=None)
