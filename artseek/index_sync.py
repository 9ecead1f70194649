"""Keeping the vector index in step with the database: checked on every open, repaired or rebuilt.

The saved file was verified (size, checksum, library identity) before hnswlib
read it (:mod:`artseek.vectors.state`). Here it is checked against the
database: the newest embedding and the count of indexed images (two
index-only queries), and a sample of vectors compared with the stored
embeddings. Entries written after the last save are re-applied; an index that
holds other vectors, or cannot be made to hold exactly the indexed images, is
rebuilt from the embeddings the database keeps. Search therefore never
silently misses an indexed image.
"""

from __future__ import annotations

import itertools

import numpy as np
from sqlalchemy import func, select

from artseek.storage import Database, Embedding, Image, ImageStatus
from artseek.vectors import VectorIndex

SPOT_CHECK = 16  # vectors compared with the database on every open


def sync(db: Database, vectors: VectorIndex, writable: bool) -> tuple[int, int]:
    """Make ``vectors`` hold exactly the indexed images of ``db``; returns (added, removed).

    ``vectors.load_problem`` says afterwards what was wrong (None: nothing).
    The repaired index is saved when ``writable`` (a failed save is left for the next open).
    """
    matches = not vectors.loaded_from_disk or vectors_match_database(db, vectors)
    if vectors.loaded_from_disk and matches and index_is_current(db, vectors):
        return 0, 0
    if not matches:
        vectors.reset("The saved vector index holds other vectors than the library's database "
                      "(copied from another library?).")
    with db.session() as s:
        valid = dict(s.execute(select(Embedding.image_id, Embedding.seq).join(Image, Image.id == Embedding.image_id)
                               .where(Image.status == ImageStatus.INDEXED)).all())

    def fetch(ids: list[int]) -> np.ndarray:
        return fetch_vectors(db, ids)

    added, removed = vectors.reconcile(valid, fetch)
    if len(vectors) != len(valid) or vectors.ids != set(valid):
        vectors.reset("The saved vector index did not hold the library's indexed images.")
        added, removed = vectors.reconcile(valid, fetch)
    if (added or removed or vectors.load_problem) and writable:
        try:
            vectors.save(db.max_seq())
        except OSError:
            pass  # the index in memory is right; the next open repairs the file again
    return added, removed


def vectors_match_database(db: Database, vectors: VectorIndex) -> bool:
    """Up to :data:`SPOT_CHECK` saved vectors equal the stored embeddings (of those saved with the file)."""
    live = vectors.ids
    if not live:
        return True
    sample = list(itertools.islice(live, 0, None, max(1, len(live) // SPOT_CHECK)))[:SPOT_CHECK]
    with db.session() as s:
        rows = {r.image_id: r for r in s.execute(select(Embedding.image_id, Embedding.vector, Embedding.seq)
                                                 .where(Embedding.image_id.in_(sample)))}
    if len(rows) < len(sample):
        return False  # the file lists images the database has no embedding for
    ids = [i for i in sample if rows[i].seq <= vectors.synced_seq]  # later ones are re-applied anyway
    if not ids:
        return True
    stored = np.stack([np.frombuffer(rows[i].vector, dtype=np.float32) for i in ids])
    try:
        return stored.shape[1] == vectors.dim and bool(np.allclose(vectors.get_vectors(ids), stored, atol=1e-5))
    except RuntimeError:  # hnswlib: label not found
        return False


def index_is_current(db: Database, vectors: VectorIndex) -> bool:
    """Cheap check (two index-only queries) that the saved index reflects the database.

    Every write that adds or revives a vector takes a new ``seq``, and every
    removal lowers the number of indexed images; so when the newest ``seq``
    is the one the index was saved at and the counts agree, nothing changed.
    """
    with db.session() as s:
        newest = db.max_seq(s)
        indexed = int(s.scalar(select(func.count()).select_from(Image).where(Image.status == ImageStatus.INDEXED)))
    return newest == vectors.synced_seq and indexed == len(vectors)


def fetch_vectors(db: Database, ids: list[int]) -> np.ndarray:
    """The stored embeddings of ``ids``, in that order."""
    with db.session() as s:
        rows = dict(s.execute(select(Embedding.image_id, Embedding.vector).where(Embedding.image_id.in_(ids))).all())
    return np.stack([np.frombuffer(rows[i], dtype=np.float32) for i in ids])
