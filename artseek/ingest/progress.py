"""Progress events of the indexing job and the pause/resume/cancel control."""

from __future__ import annotations

import threading
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
    """Thread-safe pause/resume/cancel flags checked by a running job."""

    def __init__(self) -> None:
        self._running = threading.Event()
        self._running.set()
        self._cancelled = threading.Event()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def cancel(self) -> None:
        self._cancelled.set()
        self._running.set()

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
