"""How indexing splits the cores between decode workers and the model."""

from __future__ import annotations

from artseek.ingest import indexer
from artseek.ingest.indexer import IndexOptions, default_decode_workers


def test_decode_workers_follow_the_core_count() -> None:
    # One per core below 4 cores (the model's threads take every core anyway), then one core fewer.
    assert [default_decode_workers(n) for n in (1, 2, 3, 4, 8, 16)] == [1, 2, 3, 3, 7, 15]


def test_options_use_this_machines_cores_unless_told(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(indexer, "available_cores", lambda: 2)
    assert IndexOptions().workers() == 2
    assert not IndexOptions().use_processes()
    assert IndexOptions(decode_workers=5).workers() == 5
    monkeypatch.setattr(indexer, "available_cores", lambda: 16)
    assert IndexOptions().workers() == 15
    assert IndexOptions().use_processes()
    assert not IndexOptions(decode_processes=False).use_processes()
