"""The Pic2Word mapping network and its file in the library folder.

A :class:`Mapper` turns a (normalised) image embedding into a pseudo-word: a
vector in the text tower's token-embedding space. It is the paper's 3-layer
MLP (Linear-ReLU-Linear-ReLU-Linear; dropout only while training), applied here
in numpy so that the torch-free app can use it.

On disk it is two files in the library folder, written atomically:
``composed_mapper.safetensors`` (the weights, float32; never a pickle) and
``composed_mapper.json`` (model name, embedding dim, token width, the prompt it
was trained with and the training stats). A mapper belongs to the library's
model: when the model name or the dimensions differ it is not used.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from artseek.errors import ArtSeekError

WEIGHTS_FILE = "composed_mapper.safetensors"
META_FILE = "composed_mapper.json"
FORMAT = 1
LAYERS = ("fc1", "fc2", "fc3")


class MapperError(ArtSeekError):
    """The library's composed-query mapper is missing, stale or unreadable."""


@dataclass
class MapperInfo:
    """What ``composed_mapper.json`` records."""

    model: str
    embed_dim: int
    token_width: int
    hidden: int
    prompt: str  # the training prompt, e.g. "a photo of *"
    format: int = FORMAT
    stats: dict = field(default_factory=dict)  # images, steps, batch, seconds, final loss, created

    def to_dict(self) -> dict:
        return asdict(self)


class Mapper:
    """Image embedding ``(N, D)`` -> pseudo-token ``(N, W)``, in numpy."""

    def __init__(self, weights: dict[str, np.ndarray], info: MapperInfo) -> None:
        for layer in LAYERS:
            if f"{layer}.weight" not in weights or f"{layer}.bias" not in weights:
                raise MapperError(f"The composed-query mapper has no '{layer}' layer.",
                                  "Retrain it: 'python main.py train mapper'.")
        self.weights = {k: np.asarray(v, dtype=np.float32) for k, v in weights.items()}
        self.info = info
        if self.weights["fc1.weight"].shape[1] != info.embed_dim or \
                self.weights["fc3.weight"].shape[0] != info.token_width:
            raise MapperError("The composed-query mapper's weights do not match its description.",
                              "Retrain it: 'python main.py train mapper'.")

    def __call__(self, embeddings: np.ndarray) -> np.ndarray:
        x = np.atleast_2d(np.asarray(embeddings, dtype=np.float32))
        for i, layer in enumerate(LAYERS):
            x = x @ self.weights[f"{layer}.weight"].T + self.weights[f"{layer}.bias"]
            if i < len(LAYERS) - 1:
                x = np.maximum(x, 0.0)
        return x


def mapper_paths(folder: Path) -> tuple[Path, Path]:
    return Path(folder) / WEIGHTS_FILE, Path(folder) / META_FILE


def save_mapper(folder: Path, weights: dict[str, np.ndarray], info: MapperInfo) -> None:
    """Write the mapper into ``folder``; the previous one stays until both new files are complete."""
    from safetensors.numpy import save_file

    weights_path, meta_path = mapper_paths(folder)
    tmp_w = weights_path.with_name(f".{weights_path.name}.{os.getpid()}.tmp")
    tmp_m = meta_path.with_name(f".{meta_path.name}.{os.getpid()}.tmp")
    try:
        save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in weights.items()}, str(tmp_w),
                  metadata={"model": info.model, "format": str(FORMAT)})
        tmp_m.write_text(json.dumps(info.to_dict(), indent=2) + "\n", encoding="utf-8")
        for tmp in (tmp_w, tmp_m):
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
        # The JSON goes last: a reader that finds a new JSON also finds the weights it describes.
        os.replace(tmp_w, weights_path)
        os.replace(tmp_m, meta_path)
    except OSError as exc:
        raise MapperError(f"The composed-query mapper could not be saved in '{folder}' ({exc}).",
                          "Free some disk space or check the folder's permissions, then train again.") from exc
    finally:
        tmp_w.unlink(missing_ok=True)
        tmp_m.unlink(missing_ok=True)


def read_info(folder: Path) -> MapperInfo | None:
    """The mapper's description, or None when the library has none."""
    _, meta_path = mapper_paths(folder)
    if not meta_path.is_file():
        return None
    try:
        raw = json.loads(meta_path.read_text(encoding="utf-8"))
        return MapperInfo(**raw)
    except (OSError, ValueError, TypeError) as exc:
        raise MapperError(f"The composed-query mapper description '{meta_path}' is unreadable ({exc}).",
                          "Retrain it: 'python main.py train mapper'.") from exc


def load_mapper(folder: Path, model: str, embed_dim: int, token_width: int) -> Mapper | None:
    """The library's mapper for ``model``; None when there is none.

    Raises :class:`MapperError` when it exists but belongs to another model or
    dimensions (the model changed: retrain) or cannot be read.
    """
    info = read_info(folder)
    if info is None:
        return None
    if info.format != FORMAT:
        raise MapperError(f"The composed-query mapper has format {info.format}, not {FORMAT}.",
                          "Retrain it: 'python main.py train mapper'.")
    if info.model != model or info.embed_dim != embed_dim or info.token_width != token_width:
        raise MapperError(f"The composed-query mapper was trained for the model '{info.model}' "
                          f"({info.embed_dim}-d), not for this library's '{model}' ({embed_dim}-d).",
                          "Retrain it for the current model: 'python main.py train mapper'.")
    weights_path, _ = mapper_paths(folder)
    try:
        from safetensors.numpy import load_file

        weights = load_file(str(weights_path))
    except Exception as exc:  # noqa: BLE001 - safetensors raises its own error types for damaged files
        raise MapperError(f"The composed-query mapper '{weights_path}' is unreadable ({exc}).",
                          "Retrain it: 'python main.py train mapper'.") from exc
    return Mapper(weights, info)
