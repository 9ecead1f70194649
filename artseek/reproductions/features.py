"""SIFT keypoints and descriptors of one image, at a bounded working size."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

MAX_SIDE = 1200  # working size: the longer side is scaled down to this
BLUR = 2.0  # Gaussian sigma before SIFT: descreens halftoned prints (measured: 0 of 3 halftoned pages found without)
N_FEATURES = 3000


@dataclass
class Features:
    """Keypoints (pixel coordinates at the working size) and their SIFT descriptors."""

    points: np.ndarray  # (n, 2) float32
    descriptors: np.ndarray  # (n, 128) float32
    width: int  # working size
    height: int

    def __len__(self) -> int:
        return len(self.points)

    @property
    def nbytes(self) -> int:
        """What storing them would take (keypoints as float32, descriptors as uint8)."""
        return len(self.points) * (2 * 4 + 128)


def _grey(image: Image.Image) -> np.ndarray:
    grey = np.asarray(image.convert("L"), dtype=np.uint8)
    h, w = grey.shape
    scale = MAX_SIDE / max(h, w)
    if scale < 1:
        grey = cv2.resize(grey, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    return cv2.GaussianBlur(grey, (0, 0), BLUR)


def extract(image: Image.Image, n_features: int = N_FEATURES) -> Features:
    """SIFT features of a decoded image (any PIL mode)."""
    grey = _grey(image)
    sift = cv2.SIFT_create(nfeatures=n_features)
    keypoints, descriptors = sift.detectAndCompute(grey, None)
    h, w = grey.shape
    if descriptors is None or not keypoints:
        return Features(np.zeros((0, 2), np.float32), np.zeros((0, 128), np.float32), w, h)
    points = np.array([k.pt for k in keypoints], dtype=np.float32)
    return Features(points, descriptors.astype(np.float32), w, h)
