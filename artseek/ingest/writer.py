"""What an indexing run writes: each file's outcome, into the database and then the vector index.

:class:`IndexWriter` belongs to one :class:`artseek.ingest.indexer.IndexingJob` (and through its seams to the
cluster's merge): a batch of embedded files is committed to SQLite in one transaction *before* its vectors
enter the ANN index (saved every ``save_interval_s`` of the options); a moved file takes over its old record (texts, tags and
embedding kept, no model work); a failure is recorded with its reason; an unchanged file gets its new stat.
Counts go to the job's report and progress.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone

import numpy as np
from sqlalchemy import update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from artseek.ingest.decode import DecodedImage
from artseek.ingest.diff import Work
from artseek.ingest.progress import IndexProgress
from artseek.storage import Database, Embedding, Image, ImageStatus, Thumbnail
from artseek.vectors import VectorIndex

MAX_REPORTED_FAILURES = 20


def _now() -> datetime:
    return datetime.now(timezone.utc)


class IndexWriter:
    """Stores the outcome of each file of a run; ``report`` is the run's IndexReport (counts)."""

    def __init__(self, db: Database, vectors: VectorIndex, report: object, progress: IndexProgress,
                 options: object) -> None:
        """``report``, ``progress``, ``options``: the job's IndexReport, IndexProgress and IndexOptions (read as
        they are then: its ``save_interval_s``)."""
        self.db = db
        self.vectors = vectors
        self.report = report
        self.progress = progress
        self.options = options
        self.root_of: Callable[[str], int | None] = lambda _path: None  # the import root of a path (after the diff)
        self.movable: dict[str, list[int]] = {}  # content hash -> records a moved file may take over
        self._stat_updates: list[dict] = []
        self._last_save = time.monotonic()

    def unchanged(self, item: Work) -> None:
        """A checked file whose content is the one indexed: record its new stat, no model work."""
        e = item.entry
        self._stat_updates.append(dict(id=item.image_id, size=e.size, mtime_ns=e.mtime_ns, ctime_ns=e.ctime_ns,
                                       inode=e.inode))
        if len(self._stat_updates) >= 500:
            self.flush_stat_updates()
        self.report.skipped += 1
        self.progress.skipped += 1
        self.progress.done += 1

    def flush_stat_updates(self) -> None:
        if self._stat_updates:
            with self.db.session() as s:
                s.execute(update(Image), self._stat_updates)
            self._stat_updates = []

    def record_failure(self, item: Work, reason: str) -> None:
        """Record ``item`` as failed with a readable ``reason`` (and drop any old vector of it)."""
        with self.db.session() as s:
            s.execute(update(Image).where(Image.id == item.image_id).values(
                status=ImageStatus.FAILED, error=reason, size=item.entry.size, mtime_ns=item.entry.mtime_ns,
                ctime_ns=item.entry.ctime_ns, inode=item.entry.inode))
        self.vectors.remove([item.image_id])
        self.report.failed += 1
        self.progress.failed += 1
        self.progress.done += 1
        self.progress.failures = (self.progress.failures + [(item.entry.path, reason)])[-MAX_REPORTED_FAILURES:]

    def reuse_existing(self, item: Work, decoded: DecodedImage) -> bool:
        """Moved file: a missing record, or one of an offline folder, with the same content takes the new
        path and keeps its texts, tags and embedding (no model work)."""
        candidates = self.movable.get(decoded.content_hash)
        while candidates:
            moved_id = candidates.pop(0)
            if moved_id != item.image_id and self._take_over(item, moved_id):
                return True
        return False

    def _take_over(self, item: Work, moved_id: int) -> bool:
        with self.db.session() as s:
            moved = s.get(Image, moved_id)
            emb = s.get(Embedding, moved_id)
            if moved is None or emb is None:
                return False
            placeholder = s.get(Image, item.image_id)
            if placeholder is not None:
                s.delete(placeholder)
                s.flush()
            moved.path = item.entry.path
            moved.size, moved.mtime_ns = item.entry.size, item.entry.mtime_ns
            moved.ctime_ns, moved.inode = item.entry.ctime_ns, item.entry.inode
            moved.status, moved.error, moved.indexed_at = ImageStatus.INDEXED, None, _now()
            moved.root_id = self.root_of(item.entry.path)
            emb.seq = self.db.max_seq(s) + 1
            vector = np.frombuffer(emb.vector, dtype=np.float32)
        self.vectors.remove([item.image_id])
        self.vectors.add(np.array([moved_id]), vector[None, :])
        self.report.moved += 1
        self.count_indexed(1)
        return True

    def store(self, batch: list[tuple[Work, DecodedImage]], vectors: np.ndarray) -> None:
        ids = np.array([w.image_id for w, _ in batch], dtype=np.int64)
        now = _now()
        with self.db.session() as s:
            seq = self.db.max_seq(s)
            s.execute(update(Image), [
                dict(id=w.image_id, size=w.entry.size, mtime_ns=w.entry.mtime_ns, ctime_ns=w.entry.ctime_ns,
                     inode=w.entry.inode, content_hash=d.content_hash, phash=d.phash, phash_crop=d.phash_crop,
                     width=d.width, height=d.height, format=d.format, status=ImageStatus.INDEXED, error=None,
                     indexed_at=now, taken_at=d.taken_at) for w, d in batch])
            s.execute(sqlite_insert(Embedding).prefix_with("OR REPLACE"), [
                dict(image_id=w.image_id, vector=v.astype(np.float32).tobytes(), seq=seq + i + 1)
                for i, ((w, _), v) in enumerate(zip(batch, vectors))])
            s.execute(sqlite_insert(Thumbnail).prefix_with("OR REPLACE"), [
                dict(image_id=w.image_id, jpeg=d.thumbnail_jpeg) for w, d in batch])
            seq += len(batch)
        self.vectors.add(ids, vectors)
        self.count_indexed(len(batch))
        if time.monotonic() - self._last_save > self.options.save_interval_s:
            self.vectors.save(seq)
            self._last_save = time.monotonic()

    def write_phash(self, updates: list[dict]) -> None:
        if updates:
            with self.db.session() as s:
                s.execute(update(Image), updates)
            self.report.hashed += len(updates)

    def count_indexed(self, n: int) -> None:
        self.report.indexed += n
        self.progress.indexed += n
        self.progress.done += n
