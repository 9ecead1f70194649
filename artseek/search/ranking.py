"""Nearest-neighbour ranking: ANN candidates from hnswlib, re-ranked exactly."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from artseek.vectors import VectorIndex
from artseek.vectors.hnsw_index import DEFAULT_EF

MIN_CANDIDATES = 64
#: Up to this many allowed images a filtered search is exact over their stored vectors (a matmul: about
#: 2 ms for 20,000 512-d vectors); above it, hnswlib's filtered search (bench scale --filter, docs/performance.md).
EXACT_LIMIT = 50_000


def normalise(vector: np.ndarray) -> np.ndarray:
    """L2-normalise a vector (a zero vector stays zero)."""
    vector = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


@dataclass
class Allowed:
    """The images a filtered search may return (see :mod:`artseek.search.filters`).

    ``vectors`` holds their stored embeddings when they are few enough
    (:data:`EXACT_LIMIT`): the ranking is then exact over all of them, a
    matrix product. Otherwise it is ``None`` and hnswlib's filtered search
    proposes candidates among ``members``, re-ranked exactly.
    """

    ids: np.ndarray  # int64, live ids passing the filter
    vectors: np.ndarray | None = None
    members: set[int] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self.ids)


def rank_by_vector(vectors: VectorIndex, query: np.ndarray, k: int, exclude: set[int] | None = None,
                   ef: int | None = None, allowed: Allowed | None = None) -> list[tuple[int, float]]:
    """Top ``k`` ``(id, cosine)`` pairs for a normalised ``query`` (among ``allowed`` when given).

    hnswlib proposes ``max(4k, 64)`` candidates; their scores are recomputed
    exactly from the stored vectors, so the order never depends on ANN error.
    A small allowed set is ranked exactly as a whole: the true top ``k``.
    """
    exclude = exclude or set()
    query = np.asarray(query, dtype=np.float32)
    if allowed is not None and allowed.vectors is not None:
        if len(allowed) == 0:
            return []
        scores = allowed.vectors @ query
        ids, wanted = allowed.ids, k + len(exclude)
        if len(scores) > 2 * wanted:  # only the best few need sorting
            part = np.argpartition(-scores, wanted - 1)[:wanted]
            ids, scores = ids[part], scores[part]
        return top_k(ids, scores, scores, k, exclude)
    want = max(4 * (k + len(exclude)), MIN_CANDIDATES)
    ids, _ = vectors.search(query, want, ef=max(ef or DEFAULT_EF, want),
                            allowed=allowed.members if allowed is not None else None)
    if len(ids) == 0:
        return []
    exact = vectors.get_vectors(ids) @ query
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
