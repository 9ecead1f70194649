"""Running work off the UI thread and handing the outcome back to it.

* :class:`TaskRunner` runs a callable on a thread pool and calls ``on_done(result)``
  or ``on_error(exception)`` on the UI thread (as Picard's ``run_task`` / ``to_main``).
* :class:`LatestOnly` runs one request at a time; while one runs only the newest
  waiting request is kept, and only the newest request's result is delivered.
  Search and describe both use it, so moving quickly through the grid or typing
  fast never piles up work.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from itertools import count
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal, Slot

from artseek.errors import ArtSeekError
from artseek.ingest.progress import IndexProgress

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.1  # at most ten progress updates a second reach the UI
BACKGROUND_NICE = 10  # OS priority of the writer thread (indexing) below the UI thread's

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


class _Relay(QObject):
    """Carries results from worker threads to the UI thread (queued connections)."""

    done = Signal(int, object)
    failed = Signal(int, object, str)


class _Task(QRunnable):
    def __init__(self, task_id: int, fn: Callable[[], Any], relay: _Relay, background: bool) -> None:
        super().__init__()
        self._id, self._fn, self._relay, self._background = task_id, fn, relay, background

    def run(self) -> None:
        if self._background:
            lower_thread_priority()
        try:
            result = self._fn()
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the UI thread
            self._relay.failed.emit(self._id, exc, traceback.format_exc())
        else:
            self._relay.done.emit(self._id, result)


class TaskRunner(QObject):
    """Runs callables on thread pools; their result or exception arrives on the UI thread."""

    unhandled = Signal(object)  # an exception of a task that was given no on_error

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._relay = _Relay()
        self._relay.done.connect(self._on_done)
        self._relay.failed.connect(self._on_failed)
        self._ids = count(1)
        self._callbacks: dict[int, tuple[Callable | None, Callable | None]] = {}

    @property
    def pending(self) -> bool:
        """True while a task has not reported back."""
        return bool(self._callbacks)

    def run(self, pool: QThreadPool, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None, background: bool = False) -> int:
        """Run ``fn`` on ``pool`` (at a lower OS priority when ``background``)."""
        task_id = next(self._ids)
        self._callbacks[task_id] = (on_done, on_error)
        pool.start(_Task(task_id, fn, self._relay, background))
        return task_id

    def forget_all(self) -> None:
        """Drop the callbacks of tasks still out (at shutdown)."""
        self._callbacks.clear()

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
        if on_error is not None:
            on_error(exc)
        else:
            self.unhandled.emit(exc)


class LatestOnly:
    """One request at a time; a newer request replaces the waiting one, and only the newest is answered.

    ``submit`` returns the request's token. A request that is superseded before
    it starts is dropped; one superseded while it runs finishes, but its result
    (or error) is not delivered.
    """

    def __init__(self, runner: TaskRunner, pool: QThreadPool) -> None:
        self._runner, self._pool = runner, pool
        self._running = False
        self._pending: tuple | None = None
        self.token = 0

    @property
    def running(self) -> bool:
        return self._running

    def submit(self, work: Callable[[], Any], on_done: Callable[[Any], None],
               on_error: Callable[[BaseException], None] | None = None,
               on_start: Callable[[], None] | None = None) -> int:
        self.token += 1
        request = (self.token, work, on_done, on_error, on_start)
        if self._running:
            self._pending = request
        else:
            self._start(request)
        return self.token

    def invalidate(self) -> None:
        """Forget the waiting request and ignore the running one's result."""
        self.token += 1
        self._pending = None

    def _start(self, request: tuple) -> None:
        token, work, on_done, on_error, on_start = request
        self._running = True
        if on_start is not None:
            on_start()

        def finish(callback: Callable | None, value: object) -> None:
            self._running = False
            pending, self._pending = self._pending, None
            if pending is not None:
                self._start(pending)
            if token == self.token and callback is not None:
                callback(value)

        self._runner.run(self._pool, work, lambda result: finish(on_done, result),
                         lambda exc: finish(on_error, exc))


class ThrottledListener:
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
