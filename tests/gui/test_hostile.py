"""Hostile conditions in the window (#20): no traceback reaches the user, odd names show literally,
offline folders, library notes, backups and a damaged database."""

from __future__ import annotations

import sys
import threading

import pytest
from PySide6.QtCore import QTimer

from artseek import crash_log
from artseek.ui import errors

pytestmark = pytest.mark.gui


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_is_logged_and_shown_as_one_line(qtbot, monkeypatch) -> None:  # noqa: ANN001
    shown: list[tuple[str, str, str]] = []
    monkeypatch.setattr(errors, "show_error",
                        lambda parent, title, text, details="": shown.append((title, text, details)))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    errors.install_excepthook()

    def slot() -> None:
        raise ZeroDivisionError("the slot divided by zero")

    QTimer.singleShot(0, slot)
    qtbot.waitUntil(lambda: bool(shown), timeout=5_000)
    title, text, details = shown[0]
    assert "Traceback" not in text and details == ""
    assert "ZeroDivisionError: the slot divided by zero" in text and str(crash_log.log_path()) in text
    logged = crash_log.log_path().read_text(encoding="utf-8")
    assert "Traceback" in logged and "def slot" not in text and "in slot" in logged

    # An exception of a Python thread arrives on the UI thread the same way.
    thread = threading.Thread(target=lambda: [][1])
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=5_000)
    assert "IndexError" in shown[1][1] and str(crash_log.log_path()) in shown[1][1]


def test_an_unexpected_worker_exception_is_one_line_and_logged(qtbot, window, monkeypatch) -> None:  # noqa: ANN001
    shown: list[str] = []
    monkeypatch.setattr(errors, "show_error", lambda parent, title, text, details="": shown.append(text))

    def boom(*_: object) -> None:
        raise KeyError("a surprise on the worker")

    monkeypatch.setattr(type(window.service.library), "status", boom)
    window.service.refresh_status()
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert "KeyError" in shown[0] and str(crash_log.log_path()) in shown[0] and "Traceback" not in shown[0]
    assert "a surprise on the worker" in crash_log.log_path().read_text(encoding="utf-8")
