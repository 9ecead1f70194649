"""Progress events of the indexing job and the pause/resume/cancel control."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class IndexProgress:
    """A snapshot of an indexing run, sent to listeners after every file."""

    done: int = 0
    total: int = 0
    indexed: int = 0
    skipped: int = 0
    failed: int = 0
    rate: float = 0.0  # files per second over the run so far
    eta_s: float | None = None
    current: str = ""
    phase: str = "scanning"  # scanning | indexing | saving | done | cancelled
    failures: list[tuple[str, str]] = field(default_factory=list)  # the latest few (path, reason)


ProgressListener = Callable[[IndexProgress], None]


class JobControl:
    """Thread-safe pause/resume/cancel flags checked by a running job, and its clock.

    :meth:`active_s` is the time since :meth:`start_clock` less the time spent paused, so rates,
    time left and "finished in" do not count a pause. ``clock`` is injectable for tests.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._running = threading.Event()
        self._running.set()
        self._cancelled = threading.Event()
        self._clock = clock
        self._lock = threading.Lock()
        self._started = clock()
        self._paused_total = 0.0
        self._paused_since: float | None = None

    def start_clock(self) -> None:
        with self._lock:
            self._started = self._clock()
            self._paused_total = 0.0
            self._paused_since = self._started if self.paused else None

    def active_s(self) -> float:
        """Seconds since :meth:`start_clock` (or creation), not counting paused time."""
        with self._lock:
            now = self._clock()
            paused = self._paused_total + (now - self._paused_since if self._paused_since is not None else 0.0)
            return max(0.0, now - self._started - paused)

    def pause(self) -> None:
        with self._lock:
            if self._paused_since is None:
                self._paused_since = self._clock()
            self._running.clear()

    def resume(self) -> None:
        with self._lock:
            if self._paused_since is not None:
                self._paused_total += self._clock() - self._paused_since
                self._paused_since = None
            self._running.set()

    def cancel(self) -> None:
        self._cancelled.set()
        self.resume()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def checkpoint(self) -> bool:
        """Block while paused; return False when the job should stop."""
        self._running.wait()
        return not self._cancelled.is_set()
