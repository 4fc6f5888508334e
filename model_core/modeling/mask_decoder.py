"""Context-Aware Mask Decoder: SAM's two-way transformer, run twice around a relation stage.

Pass 1 decodes each object query with its box prompt into a provisional mask. The relation
stage lets the queries of one caption see each other and the geometry of their provisional
masks. Pass 2 decodes the context-aware queries into the final masks and quality scores.
With ``relation_layers = 0`` (an ablation) pass 1 is final.
"""

from dataclasses import dataclass
from typing import List

import torch
from segment_anything.modeling import MaskDecoder, TwoWayTransformer
from torch import nn

from ..config import DecoderConfig
from .relation_stage import RelationHead, RelationStage, mask_geometry


@dataclass
class DecoderOutput:
    masks: torch.Tensor  # (N, 4g, 4g) final mask logits
    scores: torch.Tensor  # (N,) predicted mask quality
    queries: torch.Tensor  # (N, C) context-aware object queries
    relation_logits: List[torch.Tensor]  # per caption (n, n, P)


class ContextAwareMaskDecoder(nn.Module):
    def __init__(self, cfg: DecoderConfig, dim: int) -> None:
        super().__init__()
        self.sam = MaskDecoder(
            transformer_dim=dim,
            transformer=TwoWayTransformer(
                depth=cfg.transformer_depth,
                embedding_dim=dim,
                mlp_dim=cfg.transformer_mlp_dim,
                num_heads=cfg.transformer_heads,
            ),
            num_multimask_outputs=3,
            iou_head_depth=cfg.iou_head_depth,
            iou_head_hidden_dim=cfg.iou_head_hidden_dim,
        )
        self.relation = (
            RelationStage(dim, cfg.relation_heads, cfg.relation_layers)
            if cfg.relation_layers > 0
            else None
        )
        self.relation_head = RelationHead(dim, cfg.num_predicates)

    def decode(
        self,
        image_embeddings: torch.Tensor,
        image_pe: torch.Tensor,
        sparse: torch.Tensor,
        dense: torch.Tensor,
    ):
        """One SAM decoder pass with one image embedding per object.

        Args:
            image_embeddings: (N, C, g, g); image_pe: (1, C, g, g);
            sparse: (N, T, C) prompt tokens; dense: (N, C, g, g).

        Returns:
            mask logits (N, 4g, 4g), quality (N,), mask-token output (N, C).
        """
        sam = self.sam
        n = sparse.shape[0]
        output_tokens = torch.cat([sam.iou_token.weight, sam.mask_tokens.weight], dim=0)
        tokens = torch.cat([output_tokens[None].expand(n, -1, -1).to(sparse.dtype), sparse], 1)
        src = image_embeddings + dense
        pos = image_pe.expand(n, -1, -1, -1)
        b, c, h, w = src.shape
        hs, src = sam.transformer(src, pos, tokens)
        iou_out, mask_out = hs[:, 0], hs[:, 1]
        upscaled = sam.output_upscaling(src.transpose(1, 2).reshape(b, c, h, w))
        hyper = sam.output_hypernetworks_mlps[0](mask_out)
        _, c2, h2, w2 = upscaled.shape
        masks = (hyper[:, None] @ upscaled.reshape(b, c2, h2 * w2)).reshape(b, h2, w2)
        scores = sam.iou_prediction_head(iou_out)[:, 0]
        return masks, scores, mask_out

    def forward(
        self,
        image_embeddings: torch.Tensor,
        image_pe: torch.Tensor,
        box_sparse: torch.Tensor,
        dense: torch.Tensor,
        queries: torch.Tensor,
        groups: torch.Tensor,
        user_boxes: torch.Tensor,
    ) -> DecoderOutput:
        """Decode all objects of all captions together.

        Args:
            image_embeddings: (N, C, g, g) features of each object's window.
            image_pe: (1, C, g, g) positional encoding.
            box_sparse: (N, 2, C) box-corner embeddings; dense: (N, C, g, g).
            queries: (N, C) object queries from the ``[SEG]`` hidden states.
            groups: (N,) index of each object's caption.
            user_boxes: (N, 4) the caption's box normalised to 0..1.
        """
        sparse = torch.cat([box_sparse, queries[:, None]], dim=1)
        masks, scores, token = self.decode(image_embeddings, image_pe, sparse, dense)
        geometry = mask_geometry(masks, user_boxes)
        context = queries + token
        if self.relation is not None:
            context = self.relation(context, geometry, groups)
            sparse = torch.cat([box_sparse, context[:, None]], dim=1)
            masks, scores, _ = self.decode(image_embeddings, image_pe, sparse, dense)
            geometry = mask_geometry(masks, user_boxes)
        relation_logits = self.relation_head(context, geometry, groups)
        return DecoderOutput(masks, scores, context, relation_logits)
