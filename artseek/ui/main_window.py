"""The main window: it only assembles the widgets, the action table and the controllers, and wires them.

What happens lives elsewhere: :mod:`.actions` (what the curator can do, and when),
:mod:`.query_state` (the observable query), :mod:`.controllers` (the flows),
:mod:`.service` (the door to the core), :mod:`.widgets` (one widget per file).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (QDockWidget, QLabel, QMainWindow, QMessageBox, QProgressBar, QSplitter, QToolBar,
                               QVBoxLayout, QWidget)

from artseek import __version__
from artseek.ui import actions as action_table
from artseek.ui import icons
from artseek.ui.controllers.details import DetailsController
from artseek.ui.controllers.backups import BackupsController
from artseek.ui.controllers.collections import CollectionsController
from artseek.ui.controllers.composed import ComposedController
from artseek.ui.controllers.filters import FiltersController
from artseek.ui.controllers.duplicates import DuplicatesController
from artseek.ui.controllers.library import LibraryController
from artseek.ui.controllers.models import ModelsController
from artseek.ui.controllers.preferences import PreferencesController
from artseek.ui.controllers.map import MapController
from artseek.ui.controllers.results import ResultsController
from artseek.ui.controllers.search import SearchController
from artseek.ui.controllers.texts import TextsController
from artseek.ui.errors import MODEL_SETUP, report
from artseek.ui.query_state import NOT_RELEVANT, RELEVANT, Example, QueryModel
from artseek.ui.service import LibraryService
from artseek.ui.style import style_sheet
from artseek.ui.widgets.collections_panel import CollectionsPanel
from artseek.ui.widgets.drops import read_mime
from artseek.ui.widgets.feedback_bar import FeedbackBar
from artseek.ui.widgets.filter_chips import FilterChips
from artseek.ui.widgets.index_panel import IndexPanel
from artseek.ui.widgets.inspector import InspectorPanel
from artseek.ui.widgets.link_label import ClickableLabel
from artseek.ui.widgets.plain import plain_label
from artseek.ui.widgets.results_pane import ResultsPane
from artseek.ui.widgets.results_view import ResultsModel
from artseek.ui.widgets.search_area import SearchArea
from artseek.ui.widgets.status_bar import StatusBar

MIN_WIDTH, MIN_HEIGHT = 720, 460  # every part stays usable down to here (tests/gui/test_layout.py)


class MainWindow(QMainWindow):
    """ArtSeek's window. All core work goes through ``service``."""

    def __init__(self, service: LibraryService, settings: QSettings | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.settings = settings if settings is not None else QSettings()
        self.state = QueryModel(self)

        self.setWindowTitle("ArtSeek")
        self.setWindowIcon(icons.app_icon())
        self.setAcceptDrops(True)
        self.setStyleSheet(style_sheet())
        self.resize(1280, 820)
        self.setMinimumSize(QSize(MIN_WIDTH, MIN_HEIGHT))

        central = QWidget(self)
        self.search_area = SearchArea(central)
        self.actions: dict[str, QAction] = action_table.create_actions(self, self._slots(),
                                                                       {"search": self.search_area})
        self._build_central(central)
        menus = action_table.build_menus(self.menuBar(), self.actions)
        self._build_toolbar()
        self._build_status_bar()

        status = self.statusBar().showMessage
        self.search = SearchController(service, self.state, self.search_area, status, self)
        self.backups = BackupsController(service, self, status)
        self.library = LibraryController(service, self.settings, self.state, self.stack, self.index_panel,
                                         self.library_label, self.model_label, self, self.backups.offer_restore)
        self.results = ResultsController(service, self.state, self.model, self.stack, self.inspector, self.actions,
                                         self)
        self.composed = ComposedController(service, self.actions["use_pic2word"], status, self)
        self.models = ModelsController(service, self, status)  # model setup and the demo
        self.preferences = PreferencesController(service, self, self.view.set_thumbnail_size, status)
        self.details = DetailsController(service, self.state, self.results.current_result, self, status)
        self.model_label.clicked.connect(lambda: self.models.show_setup())
        self.texts = TextsController(service, self.state, self.model, self.results, self.actions, status, self)
        self._build_collections(status)
        self.filters = FiltersController(service, self.state, self.filter_chips, self.search, menus["&Search"],
                                         status, self)
        self.duplicates = DuplicatesController(service, self, status)
        self.map = MapController(service, self.state, self.results, self.splitter, self.inspector, self.actions,
                                 self.mark, self)
        self._wire()
        self._restore_settings()
        self.update_enabled()

    # ------------------------------------------------------------- building
    def _slots(self) -> dict:
        r, s, lib = (lambda: self.results), (lambda: self.search), (lambda: self.library)
        return {
            "open_library": lambda: lib().choose_library(), "import_folder": lambda: lib().choose_import_folder(),
            "paste_image": lambda: s().paste_image(), "quit": self.close,
            "library_status": lambda: lib().show_library_dialog(), "rescan": lambda: lib().rescan(),
            "remove_folder": lambda: lib().choose_folder_to_remove(), "reindex": lambda: lib().choose_reindex_model(), "failures": lambda: lib().show_failures(),
            "backups": lambda: self.backups.show_dialog(), "find_duplicates": lambda: self.duplicates.show_dialog(),
            "focus_search": self.focus_search, "search": self.run_search, "refine": self.refine,
            "mark_relevant": lambda: self.mark(r().selected_ids(), RELEVANT),
            "mark_not_relevant": lambda: self.mark(r().selected_ids(), NOT_RELEVANT),
            "clear_mark": lambda: self.mark(r().selected_ids(), 0), "clear_marks": self.clear_marks,
            "more_like_this": self.more_like_this, "clear_example": lambda: s().clear_example(),
            "open_details": lambda: r().open_details(self.view.currentIndex()),
            "open_file": lambda: r().open_current_file(), "reveal": lambda: r().reveal_current_file(),
            "copy_path": lambda: r().copy_paths(), "toggle_inspector": self.toggle_inspector,
            "shortcuts": self.show_shortcuts, "about": self.show_about,
            "use_pic2word": lambda: self.composed.choose(), "train_mapper": lambda: self.composed.train(),
            "model_setup": lambda: self.models.show_setup(), "preferences": lambda: self.preferences.show_dialog(),
            "import_descriptions": lambda: self.texts.import_descriptions(),
            "export_tags": lambda: self.texts.choose_export_file(), "categories": lambda: self.texts.show_categories(),
            "search_descriptions": lambda: self.texts.set_search_in_descriptions(
                self.actions["search_descriptions"].isChecked()),
            "edit_description": lambda: self.texts.edit_description(),
            "tag_badges": lambda: self.texts.set_badges(self.actions["tag_badges"].isChecked()),
            **self._collection_slots(),
            "add_filter": lambda: self.filters.choose(), "clear_filters": lambda: self.filters.clear(),
            "show_map": lambda: self.map.toggle(), "map_refit": lambda: self.map.refit(),
            "map_mark_relevant": lambda: self.map.mark_selection(RELEVANT),
            "map_mark_not_relevant": lambda: self.map.mark_selection(NOT_RELEVANT),
            "map_to_collection": lambda: self.collections.add_to_chosen(self.map.selected(),
                                                                       "Select images on the map first."),
            "detail_indexing": lambda: self.details.toggle_detail_indexing(),
            "reproduction_indexing": lambda: self.details.toggle_reproduction_indexing(),
            "find_reproductions": lambda: self.details.find(False), "find_source": lambda: self.details.find(True),
        }

    def _collection_slots(self) -> dict:
        c = lambda: self.collections  # noqa: E731
        return {
            "new_collection": lambda: c().new_collection(), "add_to_collection": lambda: c().add_selection(),
            "add_relevant_to_collection": lambda: c().add_relevant(),
            "remove_from_collection": lambda: c().remove_selection(),
            "find_more_like_collection": lambda: c().find_more_like(), "show_whole_library": lambda: c().close(),
            "rename_collection": lambda: c().rename(), "delete_collection": lambda: c().delete(),
            "export_collection": lambda: c().choose_export(), "export_selection": lambda: c().choose_export(True),
            "export_library_data": lambda: c().choose_export_data(),
            "import_library_data": lambda: c().choose_import_data(),
            "toggle_collections": lambda: self.collections_dock.setVisible(not self.collections_dock.isVisible()),
        }

    def _build_collections(self, status) -> None:  # noqa: ANN001
        """The Collections panel (a dock on the left) and its controller."""
        a = self.actions
        self.collections_panel = CollectionsPanel([a[n] for n in ("new_collection", "rename_collection",
                                                                  "delete_collection", "export_collection")],
                                                  a["show_whole_library"], self)
        self.collections_dock = QDockWidget("Collections", self)
        self.collections_dock.setObjectName("collectionsDock")
        self.collections_dock.setWidget(self.collections_panel)
        self.collections_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                                          | QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.collections_dock)
        self.collections_dock.hide()  # shown once the library has a collection (or with F8)
        a["toggle_collections"].setChecked(False)
        self.collections_dock.visibilityChanged.connect(a["toggle_collections"].setChecked)

        def select_result(image_id: int) -> None:
            row = self.model.row_of(image_id)
            if row is not None:
                self.view.setCurrentIndex(self.model.index(row))

        self.collections = CollectionsController(self.service, self.state, self.collections_panel, self.results,
                                                 self.run_search, status, self, select_result,
                                                 self.collections_dock.show)
        self.view.selectionModel().currentChanged.connect(
            lambda *_: self.collections.current_changed(getattr(self.results.current_result(), "image_id", None)))
        for signal in (self.state.scopeChanged, self.collections_panel.list.currentItemChanged):
            signal.connect(self.update_enabled)

    def _build_central(self, central: QWidget) -> None:
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.search_area.field.installEventFilter(self)
        layout.addWidget(self.search_area)
        self.filter_chips = FilterChips(central)
        layout.addWidget(self.filter_chips)
        self.feedback_bar = FeedbackBar(action_table.in_panel("feedback", self.actions), central)
        layout.addWidget(self.feedback_bar)

        self.model = ResultsModel(self.service.thumbnails, self.state.marks, self)
        self.stack = ResultsPane(self.actions["import_folder"], central)
        self.view = self.stack.view
        self.view.setModel(self.model)
        self.inspector = InspectorPanel(central)
        for action in action_table.in_panel("inspector", self.actions):
            self.inspector.add_action_button(action)
        self.inspector.finish_buttons()

        self.splitter = QSplitter(Qt.Orientation.Horizontal, central)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(self.inspector)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setCollapsible(0, False)
        self.splitter.setSizes([900, 340])
        layout.addWidget(self.splitter, 1)
        self.index_panel = IndexPanel(central)
        layout.addWidget(self.index_panel)
        self.setCentralWidget(central)
        self.setTabOrder(self.search_area.field, self.search_area.top_k)
        self.setTabOrder(self.search_area.top_k, self.search_area.button)
        self.setTabOrder(self.search_area.button, self.view)

    def _build_toolbar(self) -> None:
        tb = QToolBar("Main toolbar", self)
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        tb.setIconSize(QSize(22, 22))
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        action_table.fill_toolbar(tb, self.actions)
        self.addToolBar(tb)
        self.toolbar = tb

    def _build_status_bar(self) -> None:
        self.setStatusBar(StatusBar(self))  # long messages elide instead of running into the labels
        sb = self.statusBar()
        self.search_busy = QProgressBar(self)
        self.search_busy.setRange(0, 0)
        self.search_busy.setMaximumWidth(90)
        self.search_busy.setMaximumHeight(14)
        self.search_busy.hide()
        self.model_label = ClickableLabel("Model: –", "Model Setup: add, download or check the model", self)
        self.library_label = plain_label(QLabel("No library", self))
        sb.addPermanentWidget(self.search_busy)
        sb.addPermanentWidget(self.library_label)
        sb.addPermanentWidget(self.model_label)

    def _wire(self) -> None:
        """Who listens to whom: the query state's signals drive the views; the service's, the enablement."""
        state, s = self.state, self.service
        state.marksChanged.connect(lambda _: self.feedback_bar.update_marks(len(state.positives),
                                                                            len(state.negatives)))
        self.results.nothingFound.connect(lambda: self.library.show_empty(searched=True))
        self.results.moreLikeRequested.connect(self.search.search_like)
        self.results.regionRequested.connect(self.search.search_region)
        self.search.importRequested.connect(self.import_folders)
        self.search.busyChanged.connect(self.search_busy.setVisible)
        self.inspector.captions.keywordActivated.connect(self.search.search_keyword)
        s.folderRemoved.connect(lambda *_: self.state.is_empty() or self.run_search())
        s.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        setup = {MODEL_SETUP: self.models.offer_setup}  # a missing model opens Model Setup, not an error box
        s.error.connect(lambda title, exc: report(self, title, exc, presenters=setup))
        # One rule for what is enabled, recomputed whenever something it reads changes.
        for signal in (state.resultsChanged, state.marksChanged, state.exampleChanged, s.libraryOpened,
                       s.libraryFailed, s.libraryClosed, s.statusChanged, s.indexStarted, s.indexFinished,
                       s.indexFailed, s.modelStateChanged, self.view.selectionModel().selectionChanged,
                       self.view.selectionModel().currentChanged):
            signal.connect(self.update_enabled)

    def update_enabled(self, *_: object) -> None:
        s = self.service
        status = s.status
        action_table.update_enabled(self.actions, action_table.UiState(
            has_library=s.is_open, writable=s.is_open and not s.read_only, has_roots=bool(status and status.roots),
            indexing=s.indexing, has_results=self.model.rowCount() > 0, has_current=self.results.has_current(),
            has_marks=bool(self.state.marks), has_example=self.state.example is not None,
            model_usable=s.model_state != "failed", in_collection=self.state.scope is not None,
            has_collection=self.collections.target_id() is not None,
            map_selection=bool(getattr(self, "map", None) and self.map.selected())))

    # ------------------------------------------------------------ settings
    def _restore_settings(self) -> None:
        for key, restore in (("window/geometry", self.restoreGeometry), ("window/state", self.restoreState),
                             ("window/splitter", self.splitter.restoreState)):
            value = self.settings.value(key)
            if isinstance(value, QByteArray) and not value.isEmpty():
                restore(value)
        visible = self.settings.value("window/inspector", True) not in (False, "false", "0", 0)
        self.inspector.setVisible(visible)
        self.actions["toggle_inspector"].setChecked(visible)
        try:
            self.search_area.set_top_k(int(self.settings.value("search/top_k", 100)))
        except (TypeError, ValueError):
            pass

    def save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.setValue("window/inspector", self.inspector.isVisible())
        self.settings.setValue("search/top_k", self.search_area.top_k_value())
        if self.library.folder:
            self.settings.setValue("library/last", self.library.folder)
        self.settings.sync()

    # ------------------------------------------- public seams (tests, scripts)
    def open_library(self, folder: str | None, strict_model: bool = False) -> None:
        self.library.open_library(folder, strict_model)

    def import_folders(self, folders: list[str]) -> None:
        self.library.import_folders(folders)

    def confirm_remove_folder(self, folder: str) -> None:
        self.library.confirm_remove_folder(folder)

    def run_search(self) -> None:
        self.search.run_search()

    def refine(self) -> None:
        self.search.refine()

    def set_example(self, example: Example, pixmap: object = None) -> None:
        self.search.set_example(example, pixmap)

    def mark(self, image_ids: list[int], value: int) -> None:
        self.search.mark(image_ids, value)

    def clear_marks(self) -> None:
        self.search.clear_marks()

    def more_like_this(self) -> None:
        result = self.results.current_result()
        if result is not None:
            self.search.search_like(result.image_id, result.path)

    def open_details(self, index) -> None:  # noqa: ANN001 - a QModelIndex of the grid
        self.results.open_details(index)

    def build_context_menu(self):  # noqa: ANN201 - QMenu
        return self.results.build_context_menu()

    @property
    def detail(self):  # noqa: ANN201 - the DetailDialog, once opened
        return self.results.detail

    # ---------------------------------------------------------------- misc
    def focus_search(self) -> None:
        self.search_area.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_area.field.selectAll()

    def toggle_inspector(self) -> None:
        self.inspector.setVisible(not self.inspector.isVisible())
        self.actions["toggle_inspector"].setChecked(self.inspector.isVisible())

    def show_shortcuts(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("Keyboard shortcuts")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(action_table.shortcuts_html())
        box.exec()

    def show_about(self) -> None:
        QMessageBox.about(self, "About ArtSeek",
                          f"<h3>ArtSeek {__version__}</h3><p>Offline image search for curators: search your "
                          "collections by description or by example, and refine with relevance feedback.</p>"
                          "<p>Everything runs on this computer; nothing is sent over the network.</p>")

    # -------------------------------------------------------------- events
    def eventFilter(self, watched, event) -> bool:  # noqa: ANN001, N802
        if watched is self.search_area.field and event.type() == event.Type.KeyPress:
            if event.key() == Qt.Key.Key_Down and self.model.rowCount():
                self.view.setFocus(Qt.FocusReason.OtherFocusReason)
                if not self.view.currentIndex().isValid():
                    self.view.setCurrentIndex(self.model.index(0))
                return True
        return super().eventFilter(watched, event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if read_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        content = read_mime(event.mimeData())
        if content:
            event.acceptProposedAction()
            self.search.handle_drop(content)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.service.indexing:
            answer = QMessageBox.question(self, "Indexing in progress",
                                          "Indexing is still running. Stop it and quit?\n"
                                          "Everything indexed so far is kept; re-scan later to finish.")
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.save_settings()
        self.results.close_detail()
        self.statusBar().showMessage("Closing the library…")
        self.service.map.cancel()
        self.service.close_library()
        event.accept()
