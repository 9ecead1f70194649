"""Fixtures for the window tests: an isolated settings file and a window on a fresh tiny-model library."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest.importorskip("pytestqt")

from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDropEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from tests.conftest import TINY_WEIGHTS  # noqa: E402

INDEX_TIMEOUT_MS = 90_000


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, settings: QSettings, tmp_path: Path):  # noqa: ANN001, ANN201
    """A factory: a shown MainWindow with a tiny-model library opened (``folder`` defaults to a new one)."""
    from artseek.ui.main_window import MainWindow
    from artseek.ui.service import LibraryService

    windows = []

    def make(folder: Path | None = None, open_library: bool = True):  # noqa: ANN202
        service = LibraryService(model="tiny-test", weights=str(TINY_WEIGHTS))
        window = MainWindow(service, settings)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        if open_library:
            window.open_library(str(folder or tmp_path / f"library{len(windows)}"), strict_model=True)
            qtbot.waitUntil(lambda: service.is_open, timeout=30_000)
        return window

    yield make
    for window in windows:
        window.service.cancel_indexing()
        window.close()


@pytest.fixture
def window(make_window):  # noqa: ANN001, ANN201
    return make_window()


def copy_shapes(shapes, folder: Path, start: int, stop: int) -> Path:  # noqa: ANN001
    """Copy generated shapes ``start:stop`` into ``folder`` (made if needed); returns the folder."""
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    for p, _ in shapes[start:stop]:
        shutil.copy(p, folder / p.name)
    return folder


def wait_indexed(qtbot, window, count: int | None = None) -> None:  # noqa: ANN001
    """Wait until no indexing job runs (and, if given, ``count`` images are indexed)."""
    service = window.service
    qtbot.waitUntil(lambda: not service.indexing, timeout=INDEX_TIMEOUT_MS)
    if count is not None:
        qtbot.waitUntil(lambda: service.status is not None and service.status.indexed == count, timeout=10_000)


def search(qtbot, window, text: str | None = None) -> list:  # noqa: ANN001
    """Type ``text`` (if given), press Enter in the search field and wait for the results."""
    before = window.service.search_token
    if text is not None:
        window.search_area.field.setText(text)
        window.search_area.field.setFocus()
        with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
            qtbot.keyClick(window.search_area.field, Qt.Key.Key_Return)
    else:
        with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
            window.run_search()
    assert window.service.search_token > before
    return window.model.results()


def file_mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drop(widget: QWidget, mime: QMimeData) -> bool:
    """Simulate a drag entering ``widget`` and dropping ``mime``; returns whether the drop was accepted."""
    pos = widget.rect().center()
    enter = QDragEnterEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)
    return event.isAccepted()
