"""Caption tokenizer: byte-level BPE (``tokenizers``) with CLV-Net's special tokens.

Byte-level BPE never meets an unknown character, so real captions (GeoPixelD) tokenize even
when the vocabulary was learnt on synthetic ones. The tokenizer is saved as ``tokenizer.json``
inside every checkpoint.
"""

from pathlib import Path
from typing import Iterable, List, Sequence

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from .errors import CheckpointError

PAD, BOS, EOS = "<pad>", "<bos>", "<eos>"
PHRASE_OPEN, PHRASE_CLOSE, SEG = "<p>", "</p>", "[SEG]"
IMAGE, REGION = "<image>", "<region>"
SPECIAL_TOKENS = (PAD, BOS, EOS, PHRASE_OPEN, PHRASE_CLOSE, SEG, IMAGE, REGION)

#: Built-in corpus for a tokenizer made without training captions (tests, ``init`` defaults).
BASE_CORPUS = Path(__file__).with_name("assets") / "base_corpus.txt"


class CaptionTokenizer:
    """Encodes tagged captions (``<p> a road </p> [SEG]``) to ids and back."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self._tok = tokenizer
        ids = {t: tokenizer.token_to_id(t) for t in SPECIAL_TOKENS}
        missing = [t for t, i in ids.items() if i is None]
        if missing:
            raise CheckpointError(f"The tokenizer lacks the special tokens {missing}.")
        self.pad_id, self.bos_id, self.eos_id = ids[PAD], ids[BOS], ids[EOS]
        self.p_open_id, self.p_close_id, self.seg_id = ids[PHRASE_OPEN], ids[PHRASE_CLOSE], ids[SEG]
        self.image_id, self.region_id = ids[IMAGE], ids[REGION]
        self._special_ids = set(ids.values())

    @property
    def vocab_size(self) -> int:
        return self._tok.get_vocab_size()

    @classmethod
    def train(cls, corpus: Iterable[str], vocab_size: int = 2048) -> "CaptionTokenizer":
        """Learn a byte-level BPE vocabulary of at most ``vocab_size`` entries from captions."""
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size,
            special_tokens=list(SPECIAL_TOKENS),
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        )
        tok.train_from_iterator((_strip_specials(c) for c in corpus), trainer=trainer)
        return cls(tok)

    @classmethod
    def from_base_corpus(cls, vocab_size: int = 2048) -> "CaptionTokenizer":
        lines = BASE_CORPUS.read_text(encoding="utf-8").splitlines()
        return cls.train(lines, vocab_size)

    @classmethod
    def from_file(cls, path: Path) -> "CaptionTokenizer":
        try:
            return cls(Tokenizer.from_file(str(path)))
        except Exception as exc:  # tokenizers raises a bare Exception on bad JSON
            raise CheckpointError(f"The tokenizer '{path}' cannot be read: {exc}.") from exc

    def save(self, path: Path) -> None:
        self._tok.save(str(path))

    def encode(self, text: str) -> List[int]:
        """Ids of a tagged caption; special tokens map to their own ids."""
        ids: List[int] = []
        for piece in _split_specials(text):
            if piece in SPECIAL_TOKENS:
                ids.append(self._tok.token_to_id(piece))
            elif piece.strip():
                ids.extend(self._tok.encode(piece.strip(), add_special_tokens=False).ids)
        return ids

    def word_starts(self, ids: Sequence[int]) -> List[bool]:
        """For each id: does it begin a new word? (Byte-level BPE marks a leading space with
        ``Ġ``; special tokens are words of their own.)"""
        return [
            i in self._special_ids or (self._tok.id_to_token(i) or "").startswith("\u0120")
            for i in ids
        ]

    def decode(self, ids: Sequence[int]) -> str:
        """Text of ``ids`` with special tokens kept as words (``<p>``, ``[SEG]``, ...)."""
        words: List[str] = []
        run: List[int] = []
        for i in ids:
            if i in self._special_ids:
                if run:
                    words.append(self._tok.decode(run).strip())
                    run = []
                words.append(self._tok.id_to_token(i))
            else:
                run.append(i)
        if run:
            words.append(self._tok.decode(run).strip())
        return " ".join(w for w in words if w)


def _split_specials(text: str) -> List[str]:
    """Split text into plain runs and special tokens, keeping the specials."""
    pieces: List[str] = [text]
    for special in SPECIAL_TOKENS:
        split: List[str] = []
        for piece in pieces:
            if piece in SPECIAL_TOKENS:
                split.append(piece)
                continue
            parts = piece.split(special)
            for k, part in enumerate(parts):
                if k:
                    split.append(special)
                split.append(part)
        pieces = split
    return [p for p in pieces if p]


def _strip_specials(text: str) -> str:
    return " ".join(p for p in _split_specials(text) if p not in SPECIAL_TOKENS)


def strip_tags(tagged: str) -> str:
    """Caption text with ``<p>``, ``</p>`` and ``[SEG]`` removed and spaces tidied."""
    words = [w for w in _strip_specials(tagged).split() if w]
    text = " ".join(words)
    for mark in (" ,", " .", " ;", " :"):
        text = text.replace(mark, mark[1:])
    return text
