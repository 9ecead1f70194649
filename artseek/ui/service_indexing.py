"""The service's indexing queue: imports, re-scans, re-indexing and removing folders (part of the window's door
to the core).

:class:`IndexingService` belongs to :class:`artseek.ui.service.LibraryService` (its ``index_jobs``). It runs
one indexing job at a time on the service's write thread and queues the others, reports each job with its
signals (progress throttled, see :class:`artseek.ui.workers.ThrottledListener`), and lets the window pause,
resume or cancel the running one. A re-index with another model loads the new model when that re-index ends
(not when a job queued before it ends). The service keeps the signals' old names (``service.indexFinished``…)
for the window's many callers.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from artseek.errors import LibraryError
from artseek.ingest.progress import IndexProgress, JobControl
from artseek.ui.workers import ThrottledListener

log = logging.getLogger(__name__)


@dataclass
class IndexJob:
    """A queued or running job: ``run(lib, options, listener, control)`` returns its IndexReport."""

    run: Callable
    title: str
    key: tuple = ()  # the folders it imports (so that the same folder is not queued twice)
    new_model: bool = False  # a re-index with another model: load that model when this job ends


class IndexingService(QObject):
    """One indexing job at a time on the write thread, the others queued; answers with signals."""

    indexStarted = Signal(str)
    indexProgress = Signal(object)  # IndexProgress
    indexPaused = Signal(bool)
    indexFinished = Signal(object)  # IndexReport
    indexFailed = Signal(object)  # the exception
    folderRemoved = Signal(str, int)  # the folder, how many images left the library
    _progress = Signal(object)  # IndexProgress, from the writer thread

    def __init__(self, service: QObject) -> None:
        """``service``: the LibraryService (its ``library``, ``need_library``, ``run_background``, ``set_status``,
        ``warm_up``, ``index_options`` and signals; not imported here, which would be a cycle)."""
        super().__init__(service)
        self.service = service
        self._control: JobControl | None = None
        self._job: IndexJob | None = None
        self._queue: list[IndexJob] = []
        self.last_progress: IndexProgress | None = None
        self._progress.connect(self._on_progress)

    # ------------------------------------------------------------ state
    @property
    def running(self) -> bool:
        return self._control is not None

    @property
    def paused(self) -> bool:
        return bool(self._control is not None and self._control.paused)

    @property
    def queued(self) -> list[str]:
        """The titles of the jobs waiting for the running one."""
        return [job.title for job in self._queue]

    # ------------------------------------------------------------- jobs
    def import_folders(self, folders: list[str | os.PathLike[str]]) -> bool:
        """Index ``folders`` (added to the library's imported folders) in the background."""
        paths = [os.path.abspath(os.fspath(f)) for f in folders]
        bad = [p for p in paths if not os.path.isdir(p)]
        if bad:
            self.service.error.emit("Not a folder", LibraryError(f"Not a folder: {', '.join(bad)}.",
                                                                 "Choose folders that contain images."))
            return False
        busy = {p for job in ([self._job] if self._job else []) + self._queue for p in job.key}
        again = [p for p in paths if p in busy]
        if again:
            self.service.message.emit(f"{', '.join(again)}: already being imported or queued.")
        paths = [p for p in paths if p not in busy]
        if not paths:
            return False
        names = ", ".join(Path(p).name or p for p in paths)
        return self._queue_job(IndexJob(lambda lib, o, lis, c: lib.index(paths, o, lis, c), f"Importing {names}",
                                        tuple(paths)))

    def rescan(self) -> bool:
        """Re-index every imported folder (new, changed, moved and deleted files)."""
        return self._queue_job(IndexJob(lambda lib, o, lis, c: lib.rescan(o, lis, c), "Re-scanning the library"))

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

        return self._queue_job(IndexJob(run, f"Re-indexing with the model {model}", new_model=True))

    def _queue_job(self, job: IndexJob) -> bool:
        if not self.service.need_library(write=True):
            return False
        if self.running:
            self._queue.append(job)
            self.service.message.emit(f"{job.title}: queued after the current job.")
            return True
        self._start(job)
        return True

    def _start(self, job: IndexJob) -> None:
        lib, service = self.service.library, self.service
        control = JobControl()
        self._control, self._job = control, job
        self.last_progress = None
        listener = ThrottledListener(self._progress.emit)
        self.indexStarted.emit(job.title)

        def work():  # noqa: ANN202
            from artseek.ingest.indexer import IndexOptions

            report = job.run(lib, IndexOptions(**service.index_options), listener, control)
            return report, lib.status()

        self.service.run_background(work, self._done, self._failed, write=True)

    @Slot(object)
    def _on_progress(self, progress: IndexProgress) -> None:
        if self._control is not None:
            self.last_progress = progress
            self.indexProgress.emit(progress)

    def _done(self, result: tuple) -> None:
        report, status = result
        job = self._end()
        self.service.set_status(status, announce=False)
        self.service.thumbnails.reset()
        self.indexFinished.emit(report)
        self.service.statusChanged.emit(status)
        self._after(job)

    def _failed(self, exc: BaseException) -> None:
        job = self._end()
        self.indexFailed.emit(exc)
        self.service.refresh_status()
        self._after(job)

    def _end(self) -> IndexJob | None:
        job, self._control, self._job = self._job, None, None
        return job

    def _after(self, job: IndexJob | None) -> None:
        """Load the new model after a re-index (also a failed one: the library has switched), then the next job."""
        if job is not None and job.new_model and self.service.library is not None:
            self.service.model_state = "none"
            self.service.warm_up()
        if self._queue and self.service.library is not None:
            self._start(self._queue.pop(0))

    def pause(self) -> None:
        if self._control is not None and not self._control.paused:
            self._control.pause()
            self.indexPaused.emit(True)

    def resume(self) -> None:
        if self._control is not None and self._control.paused:
            self._control.resume()
            self.indexPaused.emit(False)

    def cancel(self) -> None:
        """Stop the running job (work done so far is kept) and drop queued ones."""
        self._queue.clear()
        if self._control is not None:
            self._control.cancel()
            self.indexPaused.emit(False)

    def stop(self) -> None:
        """At closing: drop the queue and cancel the running job (a paused one too), without signals."""
        self._queue.clear()
        if self._control is not None:
            self._control.cancel()

    # ---------------------------------------------------------- folders
    def count_removal(self, folder: str) -> int | None:
        """How many images removing ``folder`` would take out (a quick read, for the confirmation)."""
        lib = self.service.library
        if lib is None:
            return None
        try:
            return lib.count_root_removal(folder)
        except Exception:  # noqa: BLE001 - the confirmation then just does not give the number
            log.exception("Counting the images of %s failed", folder)
            return None

    def remove_root(self, folder: str) -> None:
        """Forget an imported folder and its images (the files are untouched)."""
        if not self.service.need_library(write=True):
            return
        lib = self.service.library

        def work():  # noqa: ANN202
            return lib.remove_root(folder), lib.status()

        def done(result: tuple) -> None:
            removed, status = result
            self.service.set_status(status)
            self.service.thumbnails.reset()
            self.service.message.emit(f"Removed {removed:,} images of {folder} from the library (files untouched).")
            self.folderRemoved.emit(folder, removed)

        self.service.run_background(work, done, write=True)
