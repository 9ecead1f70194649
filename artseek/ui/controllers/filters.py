"""Filters and search history in the window: the chips, the filter dialog, and Search → Recent Searches.

Removing a chip, clearing the filters or accepting the dialog changes the
QueryModel's filters and runs the shown search again; the chips follow the
QueryModel's ``filtersChanged``. Recent searches are read after each search
(on a worker) and one click restores a search's text, example image, marks and
filters, then runs it.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QMenu, QWidget

from artseek.search.filters import SearchFilter
from artseek.ui import errors
from artseek.ui.controllers.search import SearchController
from artseek.ui.query_state import NOT_RELEVANT, RELEVANT, Example, QueryModel
from artseek.ui.service import LibraryService
from artseek.ui.widgets.filter_chips import FilterChips
from artseek.ui.widgets.filter_dialog import FilterDialog

Status = Callable[[str, int], None]


class FiltersController(QObject):
    """Flows of the filter chips and dialog, and of the recent searches menu."""

    def __init__(self, service: LibraryService, state: QueryModel, chips: FilterChips, search: SearchController,
                 search_menu: QMenu, status: Status, parent: QWidget) -> None:
        super().__init__(parent)
        self.service, self.state, self.chips, self.search, self.status = service, state, chips, search, status
        self._parent = parent
        self.dialog: FilterDialog | None = None
        self.entries: list = []  # the recent searches (HistoryEntry), newest first
        chips.removeRequested.connect(self.remove)
        chips.addRequested.connect(self.choose)
        chips.clearRequested.connect(self.clear)
        state.filtersChanged.connect(chips.set_filter)
        history = service.history
        history.optionsReady.connect(self._show_dialog)
        history.entriesListed.connect(self._listed)
        history.entryReady.connect(self._restore)
        history.failed.connect(lambda title, exc: errors.report(parent, title, exc, status))
        service.searchFinished.connect(lambda _outcome: history.list_entries())
        service.libraryOpened.connect(lambda _status: history.list_entries())
        service.libraryClosed.connect(lambda: self._listed([]))
        search_menu.addSeparator()
        self.recent_menu = search_menu.addMenu("Recent Searc&hes")
        self.recent_menu.setObjectName("recentSearches")
        self.recent_menu.setToolTipsVisible(True)
        self._listed([])

    # ------------------------------------------------------------ filters
    def set_filters(self, flt: SearchFilter) -> None:
        """New filters: the chips show them, and the shown search runs again within them."""
        if flt == self.state.filters:
            return
        self.state.set_filters(flt)
        if not self.state.is_empty() or self.search.search_area.field.text().strip():
            self.search.run_search()
        else:
            self.status(f"Filters: {flt.describe() or 'none'}. They apply to the next search.", 6000)

    def remove(self, key: str) -> None:
        self.set_filters(self.state.filters.without(key))

    def clear(self) -> None:
        self.set_filters(SearchFilter())

    def choose(self) -> None:
        """Open the filter dialog (once the library's folders, formats, tags and collections are read)."""
        if self.dialog is not None:
            self.dialog.raise_()
            return
        if self.service.need_library():
            self.service.history.filter_options()

    def _show_dialog(self, options: object) -> None:
        if self.dialog is not None:
            return
        self.dialog = FilterDialog(options, self.state.filters, self._parent)
        self.dialog.finished.connect(self._dialog_finished)
        self.dialog.open()

    def _dialog_finished(self, _result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None and dialog.result_filter is not None:
            self.set_filters(dialog.result_filter)
        if dialog is not None:
            dialog.deleteLater()

    # ------------------------------------------------------------ history
    def _listed(self, entries: list) -> None:
        self.entries = entries
        menu = self.recent_menu
        menu.clear()
        for entry in entries:
            when = entry.created_at.astimezone().strftime("%d %b %H:%M")
            text = entry.describe()
            action = menu.addAction(f"{text if len(text) < 80 else text[:77] + '…'}   ({when})")
            action.setToolTip(text)
            action.triggered.connect(lambda _=False, i=entry.id: self.restore(i))
        if not entries:
            menu.addAction("No searches yet").setEnabled(False)

    def restore(self, entry_id: int) -> None:
        """Bring back a recorded search (text, example, marks, filters) and run it."""
        self.service.history.restore(entry_id)

    def _restore(self, entry: object, example_path: str | None) -> None:
        self.search.search_area.field.setText(entry.text or "")
        self.state.set_text(entry.text or "")
        if entry.example_id is not None:
            self.state.set_example(Example.from_library(entry.example_id, example_path or f"image {entry.example_id}"),
                                   self.service.thumbnails.pixmap(entry.example_id))
        elif entry.example_path and os.path.isfile(entry.example_path):
            self.state.set_example(Example.from_file(entry.example_path), QPixmap(entry.example_path))
        else:
            self.state.set_example(None)
        self.state.clear_marks()
        self.state.mark(entry.positive_ids, RELEVANT)
        self.state.mark([i for i in entry.negative_ids if i not in entry.positive_ids], NOT_RELEVANT)
        self.state.set_filters(entry.filter)
        lost = []
        if entry.example_pasted or (entry.example_path and entry.example_id is None
                                    and not os.path.isfile(entry.example_path)):
            lost.append("its example image is no longer available")
        if entry.lost_marks:
            lost.append(f"{entry.lost_marks} marked images are no longer in the library")
        if lost:
            self.status(f"Restored the search, but {' and '.join(lost)}.", 10000)
        if self.state.is_empty():
            self.status("Nothing of that search could be restored.", 8000)
            return
        self.search.run_search()
