"""Errors in the window: readable dialogs instead of console tracebacks, and a log file for details.

The window chooses how to show an error by its type (:data:`PRESENTATIONS`),
never by its text: an empty query is a status-bar hint, everything else a dialog.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from artseek import config
from artseek.errors import ArtSeekError, EmptyQueryError, ModelNotFoundError

log = logging.getLogger("artseek.ui")


STATUS_ONLY = "status"  # a status-bar message is enough
DIALOG = "dialog"  # a modal dialog

# How each kind of error is shown; the most specific class in an exception's MRO wins.
PRESENTATIONS: dict[type[BaseException], str] = {
    EmptyQueryError: STATUS_ONLY,
    BaseException: DIALOG,
}


def curator_hint(exc: ArtSeekError) -> str:
    """The hint for a curator in the window (the core's hints name command-line options)."""
    if isinstance(exc, ModelNotFoundError):
        return ("Ask whoever installed ArtSeek to copy that file into ArtSeek's models folder "
                f"({config.user_models_dir()}), then reopen the library; or rebuild the library with a model "
                "that is on this computer: Library → Re-index with Another Model….")
    return getattr(exc, "hint", "")


def describe_error(exc: BaseException) -> str:
    """A message a curator can read (ArtSeekError's text is written for them)."""
    if isinstance(exc, ArtSeekError) and hasattr(exc, "message"):
        hint = curator_hint(exc)
        return f"{exc.message}\n{hint}" if hint else exc.message
    if isinstance(exc, MemoryError):
        return "ArtSeek ran out of memory.\nClose other programs, or index smaller folders at a time."
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        return f"A file could not be read or written{where}: {exc.strerror or exc}."
    return f"An unexpected error occurred: {type(exc).__name__}: {exc}"


def presentation(exc: BaseException) -> str:
    """:data:`STATUS_ONLY` or :data:`DIALOG`, chosen by the exception's type."""
    for cls in type(exc).__mro__:
        if cls in PRESENTATIONS:
            return PRESENTATIONS[cls]
    return DIALOG


def report(parent: QWidget | None, title: str, exc: BaseException,
           status: Callable[[str, int], None] | None = None) -> None:
    """Show ``exc``: its first line in the status bar (when ``status`` is given), and a dialog unless its type
    says a status message is enough."""
    text = describe_error(exc)
    if status is not None:
        status(text.partition("\n")[0], 10000)
    if presentation(exc) == DIALOG:
        show_error(parent, title, text)


def log_file() -> Path:
    return config.user_data_dir() / "logs" / "artseek.log"


def setup_logging() -> Path | None:
    """Log warnings and errors (with tracebacks) to <user data>/logs/artseek.log."""
    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=2, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.WARNING)
    logging.getLogger().addHandler(handler)
    logging.getLogger("artseek").setLevel(logging.INFO)
    return path


def show_error(parent: QWidget | None, title: str, text: str, details: str = "") -> None:
    """A modal, readable error dialog (first line bold, hint below)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title or "ArtSeek")
    head, _, rest = text.partition("\n")
    box.setText(head)
    if rest:
        box.setInformativeText(rest)
    if details:
        box.setDetailedText(details)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()


_showing = False


def excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Show uncaught exceptions (from slots and event handlers) as a dialog; log the traceback."""
    global _showing
    if issubclass(exc_type, KeyboardInterrupt):
        QApplication.quit()
        return
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    log.error("Uncaught exception:\n%s", details)
    if _showing or QApplication.instance() is None:
        sys.__stderr__ and sys.__stderr__.write(details)
        return
    _showing = True
    try:
        where = log_file()
        show_error(QApplication.activeWindow(), "ArtSeek — unexpected error",
                   describe_error(exc) + f"\nThe details were written to {where}. ArtSeek keeps running; "
                   "if something looks wrong, save your work and restart it.", details)
    finally:
        _showing = False


def install_excepthook() -> None:
    sys.excepthook = excepthook
