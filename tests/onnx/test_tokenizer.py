"""The torch-free tokenizer gives exactly open_clip's token ids (imports open_clip only for the reference)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from artseek.embedding.tokenizer import ClipTokenizer, open_clip_vocab_path
from tests.onnx.corpus import CORPUS

open_clip = pytest.importorskip("open_clip")


@pytest.fixture(scope="module")
def ours() -> ClipTokenizer:
    return ClipTokenizer(open_clip_vocab_path(), context_length=77)


@pytest.mark.parametrize("architecture", ["ViT-B-32", "ArtSeek-Tiny"])
def test_corpus_ids_identical(ours: ClipTokenizer, architecture: str) -> None:
    from artseek.embedding.torch_backend import register_model_configs

    register_model_configs()
    ref = open_clip.get_tokenizer(architecture)
    assert ref.context_length == ours.context_length
    expected = ref(CORPUS).numpy()
    got = ours(CORPUS)
    assert got.dtype == np.int64 and got.shape == expected.shape
    for text, a, b in zip(CORPUS, got, expected, strict=True):
        assert np.array_equal(a, b), text[:60]


def test_long_descriptions_truncate_at_the_context_length(ours: ClipTokenizer) -> None:
    long = [t for t in CORPUS if len(t.split()) >= 100]
    ids = ours(long)
    assert (ids[:, -1] == ours.eot_token_id).all()  # truncated, last slot is end-of-text as in open_clip
    assert (ids[:, 0] == ours.sot_token_id).all()
    assert len(ours.encode(long[0])) > 77


def test_other_context_lengths(ours: ClipTokenizer) -> None:
    ref = open_clip.tokenizer.SimpleTokenizer(context_length=16)
    for n in (5, 16, 32):
        assert np.array_equal(ours(CORPUS, context_length=n), ref(CORPUS, context_length=n).numpy())


@pytest.fixture(scope="module")
def reference():
    return open_clip.tokenizer.SimpleTokenizer(context_length=77)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=120))
def test_random_unicode_identical(ours: ClipTokenizer, reference, text: str) -> None:
    assert np.array_equal(ours([text]), reference([text]).numpy())
