"""Starting the desktop application: ``python main.py`` with no command lands here."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from artseek import __version__, config
from artseek.ui.errors import install_excepthook, setup_logging
from artseek.ui.icons import app_icon
from artseek.ui.main_window import MainWindow
from artseek.ui.none_guard import guard
from artseek.ui.platform_check import EXIT_CODE as XCB_MISSING, check_xcb, show_without_qt
from artseek.ui.service import LibraryService


def create_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), with ArtSeek's names, icon and style."""
    guard()  # PySide6 6.12 on Python 3.11 loses a reference to None per call (ui/none_guard.py)
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(config.APP_NAME)
    app.setApplicationName(config.APP_NAME)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    app.setStyle("Fusion")  # the same look on Windows, macOS and Linux
    return app


def initial_library(library: str | os.PathLike[str] | None, settings: QSettings) -> str | None:
    """The library to open: --library, else the last one used (if it still exists), else the default."""
    if library:
        return os.fspath(library)
    if os.environ.get(config.ENV_LIBRARY):
        return None  # Library() reads the environment variable
    last = settings.value("library/last")
    if isinstance(last, str) and last and os.path.isfile(os.path.join(last, "library.sqlite")):
        return last
    return None


def run_app(library: str | os.PathLike[str] | None = None, model: str | None = None,
            weights: str | os.PathLike[str] | None = None, device: str | None = None, backend: str | None = None,
            settings: QSettings | None = None, argv: list[str] | None = None, demo: bool = False) -> int:
    """Show the window at once; open the library and load the model in the background. Returns the exit code.

    ``backend`` and ``library`` given here (the command line) win over the saved Preferences for the session.
    ``demo``: the tiny test model on generated sample pictures in a temporary library (``main.py --demo``).
    """
    problem = check_xcb() if QApplication.instance() is None else None
    if problem:  # before Qt's own abort, which names no package
        print(f"error: {problem}", file=sys.stderr)
        if not (sys.stderr and sys.stderr.isatty()):  # started from a desktop: no terminal shows the line
            show_without_qt(problem)
        return XCB_MISSING
    app = create_app(argv)
    setup_logging()
    install_excepthook()
    service = LibraryService(model=model, weights=os.fspath(weights) if weights else None,
                             device=None if device == "auto" else device, backend=backend or "auto")
    the_demo = service.models.create_demo() if demo else None
    if the_demo is not None:  # the demo's window state stays with the demo: the curator's settings are untouched
        settings = QSettings(os.fspath(the_demo.folder / "window.ini"), QSettings.Format.IniFormat)
    settings = settings if settings is not None else QSettings()
    window = MainWindow(service, settings)
    given = {"backend": f"--backend {backend}"} if backend else {}
    if library or os.environ.get(config.ENV_LIBRARY):
        given["library"] = "--library" if library else config.ENV_LIBRARY
    window.preferences.start(given)
    window.show()
    if the_demo is not None:
        QTimer.singleShot(0, lambda: window.models.start_demo(the_demo))
    else:
        chosen = library if library or given else window.preferences.store.start_library(None)
        folder = initial_library(chosen, settings)
        # After the first paint: open the library (worker thread), then warm up the model (worker thread).
        QTimer.singleShot(0, lambda: window.open_library(folder, strict_model=bool(model)))
    code = app.exec()
    if the_demo is not None:
        import shutil

        shutil.rmtree(the_demo.folder, ignore_errors=True)  # the demo library and its pictures were temporary
    return code
