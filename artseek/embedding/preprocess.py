"""Image preprocessing in PIL + numpy, equivalent to open_clip's inference transform.

open_clip (``resize_mode='shortest'``) resizes the shorter side to the model's
input size with bicubic filtering, centre-crops a square, converts to RGB and
normalises with the model's mean and std. This module does exactly that
without torch, so every backend shares one implementation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)


@dataclass(frozen=True)
class PreprocessConfig:
    """What a model expects of its input images."""

    image_size: int
    mean: tuple[float, float, float] = OPENAI_MEAN
    std: tuple[float, float, float] = OPENAI_STD


def resize_shortest(image: Image.Image, size: int) -> Image.Image:
    """Resize so the shorter side is ``size`` (torchvision's rounding), bicubic."""
    w, h = image.size
    if w <= h:
        new_w, new_h = size, int(size * h / w)
    else:
        new_w, new_h = int(size * w / h), size
    if (new_w, new_h) == (w, h):
        return image
    return image.resize((new_w, new_h), Image.Resampling.BICUBIC)


def center_crop(image: Image.Image, size: int) -> Image.Image:
    """Crop the central ``size`` x ``size`` square (torchvision's rounding)."""
    w, h = image.size
    left = int(round((w - size) / 2.0))
    top = int(round((h - size) / 2.0))
    return image.crop((left, top, left + size, top + size))


def to_model_input(image: Image.Image, cfg: PreprocessConfig) -> np.ndarray:
    """Return a float32 ``(3, size, size)`` normalised array for one RGB image."""
    if image.mode != "RGB":
        image = image.convert("RGB")
    image = center_crop(resize_shortest(image, cfg.image_size), cfg.image_size)
    array = np.asarray(image, dtype=np.float32) / 255.0
    array = (array - np.asarray(cfg.mean, dtype=np.float32)) / np.asarray(cfg.std, dtype=np.float32)
    return np.ascontiguousarray(array.transpose(2, 0, 1))
