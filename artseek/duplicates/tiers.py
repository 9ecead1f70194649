"""The three tiers of the duplicate finder and the thresholds that tell them apart.

* *identical*: the same file content (the same content hash), byte for byte;
* *near-identical*: the same picture re-encoded, resized, lightly cropped, tone-adjusted or made greyscale.
  Three witnesses must agree: the perceptual hashes (whole against whole, or one's whole against the
  other's centre, so a 90 % crop lines up) at most ``near_bits`` apart; the thumbnails' pixel check
  (:mod:`.pixels`: standardised luminance at most ``pixel_max`` apart; for two colour pictures the chroma
  at most ``colour_max``, and when one is black and white the grey levels at most ``grey_level_max``);
  and the embeddings at least ``near_similarity`` alike, unless one of the two is black and white (a
  colour-trained model can put a greyscale copy anywhere). Hashes alone let through different pictures of
  one layout (a shape of one size at one place, in another colour or slightly moved), which the pixels
  tell apart;
* *similar*: embeddings at least ``similar_threshold`` alike (the curator's slider), hashes ignored.

The defaults were tuned on a held-out set of generated scenes (``main.py eval duplicates --seed 7``) and
measured on the default set and on photographs (docs/evaluation.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

IDENTICAL, NEAR, SIMILAR = "identical", "near", "similar"
TIERS = (IDENTICAL, NEAR, SIMILAR)
TIER_NAMES = {IDENTICAL: "Identical", NEAR: "Near-identical", SIMILAR: "Similar"}

STORE_FLOOR = 0.5  # pairs below this similarity are not kept (the lowest similar threshold offered)
NEIGHBOURS = 10  # embedding neighbours looked at per image
HASH_CANDIDATE_BITS = 12  # pairs this close in perceptual hash are kept whatever their embedding similarity
PIXEL_CHECK_BITS = 8  # pairs this close (whole, or whole against centre) get their thumbnails compared


@dataclass(frozen=True)
class Thresholds:
    """What makes a pair near-identical or similar."""

    near_bits: int = 8
    pixel_max: float = 0.14
    colour_max: float = 20.0
    grey_level_max: float = 12.0
    near_similarity: float = 0.5
    similar_threshold: float = 0.90

    def __post_init__(self) -> None:
        if not 0 <= self.near_bits <= PIXEL_CHECK_BITS:
            raise ValueError(f"the near-identical hash distance is between 0 and {PIXEL_CHECK_BITS} bits")
        if not STORE_FLOOR <= self.similar_threshold <= 1.0:
            raise ValueError(f"the similar threshold must be between {STORE_FLOOR} and 1")

    def is_near(self, pairs) -> np.ndarray:  # noqa: ANN001 - candidates.Pairs (not imported: a cycle)
        """Element-wise: pairs that are near-identical (a missing hash or thumbnail check, -1, never is)."""
        pixels, mono = np.asarray(pairs.pixels), np.asarray(pairs.mono) > 0
        known = (pairs.hamming >= 0) & (pixels >= 0)
        bits = np.minimum(pairs.hamming, pairs.cross)
        colour = np.asarray(pairs.colour) <= np.where(mono, self.grey_level_max, self.colour_max)
        embeddings = mono | (np.asarray(pairs.similarity) >= self.near_similarity)
        return known & (bits <= self.near_bits) & (pixels <= self.pixel_max) & colour & embeddings

    def is_similar(self, similarity: np.ndarray) -> np.ndarray:
        return np.asarray(similarity) >= self.similar_threshold
