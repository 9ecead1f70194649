"""A text tower that reads one embedding in place of a word: the pseudo-token of Pic2Word.

Pic2Word (Saito et al., CVPR 2023) maps an image embedding to a *pseudo-word*:
a vector in the text tower's token-embedding space. A prompt such as
``"a * as an engraving"`` is tokenised as usual and, wherever the token of
:data:`PSEUDO_TOKEN` stands, the token embedding is replaced by the given
vector before the positional embedding is added; the rest of the tower is
open_clip's ``CLIP.encode_text`` unchanged (frozen).

:class:`PseudoTokenTextTower` is the torch module (used by the torch backend,
by training, and exported to ONNX by :mod:`artseek.embedding.export` with the
inputs ``input_ids`` and ``pseudo_tokens``). The functions without torch here
(:func:`pseudo_token_id`) are shared with the ONNX backend.
"""

from __future__ import annotations

from artseek.errors import ArtSeekError

PSEUDO_TOKEN = "*"  # the word a prompt writes where the image stands


class PseudoTokenError(ArtSeekError):
    """The model or the prompt cannot take a pseudo-token."""


def pseudo_token_id(tokenizer) -> int:  # noqa: ANN001 - open_clip's or ArtSeek's CLIP tokenizer
    """The token id of :data:`PSEUDO_TOKEN` (one BPE token in the CLIP vocabulary: 265)."""
    ids = list(tokenizer.encode(PSEUDO_TOKEN))
    if len(ids) != 1:
        raise PseudoTokenError(f"The tokenizer splits '{PSEUDO_TOKEN}' into {len(ids)} tokens.",
                               "Composed queries with Pic2Word need a CLIP BPE tokenizer; use averaging.")
    return int(ids[0])


def supports_pseudo_tokens(model) -> bool:  # noqa: ANN001 - an open_clip model
    """Whether ``model`` has the plain CLIP text tower this module knows how to feed."""
    return all(hasattr(model, name) for name in ("token_embedding", "positional_embedding", "transformer",
                                                 "ln_final", "attn_mask"))


def build_tower(model, token_id: int, truncate: bool = True):  # noqa: ANN001, ANN201 - torch module
    """A :class:`PseudoTokenTextTower` over ``model`` (imports torch)."""
    import torch
    import torch.nn.functional as F  # noqa: N812
    from open_clip.transformer import text_global_pool

    if not supports_pseudo_tokens(model):
        raise PseudoTokenError("This model's text tower is not open_clip's CLIP text transformer.",
                               "Composed queries with Pic2Word are not available for it; use averaging.")

    class PseudoTokenTextTower(torch.nn.Module):
        """``(input_ids [N, L] int64, pseudo_tokens [N, W] float32) -> [N, D]`` L2-normalised embeddings."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model
            self.token_id = token_id
            # With a causal mask, tokens after the end-of-text token change nothing: short prompts may be cut.
            self.truncate = truncate and model.attn_mask is not None and model.text_pool_type == "argmax"

        def forward(self, input_ids: torch.Tensor, pseudo_tokens: torch.Tensor) -> torch.Tensor:
            m = self.model
            if self.truncate:
                length = int(input_ids.argmax(dim=-1).max()) + 1  # the end-of-text token has the largest id
                input_ids = input_ids[:, :length]
            else:
                length = input_ids.shape[1]
            cast = m.transformer.get_cast_dtype()
            x = m.token_embedding(input_ids).to(cast)
            here = (input_ids == self.token_id).unsqueeze(-1)
            x = torch.where(here, pseudo_tokens.to(cast).unsqueeze(1), x)
            x = x + m.positional_embedding[:length].to(cast)
            mask = m.attn_mask[:length, :length] if m.attn_mask is not None else None
            x = m.transformer(x, attn_mask=mask)
            x = m.ln_final(x)
            x = text_global_pool(x, input_ids, m.text_pool_type, eos_token_id=getattr(m, "text_eos_id", None))
            if m.text_projection is not None:
                x = m.text_projection(x) if isinstance(m.text_projection, torch.nn.Linear) else x @ m.text_projection
            return F.normalize(x, dim=-1)

    return PseudoTokenTextTower()


def token_width(model) -> int:  # noqa: ANN001
    """Width of the token embeddings (what a pseudo-token must have)."""
    return int(model.token_embedding.embedding_dim)
