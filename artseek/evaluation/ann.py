"""hnswlib recall@k against exact search, at the ef ArtSeek uses."""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from artseek.search.ranking import rank_by_vector
from artseek.vectors import VectorIndex
from artseek.vectors.hnsw_index import DEFAULT_EF


@dataclass
class AnnRecall:
    """``hnsw``: raw hnswlib top-k at ``ef``; ``pipeline``: ArtSeek's ranking (ANN candidates re-ranked exactly)."""

    size: int
    dim: int
    queries: int
    k: int
    ef: int
    hnsw: float
    pipeline: float

    def to_dict(self) -> dict:
        return asdict(self)


def ann_recall(vectors: VectorIndex, queries: np.ndarray, k: int = 10, ef: int = DEFAULT_EF) -> AnnRecall:
    """Recall@k of hnswlib (and of :func:`rank_by_vector`) against the exact top k by inner product."""
    ids = np.array(sorted(vectors.ids), dtype=np.int64)
    data = vectors.get_vectors(ids)
    queries = np.asarray(queries, dtype=np.float32)
    exact = np.argsort(-(queries @ data.T), axis=1, kind="stable")[:, :k]
    hits_hnsw = hits_pipe = 0
    for q, truth in zip(queries, exact, strict=True):
        truth_ids = set(ids[truth].tolist())
        found, _ = vectors.search(q, k, ef=ef)
        hits_hnsw += len(truth_ids & set(found.tolist()))
        hits_pipe += len(truth_ids & {i for i, _ in rank_by_vector(vectors, q, k)})
    total = len(queries) * min(k, len(ids))
    return AnnRecall(len(ids), vectors.dim, len(queries), k, ef, round(hits_hnsw / total, 4),
                     round(hits_pipe / total, 4))


def synthetic_recall(size: int = 20000, dim: int = 512, queries: int = 200, k: int = 10, ef: int = DEFAULT_EF,
                     clusters: int = 100, seed: int = 0) -> AnnRecall:
    """Recall on clustered random unit vectors (embeddings cluster by subject, as real collections do)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim)).astype(np.float32)
    data = centres[rng.integers(0, clusters, size)] + 0.7 * rng.normal(size=(size, dim)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    q = centres[rng.integers(0, clusters, queries)] + 0.9 * rng.normal(size=(queries, dim)).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    with tempfile.TemporaryDirectory() as tmp:
        index = VectorIndex(Path(tmp), dim)
        index.add(np.arange(1, size + 1), data)
        return ann_recall(index, q, k, ef)
