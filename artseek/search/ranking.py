"""Nearest-neighbour ranking: ANN candidates from hnswlib, re-ranked exactly."""

from __future__ import annotations

import numpy as np

from artseek.vectors import VectorIndex
from artseek.vectors.hnsw_index import DEFAULT_EF

MIN_CANDIDATES = 64


def normalise(vector: np.ndarray) -> np.ndarray:
    """L2-normalise a vector (a zero vector stays zero)."""
    vector = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def rank_by_vector(vectors: VectorIndex, query: np.ndarray, k: int, exclude: set[int] | None = None,
                   ef: int | None = None) -> list[tuple[int, float]]:
    """Top ``k`` ``(id, cosine)`` pairs for a normalised ``query``.

    hnswlib proposes ``max(4k, 64)`` candidates; their scores are recomputed
    exactly from the stored vectors, so the order never depends on ANN error.
    """
    exclude = exclude or set()
    want = max(4 * (k + len(exclude)), MIN_CANDIDATES)
    ids, _ = vectors.search(query, want, ef=max(ef or DEFAULT_EF, want))
    if len(ids) == 0:
        return []
    exact = vectors.get_vectors(ids) @ np.asarray(query, dtype=np.float32)
    return top_k(ids, exact, exact, k, exclude)


def top_k(ids: np.ndarray, order_by: np.ndarray, scores: np.ndarray, k: int,
          exclude: set[int] | None = None) -> list[tuple[int, float]]:
    """The ``k`` best ``(id, score)`` pairs by ``order_by`` (descending, stable), skipping ``exclude``."""
    exclude = exclude or set()
    out = []
    for i in np.argsort(-order_by, kind="stable"):
        label = int(ids[i])
        if label in exclude:
            continue
        out.append((label, float(scores[i])))
        if len(out) == k:
            break
    return out
