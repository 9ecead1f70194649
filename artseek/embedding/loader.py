"""Load an encoder by model name: the one entry point the rest of ArtSeek uses."""

from __future__ import annotations

import os
from pathlib import Path

from artseek.embedding.registry import get_spec, locate_weights


def load_encoder(model_name: str, weights: str | os.PathLike[str] | None = None, device: str | None = None):
    """Locate the weights of ``model_name`` and return a ready encoder.

    Raises :class:`artseek.errors.ModelNotFoundError` / ``ModelLoadError`` with a
    curator-readable message when the weights are missing or unusable.
    """
    spec = get_spec(model_name)
    path: Path = locate_weights(spec, weights)
    from artseek.embedding.torch_backend import TorchEncoder

    return TorchEncoder(spec, path, device=device)
