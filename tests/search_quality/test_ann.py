"""hnswlib recall@10 against exact search at ArtSeek's ef (target >= 0.99)."""

from __future__ import annotations

from artseek.evaluation.ann import ann_recall, synthetic_recall
from artseek.vectors.hnsw_index import DEFAULT_EF


def test_recall_on_clustered_vectors() -> None:
    r = synthetic_recall(size=4000, dim=64, queries=100)
    assert r.ef == DEFAULT_EF
    assert r.hnsw >= 0.99, r
    assert r.pipeline >= 0.99, r


def test_recall_on_the_library(text_library) -> None:
    lib = text_library
    ids = sorted(lib.vectors.ids)
    queries = lib.vectors.get_vectors(ids[::5])
    r = ann_recall(lib.vectors, queries)
    assert r.hnsw >= 0.99 and r.pipeline >= 0.99, r
