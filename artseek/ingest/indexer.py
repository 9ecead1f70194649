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
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from artseek.embedding.cpu_features import available_cores
from artseek.embedding.encoder import Encoder
from artseek.ingest.decode import DEFAULT_MAX_PIXELS, DecodedImage, DecodeError, decode_for_index
from artseek.ingest.progress import IndexProgress, JobControl, ProgressListener
from artseek.ingest.scanner import FileEntry, ScanProblem, scan_folder
from artseek.storage import Database, Embedding, Image, ImageStatus, ImportRoot, Thumbnail
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
    cancelled: bool = False
    elapsed_s: float = 0.0
    problems: list[ScanProblem] = field(default_factory=list)


@dataclass
class _Work:
    entry: FileEntry
    image_id: int


WorkItem = _Work  # public name of a planned file (its scan entry and its image id), for IndexingJob.plan()


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
        self._start = time.monotonic()
        self._root_of: Callable[[str], int | None] = lambda _path: None
        self._missing_hashes: set[str] = set()

    # ------------------------------------------------------------------ run
    def run(self) -> IndexReport:
        """Scan, diff and index; returns a report (also when cancelled)."""
        self._start = time.monotonic()
        self._emit(phase="scanning")
        work = self._scan_and_diff()
        self.progress.total = len(work)
        self._emit(phase="indexing")
        if work and not self.control.cancelled:
            self._process(work)
        self._emit(phase="saving")
        self.vectors.save(self.db.max_seq())
        self.report.cancelled = self.control.cancelled
        self.report.elapsed_s = time.monotonic() - self._start
        self._emit(phase="cancelled" if self.report.cancelled else "done")
        return self.report

    # ----------------------------------------------------------- scan/diff
    def _scan_and_diff(self) -> list[_Work]:
        entries: dict[str, FileEntry] = {}
        root_ids: dict[str, int] = {}
        with self.db.session() as s:
            for folder in self.folders:
                root = s.scalar(select(ImportRoot).where(ImportRoot.path == str(folder)))
                if root is None:
                    root = ImportRoot(path=str(folder))
                    s.add(root)
                    s.flush()
                root_ids[str(folder)] = root.id
        for folder in self.folders:
            if not folder.is_dir():
                self.report.problems.append(ScanProblem(str(folder), "not a folder, or it cannot be opened"))
                continue
            for entry in scan_folder(folder, self.report.problems):
                entries.setdefault(entry.path, entry)
                if len(entries) % 500 == 0:
                    self._emit(current=entry.path)
                if self.control.cancelled:
                    return []
        self.report.scanned = len(entries)

        work: list[_Work] = []
        with self.db.session() as s:
            rows = s.execute(select(Image.id, Image.path, Image.size, Image.mtime_ns, Image.status)).all()
            by_path = {r.path: r for r in rows}
            # Files that vanished from the scanned folders become "missing".
            prefixes = tuple(str(f) + os.sep for f in self.folders)
            gone = [r.id for r in rows if r.path.startswith(prefixes) and r.path not in entries
                    and r.status != ImageStatus.MISSING]
            for start in range(0, len(gone), 500):
                chunk = gone[start:start + 500]
                s.execute(update(Image).where(Image.id.in_(chunk)).values(status=ImageStatus.MISSING, error=None))
            self.vectors.remove(gone)
            self.report.missing = len(gone)
            new_rows = []
            for path, entry in entries.items():
                row = by_path.get(path)
                if row is not None and row.status == ImageStatus.INDEXED and row.size == entry.size \
                        and row.mtime_ns == entry.mtime_ns:
                    self.report.skipped += 1
                    continue
                if row is None:
                    new_rows.append(entry)
                else:
                    work.append(_Work(entry, row.id))
            self._root_of = self._root_lookup(root_ids)
            for entry in new_rows:
                image = Image(path=entry.path, size=entry.size, mtime_ns=entry.mtime_ns,
                              status=ImageStatus.PENDING, root_id=self._root_of(entry.path))
                s.add(image)
                s.flush()
                work.append(_Work(entry, image.id))
            self._missing_hashes = set(s.scalars(select(Image.content_hash).where(
                Image.status == ImageStatus.MISSING, Image.content_hash.is_not(None))))
        self.progress.skipped = self.report.skipped
        return work

    def _root_lookup(self, root_ids: dict[str, int]) -> Callable[[str], int | None]:
        ordered = sorted(root_ids.items(), key=lambda kv: -len(kv[0]))

        def lookup(path: str) -> int | None:
            for root, rid in ordered:
                if path.startswith(root + os.sep):
                    return rid
            return None

        return lookup

    # ------------------------------------------------------------- process
    def _process(self, work: list[_Work]) -> None:
        encoder = self.encoder_provider()
        if self.options.batch_size is None:
            self.options.batch_size = int(encoder.preferred_batch_size)
        cfg = encoder.preprocess_cfg
        batch: list[tuple[_Work, DecodedImage]] = []
        window = max(2, self.options.workers()) * self.options.batch_size
        queue: deque[tuple[_Work, Future[DecodedImage]]] = deque()
        pending = iter(work)
        if self.options.use_processes():
            pool_cm: Executor = ProcessPoolExecutor(max_workers=self.options.workers())
        else:
            pool_cm = ThreadPoolExecutor(max_workers=self.options.workers(), thread_name_prefix="artseek-decode")
        with pool_cm as pool:
            def refill() -> None:
                while len(queue) < window:
                    item = next(pending, None)
                    if item is None:
                        return
                    queue.append((item, pool.submit(decode_for_index, item.entry.path, cfg, self.options.max_pixels)))

            refill()
            while queue:
                if not self.control.checkpoint():
                    for _, fut in queue:
                        fut.cancel()
                    break
                item, fut = queue.popleft()
                refill()
                try:
                    decoded = fut.result()
                except DecodeError as exc:
                    self.record_failure(item, str(exc))
                except Exception as exc:  # noqa: BLE001 - one bad file never stops the run
                    self.record_failure(item, unexpected_decode_error(exc))
                else:
                    if not self._reuse_existing(item, decoded):
                        batch.append((item, decoded))
                if len(batch) >= self.options.batch_size:
                    self._embed_and_store(encoder, batch)
                    batch = []
                self._emit(current=item.entry.path)
            if batch and not self.control.cancelled:
                self._embed_and_store(encoder, batch)

    def record_failure(self, item: _Work, reason: str) -> None:
        """Record ``item`` as failed with a readable ``reason`` (and drop any old vector of it)."""
        with self.db.session() as s:
            s.execute(update(Image).where(Image.id == item.image_id).values(
                status=ImageStatus.FAILED, error=reason, size=item.entry.size, mtime_ns=item.entry.mtime_ns))
        self.vectors.remove([item.image_id])
        self.report.failed += 1
        self.progress.failed += 1
        self.progress.done += 1
        self.progress.failures = (self.progress.failures + [(item.entry.path, reason)])[-MAX_REPORTED_FAILURES:]

    def _reuse_existing(self, item: _Work, decoded: DecodedImage) -> bool:
        """Moved file (a missing record with the same content): keep that record and its texts."""
        if decoded.content_hash not in self._missing_hashes:
            return False
        with self.db.session() as s:
            moved = s.scalar(
                select(Image).join(Embedding, Embedding.image_id == Image.id)
                .where(Image.content_hash == decoded.content_hash, Image.status == ImageStatus.MISSING)
                .limit(1)
            )
            if moved is None:
                return False
            placeholder = s.get(Image, item.image_id)
            if placeholder is not None and placeholder.id != moved.id:
                s.delete(placeholder)
                s.flush()
            moved.path = item.entry.path
            moved.size, moved.mtime_ns = item.entry.size, item.entry.mtime_ns
            moved.status, moved.error, moved.indexed_at = ImageStatus.INDEXED, None, _now()
            moved.root_id = self._root_of(item.entry.path)
            emb = s.get(Embedding, moved.id)
            emb.seq = self.db.max_seq(s) + 1
            vector = np.frombuffer(emb.vector, dtype=np.float32)
            moved_id = moved.id
        self.vectors.remove([item.image_id])
        self.vectors.add(np.array([moved_id]), vector[None, :])
        self.report.moved += 1
        self._count_indexed(1)
        return True

    def _embed_and_store(self, encoder: Encoder, batch: list[tuple[_Work, DecodedImage]]) -> None:
        inputs = np.stack([d.model_input for _, d in batch])
        vectors = encoder.calibrate(inputs)  # torch on CPU decides bf16 once; otherwise just encode_images
        self._store(batch, vectors)

    def _store(self, batch: list[tuple[_Work, DecodedImage]], vectors: np.ndarray) -> None:
        ids = np.array([w.image_id for w, _ in batch], dtype=np.int64)
        now = _now()
        with self.db.session() as s:
            seq = self.db.max_seq(s)
            s.execute(update(Image), [
                dict(id=w.image_id, size=w.entry.size, mtime_ns=w.entry.mtime_ns, content_hash=d.content_hash,
                     width=d.width, height=d.height, format=d.format, status=ImageStatus.INDEXED, error=None,
                     indexed_at=now) for w, d in batch])
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

    # ------------------------------------------- seams for indexing elsewhere
    # ``artseek.cluster`` decodes and embeds on a Ray cluster; it plans and stores through these, so a
    # cluster-built library holds exactly the records, thumbnails and failures of a desktop-built one.
    def plan(self) -> list[_Work]:
        """Scan and diff like :meth:`run` (new files get pending records); the files that need indexing."""
        self._start = time.monotonic()
        work = self._scan_and_diff()
        self.progress.total = len(work)
        return work

    def store_embedded(self, batch: list[tuple[_Work, DecodedImage]], vectors: np.ndarray) -> None:
        """Store files decoded and embedded elsewhere, as :meth:`run` stores its own (moved files included).

        ``vectors[i]`` is the embedding of ``batch[i]``; ``model_input`` of the decoded images is not used.
        """
        keep = [i for i, (item, decoded) in enumerate(batch) if not self._reuse_existing(item, decoded)]
        if keep:
            self._store([batch[i] for i in keep], np.asarray(vectors, dtype=np.float32)[keep])

    def finish(self) -> IndexReport:
        """Save the vector index and return the report (the end of :meth:`run`)."""
        self.vectors.save(self.db.max_seq())
        self.report.cancelled = self.control.cancelled
        self.report.elapsed_s = time.monotonic() - self._start
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
        elapsed = max(1e-6, time.monotonic() - self._start)
        p.rate = p.done / elapsed if p.done else 0.0
        p.eta_s = (p.total - p.done) / p.rate if p.rate > 0 else None
        if self.listener:
            self.listener(p)
