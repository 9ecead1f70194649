"""The window shows an error by its type, never by its text."""

from __future__ import annotations

import pytest

from artseek.errors import EmptyQueryError, LibraryError, QueryError
from artseek.search.query import Query
from artseek.ui import errors
from artseek.ui.query_state import QueryState

pytestmark = pytest.mark.gui


def test_presentation_by_type() -> None:
    assert errors.presentation(EmptyQueryError("Nothing to search for.")) == errors.STATUS_ONLY
    assert errors.presentation(QueryError("The query is empty.")) == errors.DIALOG  # the text does not matter
    assert errors.presentation(LibraryError("x")) == errors.DIALOG
    assert errors.presentation(ValueError("empty")) == errors.DIALOG


def test_an_empty_query_is_a_status_message_other_search_errors_a_dialog(qtbot, window,  # noqa: ANN001
                                                                         monkeypatch) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(errors, "show_error", lambda parent, title, text: shown.append((title, text)))
    with pytest.raises(EmptyQueryError):  # the core raises the type too
        window.service.library.search_query(Query())
    with qtbot.waitSignal(window.service.searchFailed, timeout=5_000) as failed:
        window.service.search(QueryState())
    assert isinstance(failed.args[0], EmptyQueryError)
    assert window.statusBar().currentMessage() == "Nothing to search for."
    assert shown == []
    # A marked image that is not indexed: a QueryError, shown as a dialog (its first line also in the status bar).
    with qtbot.waitSignal(window.service.searchFailed, timeout=30_000) as failed:
        window.service.search(QueryState(text="", example=None, marks={123456: 1}))
    assert isinstance(failed.args[0], QueryError) and not isinstance(failed.args[0], EmptyQueryError)
    assert shown and shown[0][0] == "Search failed" and "123456" in shown[0][1]
