"""Predictor: encode a window once, then caption and segment boxes in it.

Image features are cached (LRU) by model, source, window and size, so a second box in an area
already seen skips the encoder, which is most of the cost of a box.
"""

import threading
import time
from collections import OrderedDict
from contextlib import nullcontext
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
import torch
from torch.nn import functional as F

from .checkpoint import load_checkpoint
from .errors import Cancelled, InputError
from .grouping import WindowMemory
from .modeling.class_head import box_colour
from .modeling.clvnet import CLVNet
from .modeling.views import VIEW_ORDER, turn
from .naming import abstain_unsure, judge_first_object, seg_naming_confidences
from .result import DetectedObject, PredictionResult, Relation
from .tokenizer import CaptionTokenizer, strip_tags
from .window import ImageWindow

__all__ = ["Predictor", "Cancelled", "resolve_device"]


def resolve_device(device: str = "auto") -> torch.device:
    """``auto`` -> CUDA when present else CPU; ``cuda``/``cuda:N`` without CUDA -> InputError."""
    if device in ("", "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise InputError(f"Device '{device}' was requested but CUDA is not available here.")
        index = int(device.split(":")[1]) if ":" in device else 0
        if index >= torch.cuda.device_count():
            raise InputError(
                f"Device '{device}' does not exist ({torch.cuda.device_count()} GPUs)."
            )
        return torch.device(device)
    if device == "cpu":
        return torch.device("cpu")
    raise InputError(f"Unknown device '{device}'; use auto, cpu, cuda or cuda:N.")


def _autocast_dtype(device: torch.device, precision: str) -> Optional[torch.dtype]:
    if device.type != "cuda" or precision == "fp32":
        return None
    if precision == "fp16":
        return torch.float16
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


class Predictor:
    """Runs a loaded CLV-Net on image windows; one instance per thread that uses it."""

    def __init__(
        self,
        model: CLVNet,
        tokenizer: CaptionTokenizer,
        device: str = "auto",
        precision: str = "auto",
        cache_size: int = 8,
        checkpoint_dir: str = "",
    ) -> None:
        self.device = resolve_device(device)
        self.model = model.to(self.device).eval()
        self.tokenizer = tokenizer
        self.autocast_dtype = _autocast_dtype(self.device, precision)
        self.cache_size = cache_size
        self.checkpoint_dir = checkpoint_dir
        self.model_name = model.cfg.name
        self.max_new_tokens = model.cfg.max_new_tokens
        #: Phrases named with a lower class-word probability get a generic noun (0: never).
        self.min_naming_probability = model.cfg.min_naming_probability
        #: With a class head, it judges each box's first phrase (False: token probabilities do,
        #: as without a head; an evaluation replaying the rule turns it off).
        self.use_class_head = model.class_head is not None
        #: With a mask refiner, it redraws each box's first mask (False: the decoder's mask).
        self.use_mask_refiner = model.mask_refiner is not None
        self.use_kv_cache = True
        self.encode_count = 0
        self._cache: OrderedDict[tuple, torch.Tensor] = OrderedDict()
        self.windows = WindowMemory(cache_size)
        self._lock = threading.Lock()

    @classmethod
    def from_checkpoint(
        cls,
        checkpoint: Optional[str] = None,
        device: str = "auto",
        precision: str = "auto",
        cache_size: int = 8,
    ) -> "Predictor":
        """Load ``checkpoint`` (None: the bundled default model)."""
        from .pipeline import default_checkpoint_dir

        folder = Path(checkpoint) if checkpoint else default_checkpoint_dir()
        if checkpoint is None and not (folder / "model.safetensors").is_file():
            raise InputError(
                f"No bundled default checkpoint is installed in '{folder}'; choose a checkpoint "
                "folder (--checkpoint DIR on the command line) or build it with "
                "'make train-default'."
            )
        resolve_device(device)  # fail on a bad device before the slow load
        model, tokenizer = load_checkpoint(folder)
        return cls(model, tokenizer, device, precision, cache_size, str(folder))

    @property
    def input_size(self) -> int:
        return self.model.cfg.image_encoder.img_size

    def _autocast(self):
        if self.autocast_dtype is None:
            return nullcontext()
        return torch.autocast("cuda", dtype=self.autocast_dtype)

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()
            self.windows.clear()

    # ---------------------------------------------------------------------- stages
    def features(self, window: ImageWindow, view: int = 0) -> torch.Tensor:
        """(1, C, g, g) features of the window (of its ``view``-th dihedral view, in
        ``VIEW_ORDER``), from the cache when it was encoded before."""
        key = (self.model_name, self.checkpoint_dir, window.cache_key, view)
        with self._lock:
            if key in self._cache and self.cache_size > 0:
                self._cache.move_to_end(key)
                return self._cache[key]
        image = torch.from_numpy(np.ascontiguousarray(window.image)).permute(2, 0, 1)[None]
        image = image.to(self.device, torch.float32)
        if image.shape[-1] != self.input_size or image.shape[-2] != self.input_size:
            image = F.interpolate(image, size=(self.input_size, self.input_size), mode="bilinear")
        if view:
            (image,), _ = turn([image], torch.zeros(1, 4), *VIEW_ORDER[view], self.input_size)
        with torch.inference_mode(), self._autocast():
            features = self.model.encode_image(image)
        self.encode_count += 1
        if self.cache_size > 0:
            with self._lock:
                self._cache[key] = features
                while len(self._cache) > self.cache_size * self.head_views:
                    self._cache.popitem(last=False)
        return features

    @property
    def head_views(self) -> int:
        """Views of each window the class head reads (1 without a head)."""
        return self.model.cfg.class_head.views if self.model.class_head is not None else 1

    def set_image(self, window: ImageWindow) -> None:
        """Encode ``window`` now (and cache it) so boxes in it are fast later."""
        for view in range(self.head_views):
            self.features(window, view)

    def predict(
        self,
        window: ImageWindow,
        cancel: Optional[Callable[[], bool]] = None,
        max_new_tokens: Optional[int] = None,
    ) -> PredictionResult:
        """Caption, masks and relations for ``window.box``; masks are in the window grid."""
        return self.predict_batch([window], cancel, max_new_tokens)[0]

    def predict_batch(
        self,
        windows: List[ImageWindow],
        cancel: Optional[Callable[[], bool]] = None,
        max_new_tokens: Optional[int] = None,
    ) -> List[PredictionResult]:
        """Several boxes at once: captions generated as one batch, masks decoded together."""
        stop = cancel or (lambda: False)
        timing = {}
        start = time.perf_counter()
        views = [torch.cat([self.features(w, v) for w in windows]) for v in range(self.head_views)]
        features = views[0]
        timing["encode"] = (time.perf_counter() - start) * 1000
        if stop():
            raise Cancelled("The request was cancelled.")
        scale = [self.input_size / w.image.shape[1] for w in windows]
        boxes = torch.tensor(
            [[c * s for c in w.box] for w, s in zip(windows, scale)],
            dtype=torch.float32,
            device=self.device,
        )
        start = time.perf_counter()
        with torch.inference_mode(), self._autocast():
            tokens, states, probs = self.model.generate(
                features,
                boxes,
                max_new_tokens or self.max_new_tokens,
                use_cache=self.use_kv_cache,
                should_stop=stop,
            )
        timing["caption"] = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        tokens_list = tokens.cpu().tolist()
        probs_list = probs.cpu().tolist()
        seg_hidden, groups = [], []
        for b, row in enumerate(tokens_list):
            for t, token in enumerate(row):
                if token == self.tokenizer.seg_id:
                    seg_hidden.append(states[b, t])
                    groups.append(b)
        results = [self._caption_only(row) for row in tokens_list]
        if self.model.class_head is not None:
            kinds = self.model.cfg.class_head.kinds
            rows = self._kind_probabilities(views, boxes, windows)
            for result, row in zip(results, rows):
                result.kind_probabilities = dict(zip(kinds, row))
        if seg_hidden:
            with torch.inference_mode(), self._autocast():
                decoded = self.model.decode_objects(
                    features,
                    boxes,
                    torch.stack(seg_hidden),
                    torch.tensor(groups, device=self.device),
                )
            refined = self._refine_first_masks(windows, boxes, decoded.masks, groups)
            self._attach_objects(results, windows, decoded, groups, refined)
            for result, row, row_probs in zip(results, tokens_list, probs_list):
                self._name_objects(result, row, row_probs)
        timing["decode"] = (time.perf_counter() - start) * 1000
        for result in results:
            result.timing_ms.update({k: v / len(windows) for k, v in timing.items()})
            result.model = self.model_name
        for result, window in zip(results, windows):
            result.crs_wkt, result.source = window.crs_wkt, window.source
        return results

    # ---------------------------------------------------------------------- helpers
    def _kind_probabilities(self, views, boxes, windows) -> List[List[float]]:
        """(B, K) class-head probabilities of each window's box, as lists: the mean over the
        window's views (``views``: the (B, C, g, g) features of each, in ``VIEW_ORDER``)."""
        colour = torch.tensor(np.stack([box_colour(w.image, w.box) for w in windows]))
        colour = colour.to(self.device)
        total = 0.0
        with torch.inference_mode():
            for view, features in enumerate(views):
                _, view_boxes = turn([], boxes, *VIEW_ORDER[view], self.input_size)
                total = total + self.model.class_head(features.float(), view_boxes, colour)
        return (total / len(views)).cpu().tolist()

    def _caption_only(self, row: List[int]) -> PredictionResult:
        ids = [t for t in row if t not in (self.tokenizer.eos_id, self.tokenizer.pad_id)]
        tagged = self.tokenizer.decode(ids)
        return PredictionResult(
            caption=strip_tags(tagged), tagged_caption=tagged, objects=[], relations=[]
        )

    def _refine_first_masks(self, windows, boxes, masks, groups) -> Dict[int, torch.Tensor]:
        """Refined (size, size) mask logits of each window's first object, the boxed one, by
        window index (all windows in one pass); empty without a refiner."""
        refiner = self.model.mask_refiner
        if refiner is None or not self.use_mask_refiner:
            return {}
        firsts: Dict[int, int] = {}
        for row, b in enumerate(groups):
            firsts.setdefault(b, row)
        order = sorted(firsts)
        side = (refiner.size, refiner.size)

        def pixels_of(b: int) -> torch.Tensor:  # (1, 3, size, size), resized as the refiner does
            image = torch.from_numpy(np.ascontiguousarray(windows[b].image)).permute(2, 0, 1)
            image = image[None].to(self.device, torch.float32)
            return F.interpolate(image, size=side, mode="bilinear", antialias=True)

        pixels = torch.cat([pixels_of(b) for b in order])
        pixels = (pixels - self.model.pixel_mean) / self.model.pixel_std
        with torch.inference_mode():
            refined = refiner(pixels, masks[[firsts[b] for b in order]], boxes[order])
        return dict(zip(order, refined))

    def _attach_objects(self, results, windows, decoded, groups, refined) -> None:
        masks = decoded.masks.float()
        for b, (result, window) in enumerate(zip(results, windows)):
            rows = [i for i, g in enumerate(groups) if g == b]
            if not rows:
                continue
            h, w = window.image.shape[:2]
            logits = F.interpolate(masks[rows][:, None], size=(h, w), mode="bilinear")[:, 0]
            if b in refined:
                sharp = F.interpolate(refined[b][None, None], size=(h, w), mode="bilinear")
                logits[0] = sharp[0, 0]
            binary = (logits > 0).cpu().numpy()
            if window.valid is not None:
                binary &= window.valid[None]
            if self.model.cfg.quality_head_trained:
                scores = decoded.scores[rows].float().clamp(0.0, 1.0).cpu().tolist()
            else:
                scores = mask_confidence(logits)
            phrases = phrases_for_segs(result.tagged_caption, len(rows))
            result.objects = [
                DetectedObject(phrase=p, mask=m, score=float(s))
                for p, m, s in zip(phrases, binary, scores)
            ]
            result.relations = relations_from_logits(
                decoded.relation_logits[b].float(), self.model.cfg.predicates
            )

    def _name_objects(self, result: PredictionResult, ids: List[int], probs: List[float]) -> None:
        """Record each object's naming confidence; give unsure phrases a generic noun (the
        first phrase is judged by the class head when the checkpoint has one)."""
        tok = self.tokenizer
        confidences = seg_naming_confidences(
            ids,
            probs,
            tok.word_starts(ids),
            [tok.decode([i]) for i in ids],
            tok.p_open_id,
            tok.p_close_id,
            tok.seg_id,
        )
        for obj, confidence in zip(result.objects, confidences):
            obj.naming_confidence = confidence
        if self.use_class_head and result.kind_probabilities:
            abstain_unsure(result, self.min_naming_probability, first=1)
            head = self.model.cfg.class_head
            judge_first_object(result, [result.kind_probabilities[k] for k in head.kinds], head)
        else:
            abstain_unsure(result, self.min_naming_probability)


def mask_confidence(logits: torch.Tensor) -> List[float]:
    """Mean probability inside each predicted mask (N, H, W logits -> N scores in 0..1).

    The score of a checkpoint whose quality head was not trained (``quality_head_trained``
    false): how sure the mask itself is where it says "object"; 0 for an empty mask. A trained
    head's score is instead its prediction of the mask's IoU with the truth.
    """
    prob = torch.sigmoid(logits)
    inside = prob > 0.5
    total = (prob * inside).sum(dim=(1, 2))
    count = inside.sum(dim=(1, 2)).clamp_min(1)
    return (total / count).cpu().tolist()


def phrases_for_segs(tagged: str, count: int) -> List[str]:
    """The phrase each ``[SEG]`` grounds: the last ``<p> ... </p>`` before it, else a stand-in."""
    phrases: List[str] = []
    pending: Optional[str] = None
    words: Optional[List[str]] = None
    for word in tagged.split():
        if word == "<p>":
            words = []
        elif word == "</p>" and words is not None:
            pending, words = " ".join(words), None
        elif word == "[SEG]":
            phrases.append(pending or f"object {len(phrases) + 1}")
            pending = None
        elif words is not None:
            words.append(word)
    phrases += [f"object {k + 1}" for k in range(len(phrases), count)]
    return phrases[:count]


def relations_from_logits(
    logits: torch.Tensor, predicates: Tuple[str, ...], threshold: float = 0.5
) -> List[Relation]:
    """Relations whose most likely predicate is not ``none`` and has probability >= threshold."""
    prob = torch.softmax(logits, dim=-1)
    best, index = prob.max(dim=-1)
    relations: List[Relation] = []
    n = logits.shape[0]
    for i in range(n):
        for j in range(n):
            k = int(index[i, j])
            if i != j and k != 0 and float(best[i, j]) >= threshold:
                relations.append(Relation(i, predicates[k], j, float(best[i, j])))
    return relations
