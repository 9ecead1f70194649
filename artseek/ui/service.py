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

(About 500 lines, above the ~400-line guide: one class whose signals are the
window's whole view of the core; backups and checks already live in
``service_care.py``. The indexing queue is the next candidate to move out, as a
sub-service like ``care``, when it grows again.)
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from artseek.errors import EmptyQueryError, LibraryError
from artseek.ingest.progress import IndexProgress, JobControl
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
from artseek.ui.thumbnails import ThumbnailLoader
from artseek.ui.view_data import Captions, ImageDetails, SearchOutcome
from artseek.ui.workers import LatestOnly, TaskRunner, ThrottledListener

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
    indexStarted = Signal(str)
    indexProgress = Signal(object)  # IndexProgress
    indexPaused = Signal(bool)
    indexFinished = Signal(object)  # IndexReport
    indexFailed = Signal(object)  # the exception
    captionsReady = Signal(object)  # Captions
    detailsReady = Signal(object)  # ImageDetails
    folderRemoved = Signal(str, int)  # the folder, how many images left the library
    message = Signal(str)  # a short status-bar message
    error = Signal(str, object)  # title, exception (shown as its type says, see ui/errors.py)
    _progress = Signal(object)  # IndexProgress, from the writer thread
    mapperProgress = Signal(object)  # TrainingProgress of the composed-query mapper (Pic2Word)
    mapperTrained = Signal(object)  # its MapperInfo, or None when cancelled
    mapperFailed = Signal(object)  # the exception

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
        self._progress.connect(self._on_progress)
        self._searches = LatestOnly(self._runner, self._read_pool)
        self._descriptions = LatestOnly(self._runner, self._read_pool)
        self._control: JobControl | None = None
        self._index_queue: list[tuple[Callable, str, tuple]] = []
        self._index_key: tuple = ()  # the folders of the running job (("rescan",) for a re-scan)
        self._opening = False
        self._opened_lib = None
        self._rewarm = False  # a re-index with another model ran: load the new model when it ends
        self.model_state = "none"
        self.last_progress: IndexProgress | None = None
        self.composed_method = "average"  # image+text queries: "pic2word" (when the library has a mapper), "average"
        self._mapper_control: JobControl | None = None  # the running mapper training, cancelled on close
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
        return self._control is not None

    @property
    def paused(self) -> bool:
        return bool(self._control is not None and self._control.paused)

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
        if idle and self._library is not None and (self.indexing or self._mapper_control is not None):
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
        self._index_queue.clear()
        for control in (self._control, self._mapper_control, self.texts.classify_control):  # a paused one too
            if control is not None:
                control.cancel()
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
    def import_folders(self, folders: list[str | os.PathLike[str]]) -> bool:
        """Index ``folders`` (added to the library's imported folders) in the background."""
        paths = [os.path.abspath(os.fspath(f)) for f in folders]
        bad = [p for p in paths if not os.path.isdir(p)]
        if bad:
            self.error.emit("Not a folder", LibraryError(f"Not a folder: {', '.join(bad)}.",
                                                         "Choose folders that contain images."))
            return False
        busy = {p for key in [self._index_key] + [key for _, _, key in self._index_queue] for p in key}
        again = [p for p in paths if p in busy]
        if again:
            self.message.emit(f"{', '.join(again)}: already being imported or queued.")
        paths = [p for p in paths if p not in busy]
        if not paths:
            return False
        names = ", ".join(Path(p).name or p for p in paths)
        return self._queue_index(lambda lib, o, lis, c: lib.index(paths, o, lis, c), f"Importing {names}",
                                 tuple(paths))

    def rescan(self) -> bool:
        """Re-index every imported folder (new, changed, moved and deleted files)."""
        return self._queue_index(lambda lib, o, lis, c: lib.rescan(o, lis, c), "Re-scanning the library")

    @staticmethod
    def available_models() -> dict[str, str]:
        """The models whose weights are on this computer: name -> weights file."""
        from artseek.embedding.registry import available_models

        return {name: os.fspath(path) for name, path in available_models().items()}

    def reindex(self, model: str, weights: str | None) -> bool:
        """Rebuild the library with ``model``: forget the embeddings, re-index every folder, load the model."""
        def run(lib, options, listener, control):  # noqa: ANN001, ANN202
            lib.switch_model(model)
            lib.weights = weights
            return lib.rescan(options, listener, control)

        self._rewarm = True
        return self._queue_index(run, f"Re-indexing with the model {model}")

    def _queue_index(self, run: Callable, title: str, key: tuple = ()) -> bool:
        if not self._need_library(write=True):
            return False
        if self.indexing:
            self._index_queue.append((run, title, key))
            self.message.emit(f"{title}: queued after the current job.")
            return True
        self._start_index(run, title, key)
        return True

    def _start_index(self, run: Callable, title: str, key: tuple = ()) -> None:
        lib = self._library
        control = JobControl()
        self._control = control
        self._index_key = key
        self.last_progress = None
        listener = ThrottledListener(self._progress.emit)
        self.indexStarted.emit(title)

        def work():  # noqa: ANN202
            from artseek.ingest.indexer import IndexOptions

            report = run(lib, IndexOptions(**self.index_options), listener, control)
            return report, lib.status()

        self._submit(self._write_pool, work, self._index_done, self._index_failed)

    @Slot(object)
    def _on_progress(self, progress: IndexProgress) -> None:
        if self._control is not None:
            self.last_progress = progress
            self.indexProgress.emit(progress)

    def _index_done(self, result: tuple) -> None:
        report, status = result
        self._control, self._index_key = None, ()
        self._status = status
        self.thumbnails.reset()
        self.indexFinished.emit(report)
        self.statusChanged.emit(status)
        self._warm_new_model()
        self._next_index()

    def _warm_new_model(self) -> None:
        if self._rewarm and self._library is not None:
            self._rewarm = False
            self.model_state = "none"
            self.warm_up()

    def _index_failed(self, exc: BaseException) -> None:
        self._control, self._index_key = None, ()
        self.indexFailed.emit(exc)
        self.refresh_status()
        self._warm_new_model()
        self._next_index()

    def _next_index(self) -> None:
        if self._index_queue and self._library is not None:
            self._start_index(*self._index_queue.pop(0))

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

    def count_removal(self, folder: str) -> int | None:
        """How many images removing ``folder`` would take out (a quick read, for the confirmation)."""
        lib = self._library
        if lib is None:
            return None
        try:
            return lib.count_root_removal(folder)
        except Exception:  # noqa: BLE001 - the confirmation then just does not give the number
            log.exception("Counting the images of %s failed", folder)
            return None

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
            self.message.emit(f"Removed {removed:,} images of {folder} from the library (files untouched).")
            self.folderRemoved.emit(folder, removed)

        self._submit(self._write_pool, work, done)

    def train_mapper(self, options: object = None) -> JobControl | None:
        """Train (or retrain) the library's Pic2Word mapper on the write thread; returns its cancel control."""
        if not self._need_library(write=True):
            return None
        lib, control = self._library, JobControl()
        self._mapper_control = control

        def finish(signal: Signal, value: object) -> None:
            self._mapper_control = None
            signal.emit(value)

        self._submit(self._write_pool, lambda: lib.train_mapper(options, self.mapperProgress.emit, control),
                     lambda info: finish(self.mapperTrained, info), lambda exc: finish(self.mapperFailed, exc))
        return control

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
