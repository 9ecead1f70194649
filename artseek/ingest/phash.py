"""Perceptual hash (pHash) of an image: 64 bits that survive re-encoding, resizing, greyscale and tone changes.

The same algorithm as ``imagehash.phash`` (hash size 8, high-frequency factor 4),
in numpy: the image in greyscale (luminance, so a greyscale copy of a colour
picture hashes alike) at 32 x 32 with Lanczos filtering, its 2-D DCT-II, the
8 x 8 lowest frequencies compared with their median, one bit each, row by row,
the first bit the most significant. ``tests/unit/test_phash.py`` checks the
equality with imagehash where it is installed. Stored as a signed 64-bit
integer (SQLite's INTEGER); :func:`hamming` counts differing bits.

:func:`phash_pair` also hashes the central 90 % of the picture (``images.phash_crop``):
a 90 % crop of a picture then hashes like the original's centre, so a crop is
recognised by comparing one's full hash with the other's centre hash.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

HASH_SIZE = 8
SAMPLE = HASH_SIZE * 4  # 32 x 32 greyscale sample
_N = np.arange(SAMPLE)
# DCT-II basis rows 0..7 (scipy.fftpack.dct's unnormalised form up to a constant factor, which the
# median comparison ignores).
_BASIS = np.cos(np.pi * np.arange(HASH_SIZE)[:, None] * (2 * _N[None, :] + 1) / (2 * SAMPLE))


def phash_bits(image: Image.Image) -> np.ndarray:
    """The 8 x 8 boolean pHash of ``image`` (any mode)."""
    grey = image.convert("L").resize((SAMPLE, SAMPLE), Image.Resampling.LANCZOS)
    pixels = np.asarray(grey, dtype=np.float64)
    low = _BASIS @ pixels @ _BASIS.T
    return low > np.median(low)


def phash(image: Image.Image) -> int:
    """The pHash of ``image`` as a signed 64-bit integer (what ``images.phash`` stores)."""
    return to_signed(bits_to_int(phash_bits(image)))


CENTRE = 0.9  # the share of each side the centre hash keeps


def centre(image: Image.Image, keep: float = CENTRE) -> Image.Image:
    w, h = image.size
    dx, dy = int(round(w * (1 - keep) / 2)), int(round(h * (1 - keep) / 2))
    return image.crop((dx, dy, w - dx, h - dy)) if w - 2 * dx > 0 and h - 2 * dy > 0 else image


def phash_pair(image: Image.Image) -> tuple[int, int]:
    """``(hash of the whole picture, hash of its central 90 %)``, signed."""
    return phash(image), phash(centre(image))


def bits_to_int(bits: np.ndarray) -> int:
    value = 0
    for bit in bits.ravel():
        value = (value << 1) | int(bit)
    return value


def to_signed(value: int) -> int:
    """An unsigned 64-bit value as the signed integer SQLite stores."""
    return value - (1 << 64) if value >= (1 << 63) else value


def to_unsigned(values: np.ndarray | list[int]) -> np.ndarray:
    """Stored (signed) hashes as a uint64 array."""
    return np.asarray(values, dtype=np.int64).view(np.uint64)


def hamming(a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray:
    """Differing bits between hashes (signed or unsigned 64-bit, element-wise)."""
    x = np.bitwise_xor(np.asarray(a, dtype=np.int64).view(np.uint64), np.asarray(b, dtype=np.int64).view(np.uint64))
    return np.bitwise_count(x).astype(np.int64)
