"""The map flow: show the map beside the grid, keep it up to date, and tie it to the query and the side panel.

* *View → Map* shows the panel; the map is read, and built in the background when
  there is none or when images were indexed since (new images are placed with the
  saved layout, no refit); *Rebuild Map Layout* lays it out again.
* A click on the map shows the image in the side panel: through the grid when it is
  a result (the grid's current item, which the panel follows), directly otherwise.
* Rectangle or lasso selection → mark relevant / not relevant (the QueryModel's
  marks), or add to a collection (the window passes :meth:`selected` to the collections controller).
* The current results are drawn with their rank and follow every search and Refine
  (the QueryModel's ``resultsChanged``).

The panel (and numpy, which the map view needs) is created when the map is first
shown, not when the window starts; until then an empty placeholder holds its place in
the splitter, so the window's saved splitter layout keeps its meaning.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QSplitter, QWidget

from artseek.search.results import SearchResult
from artseek.ui.query_state import NOT_RELEVANT, RELEVANT, QueryModel
from artseek.ui.service import LibraryService
from artseek.ui.widgets.inspector import InspectorPanel
from artseek.ui.widgets.plain import esc

PANEL_ACTIONS = ("map_mark_relevant", "map_mark_not_relevant", "map_to_collection", "map_refit")
PANEL_TEXTS = {"map_mark_relevant": "Relevant", "map_mark_not_relevant": "Not Relevant",
               "map_to_collection": "To Collection…", "map_refit": "Rebuild"}  # short, in the panel's toolbar


class MapController(QObject):
    def __init__(self, service: LibraryService, state: QueryModel, results, splitter: QSplitter,  # noqa: ANN001
                 inspector: InspectorPanel, actions: dict[str, QAction], mark: Callable[[list[int], int], None],
                 window: QMainWindow) -> None:
        """``results``: the ResultsController (its grid model and view); ``mark(ids, value)``: the window's marking."""
        super().__init__(window)
        self.service, self.state, self.results, self.inspector = service, state, results, inspector
        self.actions, self.mark, self.window = actions, mark, window
        for name, text in PANEL_TEXTS.items():
            actions[name].setIconText(text)
        self.splitter = splitter
        self._panel = None  # the MapPanel, created on first show (see the module's docstring)
        placeholder = QWidget(splitter)
        splitter.insertWidget(1, placeholder)
        splitter.setStretchFactor(1, 1)
        placeholder.hide()
        actions["show_map"].setChecked(False)
        self._auto_built = False  # one automatic build per library opened (a failed one is not retried by itself)
        self._has_map = False
        self._repaint = QTimer(self, singleShot=True, interval=60)  # thumbnails arrive in bursts: one repaint
        self._repaint.timeout.connect(lambda: self._panel is not None and self.view.viewport().update())
        m = service.map
        m.loaded.connect(self._show_data)
        m.progress.connect(self._progress)
        m.built.connect(self._built)
        m.failed.connect(self._failed)
        state.resultsChanged.connect(lambda results: self._panel is not None
                                     and self.view.set_results([r.image_id for r in results]))
        service.thumbnails.ready.connect(lambda _id: self.visible and self._repaint.start())
        service.libraryOpened.connect(self._library_opened)
        service.libraryClosed.connect(self._library_closed)
        service.indexFinished.connect(self._indexed)
        results.view.selectionModel().currentChanged.connect(self._grid_current)

    # ------------------------------------------------------------ showing
    @property
    def panel(self):  # noqa: ANN201 - MapPanel, imported on first use
        """The map panel, created (in the placeholder's place) on first use."""
        if self._panel is None:
            from artseek.ui.widgets.map_panel import MapPanel

            panel = MapPanel(self.service.thumbnails.pixmap, [self.actions[a] for a in PANEL_ACTIONS], None)
            panel.hide()
            self.splitter.replaceWidget(1, panel).deleteLater()
            self.splitter.setStretchFactor(1, 1)
            panel.cancelRequested.connect(self.service.map.cancel)
            panel.view.currentChanged.connect(self.show_image)
            panel.view.selectionChanged.connect(self._selection_changed)
            self._panel = panel
            panel.view.set_results([r.image_id for r in self.state.results])
            self._grid_current(self.results.view.currentIndex())
        return self._panel

    @property
    def panel_created(self) -> bool:
        return self._panel is not None

    @property
    def view(self):  # noqa: ANN201 - MapView
        return self.panel.view

    @property
    def visible(self) -> bool:
        return self._panel is not None and self._panel.isVisible()

    def toggle(self) -> None:
        self.set_visible(not self.visible)

    def set_visible(self, visible: bool) -> None:
        if self._panel is None and not visible:
            return
        self.panel.setVisible(visible)
        self.actions["show_map"].setChecked(visible)
        if visible:
            sizes = self.splitter.sizes()
            if sizes[1] < 200:  # first shown: half of the grid's room
                sizes[0], sizes[1] = (sizes[0] + sizes[1]) // 2, (sizes[0] + sizes[1]) - (sizes[0] + sizes[1]) // 2
                self.splitter.setSizes(sizes)
            self.load()

    def load(self) -> None:
        if self.service.is_open:
            if not self._has_map:
                self.panel.show_message("Reading the map…")
            self.service.map.load()

    def _library_opened(self, _status: object) -> None:
        self._auto_built, self._has_map = False, False
        if self._panel is None:
            return
        self.view.set_selection([])
        if self.visible:
            self.load()

    def _library_closed(self) -> None:
        from artseek.map.store import MapPoints

        self._has_map = False
        if self._panel is None:
            return
        self.view.set_map(MapPoints.empty(), [])
        self.panel.set_idle("")
        self._selection_changed([])

    def _indexed(self, _report: object) -> None:
        if self.visible and self._has_map and not self.service.read_only:
            self.service.map.build()  # place the new images (no refit)

    def _show_data(self, data) -> None:  # noqa: ANN001 - MapData
        n = len(data.points)
        if n:
            self._has_map = True
            self.panel.show_map()
            self.view.set_map(data.points, data.clusters)
            self.view.set_results([r.image_id for r in self.state.results])
            waiting = f" · {data.pending:,} new images to place" if data.pending else ""
            self.panel.set_idle(f"{n:,} images · {len(data.clusters)} clusters{waiting}")
        writable = self.service.is_open and not self.service.read_only
        if data.pending and writable and not self._auto_built and not self.service.map.building \
                and not self.service.indexing:
            self._auto_built = True
            self.build()
        elif not n and not self.service.map.building:
            self.panel.show_message("No map yet. Import images, then use View → Rebuild Map Layout."
                                    if writable else "This library has no map yet (it is open read-only).")

    # ------------------------------------------------------------ building
    def build(self, refit: bool = False) -> None:
        if self.service.map.build(refit):
            if not self._has_map:
                self.panel.show_message("Laying out the map… (the first map of a session also prepares the "
                                        "layout code, about a minute)")
            self.panel.set_busy("Starting…")

    def refit(self) -> None:
        self.set_visible(True)
        self.build(refit=True)

    def _progress(self, p) -> None:  # noqa: ANN001 - MapProgress
        self.panel.set_busy(p.message or p.phase, p.done if p.phase == "placing" else 0,
                            p.total if p.phase == "placing" else 0)

    def _built(self, report) -> None:  # noqa: ANN001 - MapReport
        if report.cancelled:
            text = "Map build cancelled; the map saved before is unchanged."
        elif report.refit:
            text = f"Map laid out: {report.points:,} images, {report.clusters} clusters in {report.seconds:.0f} s."
        else:
            text = f"Map updated: {report.placed:,} new images placed, {report.removed:,} removed."
        self.panel.set_idle(text)
        self.window.statusBar().showMessage(text, 8000)
        if report.cancelled and not self._has_map:
            self.panel.show_message("No map yet (its build was cancelled). Use View → Rebuild Map Layout.")

    def _failed(self, title: str, exc: BaseException) -> None:
        self.panel.set_idle("")
        if not self._has_map:
            self.panel.show_message(f"{title}.")
        self.service.error.emit(title, exc)

    # ------------------------------------------------------------ selection
    def selected(self) -> list[int]:
        return self.view.selected if self.visible else []

    def _selection_changed(self, ids: list[int]) -> None:
        if len(ids) > 1:
            self.panel.status.setText(f"{len(ids):,} images selected")
        self.window.update_enabled()

    def mark_selection(self, value: int) -> None:
        ids = self.selected()
        if ids:
            self.mark(ids, value)
            word = {RELEVANT: "relevant", NOT_RELEVANT: "not relevant"}.get(value, "unmarked")
            self.window.statusBar().showMessage(f"Marked {len(ids):,} images {word}; press Refine to re-rank.", 5000)

    def _grid_current(self, current, _previous=None) -> None:  # noqa: ANN001
        if self._panel is not None and current.isValid() and current.row() < self.results.model.rowCount():
            self.view.set_current(self.results.model.result(current.row()).image_id)

    def show_image(self, image_id: int) -> None:
        """The side panel follows the image clicked on the map (through the grid when it is a result)."""
        row = self.results.model.row_of(image_id)
        if row is not None:
            self.results.view.setCurrentIndex(self.results.model.index(row))
            return
        path = self.view.path_of(image_id) or ""
        self.inspector.show_result(SearchResult(image_id, path, math.nan), self.service.thumbnails.pixmap(image_id),
                                   self.state.mark_of(image_id))
        self.inspector.facts.setText(f"On the map; not among the current results<br>"
                                     f"<span style='color:gray'>{esc(path)}</span>")
        self.service.describe(image_id)
