"""Image encoder: Segment Anything's ViT, sized by the config."""

from functools import partial

import torch
from segment_anything.modeling import ImageEncoderViT

from ..config import ImageEncoderConfig


def build_image_encoder(cfg: ImageEncoderConfig) -> ImageEncoderViT:
    """SAM ``ImageEncoderViT``: (B, 3, S, S) normalised pixels -> (B, out_chans, S/16, S/16)."""
    return ImageEncoderViT(
        img_size=cfg.img_size,
        patch_size=cfg.patch_size,
        embed_dim=cfg.embed_dim,
        depth=cfg.depth,
        num_heads=cfg.num_heads,
        mlp_ratio=cfg.mlp_ratio,
        out_chans=cfg.out_chans,
        qkv_bias=True,
        norm_layer=partial(torch.nn.LayerNorm, eps=1e-6),
        use_rel_pos=cfg.use_rel_pos,
        rel_pos_zero_init=True,
        window_size=cfg.window_size,
        global_attn_indexes=tuple(cfg.global_attn_indexes),
    )
