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

What is a job of its own lives in a sub-service beside it (``service_<topic>.py``,
reached as ``service.<topic>``): the indexing queue (``index_jobs``), backups and
checks (``care``), model setup, texts, collections, the map, the mapper training.
This module keeps opening and closing, the model warm-up, searching, and the
item reads (thumbnails, details, descriptions).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QThreadPool, Signal

from artseek.errors import EmptyQueryError, LibraryError
from artseek.ingest.progress import IndexProgress
from artseek.ui.errors import describe_error
from artseek.ui.query_state import QueryState
from artseek.ui.service_care import CareService
from artseek.ui.service_details import DetailsService
from artseek.ui.service_models import ModelsService
from artseek.ui.service_previews import PreviewService
from artseek.ui.service_texts import TextsService
from artseek.ui.service_collections import CollectionsService
from artseek.ui.service_history import HistoryService
from artseek.ui.service_duplicates import DuplicatesService
from artseek.ui.service_map import MapService
from artseek.ui.service_indexing import IndexingService
from artseek.ui.service_mapper import MapperService
from artseek.ui.thumbnails import ThumbnailLoader
from artseek.ui.view_data import Captions, ImageDetails, SearchOutcome
from artseek.ui.workers import LatestOnly, TaskRunner

log = logging.getLogger(__name__)


def _open_library(folder: str | None, model: str | None, weights: str | None, device: str | None,
                  backend: str, strict_model: bool, **options: object):  # noqa: ANN202 - returns a Library
    """Open (or create) a library (read-only when in use elsewhere); on a model mismatch, with its own model."""
    from artseek.errors import ModelMismatchError
    from artseek.library import open_library

    try:
        return open_library(folder, model=model, weights=weights, device=device, backend=backend, **options)
    except ModelMismatchError:
        if strict_model or model is None:
            raise
        return open_library(folder, model=None, weights=None, device=device, backend=backend, **options)


# ------------------------------------------------------------------ service
class LibraryService(QObject):
    """Owns the Library; every call returns at once and answers with a signal."""

    libraryOpened = Signal(object)  # LibraryStatus
    libraryFailed = Signal(object)  # the exception
    libraryClosed = Signal()
    statusChanged = Signal(object)  # LibraryStatus
    modelStateChanged = Signal(str, str)  # "loading" | "ready" | "failed", detail
    searchStarted = Signal(str)
    searchFinished = Signal(object)  # SearchOutcome
    searchFailed = Signal(object)  # the exception (EmptyQueryError: nothing to search for)
    captionsReady = Signal(object)  # Captions
    detailsReady = Signal(object)  # ImageDetails
    message = Signal(str)  # a short status-bar message
    error = Signal(str, object)  # title, exception (shown as its type says, see ui/errors.py)

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
        self._runner = TaskRunner(self)
        self._runner.unhandled.connect(lambda exc: self.error.emit("ArtSeek", exc))
        self._searches = LatestOnly(self._runner, self._read_pool)
        self._descriptions = LatestOnly(self._runner, self._read_pool)
        self._opening = False
        self._opened_lib = None
        self.model_state = "none"
        self.composed_method = "average"  # image+text queries: "pic2word" (when the library has a mapper), "average"
        self.care = CareService(self)  # backups, restore and check (ui/service_care.py)
        self.details = DetailsService(self)  # detail indexing and reproductions (ui/service_details.py)
        self.models = ModelsService(self)  # model setup: add a file, download, export (ui/service_models.py)
        self.library_options: dict = {}  # more Library options (int8), and IndexOptions (max_pixels): Preferences
        self.index_options: dict = {}
        self.texts = TextsService(self)  # descriptions, categories and tags (ui/service_texts.py)
        self.collections = CollectionsService(self)  # collections, exports, library data (ui/service_collections.py)
        self.history = HistoryService(self)  # filter choices and recent searches (ui/service_history.py)
        self.duplicates = DuplicatesService(self)  # the duplicate finder (ui/service_duplicates.py)
        self.map = MapService(self)  # the collection map (ui/service_map.py)
        self.mapper = MapperService(self)  # training the composed-query mapper (ui/service_mapper.py)
        self.index_jobs = jobs = IndexingService(self)  # imports, re-scans, re-index (ui/service_indexing.py)
        self.indexStarted, self.indexProgress, self.indexPaused, self.indexFinished, self.indexFailed = (
            jobs.indexStarted, jobs.indexProgress, jobs.indexPaused, jobs.indexFinished, jobs.indexFailed)
        self.folderRemoved = jobs.folderRemoved  # these signals keep their old names on the service
        self.previews = PreviewService(self)  # previews of files Qt cannot read (ui/service_previews.py)

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
        return self.index_jobs.running

    @property
    def last_progress(self) -> IndexProgress | None:
        return self.index_jobs.last_progress

    @property
    def searching(self) -> bool:
        return self._searches.running

    @property
    def search_token(self) -> int:
        """The token of the newest search request (each request gets a larger one)."""
        return self._searches.token

    @property
    def status(self):  # noqa: ANN201 - the last LibraryStatus
        return self._status

    @property
    def busy(self) -> bool:
        """True while any background work is pending (tests wait on this)."""
        return self._runner.pending or self._opening

    # ------------------------------------------------------------ plumbing
    def _submit(self, pool: QThreadPool, fn: Callable, on_done: Callable | None = None,
                on_error: Callable[[BaseException], None] | None = None) -> int:
        return self._runner.run(pool, fn, on_done, on_error, background=pool is self._write_pool)

    def run_background(self, fn: Callable, on_done: Callable | None = None,
                       on_error: Callable[[BaseException], None] | None = None, write: bool = False) -> int:
        """Run ``fn`` on the write thread (``write``) or a read thread; the outcome arrives on the UI thread."""
        return self._submit(self._write_pool if write else self._read_pool, fn, on_done, on_error)

    def need_library(self, write: bool = False, idle: bool = False) -> bool:
        """True when a library is open (writable, with ``write``; no indexing running, with ``idle``);
        else the error is reported and False returned."""
        if idle and self._library is not None and (self.indexing or self.mapper.running):
            self.error.emit("Work in progress", LibraryError(
                "This cannot be done while indexing or training runs.", "Wait for it to finish, or cancel it first."))
            return False
        return self._need_library(write)

    def _need_library(self, write: bool = False) -> bool:
        if self._library is None:
            self.error.emit("No library", LibraryError("No library is open.", "Use File → Open library… first.")
                            if not self._opening else LibraryError("The library is still opening; try again in a "
                                                                   "moment."))
            return False
        if write and self._library.read_only:
            self.error.emit("Read-only library", LibraryError(
                f"The library '{self._library.folder}' is open read-only because another ArtSeek "
                "window or process is using it.", "Close the other one, then reopen the library."))
            return False
        return True

    # ------------------------------------------------------------ library
    def open_library(self, folder: str | os.PathLike[str] | None, model: str | None = None,
                     weights: str | None = None, strict_model: bool = True) -> bool:
        """Close the current library (if any) and open ``folder`` (created if new)."""
        if self.indexing:
            self.error.emit("Indexing in progress", LibraryError(
                "Another library cannot be opened while indexing runs.", "Wait for it to finish, or cancel it first."))
            return False
        old, self._library, self._status = self._library, None, None
        self.thumbnails.reset()
        self._searches.invalidate()
        self._descriptions.invalidate()
        if old is not None:
            self.libraryClosed.emit()
        self._opening = True
        folder_s = os.fspath(folder) if folder else None
        model = model if model is not None else self.model
        weights = weights if weights is not None else self.weights
        device, backend, options = self.device, self.backend, dict(self.library_options)
        read_pool, thumbs = self._read_pool, self.thumbnails

        def work():  # noqa: ANN202
            read_pool.waitForDone()
            thumbs.wait()
            if old is not None:
                old.close()
            lib = _open_library(folder_s, model, weights, device, backend, strict_model, **options)
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

    def _open_failed(self, exc: BaseException) -> None:
        self._opening = False
        self.libraryFailed.emit(exc)

    def close_library(self) -> None:
        """Close synchronously (at shutdown): cancel indexing, wait for workers, save the index."""
        self.index_jobs.stop()
        self.mapper.cancel()
        if self.texts.classify_control is not None:  # a paused one too
            self.texts.classify_control.cancel()
        self._searches.invalidate()
        self._descriptions.invalidate()
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
        self._runner.forget_all()

    def refresh_status(self) -> None:
        lib = self._library
        if lib is not None:
            self._submit(self._read_pool, lambda: lib.status(), self.set_status)

    def set_status(self, status: object, announce: bool = True) -> None:
        """Keep ``status`` as the library's (and, with ``announce``, send statusChanged)."""
        if self._library is not None:
            self._status = status
            if announce:
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

    def _model_failed(self, exc: BaseException) -> None:
        self.model_state = "failed"
        self.modelStateChanged.emit("failed", describe_error(exc))
        self.error.emit("The model could not be loaded", exc)

    # ------------------------------------------------------------- search
    def search(self, state: QueryState, top_k: int = 100) -> int:
        """Run ``state`` as a query; only the newest request's results are delivered."""
        if not self._need_library():
            return 0
        query = state.to_query()
        if query.is_empty():
            self.searchFailed.emit(EmptyQueryError("Nothing to search for.", "Type a description, drop or paste an "
                                                   "image, or mark results with + and −."))
            return 0
        lib, description, wanted = self._library, state.describe(), self.composed_method
        in_texts = self.texts.description_search(query, top_k)  # None unless searching in descriptions
        description += " in descriptions" if in_texts else ""
        holder: list[int] = []  # the request's token, known once submit() returns (read on the UI thread only)

        def work() -> tuple:
            start = time.perf_counter()
            query.composed = lib.composer.method_to_use(wanted)
            results = in_texts(lib) if in_texts else lib.search_query(query, top_k, remember=True)
            elapsed = time.perf_counter() - start
            read = lib.text_read(query.text) if query.text else None
            return (results, elapsed, (read if read is not None and read != query.text.strip() else None),
                    lib.composer.method_for(query))

        def done(answer: tuple) -> None:
            results, elapsed, read, composed = answer
            if lib is self._library:
                self.searchFinished.emit(SearchOutcome(holder[0], results, description, elapsed, read, composed))

        holder.append(self._searches.submit(work, done, self.searchFailed.emit,
                                            lambda: self.searchStarted.emit(description)))
        return holder[0]

    # ----------------------------------------------------------- indexing
    # The queue lives in ui/service_indexing.py (``index_jobs``); these stay for the window's many callers.
    def import_folders(self, folders: list[str | os.PathLike[str]]) -> bool:
        return self.index_jobs.import_folders(folders)

    def reindex(self, model: str, weights: str | None) -> bool:
        return self.index_jobs.reindex(model, weights)

    def cancel_indexing(self) -> None:
        self.index_jobs.cancel()

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
            return ImageDetails.load(lib, image_id, max_side)

        self._submit(self._read_pool, work, self.detailsReady.emit,
                     lambda exc: self.detailsReady.emit(ImageDetails(image_id, None, None, describe_error(exc))))

    def describe(self, image_id: int, top_k: int = 10) -> None:
        """Best-matching corpus texts and keywords for an image (the library's text service).

        One description runs at a time and only the newest request waits, so moving quickly
        through the grid does not pile up work (and the engine is never entered twice at once).
        """
        lib = self._library
        if lib is None:
            return

        def work() -> Captions:
            return Captions.of(lib.texts.describe(image_id, top_k), image_id)

        def done(captions: Captions) -> None:
            if lib is self._library:
                self.captionsReady.emit(captions)

        self._descriptions.submit(work, done, lambda exc: done(Captions(image_id, available=True,
                                                                        error=describe_error(exc))))
