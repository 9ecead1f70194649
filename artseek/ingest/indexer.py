"""The indexing job: scan, diff against the library, decode in parallel, embed in batches, store.

Decoding runs in a thread pool (PIL releases the GIL while decoding) a few
batches ahead of the model, so decoding and inference overlap. Every batch is
committed to SQLite in one transaction *before* its vectors enter the ANN
index (``writer.py``: what a run writes); the index is saved atomically from
time to time and at the end, and :meth:`artseek.library.Library.open` repairs
any difference after a crash. This module holds the run: options and report,
scan and diff, the decode/embed pipeline, the backfills of unchanged images,
progress, and the seams the cluster path plans and stores through.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from sqlalchemy import select, update

from artseek.embedding.cpu_features import available_cores
from artseek.embedding.encoder import Encoder
from artseek.ingest.decode import (
    DEFAULT_MAX_PIXELS,
    DecodedImage,
    DecodeError,
    decode_for_index,
    hash_file,
    file_taken_at,
    phash_for_file,
    phash_for_thumbnail,
)
from artseek.ingest.diff import FolderDiff, Work
from artseek.ingest.progress import IndexProgress, JobControl, ProgressListener
from artseek.ingest.scanner import ScanProblem, display_path
from artseek.ingest.writer import MAX_REPORTED_FAILURES, IndexWriter
from artseek.storage import Database, Image, Thumbnail
from artseek.vectors import VectorIndex


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


def _digest(path: str) -> str:
    """A file's content hash (read in chunks; the head :func:`hash_file` also returns is not kept)."""
    return hash_file(path)[0]


WorkItem = Work  # public name of a planned file (its scan entry and its image id), for IndexingJob.plan()


def unexpected_decode_error(exc: BaseException) -> str:
    """The failure reason recorded for an error decoding raised that is not a :class:`DecodeError`."""
    return f"unexpected error while decoding ({type(exc).__name__}: {exc})"


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
        self.writer = IndexWriter(db, vectors, self.report, self.progress, self.options)
        self._unhashed: list[Work] = []

    # ------------------------------------------------------------------ run
    def run(self) -> IndexReport:
        """Scan, diff and index; returns a report (also when cancelled)."""
        self.control.start_clock()
        self._emit(phase="scanning")
        work = self._scan_and_diff()
        self.progress.total = len(work)
        self._emit(phase="indexing")
        if work and all(item.known_hash is not None for item in work) and not self.control.cancelled:
            work = self._check_first(work)  # only files to check (e.g. --verify): the model loads if one changed
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
        self.writer.root_of = diff.root_of
        self.writer.movable = diff.movable
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
    def _check_first(self, work: list[Work]) -> list[Work]:
        """Compare the content of files to check with their stored hash before any model work (the model is not
        even loaded when none changed); returns the changed ones (and unreadable ones, which then fail with their
        reason), to index without checking again."""
        changed: list[Work] = []
        with ThreadPoolExecutor(max_workers=self.options.workers(), thread_name_prefix="artseek-check") as pool:
            futures = [(item, pool.submit(_digest, item.entry.path)) for item in work]
            for item, fut in futures:
                if not self.control.checkpoint():
                    for _, f in futures:
                        f.cancel()
                    break
                self.report.checked += 1
                try:
                    same = fut.result() == item.known_hash
                except Exception:  # noqa: BLE001 - indexing it records the reason
                    same = False
                if same:
                    self.writer.unchanged(item)
                else:
                    changed.append(replace(item, known_hash=None))
                self._emit(current=item.entry.path)
        self.writer.flush_stat_updates()
        return changed

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
                        self.writer.unchanged(item)
                    elif not self.writer.reuse_existing(item, decoded):
                        self.report.replaced += item.same_stat
                        batch.append((item, decoded))
                if len(batch) >= self.options.batch_size:
                    self._embed_and_store(encoder, batch)
                    batch = []
                self._emit(current=item.entry.path)
            if batch and not self.control.cancelled:
                self._embed_and_store(encoder, batch)
        self.writer.flush_stat_updates()

    def record_failure(self, item: Work, reason: str) -> None:
        """Record ``item`` as failed with a readable ``reason`` (and drop any old vector of it)."""
        self.writer.record_failure(item, reason)

    def _embed_and_store(self, encoder: Encoder, batch: list[tuple[Work, DecodedImage]]) -> None:
        inputs = np.stack([d.model_input for _, d in batch])
        vectors = encoder.calibrate(inputs)  # torch on CPU decides bf16 once; otherwise just encode_images
        self.writer.store(batch, vectors)

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
            self.writer.write_phash(updates)
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
                    self.writer.write_phash(updates)
                    updates = []
        self.writer.write_phash(updates)

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
        keep = [i for i, (item, decoded) in enumerate(batch) if not self.writer.reuse_existing(item, decoded)]
        if keep:
            self.writer.store([batch[i] for i in keep], np.asarray(vectors, dtype=np.float32)[keep])

    def may_be_moved(self, content_hash: str) -> bool:
        """Whether a file with this content may be a moved one (:meth:`store_embedded` then keeps its record)."""
        return bool(self.writer.movable.get(content_hash))

    def count_stored(self, n: int) -> None:
        """Count ``n`` images stored by a bulk writer (``artseek.cluster.bulk_store``) as indexed."""
        self.writer.count_indexed(n)

    def finish(self) -> IndexReport:
        """Save the vector index and return the report (the end of :meth:`run`)."""
        self.writer.flush_stat_updates()
        self.vectors.save(self.db.max_seq())
        self.report.cancelled = self.control.cancelled
        self.report.elapsed_s = self.control.active_s()
        return self.report

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
