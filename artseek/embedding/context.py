"""How much of a text the model reads: CLIP reads a fixed number of tokens and cuts the rest."""

from __future__ import annotations

from artseek.embedding.encoder import Encoder


def part_read(encoder: Encoder, text: str) -> str:
    """The words of ``text`` the model reads: ``text`` itself when it fits the context, else its longest
    leading run of words that does (a text that fills the context exactly counts as cut)."""
    def fits(words: list[str]) -> bool:
        return int(encoder.tokenize([" ".join(words)])[0][-1]) == 0  # a padding slot is left

    words = text.split()
    if fits(words):
        return text
    low, high = 0, len(words)  # fits(words[:low]), not fits(words[:high])
    while high - low > 1:
        middle = (low + high) // 2
        if fits(words[:middle]):
            low = middle
        else:
            high = middle
    return " ".join(words[:low])
