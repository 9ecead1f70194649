"""The main window: search area, result grid, inspector, indexing panel, menus and toolbar."""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QByteArray, QItemSelectionModel, QModelIndex, QPoint, QProcess, QSettings, QSize, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
    QPixmap,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from artseek import __version__
from artseek.ui import icons
from artseek.ui.detail import DetailDialog
from artseek.ui.errors import show_error
from artseek.ui.query_state import NOT_RELEVANT, RELEVANT, Example, QueryState
from artseek.ui.results_view import ResultsModel, ResultsView
from artseek.ui.service import Captions, ImageDetails, LibraryService, SearchOutcome
from artseek.ui.widgets import (
    DropContent,
    FailuresDialog,
    FeedbackBar,
    IndexPanel,
    InspectorPanel,
    LibraryDialog,
    SearchArea,
    image_to_png,
    read_mime,
)

STYLE = """
#searchArea { background: palette(base); border-bottom: 1px solid palette(mid); }
#searchArea[dropTarget="true"] { background: #e3f1f6; border: 2px dashed #1f6f8b; }
#exampleChip { background: #e3f1f6; border: 1px solid #9cc7d6; border-radius: 6px; }
#feedbackBar { background: #fff8e1; border-bottom: 1px solid #ecd9a0; }
#indexPanel { background: #eef4fb; border-top: 1px solid #c4d6ea; }
#indexDetail { color: #4a5563; }
#inspector { background: palette(base); border-left: 1px solid palette(mid); }
#inspectorFacts { color: #4a5563; }
#preview { background: #f3f4f6; border-radius: 6px; }
#emptyState { color: #6b7280; font-size: 11pt; }
QToolBar { spacing: 4px; padding: 2px 6px; border-bottom: 1px solid palette(mid); }
QStatusBar QLabel { padding: 0 6px; }
"""

SHORTCUTS = [
    ("Ctrl+F", "Go to the search field"),
    ("Enter (in the search field)", "Search"),
    ("Down (in the search field)", "Go to the results"),
    ("Arrow keys, Page Up/Down, Home/End", "Move through the results"),
    ("Shift/Ctrl + arrows or click", "Select several results"),
    ("Enter (on a result)", "Open the detail view"),
    ("+ or =", "Mark the selected results relevant"),
    ("-", "Mark the selected results not relevant"),
    ("0", "Clear the marks of the selected results"),
    ("Ctrl+Enter", "Refine: re-rank with the marks"),
    ("Ctrl+Shift+Backspace", "Clear all marks"),
    ("Ctrl+M", "More like this (the current result)"),
    ("Ctrl+V", "Search with the image on the clipboard"),
    ("Esc (in the search field)", "Remove the example image"),
    ("Ctrl+Shift+O / Ctrl+Shift+R", "Open the file / show it in its folder"),
    ("Ctrl+Shift+C", "Copy the paths of the selected results"),
    ("Ctrl+I", "Import a folder"),
    ("Ctrl+O", "Open or create a library"),
    ("F5", "Re-scan the library"),
    ("Ctrl+L", "Library status"),
    ("F9", "Show or hide the side panel"),
    ("← / → (detail view)", "Previous / next result"),
    ("F1", "This list"),
]


class MainWindow(QMainWindow):
    """ArtSeek's window. All core work goes through ``service``."""

    def __init__(self, service: LibraryService, settings: QSettings | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.settings = settings if settings is not None else QSettings()
        self.state = QueryState()
        self.detail: DetailDialog | None = None
        self._library_folder: str | None = None
        self._last_failures: list[dict[str, str]] = []
        self._last_status_refresh = 0.0
        self._indexed_at_start = 0
        self._selection_timer = QTimer(self, singleShot=True, interval=120)
        self._selection_timer.timeout.connect(self._show_current)
        self._hide_panel_timer = QTimer(self, singleShot=True, interval=6000)
        self._hide_panel_timer.timeout.connect(lambda: self.service.indexing or self.index_panel.hide())

        self.setWindowTitle("ArtSeek")
        self.setWindowIcon(icons.app_icon())
        self.setAcceptDrops(True)
        self.setStyleSheet(STYLE)
        self.resize(1280, 820)
        self.setMinimumSize(QSize(760, 520))

        self._build_actions()
        self._build_central()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._connect_service()
        self._restore_settings()
        self._update_actions()

    # ------------------------------------------------------------- building
    def _action(self, name: str, text: str, slot, shortcut=None, icon: str | None = None,  # noqa: ANN001
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if icon:
            action.setIcon(icons.icon(icon))
        if shortcut:
            shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        if tip:
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{tip} ({keys})" if keys else tip)
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        self.actions[name] = action
        return action

    def _build_actions(self) -> None:
        self.actions: dict[str, QAction] = {}
        a = self._action
        a("open_library", "&Open or Create Library…", self.choose_library, QKeySequence.StandardKey.Open, "library",
          "Open a library folder, or create a new one")
        a("import_folder", "&Import Folder…", self.choose_import_folder, "Ctrl+I", "import",
          "Import a folder of images (indexed in the background)")
        a("paste_image", "&Paste Image as Query", self.paste_image, QKeySequence.StandardKey.Paste, None,
          "Search with the image on the clipboard")
        a("quit", "&Quit", self.close, QKeySequence.StandardKey.Quit)
        a("library_status", "Library &Status…", self.show_library_dialog, "Ctrl+L", "info",
          "Counts, model and imported folders of the library")
        a("rescan", "&Re-scan Folders", self.rescan, "F5", "rescan",
          "Re-index every imported folder: new, changed, moved and deleted files")
        a("remove_folder", "Remove &Folder…", self.choose_folder_to_remove, None, None,
          "Forget an imported folder and its images (files untouched)")
        a("failures", "Failed &Files…", self.show_failures, None, None, "Files that could not be indexed, and why")
        a("focus_search", "&Find…", self.focus_search, QKeySequence.StandardKey.Find, "search", "Go to the search field")
        a("search", "&Search", self.run_search, None, "search", "Search for the text and example image")
        a("refine", "&Refine", self.refine, ["Ctrl+Return", "Ctrl+Enter"], "refine",
          "Re-rank using the results marked relevant (+) and not relevant (−)")
        a("mark_relevant", "Mark &Relevant", lambda: self.mark_selected(RELEVANT), ["+", "="], "mark-relevant",
          "Mark the selected results as relevant")
        a("mark_not_relevant", "Mark &Not Relevant", lambda: self.mark_selected(NOT_RELEVANT), "-",
          "mark-not-relevant", "Mark the selected results as not relevant")
        a("clear_mark", "Clear &Mark", lambda: self.mark_selected(0), "0", "clear-marks",
          "Clear the marks of the selection")
        a("clear_marks", "Clear &All Marks", self.clear_marks, "Ctrl+Shift+Backspace", "clear-marks",
          "Forget every + and − mark")
        a("more_like_this", "More &Like This", self.more_like_this, "Ctrl+M", "similar",
          "Search for images similar to the current result")
        a("clear_example", "Remove Example Image", self.clear_example, None, None,
          "Search without the example image")
        a("open_details", "&Details…", lambda: self.open_details(self.view.currentIndex()), None, None,
          "Open the detail view")
        a("open_file", "&Open File", self.open_current_file, "Ctrl+Shift+O", None,
          "Open the image in the default viewer")
        a("reveal", "Show in &Folder", self.reveal_current_file, "Ctrl+Shift+R", None,
          "Show the image in the file manager")
        a("copy_path", "&Copy Path", self.copy_paths, "Ctrl+Shift+C", None, "Copy the file paths of the selection")
        a("toggle_inspector", "Side &Panel", self.toggle_inspector, "F9", None, "Show or hide the side panel")
        self.actions["toggle_inspector"].setCheckable(True)
        self.actions["toggle_inspector"].setChecked(True)
        a("shortcuts", "&Keyboard Shortcuts", self.show_shortcuts, QKeySequence.StandardKey.HelpContents)
        a("about", "&About ArtSeek", self.show_about)

    def _build_central(self) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

        self.search_area = SearchArea(central)
        self.search_area.searchRequested.connect(self.run_search)
        self.search_area.contentDropped.connect(self.handle_drop)
        self.search_area.exampleCleared.connect(self.clear_example)
        self.search_area.field.imagePasted.connect(self.handle_drop)
        self.search_area.field.installEventFilter(self)
        self.actions["clear_example"].setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.actions["clear_example"].setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.removeAction(self.actions["clear_example"])
        self.search_area.addAction(self.actions["clear_example"])
        layout.addWidget(self.search_area)

        self.feedback_bar = FeedbackBar(self.actions["refine"], self.actions["clear_marks"], central)
        layout.addWidget(self.feedback_bar)

        self.model = ResultsModel(self.service.thumbnails, self.state.marks, self)
        self.view = ResultsView(central)
        self.view.setModel(self.model)
        self.view.activated.connect(self.open_details)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.selectionModel().currentChanged.connect(lambda *_: self._selection_timer.start())
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())

        self.empty = QWidget(central)
        empty_layout = QVBoxLayout(self.empty)
        empty_layout.addStretch(1)
        self.empty_label = QLabel(self.empty)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        empty_layout.addWidget(self.empty_label)
        self.empty_import = QPushButton(icons.icon("import"), "Import a folder…", self.empty)
        self.empty_import.clicked.connect(self.choose_import_folder)
        empty_layout.addWidget(self.empty_import, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(2)

        self.stack = QStackedWidget(central)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.view)

        self.inspector = InspectorPanel(central)
        for name in ("mark_relevant", "mark_not_relevant", "clear_mark", "more_like_this"):
            self.inspector.add_action_button(self.actions[name])
        self.inspector.finish_buttons()
        self.inspector.captions.keywordActivated.connect(self.search_keyword)

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
        self.index_panel.pauseToggled.connect(self._pause_toggled)
        self.index_panel.cancelRequested.connect(self.service.cancel_indexing)
        self.index_panel.failuresRequested.connect(self.show_failures)
        layout.addWidget(self.index_panel)
        self.setCentralWidget(central)
        self.setTabOrder(self.search_area.field, self.search_area.top_k)
        self.setTabOrder(self.search_area.top_k, self.search_area.button)
        self.setTabOrder(self.search_area.button, self.view)
        self._set_empty("Opening the library…", show_import=False)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        m = bar.addMenu("&File")
        for name in ("open_library", "import_folder", None, "paste_image", None, "quit"):
            m.addSeparator() if name is None else m.addAction(self.actions[name])
        m = bar.addMenu("&Library")
        for name in ("library_status", "rescan", "remove_folder", "failures"):
            m.addAction(self.actions[name])
        m = bar.addMenu("&Search")
        for name in ("focus_search", "search", "refine", None, "mark_relevant", "mark_not_relevant", "clear_mark",
                     "clear_marks", None, "more_like_this", "clear_example"):
            m.addSeparator() if name is None else m.addAction(self.actions[name])
        m = bar.addMenu("&Image")
        for name in ("open_details", "open_file", "reveal", "copy_path"):
            m.addAction(self.actions[name])
        m = bar.addMenu("&View")
        m.addAction(self.actions["toggle_inspector"])
        m = bar.addMenu("&Help")
        m.addAction(self.actions["shortcuts"])
        m.addAction(self.actions["about"])

    def _build_toolbar(self) -> None:
        tb = QToolBar("Main toolbar", self)
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        tb.setIconSize(QSize(22, 22))
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for name in ("import_folder", "open_library", "rescan", "library_status", None, "mark_relevant",
                     "mark_not_relevant", "refine", "clear_marks", None, "more_like_this"):
            tb.addSeparator() if name is None else tb.addAction(self.actions[name])
        self.addToolBar(tb)
        self.toolbar = tb

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.search_busy = QProgressBar(self)
        self.search_busy.setRange(0, 0)
        self.search_busy.setMaximumWidth(90)
        self.search_busy.setMaximumHeight(14)
        self.search_busy.hide()
        self.model_label = QLabel("Model: –", self)
        self.library_label = QLabel("No library", self)
        sb.addPermanentWidget(self.search_busy)
        sb.addPermanentWidget(self.library_label)
        sb.addPermanentWidget(self.model_label)

    def _connect_service(self) -> None:
        s = self.service
        s.libraryOpened.connect(self._library_opened)
        s.libraryFailed.connect(self._library_failed)
        s.libraryClosed.connect(self._library_closed)
        s.statusChanged.connect(self._status_changed)
        s.modelStateChanged.connect(self._model_state)
        s.searchStarted.connect(self._search_started)
        s.searchFinished.connect(self._search_finished)
        s.searchFailed.connect(self._search_failed)
        s.indexStarted.connect(self._index_started)
        s.indexProgress.connect(self._index_progress)
        s.indexPaused.connect(self.index_panel.set_paused)
        s.indexFinished.connect(self._index_finished)
        s.indexFailed.connect(self._index_failed)
        s.captionsReady.connect(self._captions_ready)
        s.detailsReady.connect(self._details_ready)
        s.thumbnails.ready.connect(self._thumbnail_ready)
        s.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        s.error.connect(lambda title, text: show_error(self, title, text))

    # ------------------------------------------------------------ settings
    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        splitter = self.settings.value("window/splitter")
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)
        inspector = self.settings.value("window/inspector", True)
        visible = inspector not in (False, "false", "0", 0)
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
        if self._library_folder:
            self.settings.setValue("library/last", self._library_folder)
        self.settings.sync()

    # ------------------------------------------------------------- library
    def open_library(self, folder: str | None, strict_model: bool = False) -> None:
        if self.service.open_library(folder, strict_model=strict_model):
            self._library_folder = os.fspath(folder) if folder else None
            self.model_label.setText("Model: –")
            self.library_label.setText("Opening the library…")
            self._clear_results()
            self.state.clear_marks()
            self.state.example = None
            self.search_area.show_example(None)
            self.feedback_bar.update_marks(0, 0)
            self._set_empty("Opening the library…", show_import=False)
        self._update_actions()

    def choose_library(self) -> None:
        start = self._library_folder or os.path.expanduser("~")
        folder = QFileDialog.getExistingDirectory(self, "Open or create a library folder", start)
        if not folder:
            return
        exists = os.path.isfile(os.path.join(folder, "library.sqlite"))
        if not exists and os.path.isdir(folder) and os.listdir(folder):
            answer = QMessageBox.question(
                self, "Create a library?",
                f"'{folder}' is not an ArtSeek library.\nCreate a new, empty library in this folder?\n"
                "(Your images do not go here: import them with File → Import Folder.)")
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.open_library(folder)

    def _library_opened(self, status) -> None:  # noqa: ANN001
        self._library_folder = status.library
        self.settings.setValue("library/last", status.library)
        self._status_changed(status)
        name = os.path.basename(status.library.rstrip("/\\")) or status.library
        self.setWindowTitle(f"{name} — ArtSeek" + (" (read-only)" if status.read_only else ""))
        if status.read_only:
            self.statusBar().showMessage("This library is in use by another ArtSeek window or process: "
                                         "it is open read-only (search works; importing does not).", 15000)
        self._set_empty_for_status(status)
        self._update_actions()
        if self.state.is_empty() is False:
            self.run_search()

    def _library_failed(self, text: str) -> None:
        self.library_label.setText("No library")
        self.setWindowTitle("ArtSeek")
        self._set_empty("No library is open. Use File → Open or Create Library… (Ctrl+O).", show_import=False)
        self._update_actions()
        show_error(self, "The library could not be opened", text)

    def _library_closed(self) -> None:
        self._clear_results()
        if self.detail is not None:
            self.detail.close()

    def _status_changed(self, status) -> None:  # noqa: ANN001
        self._last_failures = list(status.failures)
        name = os.path.basename(status.library.rstrip("/\\")) or status.library
        extra = f" · {status.failed:,} failed" if status.failed else ""
        self.library_label.setText(f"{name}: {status.indexed:,} images{extra}" +
                                   (" · read-only" if status.read_only else ""))
        self.library_label.setToolTip(f"{status.library}\nFolders:\n" + "\n".join(status.roots))
        if self.model.rowCount() == 0 and not self.service.searching:
            self._set_empty_for_status(status)
        self._update_actions()

    def _model_state(self, state: str, detail: str) -> None:
        if state == "loading":
            self.model_label.setText(f"Model: loading {detail}…")
        elif state == "ready":
            self.model_label.setText(f"Model: {detail}")
        else:
            self.model_label.setText("Model: not available")
            self.model_label.setToolTip(detail)

    def show_library_dialog(self) -> None:
        status = self.service.status
        if status is None:
            show_error(self, "No library", "No library is open.\nUse File → Open or Create Library… first.")
            return
        dialog = LibraryDialog(status, self.service.model_state, self)
        dialog.rescanRequested.connect(self.rescan)
        dialog.removeRequested.connect(self.confirm_remove_folder)
        dialog.failuresRequested.connect(self.show_failures)
        dialog.exec()
        self.service.refresh_status()

    def choose_folder_to_remove(self) -> None:
        status = self.service.status
        if status is None or not status.roots:
            show_error(self, "No folders", "This library has no imported folders.")
            return
        folder, ok = QInputDialog.getItem(self, "Remove a folder", "Forget this folder and its images "
                                          "(the files themselves are not touched):", status.roots, 0, False)
        if ok and folder:
            self.confirm_remove_folder(folder)

    def confirm_remove_folder(self, folder: str) -> None:
        answer = QMessageBox.question(self, "Remove folder?",
                                      f"Remove '{folder}' and its images from the library?\n"
                                      "The image files are not deleted; you can import the folder again later.")
        if answer == QMessageBox.StandardButton.Yes:
            self._clear_results()
            self.service.remove_root(folder)

    def show_failures(self) -> None:
        failures = self._last_failures
        if not failures and self.service.last_progress is not None:
            failures = [{"path": p, "reason": r} for p, r in self.service.last_progress.failures]
        if not failures:
            QMessageBox.information(self, "Failed files", "No file failed to index.")
            return
        FailuresDialog(failures, self).exec()

    # ------------------------------------------------------------ indexing
    def choose_import_folder(self) -> None:
        start = str(self.settings.value("dialogs/import_dir", os.path.expanduser("~")))
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of images", start)
        if folder:
            self.settings.setValue("dialogs/import_dir", os.path.dirname(folder.rstrip("/\\")) or folder)
            self.import_folders([folder])

    def import_folders(self, folders: list[str]) -> None:
        if self.service.import_folders(folders):
            self._update_actions()

    def rescan(self) -> None:
        self.service.rescan()

    def _index_started(self, title: str) -> None:
        self._hide_panel_timer.stop()
        self._indexed_at_start = self.service.status.indexed if self.service.status is not None else 0
        self._last_status_refresh = time.monotonic()
        self.index_panel.start(title)
        self._update_actions()
        if self.model.rowCount() == 0:
            self._set_empty("Indexing… you can search what is already indexed at any time.", show_import=False)

    def _index_progress(self, progress) -> None:  # noqa: ANN001
        self.index_panel.update_progress(progress)
        status = self.service.status
        if status is not None and progress.phase == "indexing":
            name = os.path.basename(status.library.rstrip("/\\")) or status.library
            self.library_label.setText(f"{name}: {self._indexed_at_start + progress.indexed:,} images (indexing)")
        now = time.monotonic()
        if now - self._last_status_refresh > 2.0:  # keep the counts in the status bar moving
            self._last_status_refresh = now
            self.service.refresh_status()

    def _pause_toggled(self, paused: bool) -> None:
        if paused:
            self.service.pause_indexing()
        else:
            self.service.resume_indexing()

    def _index_finished(self, report) -> None:  # noqa: ANN001
        verb = "Cancelled" if report.cancelled else "Finished"
        parts = [f"{report.indexed:,} indexed", f"{report.skipped:,} unchanged"]
        if report.failed:
            parts.append(f"{report.failed:,} failed")
        if report.missing:
            parts.append(f"{report.missing:,} missing")
        if report.moved:
            parts.append(f"{report.moved:,} moved")
        summary = f"{verb}: " + ", ".join(parts) + f" in {report.elapsed_s:.1f} s"
        self.index_panel.finish(summary, report.failed)
        self.statusBar().showMessage(summary, 10000)
        if not report.failed and not report.cancelled:
            self._hide_panel_timer.start()
        self._update_actions()
        if report.problems:
            show_error(self, "Some folders could not be read",
                       "\n".join(f"{p.path}: {p.reason}" for p in report.problems[:20]))

    def _index_failed(self, text: str) -> None:
        self.index_panel.finish("Indexing stopped with an error", 0)
        self._update_actions()
        show_error(self, "Indexing failed", text)

    # -------------------------------------------------------------- search
    def focus_search(self) -> None:
        self.search_area.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_area.field.selectAll()

    def run_search(self) -> None:
        self.state.text = self.search_area.field.text()
        if self.state.is_empty():
            self.statusBar().showMessage("Type a description, drop or paste an image, or mark results.", 5000)
            return
        self.service.search(self.state, self.search_area.top_k_value())

    def refine(self) -> None:
        if not self.state.marks:
            self.statusBar().showMessage("Mark some results relevant (+) or not relevant (−) first.", 6000)
            return
        self.run_search()

    def search_keyword(self, keyword: str) -> None:
        self.search_area.field.setText(keyword)
        self.run_search()

    def set_example(self, example: Example, pixmap: QPixmap | None = None) -> None:
        self.state.example = example
        self.search_area.show_example(example, pixmap)
        self._update_actions()
        self.run_search()

    def clear_example(self) -> None:
        if self.state.example is None:
            return
        self.state.example = None
        self.search_area.show_example(None)
        self._update_actions()
        if not self.state.is_empty():
            self.run_search()

    def more_like_this(self) -> None:
        result = self._current_result()
        if result is None:
            return
        self.search_area.field.clear()
        self.state.text = ""
        self.set_example(Example.from_library(result.image_id, result.path),
                         self.service.thumbnails.pixmap(result.image_id))

    def paste_image(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        content = read_mime(mime) if mime is not None else DropContent()
        if content.image is None and not content.image_files:
            self.statusBar().showMessage("The clipboard holds no image.", 5000)
            return
        self.handle_drop(content)

    def handle_drop(self, content: DropContent) -> None:
        """Folders are imported; an image (file, pasted, or a result) becomes the query."""
        if content.folders:
            self.import_folders(content.folders)
            return
        if content.image_ids:
            image_id = content.image_ids[0]
            row = self.model.row_of(image_id)
            path = self.model.result(row).path if row is not None else f"image {image_id}"
            self.search_area.field.clear()
            self.state.text = ""
            self.set_example(Example.from_library(image_id, path), self.service.thumbnails.pixmap(image_id))
        elif content.image_files:
            self.set_example(Example.from_file(content.image_files[0]))
        elif content.image is not None:
            self.set_example(Example.from_bytes(image_to_png(content.image)),
                             QPixmap.fromImage(content.image))

    def _search_started(self, description: str) -> None:
        self.search_busy.show()
        loading = " (loading the model first)" if self.service.model_state == "loading" else ""
        self.statusBar().showMessage(f"Searching for {description}{loading}…")

    def _search_finished(self, outcome: SearchOutcome) -> None:
        self.search_busy.setVisible(self.service.searching)
        self.model.set_results(outcome.results)
        if outcome.results:
            self.stack.setCurrentWidget(self.view)
            first = self.model.index(0)
            self.view.selectionModel().setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.view.scrollToTop()
            self._show_current()
        else:
            self._set_empty_for_status(self.service.status, searched=True)
            self.inspector.show_nothing()
        self.statusBar().showMessage(f"{len(outcome.results)} results for {outcome.description} "
                                     f"in {outcome.elapsed_s * 1000:.0f} ms", 10000)
        self._update_actions()

    def _search_failed(self, text: str) -> None:
        self.search_busy.setVisible(self.service.searching)
        head = text.partition("\n")[0]
        self.statusBar().showMessage(head, 10000)
        if "empty" not in head.lower() and "nothing to search" not in head.lower():
            show_error(self, "Search failed", text)

    # ------------------------------------------------------------- results
    def _clear_results(self) -> None:
        self.model.clear()
        self.inspector.show_nothing()

    def _set_empty(self, text: str, show_import: bool) -> None:
        self.empty_label.setText(text)
        self.empty_import.setVisible(show_import)
        self.stack.setCurrentWidget(self.empty)

    def _set_empty_for_status(self, status, searched: bool = False) -> None:  # noqa: ANN001
        if status is None:
            return
        if status.indexed == 0 and not self.service.indexing:
            self._set_empty("<h2>No images yet</h2>Import a folder of images (Ctrl+I), or drag one onto "
                            "this window.<br>Indexing runs in the background; you can search as it goes.",
                            show_import=not status.read_only)
        elif self.service.indexing and status.indexed == 0:
            self._set_empty("Indexing… you can search what is already indexed at any time.", show_import=False)
        elif searched:
            self._set_empty("No results.", show_import=False)
        else:
            self._set_empty(f"<h2>{status.indexed:,} images</h2>Describe what you are looking for "
                            "(e.g. <i>a harbour at night</i>), or drop an image on the search field.",
                            show_import=False)

    def _selected_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedIndexes())
        if not rows and self.view.currentIndex().isValid():
            rows = [self.view.currentIndex().row()]
        return [self.model.result(r).image_id for r in rows]

    def _current_result(self):  # noqa: ANN202
        if self.detail is not None and self.detail.isActiveWindow() and self.detail.image_id is not None:
            row = self.model.row_of(self.detail.image_id)
            if row is not None:
                return self.model.result(row)
        index = self.view.currentIndex()
        if not index.isValid():
            ids = self._selected_ids()
            row = self.model.row_of(ids[0]) if ids else None
            return self.model.result(row) if row is not None else None
        return self.model.result(index.row())

    def mark_selected(self, value: int) -> None:
        if self.detail is not None and self.detail.isActiveWindow() and self.detail.image_id is not None:
            ids = [self.detail.image_id]
        else:
            ids = self._selected_ids()
        if not ids:
            self.statusBar().showMessage("Select one or more results first.", 4000)
            return
        self.mark(ids, value)

    def mark(self, image_ids: list[int], value: int) -> None:
        self.state.mark(image_ids, value)
        self.model.marks_changed(image_ids)
        self.feedback_bar.update_marks(len(self.state.positives), len(self.state.negatives))
        word = {RELEVANT: "relevant (+)", NOT_RELEVANT: "not relevant (−)"}.get(value, "unmarked")
        self.statusBar().showMessage(f"{len(image_ids)} result(s) marked {word}. Press Refine (Ctrl+Enter) "
                                     "to re-rank.", 6000)
        self._show_current()
        if self.detail is not None and self.detail.image_id in image_ids:
            self.detail.update_mark(value)
        self._update_actions()

    def clear_marks(self) -> None:
        ids = list(self.state.marks)
        self.state.clear_marks()
        self.model.marks_changed(ids)
        self.feedback_bar.update_marks(0, 0)
        self._show_current()
        self._update_actions()

    def _show_current(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return
        result = self.model.result(index.row())
        pixmap = self.service.thumbnails.pixmap(result.image_id)
        self.inspector.show_result(result, pixmap, self.state.marks.get(result.image_id, 0))
        self.service.describe(result.image_id)
        self._update_actions()

    def _thumbnail_ready(self, image_id: int) -> None:
        if self.inspector.image_id == image_id:
            self.inspector.set_pixmap(self.service.thumbnails.pixmap(image_id))

    def _captions_ready(self, captions: Captions) -> None:
        if captions.image_id == self.inspector.image_id:
            self.inspector.captions.show_captions(captions)
        if self.detail is not None:
            self.detail.show_captions(captions)

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
        menu = QMenu(self)
        for name in ("more_like_this", None, "mark_relevant", "mark_not_relevant", "clear_mark", None,
                     "open_details", "open_file", "reveal", "copy_path"):
            menu.addSeparator() if name is None else menu.addAction(self.actions[name])
        return menu

    # -------------------------------------------------------------- detail
    def open_details(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        if self.detail is None:
            self.detail = DetailDialog(self)
            for name in ("mark_relevant", "mark_not_relevant", "clear_mark"):
                self.detail.add_action_button(self.actions[name])
            self.detail.finish_buttons()
            self.detail.navigate.connect(self._detail_step)
            self.detail.openFile.connect(self.open_file)
            self.detail.revealFile.connect(self.reveal_file)
            self.detail.moreLikeThis.connect(self._detail_more_like)
        self._show_in_detail(index.row())
        self.detail.show()
        self.detail.raise_()
        self.detail.activateWindow()

    def _show_in_detail(self, row: int) -> None:
        result = self.model.result(row)
        self.detail.show_result(result, self.service.thumbnails.pixmap(result.image_id),
                                self.state.marks.get(result.image_id, 0))
        self.service.load_details(result.image_id)
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
        result = self.model.result(row)
        self.detail.close()
        self.search_area.field.clear()
        self.state.text = ""
        self.set_example(Example.from_library(image_id, result.path), self.service.thumbnails.pixmap(image_id))

    def _details_ready(self, details: ImageDetails) -> None:
        if self.detail is not None:
            self.detail.show_details(details)

    # ------------------------------------------------------------ files
    def open_current_file(self) -> None:
        result = self._current_result()
        if result is not None:
            self.open_file(result.path)

    def reveal_current_file(self) -> None:
        result = self._current_result()
        if result is not None:
            self.reveal_file(result.path)

    def open_file(self, path: str) -> None:
        if not os.path.exists(path):
            show_error(self, "File not found", f"'{path}' no longer exists.\nRe-scan the library (F5).")
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(path)):
            show_error(self, "Cannot open the file", f"No program is set up to open '{path}'.")

    def reveal_file(self, path: str) -> None:
        folder = os.path.dirname(path)
        if not os.path.isdir(folder):
            show_error(self, "Folder not found", f"'{folder}' no longer exists.\nRe-scan the library (F5).")
            return
        if sys.platform.startswith("win"):
            QProcess.startDetached("explorer.exe", ["/select,", os.path.normpath(path)])
        elif sys.platform == "darwin":
            QProcess.startDetached("open", ["-R", path])
        elif not QDesktopServices.openUrl(QUrl.fromLocalFile(folder)):
            show_error(self, "Cannot show the folder", f"No file manager could open '{folder}'.")

    def copy_paths(self) -> None:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedIndexes()})
        if not rows and self.view.currentIndex().isValid():
            rows = [self.view.currentIndex().row()]
        if rows:
            QGuiApplication.clipboard().setText("\n".join(self.model.result(r).path for r in rows))
            self.statusBar().showMessage(f"Copied {len(rows)} path(s).", 3000)

    # ---------------------------------------------------------------- misc
    def toggle_inspector(self) -> None:
        self.inspector.setVisible(not self.inspector.isVisible())
        self.actions["toggle_inspector"].setChecked(self.inspector.isVisible())

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td style='padding-right:16px'><b>{k}</b></td><td>{v}</td></tr>" for k, v in SHORTCUTS)
        box = QMessageBox(self)
        box.setWindowTitle("Keyboard shortcuts")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(f"<table>{rows}</table>")
        box.exec()

    def show_about(self) -> None:
        QMessageBox.about(self, "About ArtSeek",
                          f"<h3>ArtSeek {__version__}</h3><p>Offline image search for curators: search your "
                          "collections by description or by example, and refine with relevance feedback.</p>"
                          "<p>Everything runs on this computer; nothing is sent over the network.</p>")

    def _update_actions(self) -> None:
        has_lib = self.service.is_open
        writable = has_lib and not self.service.read_only
        has_results = self.model.rowCount() > 0
        has_current = has_results and (self.view.currentIndex().isValid() or
                                       bool(self.view.selectionModel().selectedIndexes()))
        enable = {
            "import_folder": writable, "rescan": writable and bool(self.service.status and self.service.status.roots),
            "remove_folder": writable, "library_status": has_lib, "failures": has_lib,
            "refine": has_lib and bool(self.state.marks), "clear_marks": bool(self.state.marks),
            "mark_relevant": has_current, "mark_not_relevant": has_current, "clear_mark": has_current,
            "more_like_this": has_current, "open_details": has_current, "open_file": has_current,
            "reveal": has_current, "copy_path": has_current, "clear_example": self.state.example is not None,
            "search": has_lib, "open_library": not self.service.indexing,
        }
        for name, on in enable.items():
            self.actions[name].setEnabled(bool(on))
        self.empty_import.setEnabled(writable)

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
            self.handle_drop(content)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.service.indexing:
            answer = QMessageBox.question(self, "Indexing in progress",
                                          "Indexing is still running. Stop it and quit?\n"
                                          "Everything indexed so far is kept; re-scan later to finish.")
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.save_settings()
        if self.detail is not None:
            self.detail.close()
        self.statusBar().showMessage("Closing the library…")
        self.service.close_library()
        event.accept()
