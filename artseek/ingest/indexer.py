"""The indexing job: scan, diff against the library, decode in parallel, embed in batches, store.

Decoding runs in a thread pool (PIL releases the GIL while decoding) a few
batches ahead of the model, so decoding and inference overlap. Every batch is
committed to SQLite in one transaction *before* its vectors enter the ANN
index; the index is saved atomically from time to time and at the end, and
:meth:`artseek.library.Library.open` repairs any difference after a crash.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from artseek.embedding.cpu_features import available_cores
from artseek.embedding.encoder import Encoder
from artseek.ingest.decode import (
    DEFAULT_MAX_PIXELS,
    DecodedImage,
    DecodeError,
    decode_for_index,
    file_taken_at,
    phash_for_file,
    phash_for_thumbnail,
)
from artseek.ingest.diff import FolderDiff, Work
from artseek.ingest.progress import IndexProgress, JobControl, ProgressListener
from artseek.ingest.scanner import ScanProblem, display_path
from artseek.storage import Database, Embedding, Image, ImageStatus, Thumbnail
from artseek.vectors import VectorIndex

MAX_REPORTED_FAILURES = 20


def default_decode_workers(cores: int | None = None) -> int:
    """Decode workers for ``cores`` CPU cores (default: this machine's).

    Below 4 cores, one worker per core: the model's threads already take every
    core, and on 2 cores one decode thread against two inference threads got a
    third of the CPU from the scheduler where decoding needs about 40 % of it;
    two workers indexed 13 % faster end to end with torch and with ONNX int8
    (docs/performance.md). From 4 cores up, one core fewer than there are.
    """
    cores = cores or available_cores()
    return cores if cores < 4 else cores - 1


@dataclass
class IndexOptions:
    """Tuning of an indexing run."""

    batch_size: int | None = None  # None: the encoder's preferred size (32 on CPU, larger on a GPU)
    decode_workers: int | None = None  # None: derived from the core count
    max_pixels: int = DEFAULT_MAX_PIXELS
    save_interval_s: float = 60.0
    decode_processes: bool | None = None  # None: processes from 8 cores up, threads below
    verify: bool = False  # compare the content hash of files whose size and dates did not change

    def workers(self) -> int:
        return self.decode_workers or default_decode_workers()

    def use_processes(self) -> bool:
        """Threads share the GIL for hashing/numpy work; from 8 cores up processes decode faster."""
        if self.decode_processes is not None:
            return self.decode_processes
        return available_cores() >= 8


@dataclass
class IndexReport:
    """What an indexing run did."""

    scanned: int = 0
    indexed: int = 0
    skipped: int = 0
    failed: int = 0
    missing: int = 0
    moved: int = 0
    checked: int = 0  # files read to compare their content hash (ctime/inode changed, or verify)
    replaced: int = 0  # of those, files with new content under the same size and mtime (re-indexed)
    offline_images: int = 0  # images of offline folders, left as they are
    hashed: int = 0  # unchanged images given their perceptual hash (indexed before it existed; no model work)
    cancelled: bool = False
    elapsed_s: float = 0.0
    problems: list[ScanProblem] = field(default_factory=list)
    offline: list[ScanProblem] = field(default_factory=list)  # registered folders that are not reachable

    def to_dict(self) -> dict:
        data = {k: v for k, v in vars(self).items() if k not in ("problems", "offline")}
        data["problems"] = [{"path": p.path, "reason": p.reason} for p in self.problems]
        data["offline"] = [{"path": p.path, "reason": p.reason} for p in self.offline]
        return data


def _worker_init() -> None:
    """Decode worker processes leave Ctrl+C and hang-ups to the parent, which stops the run cleanly.

    (SIGTERM keeps its default: the pool itself stops broken workers with it.)
    """
    import signal

    for name in ("SIGINT", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)


WorkItem = Work  # public name of a planned file (its scan entry and its image id), for IndexingJob.plan()


def unexpected_decode_error(exc: BaseException) -> str:
    """The failure reason recorded for an error decoding raised that is not a :class:`DecodeError`."""
    return f"unexpected error while decoding ({type(exc).__name__}: {exc})"


def _now() -> datetime:
    return datetime.now(timezone.utc)


class IndexingJob:
    """One run of indexing over some folders. Call :meth:`run` on a worker thread."""

    def __init__(
        self,
        db: Database,
        vectors: VectorIndex,
        encoder_provider: Callable[[], Encoder],
        folders: Iterable[Path],
        options: IndexOptions | None = None,
        listener: ProgressListener | None = None,
        control: JobControl | None = None,
    ) -> None:
        self.db = db
        self.vectors = vectors
        self.encoder_provider = encoder_provider
        self.folders = [Path(os.path.abspath(f)) for f in folders]
        self.options = options or IndexOptions()
        self.listener = listener
        self.control = control or JobControl()
        self.progress = IndexProgress()
        self.report = IndexReport()
        self._last_save = time.monotonic()
        self._root_of: Callable[[str], int | None] = lambda _path: None
        self._movable: dict[str, list[int]] = {}
        self._stat_updates: list[dict] = []
        self._unhashed: list[Work] = []

    # ------------------------------------------------------------------ run
    def run(self) -> IndexReport:
        """Scan, diff and index; returns a report (also when cancelled)."""
        self.control.start_clock()
        self._emit(phase="scanning")
        work = self._scan_and_diff()
        self.progress.total = len(work)
        self._emit(phase="indexing")
        if work and not self.control.cancelled:
            self._process(work)
        if self._unhashed and not self.control.cancelled:
            self._emit(phase="hashing")
            self.backfill_phash(self._unhashed)
        self._emit(phase="saving")
        self.vectors.save(self.db.max_seq())
        self.report.cancelled = self.control.cancelled
        self.report.elapsed_s = self.control.active_s()  # paused time does not count
        self._emit(phase="cancelled" if self.report.cancelled else "done")
        return self.report

    # ----------------------------------------------------------- scan/diff
    def _scan_and_diff(self) -> list[Work]:
        diff = FolderDiff(self.db, self.folders, self.report.problems, self.options.verify,
                          cancelled=lambda: self.control.cancelled,
                          on_entry=lambda path: self._emit(current=display_path(path))).run()
        if diff.cancelled:
            return []
        self.vectors.remove(diff.missing_ids)
        self._root_of = diff.root_of
        self._movable = diff.movable
        self._unhashed = diff.unhashed
        self.report.scanned = diff.scanned
        self.report.skipped = diff.skipped
        self.report.missing = len(diff.missing_ids)
        self.report.offline = diff.offline
        self.report.offline_images = diff.offline_images
        self.report.failed += len(diff.failed)
        self.progress.skipped = diff.skipped
        self.progress.failed += len(diff.failed)
        self.progress.failures = (self.progress.failures + diff.failed)[-MAX_REPORTED_FAILURES:]
        if diff.undated:
            self._fill_dates(diff.undated)
        return diff.work

    def _fill_dates(self, undated: list[tuple[int, str]]) -> None:
        """Dates for the date filter of unchanged files indexed before they were recorded: a header read each
        (EXIF, else the file date), in the decode threads; no decoding, no model work."""
        with ThreadPoolExecutor(max_workers=self.options.workers(), thread_name_prefix="artseek-dates") as pool:
            for start in range(0, len(undated), 500):
                if self.control.cancelled:
                    return
                chunk = undated[start:start + 500]
                dates = list(pool.map(file_taken_at, [path for _, path in chunk]))
                rows = [dict(id=i, taken_at=d) for (i, _), d in zip(chunk, dates) if d is not None]
                if rows:
                    with self.db.session() as s:
                        s.execute(update(Image), rows)

    # ------------------------------------------------------------- process
    def _process(self, work: list[Work]) -> None:
        encoder = self.encoder_provider()
        if self.options.batch_size is None:
            self.options.batch_size = int(encoder.preferred_batch_size)
        cfg = encoder.preprocess_cfg
        batch: list[tuple[Work, DecodedImage]] = []
        window = max(2, self.options.workers()) * self.options.batch_size
        queue: deque[tuple[Work, Future[DecodedImage]]] = deque()
        pending = iter(work)
        if self.options.use_processes():
            pool_cm: Executor = ProcessPoolExecutor(max_workers=self.options.workers(), initializer=_worker_init)
        else:
            pool_cm = ThreadPoolExecutor(max_workers=self.options.workers(), thread_name_prefix="artseek-decode")
        with pool_cm as pool:
            def refill() -> None:
                while len(queue) < window:
                    item = next(pending, None)
                    if item is None:
                        return
                    queue.append((item, pool.submit(decode_for_index, item.entry.path, cfg, self.options.max_pixels,
                                                    item.known_hash)))

            refill()
            while queue:
                if not self.control.checkpoint():
                    for _, fut in queue:
                        fut.cancel()
                    break
                item, fut = queue.popleft()
                refill()
                if item.known_hash is not None:
                    self.report.checked += 1
                try:
                    decoded = fut.result()
                except BrokenExecutor:  # the decode workers were killed (e.g. a signal to the process group)
                    self.control.cancel()
                    break
                except DecodeError as exc:
                    self.record_failure(item, str(exc))
                except Exception as exc:  # noqa: BLE001 - one bad file never stops the run
                    self.record_failure(item, unexpected_decode_error(exc))
                else:
                    if decoded is None:
                        self._unchanged(item)
                    elif not self._reuse_existing(item, decoded):
                        self.report.replaced += item.same_stat
                        batch.append((item, decoded))
                if len(batch) >= self.options.batch_size:
                    self._embed_and_store(encoder, batch)
                    batch = []
                self._emit(current=item.entry.path)
            if batch and not self.control.cancelled:
                self._embed_and_store(encoder, batch)
        self._flush_stat_updates()

    def _unchanged(self, item: Work) -> None:
        """A checked file whose content is the one indexed: record its new stat, no model work."""
        e = item.entry
        self._stat_updates.append(dict(id=item.image_id, size=e.size, mtime_ns=e.mtime_ns, ctime_ns=e.ctime_ns,
                                       inode=e.inode))
        if len(self._stat_updates) >= 500:
            self._flush_stat_updates()
        self.report.skipped += 1
        self.progress.skipped += 1
        self.progress.done += 1

    def _flush_stat_updates(self) -> None:
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

    def _reuse_existing(self, item: Work, decoded: DecodedImage) -> bool:
        """Moved file: a missing record, or one of an offline folder, with the same content takes the new
        path and keeps its texts, tags and embedding (no model work)."""
        candidates = self._movable.get(decoded.content_hash)
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
            moved.root_id = self._root_of(item.entry.path)
            emb.seq = self.db.max_seq(s) + 1
            vector = np.frombuffer(emb.vector, dtype=np.float32)
        self.vectors.remove([item.image_id])
        self.vectors.add(np.array([moved_id]), vector[None, :])
        self.report.moved += 1
        self._count_indexed(1)
        return True

    def _embed_and_store(self, encoder: Encoder, batch: list[tuple[Work, DecodedImage]]) -> None:
        inputs = np.stack([d.model_input for _, d in batch])
        vectors = encoder.calibrate(inputs)  # torch on CPU decides bf16 once; otherwise just encode_images
        self._store(batch, vectors)

    def _store(self, batch: list[tuple[Work, DecodedImage]], vectors: np.ndarray) -> None:
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
        self._count_indexed(len(batch))
        if time.monotonic() - self._last_save > self.options.save_interval_s:
            self.vectors.save(seq)
            self._last_save = time.monotonic()

    def backfill_phash(self, items: list[Work]) -> None:
        """Give unchanged images their perceptual hashes, no model work: from the stored thumbnail (a 256 px
        JPEG: no file read), else a reduced-size decode of the file on the decode workers. A file that cannot
        be read now keeps none (tried again on the next re-scan)."""
        updates: list[dict] = []
        by_id = {item.image_id: item for item in items}
        ids = list(by_id)
        items = []  # those without a usable thumbnail: read from their file
        for start in range(0, len(ids), 500):
            if not self.control.checkpoint():
                return
            chunk = ids[start:start + 500]
            with self.db.session() as s:
                thumbs = dict(s.execute(select(Thumbnail.image_id, Thumbnail.jpeg)
                                        .where(Thumbnail.image_id.in_(chunk))).all())
            for image_id in chunk:
                value = phash_for_thumbnail(thumbs[image_id]) if thumbs.get(image_id) else None
                if value is None:
                    items.append(by_id[image_id])
                else:
                    updates.append(dict(id=image_id, phash=value[0], phash_crop=value[1]))
            self._write_phash(updates)
            updates = []
        if not items:
            return
        with ThreadPoolExecutor(max_workers=self.options.workers(), thread_name_prefix="artseek-phash") as pool:
            futures = [(item, pool.submit(phash_for_file, item.entry.path, item.known_hash, self.options.max_pixels))
                       for item in items]
            for item, fut in futures:
                if not self.control.checkpoint():
                    for _, f in futures:
                        f.cancel()
                    break
                try:
                    value = fut.result()
                except Exception:  # noqa: BLE001 - an unreadable file stays as indexed, without a hash
                    continue
                if value is not None:
                    updates.append(dict(id=item.image_id, phash=value[0], phash_crop=value[1]))
                if len(updates) >= 500:
                    self._write_phash(updates)
                    updates = []
        self._write_phash(updates)

    def _write_phash(self, updates: list[dict]) -> None:
        if updates:
            with self.db.session() as s:
                s.execute(update(Image), updates)
            self.report.hashed += len(updates)

    # ------------------------------------------- seams for indexing elsewhere
    # ``artseek.cluster`` decodes and embeds on a Ray cluster; it plans and stores through these, so a
    # cluster-built library holds exactly the records, thumbnails and failures of a desktop-built one.
    def plan(self) -> list[Work]:
        """Scan and diff like :meth:`run` (new files get pending records); the files that need indexing."""
        self.control.start_clock()
        work = self._scan_and_diff()
        self.progress.total = len(work)
        return work

    def store_embedded(self, batch: list[tuple[Work, DecodedImage]], vectors: np.ndarray) -> None:
        """Store files decoded and embedded elsewhere, as :meth:`run` stores its own (moved files included).

        ``vectors[i]`` is the embedding of ``batch[i]``; ``model_input`` of the decoded images is not used.
        """
        keep = [i for i, (item, decoded) in enumerate(batch) if not self._reuse_existing(item, decoded)]
        if keep:
            self._store([batch[i] for i in keep], np.asarray(vectors, dtype=np.float32)[keep])

    def may_be_moved(self, content_hash: str) -> bool:
        """Whether a file with this content may be a moved one (:meth:`store_embedded` then keeps its record)."""
        return bool(self._movable.get(content_hash))

    def count_stored(self, n: int) -> None:
        """Count ``n`` images stored by a bulk writer (``artseek.cluster.bulk_store``) as indexed."""
        self._count_indexed(n)

    def finish(self) -> IndexReport:
        """Save the vector index and return the report (the end of :meth:`run`)."""
        self._flush_stat_updates()
        self.vectors.save(self.db.max_seq())
        self.report.cancelled = self.control.cancelled
        self.report.elapsed_s = self.control.active_s()
        return self.report

    def _count_indexed(self, n: int) -> None:
        self.report.indexed += n
        self.progress.indexed += n
        self.progress.done += n

    # ------------------------------------------------------------ progress
    def _emit(self, phase: str | None = None, current: str | None = None) -> None:
        p = self.progress
        if phase:
            p.phase = phase
        if current is not None:
            p.current = current
        elapsed = max(1e-6, self.control.active_s())
        p.rate = p.done / elapsed if p.done else 0.0
        p.eta_s = (p.total - p.done) / p.rate if p.rate > 0 else None
        if self.listener:
            self.listener(p)
