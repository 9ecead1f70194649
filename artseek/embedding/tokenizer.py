"""CLIP's byte-pair tokenizer without torch: token ids identical to open_clip's ``SimpleTokenizer``.

A port of ``open_clip.tokenizer.SimpleTokenizer`` (itself from OpenAI's CLIP, MIT
licence) for the ONNX backend, so the packaged app needs neither torch nor
open_clip. It reads the same vocabulary (``bpe_simple_vocab_16e6.txt.gz``),
which :mod:`artseek.embedding.export` copies beside the ONNX files. Text is
cleaned as open_clip's default (``clean='lower'``): ftfy, HTML unescaping,
whitespace folding, lower case. Sequences longer than the context length are
truncated and their last token replaced by the end-of-text token, as open_clip does.
"""

from __future__ import annotations

import gzip
import html
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import ftfy
import numpy as np
import regex

VOCAB_FILENAME = "bpe_simple_vocab_16e6.txt.gz"
DEFAULT_CONTEXT_LENGTH = 77
_N_MERGES = 49152 - 256 - 2


@lru_cache
def bytes_to_unicode() -> dict[int, str]:
    """The reversible byte -> printable character table of GPT-2 / CLIP BPE."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs], strict=True))


def _pairs(word: tuple[str, ...]) -> set[tuple[str, str]]:
    return set(zip(word, word[1:], strict=False))


def clean_lower(text: str) -> str:
    """open_clip's ``_clean_lower``: ftfy, double HTML unescape, folded whitespace, lower case."""
    text = html.unescape(html.unescape(ftfy.fix_text(text))).strip()
    return " ".join(text.split()).strip().lower()


class ClipTokenizer:
    """Tokenize texts into ``(N, context_length)`` int64 arrays of CLIP BPE ids."""

    def __init__(self, vocab_path: str | os.PathLike[str], context_length: int = DEFAULT_CONTEXT_LENGTH) -> None:
        with gzip.open(vocab_path) as f:
            lines = f.read().decode("utf-8").split("\n")
        merges = [tuple(line.split()) for line in lines[1:_N_MERGES + 1]]
        byte_chars = list(bytes_to_unicode().values())
        vocab = byte_chars + [c + "</w>" for c in byte_chars] + ["".join(m) for m in merges]
        special = ["<start_of_text>", "<end_of_text>"]
        vocab.extend(special)
        self.encoder = {token: i for i, token in enumerate(vocab)}
        self.bpe_ranks = {m: i for i, m in enumerate(merges)}
        self.byte_encoder = bytes_to_unicode()
        self.cache: dict[str, str] = {t: t for t in special}
        self.pattern = regex.compile(
            "|".join(special) + r"""|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""",
            regex.IGNORECASE,
        )
        self.sot_token_id = self.encoder["<start_of_text>"]
        self.eot_token_id = self.encoder["<end_of_text>"]
        self.vocab_size = len(self.encoder)
        self.context_length = int(context_length)

    def bpe(self, token: str) -> str:
        """Merge the characters of one pre-token by rank; returns space-separated BPE symbols."""
        cached = self.cache.get(token)
        if cached is not None:
            return cached
        word = tuple(token[:-1]) + (token[-1] + "</w>",)
        pairs = _pairs(word)
        if not pairs:
            return token + "</w>"
        ranks = self.bpe_ranks
        while True:
            bigram = min(pairs, key=lambda p: ranks.get(p, float("inf")))
            if bigram not in ranks:
                break
            first, second = bigram
            merged: list[str] = []
            i = 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                except ValueError:
                    merged.extend(word[i:])
                    break
                merged.extend(word[i:j])
                i = j
                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    merged.append(first + second)
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = tuple(merged)
            if len(word) == 1:
                break
            pairs = _pairs(word)
        result = " ".join(word)
        if len(self.cache) < 100_000:
            self.cache[token] = result
        return result

    def encode(self, text: str) -> list[int]:
        """BPE ids of ``text`` without start/end tokens and without truncation."""
        ids: list[int] = []
        for token in self.pattern.findall(clean_lower(text)):
            chars = "".join(self.byte_encoder[b] for b in token.encode("utf-8"))
            ids.extend(self.encoder[t] for t in self.bpe(chars).split(" "))
        return ids

    def __call__(self, texts: str | Sequence[str], context_length: int | None = None) -> np.ndarray:
        """``(N, context_length)`` int64 ids: start, BPE ids, end, zero padding (truncated as open_clip)."""
        if isinstance(texts, str):
            texts = [texts]
        length = int(context_length or self.context_length)
        out = np.zeros((len(texts), length), dtype=np.int64)
        for row, text in enumerate(texts):
            tokens = [self.sot_token_id, *self.encode(text), self.eot_token_id]
            if len(tokens) > length:
                tokens = tokens[:length]
                tokens[-1] = self.eot_token_id
            out[row, : len(tokens)] = tokens
        return out


def open_clip_vocab_path() -> Path:
    """The vocabulary file inside the installed open_clip package (found without importing open_clip)."""
    import importlib.util

    spec = importlib.util.find_spec("open_clip")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("open_clip is not installed, so its BPE vocabulary cannot be copied.")
    return Path(next(iter(spec.submodule_search_locations))) / VOCAB_FILENAME
