"""The bulk merge: shards into a library in large transactions, the vector graph built beside them.

:func:`bulk_merge_shards` takes the same rows as :func:`artseek.cluster.merge.merge_shards`
(each planned image once: same record id, path, size and mtime; stale and
repeated rows ignored) and leaves the same library, but stores differently:

- **SQLite**: one transaction per chunk of ``chunk_rows`` images (16,384 by
  default), each table written by one Core ``executemany`` (records updated by
  primary key, embeddings and thumbnails inserted or replaced), where the
  desktop job commits a transaction of ORM statements per batch of 2,048.
- **hnswlib**: a chunk's vectors enter the graph only after the chunk is
  committed (the desktop's order), in one ``add_items`` call over every core,
  on a background thread: hnswlib releases the GIL, so the next chunk is read
  and written to SQLite while the graph grows (on a many-core merge node the
  single SQLite writer is then hidden behind the parallel graph build).

What the desktop job does per file stays with it: failures go through
:meth:`IndexingJob.record_failure`, files whose content a missing record has
(moved files) through :meth:`IndexingJob.store_embedded`, which keeps that
record; the index and its state file (size, CRC-32, synced sequence) are
saved by :meth:`VectorIndex.save`, every ``save_interval_s`` of the job and at
:meth:`IndexingJob.finish`.

Crash safety is the desktop's: a kill leaves committed chunks (complete
records with their embeddings; the rest still pending) and an index file that
is older or absent; opening the library re-applies the embeddings the file
missed (``index_sync``), and a re-run of the same command plans the pending
images again and merges them from the shards, which are deleted only after a
complete merge.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from sqlalchemy import bindparam, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from artseek.cluster.merge import planned_row
from artseek.cluster.shards import read_shards
from artseek.ingest.decode import DecodedImage
from artseek.ingest.indexer import IndexingJob, WorkItem
from artseek.storage import Embedding, Image, ImageStatus, Thumbnail

CHUNK_ROWS = 16_384  # images per transaction: about 120 MB of WAL with 7 KB thumbnails
READ_ROWS = 8_192  # shard rows per record batch read
_NO_INPUT = np.empty(0, dtype=np.float32)

_images = Image.__table__
_UPDATE_IMAGE = update(_images).where(_images.c.id == bindparam("b_id")).values(
    size=bindparam("b_size"), mtime_ns=bindparam("b_mtime"), ctime_ns=bindparam("b_ctime"),
    inode=bindparam("b_inode"), content_hash=bindparam("b_hash"), width=bindparam("b_width"),
    height=bindparam("b_height"), format=bindparam("b_format"), status=bindparam("b_status"),
    error=bindparam("b_error"), indexed_at=bindparam("b_at"))
_INSERT_EMBEDDING = sqlite_insert(Embedding.__table__).prefix_with("OR REPLACE")
_INSERT_THUMBNAIL = sqlite_insert(Thumbnail.__table__).prefix_with("OR REPLACE")


class BulkWriter:
    """Buffers embedded images and stores them a chunk at a time (see the module's description)."""

    def __init__(self, job: IndexingJob, chunk_rows: int = CHUNK_ROWS) -> None:
        self.job = job
        self.chunk_rows = chunk_rows
        self._items: list[WorkItem] = []
        self._decoded: list[tuple[str, int, int, str, bytes]] = []
        self._vectors: list[bytes] = []
        self._graph = ThreadPoolExecutor(max_workers=1, thread_name_prefix="artseek-graph")
        self._adding: Future | None = None
        self._last_save = time.monotonic()

    def add(self, item: WorkItem, decoded: tuple[str, int, int, str, bytes], vector: bytes) -> None:
        """Queue one image: ``decoded`` is (content hash, width, height, format, thumbnail JPEG)."""
        self._items.append(item)
        self._decoded.append(decoded)
        self._vectors.append(vector)
        if len(self._items) >= self.chunk_rows:
            self.flush()

    def flush(self) -> None:
        """Commit the queued images in one transaction, then hand their vectors to the graph thread."""
        if not self._items:
            return
        items, decoded, raw = self._items, self._decoded, self._vectors
        self._items, self._decoded, self._vectors = [], [], []
        vectors = np.frombuffer(b"".join(raw), dtype="<f4").reshape(len(items), -1).astype(np.float32)
        ids = np.fromiter((w.image_id for w in items), dtype=np.int64, count=len(items))
        now = datetime.now(timezone.utc)
        db = self.job.db
        with db.session() as s:
            seq = db.max_seq(s)
            conn = s.connection()
            conn.execute(_UPDATE_IMAGE, [
                dict(b_id=w.image_id, b_size=w.entry.size, b_mtime=w.entry.mtime_ns, b_ctime=w.entry.ctime_ns,
                     b_inode=w.entry.inode, b_hash=h, b_width=width, b_height=height, b_format=fmt,
                     b_status=ImageStatus.INDEXED, b_error=None, b_at=now)
                for w, (h, width, height, fmt, _) in zip(items, decoded)])
            conn.execute(_INSERT_EMBEDDING, [dict(image_id=w.image_id, vector=v, seq=seq + i + 1)
                                             for i, (w, v) in enumerate(zip(items, raw))])
            conn.execute(_INSERT_THUMBNAIL, [dict(image_id=w.image_id, jpeg=d[4]) for w, d in zip(items, decoded)])
        self._wait()  # one chunk in the graph at a time: memory stays bounded, saves see whole chunks
        self._adding = self._graph.submit(self.job.vectors.add, ids, vectors)
        self.job.count_stored(len(items))
        if time.monotonic() - self._last_save > self.job.options.save_interval_s:
            self._wait()
            self.job.vectors.save(db.max_seq())
            self._last_save = time.monotonic()

    def _wait(self) -> None:
        if self._adding is not None:
            adding, self._adding = self._adding, None
            adding.result()  # an error of hnswlib (e.g. out of memory) stops the merge here

    def settle(self) -> None:
        """Store what is queued and wait until the graph holds every committed vector."""
        self.flush()
        self._wait()

    def shutdown(self) -> None:
        """Stop the graph thread once its chunk is in (also after an error: what is queued is not stored)."""
        self._graph.shutdown(wait=True)


def bulk_merge_shards(job: IndexingJob, work: list[WorkItem], folder: Path, chunk_rows: int | None = None,
                      progress: Callable[[int, int], None] | None = None) -> int:
    """Store every shard row of ``folder`` that belongs to ``work``, in bulk; returns the images merged.

    The same selection and the same resulting library as :func:`artseek.cluster.merge.merge_shards`.
    """
    planned = {w.image_id: w for w in work}
    merged: set[int] = set()
    writer = BulkWriter(job, chunk_rows or CHUNK_ROWS)
    try:
        for record_batch in read_shards(folder, READ_ROWS):
            keys = record_batch.select(["image_id", "path", "size", "mtime_ns", "error", "content_hash"]).to_pydict()
            take: list[int] = []
            for i in range(len(keys["image_id"])):
                item = planned_row(planned, merged, keys, i)
                if item is None:
                    continue
                if keys["error"][i] is not None:
                    job.record_failure(item, keys["error"][i])
                else:
                    take.append(i)
            if take:
                _store_rows(job, writer, record_batch, keys, take, planned)
            if progress:
                progress(len(merged), len(planned))
        writer.settle()
    finally:
        writer.shutdown()
    return len(merged)


def _store_rows(job: IndexingJob, writer: BulkWriter, record_batch, keys: dict, take: list[int],  # noqa: ANN001
                planned: dict[int, WorkItem]) -> None:
    """Queue the taken rows of one record batch; a file that may be a moved one goes through the job."""
    rows = record_batch.take(take)
    cols = {name: rows.column(name).to_pylist() for name in ("width", "height", "format", "thumbnail", "vector")}
    for j, i in enumerate(take):
        item = planned[keys["image_id"][i]]
        decoded = (keys["content_hash"][i], cols["width"][j], cols["height"][j], cols["format"][j],
                   cols["thumbnail"][j])
        if job.may_be_moved(decoded[0]):
            writer.settle()  # the desktop path reads the newest sequence number and may save the index
            job.store_embedded([(item, DecodedImage(*decoded[:4], model_input=_NO_INPUT, thumbnail_jpeg=decoded[4]))],
                               np.frombuffer(cols["vector"][j], dtype="<f4")[None, :])
        else:
            writer.add(item, decoded, cols["vector"][j])
