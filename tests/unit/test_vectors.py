"""hnswlib wrapper: grows, replaces, deletes, saves atomically and repairs itself."""

import numpy as np

from artseek.vectors import VectorIndex


def _unit(rng, n, d=16):
    v = rng.normal(size=(n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_grows_past_initial_capacity(tmp_path) -> None:
    rng = np.random.default_rng(0)
    idx = VectorIndex(tmp_path, 16)
    vecs = _unit(rng, 3000)
    for start in range(0, 3000, 500):
        idx.add(np.arange(start, start + 500), vecs[start:start + 500])
    assert len(idx) == 3000
    ids, scores = idx.search(vecs[1234], 1)
    assert ids[0] == 1234 and scores[0] > 0.999


def test_replace_and_remove(tmp_path) -> None:
    rng = np.random.default_rng(1)
    idx = VectorIndex(tmp_path, 16)
    vecs = _unit(rng, 10)
    idx.add(np.arange(10), vecs)
    idx.add(np.array([3]), vecs[7:8])  # replace label 3's vector
    ids, _ = idx.search(vecs[7], 2)
    assert set(ids) == {3, 7}
    idx.remove([7])
    ids, _ = idx.search(vecs[7], 9)
    assert 7 not in ids and len(idx) == 9
    idx.add(np.array([7]), vecs[7:8])  # revive a tombstone
    assert idx.search(vecs[7], 1)[0][0] in (3, 7)


def test_save_reload_and_reconcile(tmp_path) -> None:
    rng = np.random.default_rng(2)
    vecs = _unit(rng, 20)
    idx = VectorIndex(tmp_path, 16)
    idx.add(np.arange(10), vecs[:10])
    idx.save(synced_seq=10)
    assert not list(tmp_path.glob("*.tmp"))
    again = VectorIndex(tmp_path, 16)
    assert again.loaded_from_disk and len(again) == 10 and again.synced_seq == 10
    # The database meanwhile gained ids 10..14 (seq 11..15), lost id 0, and changed id 5 (seq 16).
    valid = {i: i + 1 for i in range(1, 15)}
    valid[5] = 16
    changed = vecs.copy()
    changed[5] = vecs[19]
    added, removed = again.reconcile(valid, lambda ids: changed[ids])
    assert removed == 1 and added == 6
    assert again.ids == set(range(1, 15))
    assert again.search(vecs[19], 1)[0][0] == 5


def test_corrupt_index_file_starts_fresh(tmp_path) -> None:
    idx = VectorIndex(tmp_path, 16)
    idx.add(np.arange(3), _unit(np.random.default_rng(3), 3))
    idx.save(3)
    (tmp_path / "vectors.hnsw").write_bytes(b"garbage")
    again = VectorIndex(tmp_path, 16)
    assert not again.loaded_from_disk and len(again) == 0
