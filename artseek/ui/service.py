"""The service layer: the one place where the window meets the core.

:class:`LibraryService` owns the :class:`artseek.library.Library`, runs every
long operation on worker threads and reports back with Qt signals, which are
delivered on the UI thread. Widgets never call the core directly.

Threads:

* the *write* pool (one thread) opens/closes libraries, runs indexing jobs one
  at a time and removes folders, so writes are serialised;
* the *read* pool runs searches, the model warm-up, details and descriptions
  (the library allows readers next to its one writer);
* the thumbnail loader has its own small pool.

The core (and with it hnswlib, and later torch) is imported on a worker thread
the first time a library is opened, never at import time of this module.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThread, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage, QImageReader

from artseek.errors import ArtSeekError
from artseek.ingest.progress import IndexProgress, JobControl
from artseek.ui.query_state import QueryState
from artseek.ui.thumbnails import ThumbnailLoader

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.1  # at most ten progress updates a second reach the UI
BACKGROUND_NICE = 10  # OS priority of the writer thread (indexing) below the UI thread's


def describe_error(exc: BaseException) -> str:
    """A message a curator can read (ArtSeekError's text is written for them)."""
    if isinstance(exc, ArtSeekError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "ArtSeek ran out of memory.\nClose other programs, or index smaller folders at a time."
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        return f"A file could not be read or written{where}: {exc.strerror or exc}."
    return f"An unexpected error occurred: {type(exc).__name__}: {exc}"


# ------------------------------------------------------------------ results
@dataclass
class SearchOutcome:
    token: int
    results: list  # list[artseek.search.results.SearchResult]
    description: str
    elapsed_s: float


@dataclass
class Captions:
    """Best-matching texts and suggested keywords for one image (from the caption engine)."""

    image_id: int
    texts: list[tuple[str, float, str, str]] = field(default_factory=list)  # text, score, source, kind
    keywords: list[tuple[str, float]] = field(default_factory=list)  # term, score
    available: bool = False  # False: this build has no caption engine
    error: str = ""


@dataclass
class ImageDetails:
    image_id: int
    record: dict | None
    image: QImage | None
    error: str = ""


# ------------------------------------------------------------------ workers
class _Relay(QObject):
    """Carries results from worker threads to the UI thread (queued connections)."""

    done = Signal(int, object)
    failed = Signal(int, object, str)
    progress = Signal(object)


_lowered = threading.local()


def lower_thread_priority() -> None:
    """Run the calling worker thread (and the threads it starts) below the UI thread's priority.

    Indexing keeps every core busy; at a lower priority the operating system
    lets the UI thread in first, so the window never stutters. On Linux the
    nice value is per thread and inherited by threads created afterwards (the
    indexer's decode and inference threads); elsewhere Qt's thread priority does it.
    """
    if getattr(_lowered, "done", False):
        return
    _lowered.done = True
    try:
        if sys.platform.startswith("linux"):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)
        else:
            QThread.currentThread().setPriority(QThread.Priority.LowPriority)
    except (OSError, AttributeError):  # not permitted or not supported: run at normal priority
        pass


class _Task(QRunnable):
    def __init__(self, task_id: int, fn: Callable[[], Any], relay: _Relay, background: bool = False) -> None:
        super().__init__()
        self._id, self._fn, self._relay, self._background = task_id, fn, relay, background

    def run(self) -> None:
        if self._background:
            lower_thread_priority()
        try:
            result = self._fn()
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the UI as a message
            self._relay.failed.emit(self._id, exc, traceback.format_exc())
        else:
            self._relay.done.emit(self._id, result)


class _ThrottledListener:
    """An indexing ProgressListener that forwards at most every ``interval`` seconds."""

    def __init__(self, emit: Callable[[IndexProgress], None], interval: float = PROGRESS_INTERVAL_S) -> None:
        self._emit, self._interval, self._last = emit, interval, 0.0
        self._phase = ""

    def __call__(self, p: IndexProgress) -> None:
        now = time.monotonic()
        if p.phase == self._phase and now - self._last < self._interval:
            return
        self._phase, self._last = p.phase, now
        self._emit(IndexProgress(**{**vars(p), "failures": list(p.failures)}))


def _open_library(folder: str | None, model: str | None, weights: str | None, device: str | None,
                  backend: str, strict_model: bool):  # noqa: ANN202 - returns a Library
    """Open (or create) a library; read-only when another process writes to it."""
    from artseek.errors import LibraryLockedError, LibraryReadOnlyError, ModelMismatchError
    from artseek.library import Library

    def attempt(model: str | None, weights: str | None):  # noqa: ANN202
        kwargs = dict(model=model, weights=weights, device=device, backend=backend)
        try:
            return Library(folder, **kwargs)
        except (LibraryLockedError, LibraryReadOnlyError):  # in use elsewhere, or on read-only media
            return Library(folder, read_only=True, **kwargs)

    try:
        return attempt(model, weights)
    except ModelMismatchError:
        if strict_model or model is None:
            raise
        return attempt(None, None)  # the library's own model


# ------------------------------------------------------------------ service
class LibraryService(QObject):
    """Owns the Library; every call returns at once and answers with a signal."""

    libraryOpened = Signal(object)  # LibraryStatus
    libraryFailed = Signal(str)
    libraryClosed = Signal()
    statusChanged = Signal(object)  # LibraryStatus
    modelStateChanged = Signal(str, str)  # "loading" | "ready" | "failed", detail
    searchStarted = Signal(str)
    searchFinished = Signal(object)  # SearchOutcome
    searchFailed = Signal(str)
    indexStarted = Signal(str)
    indexProgress = Signal(object)  # IndexProgress
    indexPaused = Signal(bool)
    indexFinished = Signal(object)  # IndexReport
    indexFailed = Signal(str)
    captionsReady = Signal(object)  # Captions
    detailsReady = Signal(object)  # ImageDetails
    message = Signal(str)  # a short status-bar message
    error = Signal(str, str)  # title, message (shown as a dialog)

    def __init__(self, model: str | None = None, weights: str | None = None, device: str | None = None,
                 backend: str = "auto", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model, self.weights, self.device, self.backend = model, weights, device, backend
        self._library = None
        self._status = None
        self._read_pool = QThreadPool(self)
        self._read_pool.setMaxThreadCount(2)
        self._write_pool = QThreadPool(self)
        self._write_pool.setMaxThreadCount(1)
        self.thumbnails = ThumbnailLoader(self._fetch_thumbnail, parent=self)
        self._relay = _Relay()
        self._relay.done.connect(self._on_done)
        self._relay.failed.connect(self._on_failed)
        self._relay.progress.connect(self._on_progress)
        self._ids = count(1)
        self._callbacks: dict[int, tuple[Callable | None, Callable | None]] = {}
        self._control: JobControl | None = None
        self._index_queue: list[tuple[Callable, str]] = []
        self._search_token = 0
        self._search_running = False
        self._pending_search: tuple | None = None
        self._opening = False
        self._opened_lib = None
        self._describe_running = False
        self._describe_pending: tuple[int, int] | None = None
        self.model_state = "none"
        self.last_progress: IndexProgress | None = None

    # ------------------------------------------------------------ state
    @property
    def library(self):  # noqa: ANN201 - the open Library or None (for tests and the status dialog)
        return self._library

    @property
    def is_open(self) -> bool:
        return self._library is not None

    @property
    def opening(self) -> bool:
        return self._opening

    @property
    def read_only(self) -> bool:
        return bool(self._library is not None and self._library.read_only)

    @property
    def indexing(self) -> bool:
        return self._control is not None

    @property
    def paused(self) -> bool:
        return bool(self._control is not None and self._control.paused)

    @property
    def searching(self) -> bool:
        return self._search_running

    @property
    def status(self):  # noqa: ANN201 - the last LibraryStatus
        return self._status

    @property
    def busy(self) -> bool:
        """True while any background work is pending (tests wait on this)."""
        return bool(self._callbacks) or self._opening

    # ------------------------------------------------------------ plumbing
    def _submit(self, pool: QThreadPool, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
                on_error: Callable[[str], None] | None = None) -> int:
        task_id = next(self._ids)
        self._callbacks[task_id] = (on_done, on_error)
        pool.start(_Task(task_id, fn, self._relay, background=pool is self._write_pool))
        return task_id

    @Slot(int, object)
    def _on_done(self, task_id: int, result: object) -> None:
        on_done, _ = self._callbacks.pop(task_id, (None, None))
        if on_done is not None:
            on_done(result)

    @Slot(int, object, str)
    def _on_failed(self, task_id: int, exc: BaseException, tb: str) -> None:
        _, on_error = self._callbacks.pop(task_id, (None, None))
        if not isinstance(exc, ArtSeekError):
            log.error("Background task failed:\n%s", tb)
        text = describe_error(exc)
        if on_error is not None:
            on_error(text)
        else:
            self.error.emit("ArtSeek", text)

    def _need_library(self, write: bool = False) -> bool:
        if self._library is None:
            self.error.emit("No library", "No library is open.\nUse File → Open library… first."
                            if not self._opening else "The library is still opening; try again in a moment.")
            return False
        if write and self._library.read_only:
            self.error.emit("Read-only library",
                            f"The library '{self._library.folder}' is open read-only because another ArtSeek "
                            "window or process is using it.\nClose the other one, then reopen the library.")
            return False
        return True

    # ------------------------------------------------------------ library
    def open_library(self, folder: str | os.PathLike[str] | None, model: str | None = None,
                     weights: str | None = None, strict_model: bool = True) -> bool:
        """Close the current library (if any) and open ``folder`` (created if new)."""
        if self.indexing:
            self.error.emit("Indexing in progress",
                            "Another library cannot be opened while indexing runs.\n"
                            "Wait for it to finish, or cancel it first.")
            return False
        old, self._library, self._status = self._library, None, None
        self.thumbnails.reset()
        self._pending_search = None
        self._search_token += 1
        if old is not None:
            self.libraryClosed.emit()
        self._opening = True
        folder_s = os.fspath(folder) if folder else None
        model = model if model is not None else self.model
        weights = weights if weights is not None else self.weights
        device, backend = self.device, self.backend
        read_pool, thumbs = self._read_pool, self.thumbnails

        def work():  # noqa: ANN202
            read_pool.waitForDone()
            thumbs.wait()
            if old is not None:
                old.close()
            lib = _open_library(folder_s, model, weights, device, backend, strict_model)
            self._opened_lib = lib  # so that close_library() can close it before the signal arrives
            return lib, lib.status()

        self._submit(self._write_pool, work, self._opened, self._open_failed)
        return True

    def _opened(self, result: tuple) -> None:
        self._opening = False
        self._opened_lib = None
        self._library, self._status = result
        self.thumbnails.reset()
        self.model_state = "none"
        self.libraryOpened.emit(self._status)
        self.warm_up()

    def _open_failed(self, text: str) -> None:
        self._opening = False
        self.libraryFailed.emit(text)

    def close_library(self) -> None:
        """Close synchronously (at shutdown): cancel indexing, wait for workers, save the index."""
        self._index_queue.clear()
        if self._control is not None:
            self._control.cancel()
        self._pending_search = None
        self._write_pool.waitForDone()
        self._read_pool.waitForDone()
        self.thumbnails.wait()
        lib, self._library = self._library or self._opened_lib, None
        self._opened_lib = None
        if lib is not None:
            try:
                lib.close()
            except Exception:  # noqa: BLE001 - closing must not prevent quitting
                log.exception("Closing the library failed")
        self._callbacks.clear()

    def refresh_status(self) -> None:
        lib = self._library
        if lib is not None:
            self._submit(self._read_pool, lambda: lib.status(), self._set_status)

    def _set_status(self, status: object) -> None:
        if self._library is not None:
            self._status = status
            self.statusChanged.emit(status)

    # -------------------------------------------------------------- model
    def warm_up(self) -> None:
        """Load the model in the background so the first search is quick."""
        lib = self._library
        if lib is None:
            return
        if lib.encoder_loaded:
            self._model_ready(lib)
            return
        self.model_state = "loading"
        self.modelStateChanged.emit("loading", lib.model_name)

        def work():  # noqa: ANN202
            lib.encoder  # noqa: B018 - loads the model
            return lib

        self._submit(self._read_pool, work, self._model_ready, self._model_failed)

    def _model_ready(self, lib: object) -> None:
        if lib is self._library:
            self.model_state = "ready"
            self.modelStateChanged.emit("ready", self._library.model_name)

    def _model_failed(self, text: str) -> None:
        self.model_state = "failed"
        self.modelStateChanged.emit("failed", text)
        self.error.emit("The model could not be loaded", text)

    # ------------------------------------------------------------- search
    def search(self, state: QueryState, top_k: int = 100) -> int:
        """Run ``state`` as a query; only the newest request's results are delivered."""
        if not self._need_library():
            return 0
        query = state.to_query()
        if query.is_empty():
            self.searchFailed.emit("Nothing to search for.\nType a description, drop or paste an image, "
                                   "or mark results with + and −.")
            return 0
        self._search_token += 1
        request = (self._search_token, query, top_k, state.describe())
        if self._search_running:
            self._pending_search = request
        else:
            self._start_search(request)
        return self._search_token

    def _start_search(self, request: tuple) -> None:
        token, query, top_k, description = request
        lib = self._library
        if lib is None:
            return
        self._search_running = True
        self.searchStarted.emit(description)

        def work() -> SearchOutcome:
            start = time.perf_counter()
            results = lib.search_query(query, top_k)
            return SearchOutcome(token, results, description, time.perf_counter() - start)

        def done(outcome: SearchOutcome) -> None:
            self._search_finished()
            if outcome.token == self._search_token and lib is self._library:
                self.searchFinished.emit(outcome)

        def failed(text: str) -> None:
            self._search_finished()
            if token == self._search_token:
                self.searchFailed.emit(text)

        self._submit(self._read_pool, work, done, failed)

    def _search_finished(self) -> None:
        self._search_running = False
        pending, self._pending_search = self._pending_search, None
        if pending is not None:
            self._start_search(pending)

    # ----------------------------------------------------------- indexing
    def import_folders(self, folders: list[str | os.PathLike[str]]) -> bool:
        """Index ``folders`` (added to the library's imported folders) in the background."""
        paths = [os.path.abspath(os.fspath(f)) for f in folders]
        bad = [p for p in paths if not os.path.isdir(p)]
        if bad:
            self.error.emit("Not a folder", f"Not a folder: {', '.join(bad)}.\nChoose folders that contain images.")
            return False
        names = ", ".join(Path(p).name or p for p in paths)
        return self._queue_index(lambda lib, o, lis, c: lib.index(paths, o, lis, c), f"Importing {names}")

    def rescan(self) -> bool:
        """Re-index every imported folder (new, changed, moved and deleted files)."""
        return self._queue_index(lambda lib, o, lis, c: lib.rescan(o, lis, c), "Re-scanning the library")

    def _queue_index(self, run: Callable, title: str) -> bool:
        if not self._need_library(write=True):
            return False
        if self.indexing:
            self._index_queue.append((run, title))
            self.message.emit(f"{title}: queued after the current job.")
            return True
        self._start_index(run, title)
        return True

    def _start_index(self, run: Callable, title: str) -> None:
        lib = self._library
        control = JobControl()
        self._control = control
        self.last_progress = None
        listener = _ThrottledListener(self._relay.progress.emit)
        self.indexStarted.emit(title)

        def work():  # noqa: ANN202
            from artseek.ingest.indexer import IndexOptions

            report = run(lib, IndexOptions(), listener, control)
            return report, lib.status()

        self._submit(self._write_pool, work, self._index_done, self._index_failed)

    @Slot(object)
    def _on_progress(self, progress: IndexProgress) -> None:
        if self._control is not None:
            self.last_progress = progress
            self.indexProgress.emit(progress)

    def _index_done(self, result: tuple) -> None:
        report, status = result
        self._control = None
        self._status = status
        self.thumbnails.reset()
        self.indexFinished.emit(report)
        self.statusChanged.emit(status)
        self._next_index()

    def _index_failed(self, text: str) -> None:
        self._control = None
        self.indexFailed.emit(text)
        self.refresh_status()
        self._next_index()

    def _next_index(self) -> None:
        if self._index_queue and self._library is not None:
            run, title = self._index_queue.pop(0)
            self._start_index(run, title)

    def pause_indexing(self) -> None:
        if self._control is not None and not self._control.paused:
            self._control.pause()
            self.indexPaused.emit(True)

    def resume_indexing(self) -> None:
        if self._control is not None and self._control.paused:
            self._control.resume()
            self.indexPaused.emit(False)

    def cancel_indexing(self) -> None:
        """Stop the running job (work done so far is kept) and drop queued ones."""
        self._index_queue.clear()
        if self._control is not None:
            self._control.cancel()
            self.indexPaused.emit(False)

    def remove_root(self, folder: str) -> None:
        """Forget an imported folder and its images (the files are untouched)."""
        if not self._need_library(write=True):
            return
        lib = self._library

        def work():  # noqa: ANN202
            return lib.remove_root(folder), lib.status()

        def done(result: tuple) -> None:
            removed, status = result
            self._set_status(status)
            self.thumbnails.reset()
            self.message.emit(f"Removed {removed} images of {folder} from the library (files untouched).")

        self._submit(self._write_pool, work, done)

    # -------------------------------------------------------------- items
    def _fetch_thumbnail(self, image_id: int) -> bytes | None:  # worker thread
        lib = self._library
        return lib.thumbnail(image_id) if lib is not None else None

    def load_details(self, image_id: int, max_side: int = 1600) -> None:
        """Metadata and a large version of the image, for the detail view."""
        lib = self._library
        if lib is None:
            return

        def work() -> ImageDetails:
            record = lib.image_record(image_id)
            image, error = None, ""
            if record and record.get("path"):
                reader = QImageReader(record["path"])
                reader.setAutoTransform(True)
                size = reader.size()
                if size.isValid() and max(size.width(), size.height()) > max_side:
                    reader.setScaledSize(size.scaled(QSize(max_side, max_side), Qt.AspectRatioMode.KeepAspectRatio))
                loaded = reader.read()
                if loaded.isNull():
                    error = f"The image cannot be shown: {reader.errorString()}."
                else:
                    image = loaded
            return ImageDetails(image_id, record, image, error)

        self._submit(self._read_pool, work, self.detailsReady.emit,
                     lambda text: self.detailsReady.emit(ImageDetails(image_id, None, None, text)))

    def describe(self, image_id: int, top_k: int = 10) -> None:
        """Best-matching corpus texts and keywords for an image (when the caption engine exists).

        One description runs at a time and only the newest request waits, so moving quickly
        through the grid does not pile up work (and the engine is never entered twice at once).
        """
        if self._library is None:
            return
        if self._describe_running:
            self._describe_pending = (image_id, top_k)
            return
        self._start_describe(image_id, top_k)

    def _start_describe(self, image_id: int, top_k: int) -> None:
        lib = self._library
        if lib is None:
            return
        self._describe_running = True

        def work() -> Captions:
            if not hasattr(lib, "describe"):
                return Captions(image_id)
            d = lib.describe(image_id, top_k=top_k)
            texts = [(str(t.text), float(getattr(t, "score", 0.0)), str(getattr(t, "source", "") or ""),
                      str(getattr(t, "kind", "") or "")) for t in (getattr(d, "texts", None) or [])]
            keywords = [(str(k.term), float(getattr(k, "score", 0.0))) for k in (getattr(d, "keywords", None) or [])]
            return Captions(image_id, texts, keywords, available=True)

        def finish(captions: Captions) -> None:
            self._describe_running = False
            pending, self._describe_pending = self._describe_pending, None
            if lib is self._library:
                self.captionsReady.emit(captions)
            if pending is not None:
                self._start_describe(*pending)

        self._submit(self._read_pool, work, finish,
                     lambda text: finish(Captions(image_id, available=True, error=text)))
