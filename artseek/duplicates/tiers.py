"""The three tiers of the duplicate finder and the thresholds that tell them apart.

* *identical*: the same file content (the same content hash), byte for byte;
* *near-identical*: the same picture re-encoded, resized, lightly cropped, tone-adjusted or made greyscale.
  Either one of the two is black and white and the perceptual hashes of the whole pictures **and** of
  their centres are at most ``hash_only_bits`` apart (the same luminance layout at two scales, whatever
  the embedding says: a colour-trained model can put a greyscale copy far away; between two colour
  pictures the same layout alone is not enough, generated scenes of other colours share it),
  or the hashes, allowing a 90 % crop (one's whole picture against the other's centre), and the
  embeddings are both close by one of ``near_rules`` (at most so many bits apart **and** at least so
  alike: 8 bits and 0.90, or 3 bits and 0.75, a crop seen by a small model). Either test alone lets
  through unrelated pictures that merely share a layout or a subject;
* *similar*: embeddings at least ``similar_threshold`` alike (the curator's slider), hashes ignored.

The defaults were tuned on the transformations of ``main.py eval duplicates`` (docs/evaluation.md).
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
MONO_CHECK_BITS = 8  # pairs this close (whole and centre) are checked for a black-and-white side


@dataclass(frozen=True)
class Thresholds:
    """What makes a pair near-identical or similar."""

    hash_only_bits: int = 4
    near_rules: tuple[tuple[int, float], ...] = ((8, 0.90), (3, 0.75))  # (at most bits, at least similarity)
    similar_threshold: float = 0.90

    def __post_init__(self) -> None:
        if not (all(0 <= bits <= 64 for bits, _ in self.near_rules) and 0 <= self.hash_only_bits <= 64):
            raise ValueError("hash distances are between 0 and 64 bits")
        if not STORE_FLOOR <= self.similar_threshold <= 1.0:
            raise ValueError(f"the similar threshold must be between {STORE_FLOOR} and 1")

    def is_near(self, pairs) -> np.ndarray:  # noqa: ANN001 - candidates.Pairs (not imported: a cycle)
        """Element-wise: pairs that are near-identical (a missing hash, given as -1, never is)."""
        known = pairs.hamming >= 0
        same_layout = (known & (np.asarray(pairs.mono) > 0) & (pairs.hamming <= self.hash_only_bits)
                       & (pairs.centre <= self.hash_only_bits))
        bits = np.minimum(pairs.hamming, pairs.cross)
        sims = np.asarray(pairs.similarity)
        close = np.zeros(len(bits), dtype=bool)
        for max_bits, min_similarity in self.near_rules:
            close |= (bits <= max_bits) & (sims >= min_similarity)
        return same_layout | (known & close)

    def is_similar(self, similarity: np.ndarray) -> np.ndarray:
        return np.asarray(similarity) >= self.similar_threshold
