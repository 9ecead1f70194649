"""The last line of defence: an unexpected error becomes one readable line, the details go to a log file.

Used by the command line's top-level handler and meant for the window's
``sys.excepthook`` too: :func:`report` writes the full traceback to
``<user data>/logs/artseek.log`` (the window's log; rotated at 1 MB, two old
files kept) and returns the message to show. It never raises. No Qt.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import traceback
from datetime import datetime, timezone
from pathlib import Path

from artseek import __version__, config

LOG_NAME = "artseek.log"
MAX_BYTES = 1_000_000
BACKUPS = 2


def log_path() -> Path:
    """``<user data>/logs/artseek.log``."""
    return config.user_data_dir() / "logs" / LOG_NAME


def _rotate(path: Path) -> None:
    try:
        if path.stat().st_size < MAX_BYTES:
            return
    except OSError:
        return
    for i in range(BACKUPS, 0, -1):
        older = path.with_name(f"{path.name}.{i}")
        newer = path.with_name(f"{path.name}.{i - 1}") if i > 1 else path
        try:
            os.replace(newer, older)
        except OSError:
            pass


def _entry(exc: BaseException, context: str) -> str:
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    argv = " ".join(ascii(a) if not a.isprintable() else a for a in sys.argv)
    return (f"{stamp} ERROR unexpected error in {context}\n"
            f"ArtSeek {__version__}, Python {platform.python_version()}, {platform.platform()}\n"
            f"command: {argv}\n{details}\n")


def write(exc: BaseException, context: str = "the command line") -> Path | None:
    """Append the traceback of ``exc`` to the log; returns the file, or None when no log could be written."""
    text = _entry(exc, context)
    for path in (log_path(), Path(tempfile.gettempdir()) / f"artseek-{LOG_NAME}"):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _rotate(path)
            with open(path, "a", encoding="utf-8", errors="backslashreplace") as fh:
                fh.write(text)
            return path
        except OSError:
            continue
    return None


def summary(exc: BaseException) -> str:
    """``TypeName: first line of the message`` (shortened)."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    first = first if len(first) <= 160 else first[:157] + "..."
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def report(exc: BaseException, context: str = "the command line") -> str:
    """Log ``exc`` with its traceback and return a one-line message saying what happened and what to do."""
    try:
        path = write(exc, context)
        send = (f"send the log {path} (it holds the details)" if path is not None
                else "send this message (no log file could be written)")
        return (f"ArtSeek stopped on an unexpected error ({summary(exc)}). Work saved before it is kept. "
                f"Try again; if it happens again, {send} to whoever supports ArtSeek for you.")
    except Exception:  # noqa: BLE001 - the handler of last resort must not fail itself
        return "ArtSeek stopped on an unexpected error. Work saved before it is kept; try again."
