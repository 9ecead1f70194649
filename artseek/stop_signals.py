"""Stopping cleanly on Ctrl+C, SIGTERM (kill, logout, shutdown) and SIGHUP (a closed terminal).

Around a command, :func:`installed` makes SIGTERM and SIGHUP raise
:class:`StopRequested` (a ``KeyboardInterrupt``) in the main thread, exactly
like Ctrl+C: ``with`` blocks close the library (the vector index is saved) and
the top-level handler prints one line. During a job, :func:`cancel_on_signals`
turns the first of these signals into a cancel request (the job stops between
files and saves); a second one raises at once. No Qt; signal handlers can only
be set from the main thread, elsewhere both are no-ops.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

STOP_SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))


class StopRequested(KeyboardInterrupt):
    """A termination signal asked ArtSeek to stop (handled like Ctrl+C)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal_name(signum))
        self.signum = signum


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _raise(signum: int, _frame: object) -> None:
    raise StopRequested(signum)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def installed() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise :class:`StopRequested` in the main thread (SIGINT keeps
    raising KeyboardInterrupt); the previous handlers come back afterwards."""
    if not _main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS if sig != signal.SIGINT}
    for sig in previous:
        signal.signal(sig, _raise)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old if old is not None else signal.SIG_DFL)


@contextmanager
def cancel_on_signals(cancel: Callable[[], None]) -> Iterator[list[str]]:
    """Within the block, the first Ctrl+C/SIGTERM/SIGHUP calls ``cancel()``; the yielded list gets its name.

    A second signal raises :class:`StopRequested` (or KeyboardInterrupt for Ctrl+C) as usual.
    """
    received: list[str] = []
    if not _main_thread():
        yield received
        return

    def handler(signum: int, frame: object) -> None:
        if received:
            if signum == signal.SIGINT:
                raise KeyboardInterrupt
            _raise(signum, frame)
        received.append(signal_name(signum))
        cancel()

    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    for sig in STOP_SIGNALS:
        signal.signal(sig, handler)
    try:
        yield received
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old if old is not None else signal.SIG_DFL)
