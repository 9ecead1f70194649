"""The text tower with a pseudo-token: '*' replaced by a vector, on the torch path."""

from __future__ import annotations

import numpy as np
import pytest

from artseek.embedding.pseudo_token import PSEUDO_TOKEN, PseudoTokenError, build_tower, pseudo_token_id


def _word_token(encoder, word: str) -> np.ndarray:  # noqa: ANN001
    (token,) = encoder.tokenizer.encode(word)
    return encoder.model.token_embedding.weight[token].detach().numpy()[None]


def test_a_word_s_own_embedding_as_pseudo_token_gives_the_word_s_text_embedding(tiny_encoder) -> None:
    for prompt, word, text in (("a * star", "red", "a red star"), ("a blue *", "circle", "a blue circle"),
                               ("a * on a striped green background", "square",
                                "a square on a striped green background")):
        with_token = tiny_encoder.encode_texts_with_tokens([prompt], _word_token(tiny_encoder, word))
        plain = tiny_encoder.encode_texts([text])
        assert np.allclose(with_token, plain, atol=1e-5), prompt
        assert abs(float(np.linalg.norm(with_token)) - 1.0) < 1e-5


def test_each_text_gets_its_own_token_and_the_token_changes_the_embedding(tiny_encoder) -> None:
    tokens = np.concatenate([_word_token(tiny_encoder, "red"), _word_token(tiny_encoder, "blue")])
    out = tiny_encoder.encode_texts_with_tokens(["a * star", "a * star"], tokens)
    assert np.allclose(out, tiny_encoder.encode_texts(["a red star", "a blue star"]), atol=1e-5)
    assert float(out[0] @ out[1]) < 0.999


def test_cutting_the_prompt_short_is_exact(tiny_encoder) -> None:
    """Training and search cut the context after the end-of-text token; with the causal mask that changes nothing."""
    import torch

    token_id = pseudo_token_id(tiny_encoder.tokenizer)
    short, full = build_tower(tiny_encoder.model, token_id), build_tower(tiny_encoder.model, token_id, truncate=False)
    ids = tiny_encoder.tokenizer(["a photo of *", "a * on a dotted red background"])
    pseudo = torch.from_numpy(np.random.default_rng(0).normal(0, 0.05, (2, tiny_encoder.token_width)).astype("f4"))
    with torch.no_grad():
        assert torch.allclose(short(ids, pseudo), full(ids, pseudo), atol=1e-6)


def test_the_pseudo_token_is_one_clip_token(tiny_encoder) -> None:
    assert PSEUDO_TOKEN == "*"
    assert pseudo_token_id(tiny_encoder.tokenizer) == 265
    assert tiny_encoder.token_width == tiny_encoder.model.token_embedding.embedding_dim == 64


def test_an_encoder_without_a_pseudo_token_tower_says_so() -> None:
    from artseek.embedding.encoder import Encoder

    class Plain(Encoder):
        backend = "test"

        def encode_images(self, batch):  # noqa: ANN001, ANN201
            return batch

        def encode_texts(self, texts):  # noqa: ANN001, ANN201
            return texts

        def tokenize(self, texts):  # noqa: ANN001, ANN201
            return texts

    assert Plain.token_width == 0
    with pytest.raises(PseudoTokenError, match="no pseudo-token text tower"):
        Plain().encode_texts_with_tokens(["a *"], np.zeros((1, 4), np.float32))
