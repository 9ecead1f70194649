"""The pixel check of near-identical candidates: two thumbnails compared, not only their hashes.

A perceptual hash keeps the *sign* of 64 low frequencies of the luminance, so
two different pictures with the same layout (a shape of one size at the same
place on a plain ground, in another colour or slightly moved) hash alike, and a
small model may find them alike too. Before a pair is called near-identical its
stored thumbnails (256 px) are compared:

* *structure*: the luminance at 32 × 32, each standardised (zero mean, unit
  spread, so brightness, contrast and greyscale do not count), mean absolute
  difference; the smallest over three alignments (whole against whole, and one's
  central 90 % against the other's whole, so a 90 % crop lines up);
* *colour*: when both are in colour, the chroma (YCbCr's Cb and Cr) at 8 × 8 in
  the best alignment, mean absolute difference in 0..255 steps (a colour
  pair of other hues is not a copy, whatever its luminance says); when one is
  black and white, the luminance itself (not standardised) at 8 × 8: a
  greyscale copy keeps its original's grey levels, while a picture of another
  colour with the same layout (a black disc on yellow against a grey disc on
  white) differs there, and only there.

:func:`signature` makes what is compared from a thumbnail; :func:`distances`
compares two. The thresholds are in :class:`artseek.duplicates.tiers.Thresholds`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from artseek.ingest.phash import centre

GREY_SIDE = 32
CHROMA_SIDE = 8
MONO_SPREAD = 2.0  # mean |R-G| + |G-B| below this: black and white (JPEG leaves ±1)
UNCOMPARABLE = 99.0  # the distances stored for a pair whose thumbnail is missing or unreadable (never near)


@dataclass(frozen=True)
class Signature:
    """Standardised luminance (whole, centre), chroma and luminance at 8 × 8 (whole, centre) of a thumbnail."""

    grey: tuple[np.ndarray, np.ndarray]
    chroma: tuple[np.ndarray, np.ndarray]
    level: tuple[np.ndarray, np.ndarray]
    mono: bool


def _standard(grey: np.ndarray) -> np.ndarray:
    return (grey - grey.mean()) / max(float(grey.std()), 4.0)  # a flat picture stays flat, not noise blown up


def _parts(image: Image.Image) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    grey = np.asarray(image.convert("L").resize((GREY_SIDE, GREY_SIDE), Image.Resampling.BOX), dtype=np.float32)
    ycc = np.asarray(image.convert("YCbCr").resize((CHROMA_SIDE, CHROMA_SIDE), Image.Resampling.BOX),
                     dtype=np.float32)
    level = np.asarray(image.convert("L").resize((CHROMA_SIDE, CHROMA_SIDE), Image.Resampling.BOX), np.float32)
    return _standard(grey), ycc[..., 1:], level


def signature_of(image: Image.Image) -> Signature:
    """The signature of a decoded picture (any mode)."""
    rgb = image.convert("RGB")
    small = np.asarray(rgb.resize((64, 64), Image.Resampling.BOX), dtype=np.int16)
    spread = np.abs(small[..., 0] - small[..., 1]) + np.abs(small[..., 1] - small[..., 2])
    mono = image.mode in ("L", "1", "I;16", "I") or float(spread.mean()) < MONO_SPREAD
    whole, cut = _parts(rgb), _parts(centre(rgb))
    return Signature((whole[0], cut[0]), (whole[1], cut[1]), (whole[2], cut[2]), mono)


def signature(jpeg: bytes) -> Signature | None:
    """The signature of a stored thumbnail (None: it cannot be read)."""
    try:
        with Image.open(io.BytesIO(jpeg)) as thumb:
            thumb.draft("RGB", (128, 128))
            thumb.load()
            return signature_of(thumb)
    except (OSError, ValueError):
        return None


def distances(a: Signature, b: Signature) -> tuple[float, float]:
    """``(structure, colour)`` between two signatures (colour: the grey levels when either is black and
    white)."""
    best, at = np.inf, (0, 0)
    for i, j in ((0, 0), (1, 0), (0, 1)):
        d = float(np.abs(a.grey[i] - b.grey[j]).mean())
        if d < best:
            best, at = d, (i, j)
    if a.mono or b.mono:
        return best, float(np.abs(a.level[at[0]] - b.level[at[1]]).mean())
    return best, float(np.abs(a.chroma[at[0]] - b.chroma[at[1]]).mean())
