"""Sentence splitting, token windows and part aggregation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from artseek.captions.splitting import (
    MAX_PART_TOKENS, aggregate, approx_token_count, split_sentences, split_text, tokenizer_counter, windows,
)
from artseek.embedding.tokenizer import ClipTokenizer, open_clip_vocab_path


@pytest.fixture(scope="module")
def count():
    return tokenizer_counter(ClipTokenizer(open_clip_vocab_path()))


def test_sentences_keep_abbreviations_and_initials() -> None:
    text = ("The panel shows St. Mark preaching in Alexandria. It was painted by J. M. W. Turner c. 1830! "
            "Is it a study?  \"Yes,\" wrote the curator.")
    assert split_sentences(text) == [
        "The panel shows St. Mark preaching in Alexandria.",
        "It was painted by J. M. W. Turner c. 1830!",
        "Is it a study?",
        "\"Yes,\" wrote the curator.",
    ]


def test_empty_and_single() -> None:
    assert split_sentences("   ") == []
    assert split_sentences("a red star") == ["a red star"]
    assert split_text("a red star") == ["a red star"]


def test_short_multi_sentence_text_also_keeps_the_whole() -> None:
    parts = split_text("A red star. On a blue ground.")
    assert parts == ["A red star. On a blue ground.", "A red star.", "On a blue ground."]


def test_long_sentence_becomes_overlapping_windows(count) -> None:
    words = [f"word{i}" for i in range(200)]
    parts = windows(" ".join(words), count=count)
    assert len(parts) > 2
    assert all(count(p) <= MAX_PART_TOKENS for p in parts)
    covered = {w for p in parts for w in p.split()}
    assert covered == set(words)
    # consecutive windows overlap
    assert set(parts[0].split()) & set(parts[1].split())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), min_size=1,
                        max_size=14), min_size=1, max_size=160))
def test_every_part_fits_the_context(count, words) -> None:
    text = " ".join(words)
    parts = split_text(text, count=count)
    if not text.split():
        assert parts == []
        return
    for p in parts:
        assert count(p) <= MAX_PART_TOKENS or len(p.split()) == 1  # a single giant "word" is cut by characters


def test_approximate_counter_overestimates_plain_english(count) -> None:
    text = "An engraving of a three-masted ship in a storm off the coast of Holland, after a drawing, 1650."
    assert approx_token_count(text) >= count(text)


def test_aggregate() -> None:
    s = np.array([0.1, 0.5, 0.3])
    assert aggregate(s, "max") == pytest.approx(0.5)
    assert aggregate(s, "mean") == pytest.approx(0.3)
    assert aggregate(s, "maxmean") == pytest.approx(0.7 * 0.5 + 0.3 * 0.3)
    with pytest.raises(ValueError):
        aggregate(s, "median")
