"""Filtered ranking against exact filtered search (brute force over every vector, then the filter).

Random 32-d vectors (the hardest case for HNSW: no cluster structure): the
filter keeps 1 % of 20,000 (the exact path over the allowed vectors), and
60 % (hnswlib's filtered search, re-ranked exactly), for the plain, Rocchio and
classifier rankings.
"""

from __future__ import annotations

import numpy as np
import pytest

from artseek.search import ranking
from artseek.search.classifier import rank_classifier
from artseek.search.feedback import QueryEmbeddings, rank_feedback
from artseek.search.ranking import Allowed, rank_by_vector
from artseek.vectors import VectorIndex

N, DIM, K = 20_000, 32, 20


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[VectorIndex, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    vecs = rng.standard_normal((N, DIM), dtype=np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    ids = np.arange(1, N + 1, dtype=np.int64)
    index = VectorIndex(tmp_path_factory.mktemp("vectors"), DIM)
    index.add(ids, vecs)
    return index, ids, vecs


def exact_filtered(vecs: np.ndarray, ids: np.ndarray, keep: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    scores = vecs @ query
    scores[~keep] = -np.inf
    return [int(ids[i]) for i in np.argsort(-scores, kind="stable")[:k]]


def allowed_for(index: VectorIndex, ids: np.ndarray, vecs: np.ndarray, keep: np.ndarray) -> Allowed:
    chosen = ids[keep]
    if len(chosen) <= ranking.EXACT_LIMIT:
        return Allowed(ids=chosen, vectors=vecs[keep])
    return Allowed(ids=chosen, members=set(chosen.tolist()))


def test_one_percent_filter_gives_the_exact_top_k(library) -> None:
    index, ids, vecs = library
    rng = np.random.default_rng(1)
    keep = np.zeros(N, dtype=bool)
    keep[rng.choice(N, N // 100, replace=False)] = True
    allowed = allowed_for(index, ids, vecs, keep)
    assert allowed.vectors is not None  # 200 images: the exact path
    for q in rng.standard_normal((20, DIM), dtype=np.float32):
        q /= np.linalg.norm(q)
        got = rank_by_vector(index, q, K, allowed=allowed)
        assert [i for i, _ in got] == exact_filtered(vecs, ids, keep, q, K)
        assert all(keep[i - 1] for i, _ in got)
        assert np.allclose([s for _, s in got], np.sort(vecs[keep] @ q)[::-1][:K], atol=1e-5)


def test_large_filter_uses_hnswlib_and_keeps_recall(library, monkeypatch: pytest.MonkeyPatch) -> None:
    index, ids, vecs = library
    monkeypatch.setattr(ranking, "EXACT_LIMIT", 1_000)
    rng = np.random.default_rng(2)
    keep = rng.random(N) < 0.6
    allowed = allowed_for(index, ids, vecs, keep)
    assert allowed.vectors is None
    hits = 0
    queries = rng.standard_normal((20, DIM), dtype=np.float32)
    for q in queries:
        q /= np.linalg.norm(q)
        got = [i for i, _ in rank_by_vector(index, q, K, allowed=allowed)]
        assert len(got) == K and all(keep[i - 1] for i in got)
        hits += len(set(got) & set(exact_filtered(vecs, ids, keep, q, K)))
    assert hits / (K * len(queries)) >= 0.9  # random vectors, the ANN's hardest case


def test_one_percent_filter_applies_to_hnswlib_path_too(library, monkeypatch: pytest.MonkeyPatch) -> None:
    """The filtered graph search itself (forced), with the 1 % filter: still only allowed ids, high recall."""
    index, ids, vecs = library
    rng = np.random.default_rng(3)
    keep = np.zeros(N, dtype=bool)
    keep[rng.choice(N, N // 100, replace=False)] = True
    allowed = Allowed(ids=ids[keep], members=set(ids[keep].tolist()))
    hits = 0
    for q in rng.standard_normal((10, DIM), dtype=np.float32):
        q /= np.linalg.norm(q)
        got = [i for i, _ in rank_by_vector(index, q, K, allowed=allowed)]
        assert len(got) == K and all(keep[i - 1] for i in got)
        hits += len(set(got) & set(exact_filtered(vecs, ids, keep, q, K)))
    assert hits / (K * 10) >= 0.9


def test_feedback_and_classifier_stay_inside_the_filter(library) -> None:
    index, ids, vecs = library
    rng = np.random.default_rng(4)
    keep = np.zeros(N, dtype=bool)
    keep[rng.choice(N, N // 100, replace=False)] = True
    allowed = allowed_for(index, ids, vecs, keep)
    base = vecs[0] + 0.1 * rng.standard_normal(DIM).astype(np.float32)
    base /= np.linalg.norm(base)
    q = QueryEmbeddings(base=base, positives=[vecs[5], vecs[6]], negatives=[vecs[9]])
    rocchio = rank_feedback(index, q, K, method="rocchio", allowed=allowed)
    assert len(rocchio) == K and all(keep[i - 1] for i, _ in rocchio)
    from artseek.search.feedback import rocchio as rocchio_vector

    assert [i for i, _ in rocchio] == exact_filtered(vecs, ids, keep, rocchio_vector(q), K)
    classified = rank_classifier(index, q.positives, q.negatives, q.base, rocchio_vector(q), K, allowed=allowed)
    assert len(classified) == K and all(keep[i - 1] for i, _ in classified)
    empty = Allowed(ids=np.empty(0, np.int64), vectors=np.empty((0, DIM), np.float32))
    assert rank_by_vector(index, base, K, allowed=empty) == []
    assert rank_feedback(index, q, K, method="classifier", allowed=empty) == []
