"""Errors in the window: readable dialogs instead of console tracebacks, and a log file for details.

The window chooses how to show an error by its type (:data:`PRESENTATIONS`),
never by its text: an empty query is a status-bar hint, everything else a dialog.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget

from artseek import config, crash_log
from artseek.errors import ArtSeekError, EmptyQueryError, LibraryDamagedError, ModelNotFoundError

log = logging.getLogger("artseek.ui")


STATUS_ONLY = "status"  # a status-bar message is enough
DIALOG = "dialog"  # a modal dialog
RESTORE = "restore"  # the database is damaged: say so and offer its backups (controllers/backups.py)
MODEL_SETUP = "model-setup"  # no usable model: Model Setup offers every way out (controllers/models.py)
PLAIN = Qt.TextFormat.PlainText

# How each kind of error is shown; the most specific class in an exception's MRO wins.
PRESENTATIONS: dict[type[BaseException], str] = {
    EmptyQueryError: STATUS_ONLY,
    LibraryDamagedError: RESTORE,
    ModelNotFoundError: MODEL_SETUP,
    BaseException: DIALOG,
}


def curator_hint(exc: ArtSeekError) -> str:
    """The hint for a curator in the window (the core's hints name command-line options)."""
    if isinstance(exc, ModelNotFoundError):
        return ("Library → Model Setup… (or a click on the model in the status bar) adds or downloads it; or copy "
                f"that file into ArtSeek's models folder ({config.user_models_dir()}) and reopen the library; or "
                "rebuild the library with a model that is on this computer: Library → Re-index with Another Model….")
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
    # An unexpected type: its traceback goes to the log, the curator reads the window's words (with the log's path).
    return unexpected_message(exc)


def unexpected_message(exc: BaseException, context: str = "the window") -> str:
    """The window's words for an unexpected error (not the command line's "ArtSeek stopped…": the window keeps
    running): what happened, the log file with the details, what to do. Logs the traceback; never raises."""
    try:
        path = crash_log.write(exc, context)
        what = crash_log.summary(exc)
    except Exception:  # noqa: BLE001 - the handler of last resort must not fail itself
        path, what = None, type(exc).__name__
    log_line = (f"The details are in the log file {path}." if path is not None
                else "No log file could be written; note this message.")
    send = "that file" if path is not None else "this message"
    return (f"Something unexpected went wrong ({what}). ArtSeek is still running, and work saved before is kept.\n"
            f"What you were doing may not have finished: try it again. {log_line} If it happens again, send "
            f"{send} to whoever supports ArtSeek for you.")


def presentation(exc: BaseException) -> str:
    """:data:`STATUS_ONLY` or :data:`DIALOG`, chosen by the exception's type."""
    for cls in type(exc).__mro__:
        if cls in PRESENTATIONS:
            return PRESENTATIONS[cls]
    return DIALOG


def report(parent: QWidget | None, title: str, exc: BaseException,
           status: Callable[[str, int], None] | None = None,
           presenters: dict[str, Callable[[BaseException], None]] | None = None) -> None:
    """Show ``exc``: its first line in the status bar (when ``status`` is given), then as its type says:
    nothing more, the presenter given for its presentation (e.g. :data:`RESTORE`), or a dialog."""
    kind = presentation(exc)
    if presenters and kind in presenters:
        if status is not None:
            status(getattr(exc, "message", str(exc)).partition("\n")[0], 10000)
        presenters[kind](exc)
        return
    text = describe_error(exc)
    if status is not None:
        status(text.partition("\n")[0], 10000)
    if kind != STATUS_ONLY:
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
    box.setTextFormat(Qt.TextFormat.PlainText)  # messages name files and folders: never taken for HTML
    box.setText(head)
    if rest:
        box.setInformativeText(rest)
        informative = box.findChild(QLabel, "qt_msgbox_informativelabel")
        if informative is not None:
            informative.setTextFormat(Qt.TextFormat.PlainText)
    if details:
        box.setDetailedText(details)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()


_showing = False


def excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Uncaught exceptions (from slots and event handlers): the traceback goes to the crash log, the curator
    sees one dialog with a one-line message and the log's path — never a traceback."""
    global _showing
    if issubclass(exc_type, KeyboardInterrupt):
        QApplication.quit()
        return
    if exc is not None and exc.__traceback__ is None and tb is not None:
        exc = exc.with_traceback(tb)
    message = unexpected_message(exc)
    log.error("Uncaught exception: %s", crash_log.summary(exc))
    if _showing or QApplication.instance() is None:
        if sys.__stderr__:
            sys.__stderr__.write(message + "\n")
        return
    _showing = True
    try:
        show_error(QApplication.activeWindow(), "ArtSeek — unexpected error", message)
    finally:
        _showing = False


class _ThreadRelay(QObject):
    """Brings an uncaught exception of another thread to the UI thread (a queued signal)."""

    raised = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.raised.connect(self.show)

    def show(self, exc: BaseException) -> None:
        excepthook(type(exc), exc, exc.__traceback__)


_relay: _ThreadRelay | None = None


def thread_excepthook(args: threading.ExceptHookArgs) -> None:
    """``threading.excepthook``: the same log and dialog as :func:`excepthook`, shown on the UI thread."""
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    if _relay is not None:
        _relay.raised.emit(args.exc_value)
    else:
        excepthook(args.exc_type, args.exc_value, args.exc_traceback)


def install_excepthook() -> None:
    """Route uncaught exceptions of the UI thread and of Python threads to :func:`excepthook`."""
    global _relay
    sys.excepthook = excepthook
    if _relay is None and QApplication.instance() is not None:
        _relay = _ThreadRelay()
    threading.excepthook = thread_excepthook
