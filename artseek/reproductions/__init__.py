"""Reproductions: where an image appears inside other images (a press photograph in a newspaper page).

Local features (OpenCV SIFT) matched with Lowe's ratio test and verified by a
RANSAC homography (:mod:`.matching`), on candidates the embedding and tile
indexes propose, or, with reproduction indexing on, the inverted index of
visual words (:mod:`.visual_words`, :mod:`.inverted`, :mod:`.vocabulary`:
each image's distinct words are stored, ≈ 5.5 KB per page). SIFT features
themselves are computed on demand for the query and its candidates only.
Imports no Qt.
"""

from artseek.reproductions.features import Features, extract
from artseek.reproductions.finder import Reproduction, ReproductionFinder
from artseek.reproductions.matching import Verified, verify

__all__ = ["Features", "Reproduction", "ReproductionFinder", "Verified", "extract", "verify"]
