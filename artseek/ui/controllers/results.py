"""The results: which one is current, the inspector and the detail view that show it, and its file."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QObject, QPoint, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMainWindow, QMenu

from artseek.ui import actions as action_table
from artseek.ui import files
from artseek.ui.query_state import QueryModel
from artseek.ui.service import LibraryService
from artseek.ui.view_data import Captions, ImageDetails
from artseek.ui.widgets.detail_dialog import DetailDialog
from artseek.ui.widgets.inspector import InspectorPanel
from artseek.ui.widgets.results_pane import ResultsPane
from artseek.ui.widgets.results_view import ResultsModel


class ResultsController(QObject):
    """Keeps the inspector and the detail view on the current result, and acts on the selection."""

    moreLikeRequested = Signal(int, str)  # image id, path: "more like this" from the detail view
    regionRequested = Signal(bytes, str)  # PNG, label: a region dragged in the detail view, as the example
    nothingFound = Signal()  # a search answered with no results

    def __init__(self, service: LibraryService, state: QueryModel, model: ResultsModel, pane: ResultsPane,
                 inspector: InspectorPanel, actions: dict[str, QAction], window: QMainWindow) -> None:
        super().__init__(window)
        self.service, self.state, self.model, self.pane, self.view = service, state, model, pane, pane.view
        self.inspector, self.actions, self.window = inspector, actions, window
        self.detail: DetailDialog | None = None
        self._detail_waits: int | None = None  # the image whose captions the detail view still waits for
        self._selection_timer = QTimer(self, singleShot=True, interval=120)
        self._selection_timer.timeout.connect(self.show_current)
        view = pane.view
        view.activated.connect(self.open_details)
        view.customContextMenuRequested.connect(self._context_menu)
        view.selectionModel().currentChanged.connect(lambda *_: self._selection_timer.start())
        state.resultsChanged.connect(model.set_results)  # the grid first: what follows reads it
        state.marksChanged.connect(model.marks_changed)
        state.resultsChanged.connect(self._results_changed)
        state.marksChanged.connect(self._marks_changed)
        service.libraryClosed.connect(self._library_closed)
        service.captionsReady.connect(self._captions_ready)
        service.detailsReady.connect(self._details_ready)
        service.thumbnails.ready.connect(self._thumbnail_ready)

    # ------------------------------------------------------------- selection
    def selected_ids(self) -> list[int]:
        """The selected results (or the current one); in the detail view, its image."""
        if self._detail_active():
            return [self.detail.image_id]
        rows = sorted(i.row() for i in self.view.selectionModel().selectedIndexes())
        if not rows and self.view.currentIndex().isValid():
            rows = [self.view.currentIndex().row()]
        return [self.model.result(r).image_id for r in rows]

    def has_current(self) -> bool:
        return self.model.rowCount() > 0 and (self.view.currentIndex().isValid() or
                                              bool(self.view.selectionModel().selectedIndexes()))

    def current_result(self):  # noqa: ANN201 - a SearchResult or None
        if self._detail_active():
            row = self.model.row_of(self.detail.image_id)
            if row is not None:
                return self.model.result(row)
        index = self.view.currentIndex()
        if not index.isValid():
            ids = self.selected_ids()
            row = self.model.row_of(ids[0]) if ids else None
            return self.model.result(row) if row is not None else None
        return self.model.result(index.row())

    def _detail_active(self) -> bool:
        return self.detail is not None and self.detail.isActiveWindow() and self.detail.image_id is not None

    def show_current(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return
        result = self.model.result(index.row())
        pixmap = self.service.thumbnails.pixmap(result.image_id)
        self.inspector.show_result(result, pixmap, self.state.mark_of(result.image_id))
        self.service.describe(result.image_id)

    # ------------------------------------------------------------- state
    def _results_changed(self, results: list) -> None:
        if results:
            self.pane.show_grid()
            first = self.model.index(0)
            self.view.selectionModel().setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.view.scrollToTop()
            self.show_current()
        else:
            self.inspector.show_nothing()
            self.nothingFound.emit()

    def _marks_changed(self, image_ids: list[int]) -> None:
        if self.inspector.image_id in image_ids:
            self.show_current()
        if self.detail is not None and self.detail.image_id in image_ids:
            self.detail.update_mark(self.state.mark_of(self.detail.image_id))

    def _library_closed(self) -> None:
        self.state.clear_results()
        self.inspector.show_nothing()
        if self.detail is not None:
            self.detail.close()

    def _thumbnail_ready(self, image_id: int) -> None:
        if self.inspector.image_id == image_id:
            self.inspector.set_pixmap(self.service.thumbnails.pixmap(image_id))

    def _captions_ready(self, captions: Captions) -> None:
        if captions.image_id == self.inspector.image_id:
            self.inspector.captions.show_captions(captions)
        if self.detail is not None:
            self.detail.show_captions(captions)
        # Only the newest description request is answered: one for the side panel made after the detail
        # view's (the selection settling) drops the detail's. Ask again for what the detail still waits for.
        waits = self._detail_waits
        if captions.image_id == waits or self.detail is None or not self.detail.isVisible() \
                or self.detail.image_id != waits:
            self._detail_waits = None
        else:
            self.service.describe(waits)

    def _details_ready(self, details: ImageDetails) -> None:
        if self.detail is not None:
            self.detail.show_details(details)

    # ------------------------------------------------------------- menus
    def _context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        if not self.view.selectionModel().isSelected(index):
            self.view.setCurrentIndex(index)
        else:
            self.view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
        menu = self.build_context_menu()
        menu.exec(self.view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def build_context_menu(self) -> QMenu:
        """The right-click menu of a result (acts on the selection / current result)."""
        return action_table.build_context_menu(self.window, self.actions)

    # ------------------------------------------------------------- detail
    def open_details(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        if self.detail is None:
            self.detail = DetailDialog(self.window)
            for action in action_table.in_panel("detail", self.actions):
                self.detail.add_action_button(action)
            self.detail.finish_buttons()
            self.detail.navigate.connect(self._detail_step)
            self.detail.openFile.connect(lambda path: files.open_file(self.window, path))
            self.detail.revealFile.connect(lambda path: files.reveal_file(self.window, path))
            self.detail.moreLikeThis.connect(self._detail_more_like)
            self.detail.regionSearch.connect(self.regionRequested)
        self._show_in_detail(index.row())
        self.detail.show()
        self.detail.raise_()
        self.detail.activateWindow()

    def _show_in_detail(self, row: int) -> None:
        result = self.model.result(row)
        self.detail.show_result(result, self.service.thumbnails.pixmap(result.image_id),
                                self.state.mark_of(result.image_id))
        self.detail.set_position(row, self.model.rowCount())
        self.service.load_details(result.image_id)
        self._detail_waits = result.image_id
        self.service.describe(result.image_id)

    def _detail_step(self, step: int) -> None:
        if self.detail is None or self.detail.image_id is None:
            return
        row = self.model.row_of(self.detail.image_id)
        if row is None:
            return
        new = max(0, min(self.model.rowCount() - 1, row + step))
        self.view.setCurrentIndex(self.model.index(new))
        self._show_in_detail(new)

    def _detail_more_like(self, image_id: int) -> None:
        row = self.model.row_of(image_id)
        if row is None:
            return
        self.detail.close()
        self.moreLikeRequested.emit(image_id, self.model.result(row).path)

    def close_detail(self) -> None:
        if self.detail is not None:
            self.detail.close()

    # ------------------------------------------------------------- files
    def open_current_file(self) -> None:
        result = self.current_result()
        if result is not None:
            files.open_file(self.window, result.path)

    def reveal_current_file(self) -> None:
        result = self.current_result()
        if result is not None:
            files.reveal_file(self.window, result.path)

    def copy_paths(self) -> None:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedIndexes()})
        if not rows and self.view.currentIndex().isValid():
            rows = [self.view.currentIndex().row()]
        if rows:
            QGuiApplication.clipboard().setText("\n".join(self.model.result(r).path for r in rows))
            self.window.statusBar().showMessage(f"Copied {len(rows)} path(s).", 3000)
