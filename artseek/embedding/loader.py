"""Load an encoder by model name: the one entry point the rest of ArtSeek uses."""

from __future__ import annotations

import os
from pathlib import Path

from artseek.embedding.registry import get_spec, locate_weights
from artseek.errors import ArtSeekError


def load_encoder(model_name: str, weights: str | os.PathLike[str] | None = None, device: str | None = None,
                 backend: str = "auto"):
    """Locate the weights of ``model_name`` and return a ready encoder.

    ``backend``: ``torch`` (open_clip), ``onnx`` (ONNX Runtime) or ``auto``.

    Raises :class:`artseek.errors.ModelNotFoundError` / ``ModelLoadError`` with a
    curator-readable message when the weights are missing or unusable.
    """
    if backend not in ("auto", "torch"):
        raise ArtSeekError(f"The '{backend}' backend is not available in this build.", "Use --backend torch.")
    spec = get_spec(model_name)
    path: Path = locate_weights(spec, weights)
    from artseek.embedding.torch_backend import TorchEncoder

    return TorchEncoder(spec, path, device=device)
