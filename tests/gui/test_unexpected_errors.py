"""An unexpected error in the window reads as the window's own message (it keeps running), not the command
line's "ArtSeek stopped on an unexpected error"; the traceback goes to the log, whose path the message names."""

from __future__ import annotations

import pytest

from artseek import crash_log
from artseek.errors import LibraryError
from artseek.ui import errors

pytestmark = pytest.mark.gui


def test_the_window_words_an_unexpected_error_as_still_running_with_the_log_and_what_to_do() -> None:
    try:
        {}["missing key"]
    except KeyError as exc:
        text = errors.describe_error(exc)
    head, _, rest = text.partition("\n")
    assert head == ("Something unexpected went wrong (KeyError: 'missing key'). ArtSeek is still running, and work "
                    "saved before is kept.")
    assert "stopped" not in text and "Traceback" not in text
    assert "try it again" in rest and f"log file {crash_log.log_path()}" in rest and "If it happens again" in rest
    assert "'missing key'" in crash_log.log_path().read_text(encoding="utf-8")  # the details are in the log
    # An error the core expected keeps its own words (what happened, what to do).
    assert errors.describe_error(LibraryError("No library is open.", "Open one.")) == "No library is open.\nOpen one."


def test_an_uncaught_exception_shows_the_window_wording(qtbot, monkeypatch) -> None:  # noqa: ANN001
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(errors, "show_error", lambda parent, title, text, details="": shown.append((title, text)))
    errors.excepthook(ZeroDivisionError, ZeroDivisionError("divided by zero"), None)
    assert len(shown) == 1
    title, text = shown[0]
    assert title == "ArtSeek — unexpected error"
    assert text.startswith("Something unexpected went wrong (ZeroDivisionError: divided by zero). ArtSeek is still "
                           "running") and str(crash_log.log_path()) in text
