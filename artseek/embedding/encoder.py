"""The one interface of ArtSeek's inference backends.

:class:`Encoder` is what :func:`artseek.embedding.loader.load_encoder` returns
and what :attr:`artseek.library.Library.encoder` is typed with. Both backends
implement it: :class:`artseek.embedding.torch_backend.TorchEncoder` (open_clip,
the reference) and :class:`artseek.embedding.onnx_backend.OnnxEncoder` (ONNX
Runtime on the CPU). Callers use these names only, never probe for others.
Imports neither torch nor onnxruntime.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from artseek.embedding.preprocess import PreprocessConfig
    from artseek.embedding.registry import ModelSpec


class Encoder(ABC):
    """Encodes preprocessed images and texts into L2-normalised float32 embeddings."""

    backend: str  # "torch" or "onnx"
    device: str  # "cpu" or "cuda..."
    spec: ModelSpec
    preprocess_cfg: PreprocessConfig  # what encode_images expects (see artseek.embedding.preprocess)
    embed_dim: int
    context_length: int  # tokens per text
    tokenizer: object  # callable on a list of texts; ``.encode(text)`` gives one text's token ids
    precision: str  # "fp32", "bf16" (torch on a CPU that pays for it) or "int8" (onnx)
    threads: int  # CPU threads the model computes on (0: it runs on a GPU)
    preferred_batch_size: int = 32  # images per batch when indexing (larger on a GPU)
    calibration: dict[str, float | str]  # what calibrate() measured or read from its cache ({} if nothing)
    token_width: int = 0  # width of a pseudo-token for encode_texts_with_tokens (0: this encoder takes none)

    @abstractmethod
    def encode_images(self, batch: np.ndarray) -> np.ndarray:
        """Embed a float32 ``(N, 3, S, S)`` batch from :mod:`artseek.embedding.preprocess`; returns ``(N, D)``."""

    @abstractmethod
    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; returns L2-normalised ``(N, D)`` float32."""

    @abstractmethod
    def tokenize(self, texts: Sequence[str]) -> np.ndarray:
        """Token ids ``(N, context_length)`` as int64, exactly as open_clip makes them."""

    def encode_texts_with_tokens(self, texts: Sequence[str], tokens: np.ndarray) -> np.ndarray:
        """Embed ``texts`` with each ``*`` standing for ``tokens[i]`` (``(N, token_width)``), as Pic2Word does.

        See :mod:`artseek.embedding.pseudo_token`. Returns L2-normalised ``(N, D)``
        float32. The default raises :class:`PseudoTokenError` (no pseudo-token text tower).
        """
        from artseek.embedding.pseudo_token import PseudoTokenError

        raise PseudoTokenError(f"The {self.backend} encoder of this model has no pseudo-token text tower.",
                               "Use averaging for composed queries, or re-export the model "
                               "('python main.py models export').")

    def calibrate(self, batch: np.ndarray) -> np.ndarray:
        """Embed the first batch of an indexing run; a backend may also tune itself on it, once.

        Returns the same as :meth:`encode_images`. The default only embeds;
        torch on a CPU decides there whether bf16 pays (see TorchEncoder).
        """
        return self.encode_images(batch)
