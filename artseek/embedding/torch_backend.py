"""The reference encoder: open_clip on torch (CPU or CUDA)."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from artseek.embedding.cpu_features import available_cores, threads_from_env
from artseek.embedding.encoder import Encoder
from artseek.embedding.preprocess import PreprocessConfig
from artseek.embedding.registry import MODEL_CONFIG_DIR, ModelSpec
from artseek.embedding.weights import apply_state_dict, load_state_dict
from artseek.errors import ModelLoadError

_configs_registered = False
ENV_THREADS = "ARTSEEK_TORCH_THREADS"  # the model threads on CPU (Preferences → Model threads); unset: every core
_interop_threads: int | None = None  # torch's inter-op threads as set by ArtSeek in this process (fixed once set)


def cpu_threads() -> int:
    """The intra-op threads for a CPU model: ``ARTSEEK_TORCH_THREADS`` when set (a positive number), else every core."""
    return threads_from_env(ENV_THREADS) or available_cores()


def set_cpu_threads(threads: int) -> None:
    """Use ``threads`` for torch's operators; when the curator chose a number, for its inter-op pool too.

    The intra-op count can change at any time. The inter-op pool's size can be set
    only once per process and only before torch first uses it: it is set with the
    first model loaded under a chosen number; later changes need a restart
    (:func:`threads_need_restart`), and an attempt torch refuses leaves it as it is.
    """
    import torch

    global _interop_threads
    torch.set_num_threads(threads)
    if _interop_threads is None and os.environ.get(ENV_THREADS):
        try:
            torch.set_num_interop_threads(threads)
            _interop_threads = threads
        except RuntimeError:  # already used or set in this process: it keeps its size until a restart
            _interop_threads = torch.get_num_interop_threads()


def threads_need_restart(threads: int) -> bool:
    """Whether a chosen number of threads (0: automatic) can apply fully only after ArtSeek restarts."""
    return threads > 0 and _interop_threads is not None and _interop_threads != threads


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


class TorchEncoder(Encoder):
    """Encodes preprocessed images and texts into L2-normalised embeddings with open_clip."""

    backend = "torch"

    def __init__(self, spec: ModelSpec, weights_path: Path, device: str | None = None) -> None:
        import open_clip

        register_model_configs()
        self.spec = spec
        self.device = pick_device(device)
        self.threads = 0  # CPU threads the model computes on (0: it runs on the GPU)
        if self.device == "cpu":
            self.threads = cpu_threads()
            set_cpu_threads(self.threads)
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
        # The catalogue's preprocessing first: without pretrained=..., open_clip falls back to OpenAI's
        # mean/std, which is wrong for e.g. MobileCLIP2 (trained on unnormalised 0..1 pixels).
        mean = tuple(spec.mean or getattr(model.visual, "image_mean", None) or open_clip.OPENAI_DATASET_MEAN)
        std = tuple(spec.std or getattr(model.visual, "image_std", None) or open_clip.OPENAI_DATASET_STD)
        self.preprocess_cfg = PreprocessConfig(size, mean, std)  # type: ignore[arg-type]
        projection = getattr(model, "text_projection", None)  # a CustomTextCLIP (MobileCLIP) has none
        self.embed_dim = int(getattr(projection, "shape", (0, 0))[1]) or int(self._probe_dim())
        self.context_length = int(getattr(model, "context_length", 77))
        self.precision = "fp32"
        self.preferred_batch_size = 256 if self.device.startswith("cuda") else 32
        self.calibration: dict[str, float | str] = {}
        self._calibrated = self.device != "cpu"
        self._pseudo_tower = None
        from artseek.embedding.pseudo_token import supports_pseudo_tokens, token_width

        self.token_width = token_width(model) if supports_pseudo_tokens(model) else 0

    def calibrate(self, batch: np.ndarray, min_cosine: float = 0.995) -> np.ndarray:
        """Embed ``batch`` in fp32 and, once per machine and model, decide whether CPU bf16 pays.

        bf16 autocast is tried only when the CPU has native bf16, and kept only when
        it is faster on this batch *and* its embeddings keep cosine >= ``min_cosine``
        to fp32 (the 0.99 equivalence target, with a margin). The decision is cached
        in the user data folder, so the measurement runs once. Returns fp32 results.
        """
        import time

        from artseek.embedding.cpu_features import calibration_key, has_native_bf16, load_calibration, save_calibration

        if self._calibrated:
            return self.encode_images(batch)
        self._calibrated = True
        if not has_native_bf16() or len(batch) < 4:  # ARTSEEK_BF16=0 also lands here, cache or not
            self.calibration = {"native_bf16": has_native_bf16(), "chosen": "fp32"}
            return self.encode_images(batch)
        key = calibration_key(self.spec.architecture)
        cached = load_calibration(key)
        if cached:
            self.calibration = cached
            self.precision = str(cached.get("chosen", "fp32"))
            return self.encode_images(batch)
        start = time.perf_counter()
        fp32 = self.encode_images(batch)
        fp32_s = time.perf_counter() - start
        self.precision = "bf16"
        self.encode_images(batch[:2])  # warm-up of the bf16 kernels
        start = time.perf_counter()
        bf16 = self.encode_images(batch)
        bf16_s = time.perf_counter() - start
        cosine = float(np.min(np.sum(fp32 * bf16, axis=1)))
        self.precision = "bf16" if bf16_s < fp32_s * 0.9 and cosine >= min_cosine else "fp32"
        self.calibration = {"native_bf16": True, "fp32_images_per_s": round(len(batch) / fp32_s, 2),
                            "bf16_images_per_s": round(len(batch) / bf16_s, 2), "bf16_min_cosine": round(cosine, 5),
                            "chosen": self.precision}
        save_calibration(key, self.calibration)
        return fp32

    def use_threads(self, threads: int) -> None:
        """Compute on ``threads`` CPU threads from now on, on every thread that encodes (a CPU model only)."""
        if self.device == "cpu" and threads > 0:
            self.threads = threads
            self._on_my_threads()

    def _on_my_threads(self) -> None:
        """The calling thread computes on ``threads`` (torch's count is per thread once a thread has used it)."""
        import torch

        if self.threads and torch.get_num_threads() != self.threads:
            torch.set_num_threads(self.threads)

    def _probe_dim(self) -> int:
        return int(self.encode_texts(["probe"]).shape[1])

    def encode_images(self, batch: np.ndarray) -> np.ndarray:
        """Embed a float32 ``(N, 3, S, S)`` batch from :mod:`preprocess`; returns ``(N, D)``."""
        import torch

        self._on_my_threads()
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16"):
            x = torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32)).to(self.device)
            features = self.model.encode_image(x, normalize=True).float()
            if self.precision == "bf16":
                features = torch.nn.functional.normalize(features, dim=-1)
            return features.cpu().numpy()

    def tokenize(self, texts: Sequence[str]) -> np.ndarray:
        """Token ids ``(N, context_length)`` as int64, exactly as open_clip makes them."""
        return self.tokenizer(list(texts)).numpy().astype(np.int64)

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; returns L2-normalised ``(N, D)`` float32."""
        import torch

        self._on_my_threads()
        with torch.inference_mode():
            tokens = self.tokenizer(list(texts)).to(self.device)
            features = self.model.encode_text(tokens, normalize=True)
            return features.float().cpu().numpy()

    def pseudo_text_tower(self):  # noqa: ANN201 - torch module
        """The frozen text tower that takes a pseudo-token (see :mod:`artseek.embedding.pseudo_token`)."""
        if self._pseudo_tower is None:
            from artseek.embedding.pseudo_token import build_tower, pseudo_token_id

            self._pseudo_tower = build_tower(self.model, pseudo_token_id(self.tokenizer))
        return self._pseudo_tower

    def encode_texts_with_tokens(self, texts: Sequence[str], tokens: np.ndarray) -> np.ndarray:
        """Embed ``texts`` with each ``*`` standing for ``tokens[i]``; returns L2-normalised ``(N, D)``."""
        import torch

        self._on_my_threads()
        tower = self.pseudo_text_tower()
        with torch.inference_mode():
            ids = self.tokenizer(list(texts)).to(self.device)
            pseudo = torch.from_numpy(np.ascontiguousarray(tokens, dtype=np.float32)).to(self.device)
            return tower(ids, pseudo).float().cpu().numpy()
