"""CLV-Net: image encoder + box prompt + VPReasoner + Context-Aware Mask Decoder.

Sequence seen by the language model (P = prefix length, fixed for a config)::

    <bos> <image> x G*G  <region>  instruction words  | caption tokens ... <eos>

The ``<image>`` and ``<region>`` placeholders are replaced by the context tokens and the
region token. Each ``[SEG]`` in the caption yields one object query; the ``k``-th
``<p> ... </p>`` phrase belongs to the ``k``-th ``[SEG]``.
"""

from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

import torch
from torch import nn
from torch.nn import functional as F

from ..config import ModelConfig
from ..tokenizer import CaptionTokenizer
from .class_head import ClassHead
from .context_tokens import ContextTokens
from .heads import ProjectionHeads
from .image_encoder import build_image_encoder
from .mask_decoder import ContextAwareMaskDecoder
from .mask_refiner import MaskRefiner
from .prompt_encoder import build_prompt_encoder, embed_boxes
from .region_token import RegionToken
from .vp_reasoner import VPReasoner


@dataclass
class CLVNetOutput:
    """Training outputs; N = objects in the batch (one per ``[SEG]``)."""

    caption_logits: torch.Tensor  # (B, L, V): logits predicting each caption token
    masks: torch.Tensor  # (N, 4g, 4g) mask logits
    scores: torch.Tensor  # (N,) predicted quality
    groups: torch.Tensor  # (N,) sample index of each object
    relation_logits: List[torch.Tensor]  # per sample (n, n, P)
    phrase_embeddings: torch.Tensor  # (N, D) text side of the alignment losses
    visual_embeddings: Optional[torch.Tensor]  # (N, D) mask-pooled image side (with GT masks)
    queries: torch.Tensor  # (N, C) context-aware object queries


class CLVNet(nn.Module):
    def __init__(self, cfg: ModelConfig, tokenizer: CaptionTokenizer) -> None:
        super().__init__()
        self.cfg = cfg
        enc, rcfg = cfg.image_encoder, cfg.reasoner
        self.image_encoder = build_image_encoder(enc)
        self.prompt_encoder = build_prompt_encoder(enc)
        self.reasoner = VPReasoner(rcfg, tokenizer.vocab_size)
        lm_dim = self.reasoner.hidden_size
        self.context_tokens = ContextTokens(enc.out_chans, lm_dim, rcfg.context_grid)
        self.region_token = RegionToken(enc.out_chans, lm_dim, rcfg.region_pool, enc.img_size)
        self.mask_decoder = ContextAwareMaskDecoder(cfg.decoder, enc.out_chans)
        self.heads = ProjectionHeads(lm_dim, enc.out_chans, cfg.align_dim)
        kinds = len(cfg.class_head.kinds)
        self.class_head: Optional[ClassHead] = (
            ClassHead(enc.out_chans, kinds, cfg.class_head.pool, enc.img_size) if kinds else None
        )
        refiner = cfg.mask_refiner
        self.mask_refiner: Optional[MaskRefiner] = (
            MaskRefiner(refiner.width, refiner.size, enc.img_size) if refiner.width else None
        )
        self.register_buffer("pixel_mean", torch.tensor(cfg.pixel_mean).view(1, 3, 1, 1), False)
        self.register_buffer("pixel_std", torch.tensor(cfg.pixel_std).view(1, 3, 1, 1), False)
        self.seg_id, self.eos_id, self.pad_id = tokenizer.seg_id, tokenizer.eos_id, tokenizer.pad_id
        self.p_open_id, self.p_close_id = tokenizer.p_open_id, tokenizer.p_close_id
        grid_tokens = self.context_tokens.num_tokens
        prefix = (
            [tokenizer.bos_id]
            + [tokenizer.image_id] * grid_tokens
            + [tokenizer.region_id]
            + tokenizer.encode(rcfg.instruction)
        )
        self.register_buffer("prefix_ids", torch.tensor(prefix), False)
        self.image_slice = slice(1, 1 + grid_tokens)
        self.region_index = 1 + grid_tokens

    # ----------------------------------------------------------------- shared stages
    def encode_image(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, S, S) pixels 0..255 -> (B, C, g, g) image features."""
        return self.image_encoder((images.float() - self.pixel_mean) / self.pixel_std)

    def prefix_embeddings(self, features: torch.Tensor, boxes: torch.Tensor) -> torch.Tensor:
        """(B, P, lm_dim): prompt embeddings with context and region tokens in place."""
        b = features.shape[0]
        embeds = self.reasoner.embed(self.prefix_ids[None].expand(b, -1)).clone()
        embeds[:, self.image_slice] = self.context_tokens(features).to(embeds.dtype)
        embeds[:, self.region_index] = self.region_token(features, boxes)[:, 0].to(embeds.dtype)
        return embeds

    def decode_objects(
        self,
        features: torch.Tensor,
        boxes: torch.Tensor,
        seg_hidden: torch.Tensor,
        groups: torch.Tensor,
    ):
        """Masks, scores, queries and relation logits for the ``[SEG]`` states of each sample."""
        sparse, dense = embed_boxes(self.prompt_encoder, boxes)
        queries = self.heads.object_query(seg_hidden)
        return self.mask_decoder(
            features[groups],
            self.prompt_encoder.get_dense_pe().to(features.dtype),
            sparse[groups].to(features.dtype),
            dense[groups].to(features.dtype),
            queries.to(features.dtype),
            groups,
            boxes[groups] / self.cfg.image_encoder.img_size,
        )

    # ----------------------------------------------------------------------- training
    def forward(
        self,
        images: torch.Tensor,
        boxes: torch.Tensor,
        caption_ids: torch.Tensor,
        caption_mask: torch.Tensor,
        gt_masks: Optional[torch.Tensor] = None,
    ) -> CLVNetOutput:
        """Teacher-forced pass.

        Args:
            images: (B, 3, S, S) pixels 0..255; boxes: (B, 4) pixel boxes in the image.
            caption_ids: (B, L) caption tokens ending in ``<eos>``, right-padded.
            caption_mask: (B, L) 1 for real tokens.
            gt_masks: optional (N, S, S) target masks, one per ``[SEG]`` in batch order;
                when given, the visual alignment embeddings are pooled with them.
        """
        features = self.encode_image(images)
        prefix = self.prefix_embeddings(features, boxes)
        embeds = torch.cat([prefix, self.reasoner.embed(caption_ids)], dim=1)
        attention = torch.cat([caption_mask.new_ones(prefix.shape[:2]), caption_mask], dim=1)
        logits, hidden, _ = self.reasoner(embeds, attention)
        p = prefix.shape[1]
        caption_logits = logits[:, p - 1 : -1]
        caption_hidden = hidden[:, p:]

        is_seg = (caption_ids == self.seg_id) & caption_mask.bool()
        groups = is_seg.nonzero()[:, 0]
        decoded = self.decode_objects(features, boxes, caption_hidden[is_seg], groups)
        phrases = self.heads.phrase_embedding(self.phrase_states(caption_ids, caption_hidden))
        visual = None
        if gt_masks is not None:
            visual = self.heads.visual_embedding(pool_by_masks(features[groups], gt_masks))
        return CLVNetOutput(
            caption_logits=caption_logits,
            masks=decoded.masks,
            scores=decoded.scores,
            groups=groups,
            relation_logits=decoded.relation_logits,
            phrase_embeddings=phrases,
            visual_embeddings=visual,
            queries=decoded.queries,
        )

    def phrase_states(self, ids: torch.Tensor, hidden: torch.Tensor) -> torch.Tensor:
        """(N, lm_dim) mean hidden state over the words of each ``<p> ... </p>`` phrase."""
        opened = torch.cumsum(ids == self.p_open_id, dim=1)
        closed = torch.cumsum(ids == self.p_close_id, dim=1)
        per_sample = (ids == self.seg_id).sum(1)
        inside = (opened > closed) & (ids != self.p_open_id) & (opened <= per_sample[:, None])
        offset = torch.cumsum(per_sample, 0) - per_sample
        index = (offset[:, None] + opened - 1)[inside]
        n = int(per_sample.sum().item())
        sums = hidden.new_zeros(n, hidden.shape[-1]).index_add_(0, index, hidden[inside])
        counts = hidden.new_zeros(n).index_add_(0, index, hidden.new_ones(len(index)))
        return sums / counts.clamp_min(1.0)[:, None]

    # ---------------------------------------------------------------------- inference
    @torch.inference_mode()
    def generate(
        self,
        features: torch.Tensor,
        boxes: torch.Tensor,
        max_new_tokens: int,
        use_cache: bool = True,
        should_stop: Optional[Callable[[], bool]] = None,
        ignore_eos: bool = False,
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Greedy caption generation.

        ``ignore_eos`` keeps generating past ``<eos>`` to exactly ``max_new_tokens`` tokens, so
        the benchmark can time captions of a fixed length.

        Returns:
            tokens (B, T) generated ids (``<pad>`` after ``<eos>``), hidden (B, T, lm_dim),
            the last hidden state of each generated token (what ``[SEG]`` queries use), and
            probs (B, T), the probability the model gave each generated token (what
            ``model_core.naming`` judges a phrase's class words by).
        """
        embeds = self.prefix_embeddings(features, boxes)
        b = embeds.shape[0]
        logits, _, past = self.reasoner(embeds, use_cache=use_cache)
        prob, token = torch.softmax(logits[:, -1].float(), -1).max(-1)
        finished = torch.zeros(b, dtype=torch.bool, device=embeds.device)
        tokens: List[torch.Tensor] = []
        states: List[torch.Tensor] = []
        probs: List[torch.Tensor] = []
        for _ in range(max_new_tokens):
            if should_stop is not None and should_stop():
                from ..errors import Cancelled

                raise Cancelled("The request was cancelled.")
            token = torch.where(finished, torch.full_like(token, self.pad_id), token)
            tokens.append(token)
            probs.append(prob)
            if not ignore_eos:
                finished = finished | (token == self.eos_id)
            if bool(finished.all()):
                states.append(embeds.new_zeros(b, embeds.shape[-1]))
                break
            step = self.reasoner.embed(token[:, None])
            if use_cache:
                logits, hidden, past = self.reasoner(step, past_key_values=past, use_cache=True)
            else:
                embeds = torch.cat([embeds, step], dim=1)
                logits, hidden, _ = self.reasoner(embeds)
            states.append(hidden[:, -1])
            prob, token = torch.softmax(logits[:, -1].float(), -1).max(-1)
        return torch.stack(tokens, 1), torch.stack(states, 1), torch.stack(probs, 1)


def pool_by_masks(features: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """(N, C, g, g) features averaged under (N, S, S) masks resized to g x g -> (N, C)."""
    weights = F.adaptive_avg_pool2d(masks[:, None].float(), features.shape[-1]).to(features.dtype)
    total = weights.sum(dim=(2, 3)).clamp_min(1e-6)
    return (features * weights).sum(dim=(2, 3)) / total
