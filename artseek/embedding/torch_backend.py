"""The reference encoder: open_clip on torch (CPU or CUDA)."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from artseek.embedding.preprocess import PreprocessConfig
from artseek.embedding.registry import MODEL_CONFIG_DIR, ModelSpec
from artseek.embedding.weights import apply_state_dict, load_state_dict
from artseek.errors import ModelLoadError

_configs_registered = False


def register_model_configs() -> None:
    """Make ArtSeek's own architectures (e.g. the tiny test model) known to open_clip."""
    global _configs_registered
    if not _configs_registered:
        import open_clip

        open_clip.add_model_config(MODEL_CONFIG_DIR)
        _configs_registered = True


def pick_device(requested: str | None = None) -> str:
    """``cuda`` when available (or ``ARTSEEK_DEVICE``/``requested`` says so), else ``cpu``."""
    import torch

    choice = requested or os.environ.get("ARTSEEK_DEVICE") or "auto"
    if choice == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return choice


class TorchEncoder:
    """Encodes preprocessed images and texts into L2-normalised embeddings with open_clip."""

    backend = "torch"

    def __init__(self, spec: ModelSpec, weights_path: Path, device: str | None = None) -> None:
        import open_clip
        import torch

        register_model_configs()
        self.spec = spec
        self.device = pick_device(device)
        if self.device == "cpu":
            torch.set_num_threads(max(1, os.cpu_count() or 1))
        try:
            quiet = logging.getLogger()
            level = quiet.level
            quiet.setLevel(logging.ERROR)  # open_clip warns that no pretrained weights were given
            try:
                model = open_clip.create_model(spec.architecture, pretrained=None, device="cpu")
            finally:
                quiet.setLevel(level)
        except RuntimeError as exc:
            raise ModelLoadError(f"open_clip does not know the architecture '{spec.architecture}'.") from exc
        apply_state_dict(model, load_state_dict(weights_path), weights_path, spec.architecture)
        model.eval().to(self.device)
        self.model = model
        self.tokenizer = open_clip.get_tokenizer(spec.architecture)
        size = model.visual.image_size
        size = size[0] if isinstance(size, (tuple, list)) else int(size)
        mean = tuple(getattr(model.visual, "image_mean", None) or open_clip.OPENAI_DATASET_MEAN)
        std = tuple(getattr(model.visual, "image_std", None) or open_clip.OPENAI_DATASET_STD)
        self.preprocess_cfg = PreprocessConfig(size, mean, std)  # type: ignore[arg-type]
        self.embed_dim = int(model.text_projection.shape[1] if model.text_projection is not None else 0) or int(
            self._probe_dim()
        )
        self.context_length = int(getattr(model, "context_length", 77))

    def _probe_dim(self) -> int:
        return int(self.encode_texts(["probe"]).shape[1])

    def encode_images(self, batch: np.ndarray) -> np.ndarray:
        """Embed a float32 ``(N, 3, S, S)`` batch from :mod:`preprocess`; returns ``(N, D)``."""
        import torch

        with torch.inference_mode():
            x = torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32)).to(self.device)
            features = self.model.encode_image(x, normalize=True)
            return features.float().cpu().numpy()

    def tokenize(self, texts: Sequence[str]) -> np.ndarray:
        """Token ids ``(N, context_length)`` as int64, exactly as open_clip makes them."""
        return self.tokenizer(list(texts)).numpy().astype(np.int64)

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; returns L2-normalised ``(N, D)`` float32."""
        import torch

        with torch.inference_mode():
            tokens = self.tokenizer(list(texts)).to(self.device)
            features = self.model.encode_text(tokens, normalize=True)
            return features.float().cpu().numpy()
