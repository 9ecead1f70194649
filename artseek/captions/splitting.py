"""Long descriptions to parts that fit the text tower: sentences, then word windows.

CLIP's context is 77 tokens including the start and end tokens; catalogue
texts are often paragraphs. A text is split into sentences; a sentence still
too long becomes overlapping windows of words. The Artpedia study found that
matching at sentence level matters, so a text is scored by the best of its
parts (optionally mixed with their mean), see :func:`aggregate`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

CONTEXT_TOKENS = 77
MAX_PART_TOKENS = CONTEXT_TOKENS - 2  # start and end tokens
WINDOW_OVERLAP = 0.25  # fraction of a window repeated in the next one

TokenCounter = Callable[[str], int]

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = {
    "st", "mr", "mrs", "ms", "dr", "prof", "rev", "fr", "sr", "jr", "no", "nos", "vol", "fig", "figs", "pl",
    "c", "ca", "cf", "e.g", "i.e", "etc", "vs", "approx", "inv", "cat", "ed", "eds", "b", "d", "fl", "op",
    "ms", "mss", "p", "pp", "ch", "col", "cm", "mm", "in", "ft", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "ste", "mt", "mme", "mlle", "sig", "sgr", "s",
}
_BOUNDARY = re.compile(r"(?<=[.!?;])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-ZÀ-ÖØ-Þ0-9])")


def approx_token_count(text: str) -> int:
    """A cheap over-estimate of CLIP BPE tokens (digits are one token each, as in CLIP's tokenizer)."""
    total = 0
    for piece in re.findall(r"[^\W\d_]+|\d|[^\w\s]|_", text):
        total += 1 + len(piece) // 6 if piece.isascii() else 1 + len(piece.encode("utf-8")) // 2
    return total


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences (abbreviations such as "St." and initials are kept together)."""
    text = " ".join(text.split())
    if not text:
        return []
    out: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        candidate = text[start:match.start()].strip()
        last_word = candidate.rstrip(".!?;\"'”’)]").rsplit(" ", 1)[-1].lower().rstrip(".")
        if candidate.endswith(".") and (last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha())):
            continue  # "St. Mark", "J. M. W. Turner"
        out.append(candidate)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return [s for s in out if s]


def windows(sentence: str, max_tokens: int = MAX_PART_TOKENS, count: TokenCounter = approx_token_count,
            overlap: float = WINDOW_OVERLAP) -> list[str]:
    """``sentence`` itself if it fits, else overlapping word windows of at most ``max_tokens`` tokens."""
    if count(sentence) <= max_tokens:
        return [sentence]
    words = sentence.split()
    costs = [max(1, count(w)) for w in words]
    out: list[str] = []
    start = 0
    while start < len(words):
        end, total = start, 0
        while end < len(words) and total + costs[end] <= max_tokens:
            total += costs[end]
            end += 1
        if end == start:  # one huge "word": cut it by characters
            out.append(words[start][: max_tokens * 2])
            start += 1
            continue
        out.append(" ".join(words[start:end]))
        if end >= len(words):
            break
        step = max(1, int((end - start) * (1.0 - overlap)))
        start += step
    return out


def split_text(text: str, max_tokens: int = MAX_PART_TOKENS, count: TokenCounter = approx_token_count) -> list[str]:
    """The parts of ``text`` to embed: its sentences (windowed when too long), and the whole text as well
    when it has several sentences yet fits the context (short captions keep their full meaning)."""
    sentences = split_sentences(text)
    parts: list[str] = []
    for sentence in sentences:
        parts.extend(windows(sentence, max_tokens, count))
    whole = " ".join(text.split())
    if len(parts) > 1 and count(whole) <= max_tokens:
        parts.insert(0, whole)
    seen: set[str] = set()
    return [p for p in parts if not (p in seen or seen.add(p))]


def aggregate(scores: np.ndarray, how: str = "max", mean_weight: float = 0.3) -> float:
    """One score of a text from the scores of its parts: ``max``, ``mean`` or ``maxmean`` (a mix)."""
    if len(scores) == 0:
        return float("-inf")
    if how == "max":
        return float(np.max(scores))
    if how == "mean":
        return float(np.mean(scores))
    if how == "maxmean":
        return float((1.0 - mean_weight) * np.max(scores) + mean_weight * np.mean(scores))
    raise ValueError(f"unknown aggregation '{how}'")


def tokenizer_counter(tokenizer: object) -> TokenCounter:
    """An exact counter from an open_clip tokenizer (``SimpleTokenizer.encode``), else the approximation."""
    encode = getattr(tokenizer, "encode", None)
    if encode is None:
        return approx_token_count

    def count(text: str) -> int:
        try:
            return len(encode(text))
        except Exception:  # noqa: BLE001 - any tokenizer trouble: fall back to the estimate
            return approx_token_count(text)

    return count
