"""The core API: a library folder with its database, vector index and model.

The CLI and the GUI's service layer both go through :class:`Library`; neither
holds search or indexing logic of its own. This module opens a library (lock,
database, model check), keeps its lifetime (the model, the vector index,
closing) and wires its parts: indexing (:mod:`artseek.ingest`), and the mixins
for searching (``library_search.py``), filters, folders, care, data and details.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PIL import Image as PILImage
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError

from artseek import config, index_sync
from artseek.captions.service import TextService
from artseek.composed import Composer
from artseek.duplicates import DuplicateFinder
from artseek.embedding.encoder import Encoder
from artseek.errors import (
    LibraryError,
    LibraryLockedError,
    LibraryReadOnlyError,
    ModelMismatchError,
)
from artseek.ingest.decode import DecodeError, open_for_display
from artseek.ingest.indexer import IndexingJob, IndexOptions, IndexReport
from artseek.ingest.progress import JobControl, ProgressListener
from artseek.library_care import META_LIBRARY_ID, LibraryCare
from artseek.library_data import LibraryData
from artseek.library_filters import LibraryFilters
from artseek.library_details import LibraryDetails
from artseek.library_folders import LibraryFolders
from artseek.library_lock import LibraryLock
from artseek.library_search import LibrarySearch
from artseek.storage import Database, Embedding, Image, ImageStatus, Thumbnail
from artseek.storage.errors import guarded, storage_errors
from artseek.vectors import VectorIndex
from artseek.vectors.hnsw_index import INDEX_FILENAME, STATE_FILENAME

META_MODEL = "model"
META_DIM = "embed_dim"


@dataclass
class LibraryStatus:
    """Counts and identity of a library, as ``status`` prints them."""

    library: str
    model: str | None
    indexed: int = 0
    failed: int = 0
    pending: int = 0
    missing: int = 0
    roots: list[str] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    read_only: bool = False
    notes: list[str] = field(default_factory=list)  # repairs made on open, a backup that could not be made
    # One entry per imported folder: {"path", "offline", "images"}. Offline: the folder is not there
    # (a drive or share not connected, or moved away); its images stay searchable and are left alone.
    folders: list[dict] = field(default_factory=list)

    @property
    def offline(self) -> list[str]:
        """The imported folders that are offline now."""
        return [f["path"] for f in self.folders if f["offline"]]

    def to_dict(self) -> dict:
        return asdict(self)


class Library(LibrarySearch, LibraryFolders, LibraryCare, LibraryData, LibraryFilters, LibraryDetails):
    """An opened library folder. Thread-safe for one writer plus readers."""

    def __init__(self, folder: Path | str | None = None, model: str | None = None,
                 weights: str | os.PathLike[str] | None = None, device: str | None = None,
                 read_only: bool = False, backend: str = "auto", int8: bool = False,
                 variant: str | None = None) -> None:
        self.folder = Path(folder).expanduser() if folder else config.default_library_dir()
        self.weights = weights
        self.device = device
        self.backend = backend
        self.int8 = int8
        self.variant = variant  # an explicit ONNX variant (benchmarks); None: the export's default
        self._encoder: Encoder | None = None
        self._encoder_lock = threading.Lock()
        self._vectors: VectorIndex | None = None
        self._texts: TextService | None = None
        self._texts_lock = threading.Lock()
        self._collections = None  # lib.collections, made on first use (LibraryData)
        self._duplicates: DuplicateFinder | None = None
        self.composer = Composer(self.folder, lambda: self.model_name, lambda: self.encoder)  # image+text queries
        self._lock = LibraryLock(self.folder)
        self.read_only = read_only
        self.library_id = ""
        #: What was wrong with the saved vector index when it was last opened (None: nothing).
        self.index_repair: str | None = None
        #: Why the last automatic backup could not be made (None: it was, or none was due).
        self.backup_problem: str | None = None
        with storage_errors(self.folder):
            self._open(model, read_only)

    def _open(self, model: str | None, read_only: bool) -> None:
        if not read_only:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except FileExistsError as exc:
                raise LibraryError(f"'{self.folder}' is a file, not a library folder.",
                                   "Choose a folder with --library.") from exc
            if not self._lock.acquire():
                raise_locked(self.folder)
        elif not (self.folder / "library.sqlite").exists():
            raise LibraryError(f"There is no library in '{self.folder}'.", "Index a folder first, or check --library.")
        try:
            self.db = Database(self.folder, read_only=read_only)
            recorded = self.db.get_meta(META_MODEL)
            if recorded and model and recorded != model:
                raise ModelMismatchError(
                    f"The library '{self.folder}' was built with the model '{recorded}', not '{model}'.",
                    f"Search it with --model {recorded}, or re-index it with the new model: "
                    f"'python main.py reindex --model {model} --library {self.folder}'.",
                )
            self.model_name = recorded or model or config.DEFAULT_MODEL
            if not recorded and not read_only:
                self.db.set_meta(META_MODEL, self.model_name)
            self.library_id = self.db.get_meta(META_LIBRARY_ID) or ""
            if not self.library_id and not read_only:
                self.library_id = uuid.uuid4().hex
                self.db.set_meta(META_LIBRARY_ID, self.library_id)
            dim = self.db.get_meta(META_DIM)
            if dim:
                self._open_vectors(int(dim))
            if not read_only:
                self.collections.relink()  # items whose files were moved or re-imported since the last run
        except BaseException:
            self._lock.release()
            raise

    # ----------------------------------------------------------- lifecycle
    def close(self) -> None:
        """Save the vector index (if writable) and release the library.

        A failed save (e.g. disk full) loses nothing: the previous index file
        stays in place and the next open re-applies the missing vectors from
        the database.
        """
        try:
            if self._vectors is not None and not self.read_only:
                self._vectors.save(self.db.max_seq())
            if self._tile_store is not None:
                self._tile_store.close()
        except (OSError, DBAPIError, RuntimeError):
            pass
        finally:
            self.release_filters()
            self.db.close()
            self._lock.release()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -------------------------------------------------------------- model
    @property
    def encoder_loaded(self) -> bool:
        return self._encoder is not None

    @property
    def encoder(self) -> Encoder:
        """The model, loaded on first use (thread-safe)."""
        with self._encoder_lock:
            if self._encoder is None:
                from artseek.embedding.loader import load_encoder

                extra = {"int8": True} if self.int8 else {}
                if self.variant:
                    extra["variant"] = self.variant
                encoder = load_encoder(self.model_name, self.weights, self.device, self.backend, **extra)
                recorded = self.db.get_meta(META_DIM)
                if recorded and int(recorded) != encoder.embed_dim:
                    raise ModelMismatchError(
                        f"The weights give {encoder.embed_dim}-d embeddings but the library holds "
                        f"{recorded}-d ones.", "Use the weights this library was built with, or re-index it.")
                if not recorded and not self.read_only:
                    self.db.set_meta(META_DIM, str(encoder.embed_dim))
                if self._vectors is None:
                    self._open_vectors(encoder.embed_dim)
                self._encoder = encoder
            return self._encoder

    @property
    def vectors(self) -> VectorIndex:
        if self._vectors is None:
            dim = self.db.get_meta(META_DIM)
            if dim:
                self._open_vectors(int(dim))
            else:
                self.encoder  # noqa: B018 - loading the model fixes the dimension
        assert self._vectors is not None
        return self._vectors

    def _forget_vectors(self) -> None:
        self._vectors, self._encoder, self._texts = None, None, None

    def _open_vectors(self, dim: int) -> None:
        self._vectors = VectorIndex(self.folder, dim, self.library_id)
        self.repair()

    def repair(self) -> tuple[int, int]:
        """Make the vector index agree with the database (after a crash or damage). Returns (added, removed).

        See :mod:`artseek.index_sync`: checked against the database, stale
        entries re-applied, rebuilt from the stored embeddings when it holds
        other vectors; :attr:`index_repair` says what was wrong.
        """
        assert self._vectors is not None
        added, removed = index_sync.sync(self.db, self._vectors, writable=not self.read_only)
        self.index_repair = self._vectors.load_problem
        return added, removed

    # ------------------------------------------------------------ indexing
    @guarded
    def index(self, folders: Iterable[Path | str], options: IndexOptions | None = None,
              listener: ProgressListener | None = None, control: JobControl | None = None) -> IndexReport:
        """Index (or re-scan) ``folders``; unchanged files cost no model work."""
        report = self.indexing_job(folders, options, listener, control).run()
        self.collections.relink()
        self.update_tiles(control)  # detail indexing, when on: tiles of the newly indexed images
        self.update_visual_words(control)  # reproduction indexing, when on: visual words of the new images
        if report.indexed or report.failed or report.missing or report.moved:
            self._auto_backup("after index")
        return report

    def indexing_job(self, folders: Iterable[Path | str], options: IndexOptions | None = None,
                     listener: ProgressListener | None = None, control: JobControl | None = None) -> IndexingJob:
        """The job :meth:`index` runs, for callers that decode and embed elsewhere (``artseek.cluster``)."""
        self.require_writable()
        return IndexingJob(self.db, self.vectors, lambda: self.encoder, [Path(f) for f in folders], options,
                           listener, control)

    @guarded
    def rescan(self, options: IndexOptions | None = None, listener: ProgressListener | None = None,
               control: JobControl | None = None) -> IndexReport:
        """Re-index every imported folder."""
        return self.index(self.roots(), options, listener, control)

    @guarded
    def switch_model(self, model: str) -> None:
        """Forget all embeddings and record ``model``; a following :meth:`rescan` re-indexes."""
        self.require_writable()
        self._auto_backup("before reindex")
        with self.db.session() as s:
            s.execute(delete(Embedding))
            s.execute(update(Image).where(Image.status == ImageStatus.INDEXED).values(status=ImageStatus.PENDING))
        self.db.set_meta(META_MODEL, model)
        with self.db.session() as s:
            from artseek.storage import Meta

            s.execute(delete(Meta).where(Meta.key == META_DIM))
        for name in (INDEX_FILENAME, STATE_FILENAME):
            (self.folder / name).unlink(missing_ok=True)
        self.model_name, self._encoder, self._vectors, self._texts = model, None, None, None
        self._tile_store, self._finder = None, None  # the tiles of the old model go at their next sync

    # -------------------------------------------------------------- status
    def status(self, max_failures: int = 1000) -> LibraryStatus:
        """Counts by state, the model, imported folders and the failed files with reasons."""
        with self.db.session() as s:
            counts = dict(s.execute(select(Image.status, func.count()).group_by(Image.status)).all())
            failures = [{"path": p, "reason": r or "unknown error"} for p, r in s.execute(
                select(Image.path, Image.error).where(Image.status == ImageStatus.FAILED)
                .order_by(Image.path).limit(max_failures))]
        return LibraryStatus(
            library=str(self.folder), model=self.model_name,
            indexed=counts.get(ImageStatus.INDEXED, 0), failed=counts.get(ImageStatus.FAILED, 0),
            pending=counts.get(ImageStatus.PENDING, 0), missing=counts.get(ImageStatus.MISSING, 0),
            roots=self.roots(), failures=failures, read_only=self.read_only, folders=self.folders(),
            notes=[n for n in (self.index_repair and f"{self.index_repair} It was rebuilt from the stored embeddings.",
                               self.backup_problem and f"The last automatic backup failed: {self.backup_problem}")
                   if n],
        )

    @property
    def duplicates(self) -> DuplicateFinder:
        """The duplicate finder (identical, near-identical, similar; see :mod:`artseek.duplicates`)."""
        if self._duplicates is None or self._duplicates.db is not self.db:  # a restored backup opens a new db
            self._duplicates = DuplicateFinder(
                self.db, lambda: self.vectors if self.db.get_meta(META_DIM) else None,
                lambda: self.read_only, self.require_writable)
        return self._duplicates

    # --------------------------------------------------------------- items
    def thumbnail(self, image_id: int) -> bytes | None:
        """JPEG bytes of an image's thumbnail, if it has one."""
        with self.db.session() as s:
            return s.scalar(select(Thumbnail.jpeg).where(Thumbnail.image_id == image_id))

    def image_preview(self, image_id: int, max_side: int = 1600) -> PILImage.Image:
        """An image's file decoded as indexing decodes it (every format ArtSeek reads), at most ``max_side``
        pixels; raises :class:`artseek.ingest.decode.DecodeError` with the reason when it cannot be read."""
        record = self.image_record(image_id)
        if record is None:
            raise DecodeError("the image is no longer in the library")
        return open_for_display(record["path"], max_side)

    def image_record(self, image_id: int) -> dict | None:
        """Metadata of one image as a plain dict."""
        with self.db.session() as s:
            row = s.get(Image, image_id)
            if row is None:
                return None
            return {"id": row.id, "path": row.path, "size": row.size, "width": row.width, "height": row.height,
                    "format": row.format, "status": row.status, "error": row.error,
                    "indexed_at": row.indexed_at.isoformat() if row.indexed_at else None}

    def image_id_for_path(self, path: str | os.PathLike[str]) -> int | None:
        with self.db.session() as s:
            return s.scalar(select(Image.id).where(Image.path == os.path.abspath(path)))

    def require_writable(self) -> None:
        """Raise :class:`LibraryError` if this library is open read-only."""
        if self.read_only:
            raise LibraryError(f"The library '{self.folder}' is open read-only.",
                               "Close the other ArtSeek window or process using it, then try again.")


def open_library(folder: Path | str | None = None, *, read_only_ok: bool = True, **kwargs: object) -> Library:
    """Open (or create) a library; read-only when another process writes to it or its media is read-only.

    The one fallback used by the CLI and the window. ``kwargs`` are :class:`Library`'s
    (model, weights, device, backend, int8). With ``read_only_ok=False`` the lock or
    read-only error is raised instead.
    """
    try:
        return Library(folder, **kwargs)  # type: ignore[arg-type]
    except (LibraryLockedError, LibraryReadOnlyError):
        if not read_only_ok:
            raise
        return Library(folder, read_only=True, **kwargs)  # type: ignore[arg-type]


def raise_locked(folder: Path) -> None:
    raise LibraryLockedError(
        f"The library '{folder}' is already open in another ArtSeek window or process.",
        "Close the other one (or wait for its indexing to finish), then try again.",
    )

