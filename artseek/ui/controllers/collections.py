"""Collections in the window: create, rename, delete; add the selection or the results marked relevant; open one
as the result view (searches, feedback and "more like this" then run within it); notes; reorder; "Find more like
this collection"; exports (CSV, copied files, PDF contact sheet) and the library data file.

A collection opened with no query shows its images in the collection's order; with
a query (text, example, marks) the search runs within its images
(:class:`artseek.ui.query_state.Scope`). *Show Whole Library* leaves it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow, QMessageBox, QProgressDialog

from artseek.ui import errors
from artseek.ui.query_state import RELEVANT, QueryModel, Scope
from artseek.ui.service import LibraryService
from artseek.ui.service_collections import OpenedCollection
from artseek.ui.widgets.collections_panel import CollectionsPanel
from artseek.ui.widgets.plain import ranked, tip

Status = Callable[[str, int], None]
EXPORTS = {"CSV file (with notes, tags, descriptions)…": ("csv", "a4"),
           "Copy the files to a folder…": ("copy", "a4"),
           "PDF contact sheet, A4…": ("pdf", "a4"),
           "PDF contact sheet, Letter…": ("pdf", "letter")}
NEW = "New collection…"


class CollectionsController(QObject):
    """The flows of the collections panel and actions; see the module docstring."""

    def __init__(self, service: LibraryService, state: QueryModel, panel: CollectionsPanel, results,  # noqa: ANN001
                 run_search: Callable[[], None], status: Status, window: QMainWindow,
                 select_result: Callable[[int], None], show_panel: Callable[[], None] = lambda: None) -> None:
        """``results``: the ResultsController (``selected_ids``); ``select_result(image_id)`` makes a result current;
        ``show_panel()`` shows the Collections panel (once a library has collections, and on creating one)."""
        super().__init__(window)
        self.service, self.state, self.panel, self.results = service, state, panel, results
        self.select_result, self.show_panel = select_result, show_panel
        self._shown_for: object = None  # the library whose collections made the panel appear
        self.run_search, self.status, self.window = run_search, status, window
        self.collections = service.collections
        self.opened: OpenedCollection | None = None
        self.infos: list = []
        self.progress: QProgressDialog | None = None
        c = self.collections
        c.listed.connect(self._listed)
        c.opened.connect(self._opened)
        c.changed.connect(self._changed)
        c.exportProgress.connect(self._progress)
        c.exported.connect(self._exported)
        c.dataImported.connect(self._imported)
        c.failed.connect(self._failed)
        service.libraryOpened.connect(lambda _s: self.collections.refresh())
        service.libraryClosed.connect(self._library_closed)
        service.indexFinished.connect(lambda _r: self._reload())  # re-linked items, moved files
        service.folderRemoved.connect(lambda *_: self._reload())
        panel.collectionActivated.connect(self.open)
        panel.imagesDropped.connect(self.add_images)
        panel.itemsReordered.connect(self.collections.reorder)
        panel.noteEdited.connect(self.collections.set_note)
        panel.itemNoteEdited.connect(self.collections.set_item_note)
        panel.itemSelected.connect(self._item_selected)
        state.scopeChanged.connect(self._scope_changed)

    # -------------------------------------------------------------- state
    @property
    def open_id(self) -> int | None:
        return self.opened.info.id if self.opened is not None else None

    def target_id(self) -> int | None:
        """The collection actions apply to: the open one, else the one selected in the panel."""
        return self.open_id if self.open_id is not None else self.panel.current_id()

    def _listed(self, infos: list) -> None:
        self.infos = infos
        if infos and self._shown_for is not self.service.library:
            self._shown_for = self.service.library
            self.show_panel()
        self.panel.set_collections(infos)
        if self.open_id is not None and self.open_id not in {i.id for i in infos}:
            self.close()

    def _library_closed(self) -> None:
        self.opened = None
        self.infos = []
        self.panel.set_collections([])
        self.panel.close_collection()

    # --------------------------------------------------------- create etc.
    def new_collection(self, name: str | None = None, image_ids: list[int] | None = None) -> None:
        if name is None:
            name, ok = QInputDialog.getText(self.window, "New collection", "Name of the new collection:")
            if not ok:
                return
        self.show_panel()
        self.collections.create(name, image_ids)

    def rename(self, name: str | None = None) -> None:
        cid = self.target_id()
        if cid is None:
            self.status("Select a collection in the Collections panel first.", 5000)
            return
        if name is None:
            current = next((i.name for i in self.infos if i.id == cid), "")
            name, ok = QInputDialog.getText(self.window, "Rename collection", "New name:", text=current)
            if not ok:
                return
        self.collections.rename(cid, name)

    def delete(self, confirm: bool = True) -> None:
        cid = self.target_id()
        info = next((i for i in self.infos if i.id == cid), None)
        if info is None:
            self.status("Select a collection in the Collections panel first.", 5000)
            return
        if confirm and QMessageBox.question(
                self.window, "Delete collection?",
                tip(f"Delete the collection '{info.name}' and its notes ({info.items} images)?\n"
                    "The images stay in the library.")) != QMessageBox.StandardButton.Yes:
            return
        self.collections.delete(cid)

    # --------------------------------------------------------------- adding
    def add_selection(self) -> None:
        self.add_to_chosen(self.results.selected_ids(), "Select one or more results first.")

    def add_relevant(self) -> None:
        self.add_to_chosen(self.state.positives, "Mark results relevant (+) first.")

    def add_to_chosen(self, image_ids: list[int], empty: str) -> None:
        """Add images to the open (or selected) collection, or ask which (the grid's selection, the relevant
        results, a selection on the map); ``empty``: what to tell when there are none."""
        if not image_ids:
            self.status(empty, 5000)
            return
        cid = self.target_id()
        if cid is None:
            names = [i.name for i in self.infos] + [NEW]
            name, ok = QInputDialog.getItem(self.window, "Add to collection",
                                            f"Add {len(image_ids)} image{'s' if len(image_ids) != 1 else ''} to:",
                                            names, 0, False)
            if not ok:
                return
            if name == NEW:
                self.new_collection(None, image_ids)
                return
            cid = next(i.id for i in self.infos if i.name == name)
        self.add_images(cid, image_ids)

    def add_images(self, collection_id: int, image_ids: list[int]) -> None:
        self.collections.add(collection_id, image_ids)

    def remove_selection(self) -> None:
        if self.open_id is None:
            return
        ids = self.results.selected_ids()
        if ids:
            self.collections.remove(self.open_id, ids)

    def _changed(self, collection_id: int, message: str) -> None:
        self.status(message, 8000)
        if self.open_id is not None and collection_id in (self.open_id, -1):
            self.collections.open(self.open_id)

    def _reload(self) -> None:
        self.collections.refresh()
        if self.open_id is not None:
            self.collections.open(self.open_id)

    # ------------------------------------------------------------- viewing
    def open(self, collection_id: int) -> None:
        self.collections.open(collection_id)

    def _opened(self, opened: OpenedCollection) -> None:
        first = self.opened is None or self.opened.info.id != opened.info.id
        self.opened = opened
        self.panel.show_collection(opened.info, opened.items, self.service.thumbnails.pixmap)
        self.state.set_scope(Scope(opened.info.id, opened.info.name, tuple(opened.image_ids)))
        if self.state.is_empty():
            self.state.set_results(opened.results)
            if first:
                missing = len(opened.items) - len(opened.results)
                extra = f" ({missing} not in the library now)" if missing else ""
                self.status(f"The collection '{opened.info.name}': {len(opened.results)} images{extra}. "
                            "Searches now run within it; Show Whole Library leaves it.", 10000)
        elif first:
            self.run_search()

    def close(self) -> None:
        """Back to the whole library (the query, if any, runs again over all of it)."""
        if self.opened is None and self.state.scope is None:
            return
        self.opened = None
        self.panel.close_collection()
        self.state.set_scope(None)
        if self.state.is_empty():
            self.state.clear_results()
        else:
            self.run_search()

    def _scope_changed(self, scope: object) -> None:
        if scope is None and self.opened is not None:
            self.opened = None
            self.panel.close_collection()

    def _item_selected(self, image_id: int) -> None:
        if image_id >= 0:
            self.select_result(image_id)

    def current_changed(self, image_id: int | None) -> None:
        """The grid's current result changed: show its item (and note) in the panel."""
        if self.opened is not None:
            self.panel.select_image(image_id)

    def find_more_like(self) -> None:
        """Feedback with the collection's images as the relevant examples, over the whole library."""
        cid = self.target_id()
        if cid is None:
            self.status("Select a collection in the Collections panel first.", 5000)
            return
        lib = self.service.library
        if lib is None:
            return
        ids = self.opened.image_ids if self.opened is not None and self.opened.info.id == cid else None

        def start(image_ids: list[int]) -> None:
            if not image_ids:
                self.status("The collection holds no indexed image to search with.", 6000)
                return
            self.opened = None
            self.panel.close_collection()
            self.state.set_scope(None)
            self.state.set_example(None)
            self.state.set_text("")
            self.state.clear_marks()
            self.state.mark(image_ids, RELEVANT)
            self.run_search()

        if ids is not None:
            start(ids)
        else:
            self.service.run_background(lambda: lib.collections.image_ids(cid), start,
                                        lambda exc: self._failed("The collection could not be read", exc))

    # ------------------------------------------------------------- exports
    def choose_export(self, selection: bool = False) -> None:
        """Ask the format and the target, then export the collection (or the selected results)."""
        cid = None if selection else self.target_id()
        ids = self.results.selected_ids() if selection else []
        if not selection and cid is None:
            self.status("Select a collection in the Collections panel first.", 5000)
            return
        if selection and not ids:
            self.status("Select one or more results first.", 5000)
            return
        choice, ok = QInputDialog.getItem(self.window, "Export", "Export as:", list(EXPORTS), 0, False)
        if not ok:
            return
        what, paper = EXPORTS[choice]
        name = next((i.name for i in self.infos if i.id == cid), "selection") if cid is not None else "selection"
        if what == "copy":
            target = QFileDialog.getExistingDirectory(self.window, "Copy the files to")
        else:
            ext = {"csv": "CSV files (*.csv)", "pdf": "PDF files (*.pdf)"}[what]
            safe = re.sub(r'[<>:"/\\|?*\x00-\x1f]+', "-", name).strip(" .-") or "export"
            target, _ = QFileDialog.getSaveFileName(self.window, "Export to", f"{safe}.{what}", ext)
        if target:
            self.export(what, target, paper, selection)

    def export(self, what: str, target: str, paper: str = "a4", selection: bool = False) -> None:
        """Export without dialogs (what: "csv", "copy" or "pdf")."""
        if selection:
            ids = self.results.selected_ids()
            scores = {r.image_id: r.score for r in self.state.results if r.image_id in set(ids) and ranked(r.score)}
            self.collections.export(what, target, image_ids=ids, scores=scores, title="Selected images",
                                    paper=paper)
        else:
            cid = self.target_id()
            title = next((i.name for i in self.infos if i.id == cid), "Collection")
            self.collections.export(what, target, collection_id=cid, title=title, paper=paper)
        self.progress = QProgressDialog("Exporting…", "Stop", 0, 0, self.window)
        self.progress.setWindowTitle("Export")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(400)
        self.progress.canceled.connect(self.collections.cancel_export)

    def _progress(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.setMaximum(total)
            self.progress.setValue(done)

    def _end_progress(self) -> None:
        if self.progress is not None:
            self.progress.reset()
            self.progress.deleteLater()
            self.progress = None

    def _exported(self, text: str) -> None:
        self._end_progress()
        self.status(text.partition("\n")[0], 12000)
        if "\n" in text:  # files that could not be copied: say which
            QMessageBox.information(self.window, "Export", tip(text))

    # ---------------------------------------------------------- user data
    def choose_export_data(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Export library data", "artseek-library-data.json",
                                              "JSON files (*.json)")
        if path:
            self.collections.export_data(path)

    def choose_import_data(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Import library data", "", "JSON files (*.json)")
        if path:
            self.collections.import_data(path)

    def _imported(self, report: object) -> None:
        self.status(f"Imported library data: {report.summary()}.", 15000)
        self._reload()

    def _failed(self, title: str, exc: BaseException) -> None:
        self._end_progress()
        errors.report(self.window, title, exc, self.status)
