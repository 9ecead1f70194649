"""Libraries and indexing: open or create a library, import and re-scan folders, remove one, list failures."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLabel, QMainWindow, QMessageBox

from artseek.ui import errors
from artseek.ui.query_state import QueryModel
from artseek.ui.service import LibraryService
from artseek.ui.widgets.failures_dialog import FailuresDialog
from artseek.ui.widgets.index_panel import IndexPanel
from artseek.ui.widgets.library_dialog import LibraryDialog, folder_text
from artseek.ui.widgets.plain import tip
from artseek.ui.widgets.results_pane import ResultsPane

INDEXING_TEXT = "Indexing… you can search what is already indexed at any time."


def library_name(status) -> str:  # noqa: ANN001 - a LibraryStatus
    return os.path.basename(status.library.rstrip("/\\")) or status.library


def empty_message(status, indexing: bool, searched: bool, indexed: int | None = None  # noqa: ANN001
                  ) -> tuple[str, bool] | None:
    """What the central area says when there are no results: (text, show the Import button), or None.

    ``indexed`` is the live count while indexing runs (the status is refreshed less often)."""
    if status is None:
        return None
    count = status.indexed if indexed is None else indexed
    if count == 0 and not indexing:
        return ("<h2>No images yet</h2>Import a folder of images (Ctrl+I), or drag one onto this window.<br>"
                "Indexing runs in the background; you can search as it goes.", not status.read_only)
    if indexing and count == 0:
        return INDEXING_TEXT, False
    if searched:
        return "No results.", False
    return (f"<h2>{count:,} images</h2>Describe what you are looking for (e.g. <i>a harbour at "
            "night</i>), or drop an image on the search field.", False)


class LibraryController(QObject):
    """The library's life in the window: opening, status, indexing jobs, folders and failures."""

    def __init__(self, service: LibraryService, settings: QSettings, state: QueryModel, pane: ResultsPane,
                 index_panel: IndexPanel, library_label: QLabel, model_label: QLabel, window: QMainWindow,
                 on_damaged: Callable[[BaseException, str | None], None] | None = None) -> None:
        super().__init__(window)
        self.on_damaged = on_damaged  # shows a damaged database and offers its backups
        self.service, self.settings, self.state, self.pane = service, settings, state, pane
        self.index_panel, self.library_label, self.model_label, self.window = (index_panel, library_label,
                                                                               model_label, window)
        self.folder: str | None = None  # the library shown (or being opened)
        self._failures: list[dict[str, str]] = []
        self._notes_shown: set[tuple[str, str]] = set()  # (library, note): each note is shown once
        self._last_status_refresh = 0.0
        self._indexed_at_start = 0
        self._hide_panel = QTimer(self, singleShot=True, interval=6000)
        self._hide_panel.timeout.connect(lambda: self.service.indexing or self.index_panel.hide())
        s = service
        s.libraryOpened.connect(self._opened)
        s.libraryFailed.connect(self._failed)
        s.statusChanged.connect(self._status_changed)
        s.modelStateChanged.connect(self._model_state)
        s.indexStarted.connect(self._index_started)
        s.indexProgress.connect(self._index_progress)
        s.indexPaused.connect(index_panel.set_paused)
        s.indexFinished.connect(self._index_finished)
        s.indexFailed.connect(self._index_failed)
        s.folderRemoved.connect(self._folder_removed)
        s.libraryClosed.connect(self._hide_finished_panel)
        index_panel.pauseToggled.connect(lambda paused: s.index_jobs.pause() if paused else s.index_jobs.resume())
        index_panel.cancelRequested.connect(s.cancel_indexing)
        index_panel.failuresRequested.connect(self.show_failures)
        self.show_message("Opening the library…")

    @property
    def status(self) -> Callable[[str, int], None]:
        return self.window.statusBar().showMessage

    def show_message(self, text: str, show_import: bool = False) -> None:
        self.pane.show_message(text, show_import)

    def show_empty(self, searched: bool = False) -> None:
        message = empty_message(self.service.status, self.service.indexing, searched)
        if message is not None:
            self.show_message(*message)

    # ------------------------------------------------------------- opening
    def open_library(self, folder: str | None, strict_model: bool = False) -> None:
        if self.service.open_library(folder, strict_model=strict_model):
            self.folder = os.fspath(folder) if folder else None
            self.model_label.setText("Model: –")
            self.library_label.setText("Opening the library…")
            self.state.reset()
            self.show_message("Opening the library…")

    def choose_library(self) -> None:
        start = self.folder or os.path.expanduser("~")
        folder = QFileDialog.getExistingDirectory(self.window, "Open or create a library folder", start)
        if not folder:
            return
        exists = os.path.isfile(os.path.join(folder, "library.sqlite"))
        if not exists and os.path.isdir(folder) and os.listdir(folder):
            answer = QMessageBox.question(
                self.window, "Create a library?",
                tip(f"'{folder}' is not an ArtSeek library.\nCreate a new, empty library in this folder?\n"
                    "(Your images do not go here: import them with File → Import Folder.)"))
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.open_library(folder)

    def _opened(self, status) -> None:  # noqa: ANN001
        self.folder = status.library
        self.settings.setValue("library/last", status.library)
        self._status_changed(status)
        self.window.setWindowTitle(f"{library_name(status)} — ArtSeek" + (" (read-only)" if status.read_only else ""))
        if status.read_only:
            self.status("This library is in use by another ArtSeek window or process: "
                        "it is open read-only (search works; importing does not).", 15000)
        self.show_empty()

    def _failed(self, exc: BaseException) -> None:
        self.library_label.setText("No library")
        self.window.setWindowTitle("ArtSeek")
        self.show_message("No library is open. Use File → Open or Create Library… (Ctrl+O).")
        presenters = {errors.RESTORE: lambda e: self.on_damaged(e, self.folder)} if self.on_damaged else None
        errors.report(self.window, "The library could not be opened", exc, presenters=presenters)

    def _status_changed(self, status) -> None:  # noqa: ANN001
        self._failures = list(status.failures)
        extra = f" · {status.failed:,} failed" if status.failed else ""
        offline = status.offline
        if offline:
            extra += f" · {len(offline)} folder{'s' if len(offline) != 1 else ''} offline"
        self.library_label.setText(f"{library_name(status)}: {status.indexed:,} images{extra}" +
                                   (" · read-only" if status.read_only else ""))
        self.library_label.setToolTip(tip(f"{status.library}\nFolders:\n" + "\n".join(
            folder_text(root, root in offline) for root in status.roots)))
        self._show_notes(status)
        if not self.state.results and not self.service.searching:
            self.show_empty()

    def _show_notes(self, status) -> None:  # noqa: ANN001
        """The library's notes (index rebuilt on open, a backup that failed), each once, in the status bar."""
        new = [n for n in status.notes if (status.library, n) not in self._notes_shown]
        if new:
            self._notes_shown.update((status.library, n) for n in new)
            self.status(" ".join(new), 20000)

    def _model_state(self, state: str, detail: str) -> None:
        if state == "loading":
            self.model_label.setText(f"Model: loading {detail}…")
        elif state == "ready":
            self.model_label.setText(f"Model: {detail}")
        else:
            lib = self.service.library
            self.model_label.setText(f"Model: {lib.model_name} not available" if lib is not None else
                                     "Model: not available")
            self.model_label.setToolTip(tip(detail))

    # ------------------------------------------------------------- folders
    def show_library_dialog(self) -> None:
        status = self.service.status
        if status is None:
            errors.show_error(self.window, "No library", "No library is open.\nUse File → Open or Create Library… "
                              "first.")
            return
        dialog = LibraryDialog(status, self.service.model_state, self.window)
        dialog.rescanRequested.connect(self.rescan)
        dialog.removeRequested.connect(self.confirm_remove_folder)
        dialog.failuresRequested.connect(self.show_failures)
        dialog.exec()
        self.service.refresh_status()

    def choose_folder_to_remove(self) -> None:
        status = self.service.status
        if status is None or not status.roots:
            errors.show_error(self.window, "No folders", "This library has no imported folders.")
            return
        folder, ok = QInputDialog.getItem(self.window, "Remove a folder", "Forget this folder and its images "
                                          "(the files themselves are not touched):", status.roots, 0, False)
        if ok and folder:
            self.confirm_remove_folder(folder)

    def confirm_remove_folder(self, folder: str) -> None:
        count = self.service.index_jobs.count_removal(folder)
        what = "its images" if count is None else f"its {count:,} image{'s' if count != 1 else ''}"
        if count == 0:
            what = "it (its images stay: another imported folder includes them)"
        impact = self.service.collections.removal_impact(folder) or {}
        touched = (f"\n{impact['collected']:,} of them are in collections (the items are kept and come back if you "
                   f"import the folder again); {impact['tagged']:,} have tags you set by hand (these are lost)."
                   if impact.get("collected") or impact.get("tagged") else "")
        answer = QMessageBox.question(self.window, "Remove folder?",
                                      tip(f"Remove '{folder}' and {what} from the library?{touched}\n"
                                          "The image files are not deleted; you can import the folder again later."))
        if answer == QMessageBox.StandardButton.Yes:
            # Only this folder's results leave the grid; the query stays and runs again once it is removed.
            prefix = os.path.join(os.path.abspath(folder), "")
            kept = [r for r in self.state.results if not r.path.startswith(prefix)]
            if len(kept) != len(self.state.results):
                self.state.set_results(kept)
            self.service.index_jobs.remove_root(folder)

    def _folder_removed(self, folder: str, removed: int) -> None:
        self._hide_finished_panel()

    def _hide_finished_panel(self, *_: object) -> None:
        """A finished job's panel (and its failed files) belongs to a library and its folders: it goes with them."""
        if not self.service.indexing:
            self._hide_panel.stop()
            self.index_panel.hide()

    def choose_reindex_model(self) -> None:
        """Rebuild the library with a model whose weights are on this computer."""
        status = self.service.status
        models = self.service.index_jobs.available_models()
        if status is None:
            return
        if not models:
            errors.show_error(self.window, "No model available",
                              "No model's weights are on this computer.\nAsk whoever installed ArtSeek to copy a "
                              "model's weights file into ArtSeek's models folder.")
            return
        names = sorted(models, key=lambda name: name != status.model)
        model, ok = QInputDialog.getItem(self.window, "Re-index with another model",
                                         f"This library was built with '{status.model}'. Rebuild it with:",
                                         names, 0, False)
        if not ok or not model:
            return
        answer = QMessageBox.question(
            self.window, "Re-index the library?",
            tip(f"Re-index the {status.indexed + status.pending:,} images of '{library_name(status)}' with the model "
                f"'{model}'?\nThe image files are not touched; searching works again as the images are re-indexed."))
        if answer == QMessageBox.StandardButton.Yes:
            self.state.clear_results()
            self.service.reindex(model, models[model])

    def show_failures(self) -> None:
        failures = self._failures
        if not failures and self.service.last_progress is not None:
            failures = [{"path": p, "reason": r} for p, r in self.service.last_progress.failures]
        if not failures:
            QMessageBox.information(self.window, "Failed files", "No file failed to index.")
            return
        FailuresDialog(failures, self.window).exec()

    # ------------------------------------------------------------- indexing
    def choose_import_folder(self) -> None:
        start = str(self.settings.value("dialogs/import_dir", os.path.expanduser("~")))
        folder = QFileDialog.getExistingDirectory(self.window, "Import a folder of images", start)
        if folder:
            self.settings.setValue("dialogs/import_dir", os.path.dirname(folder.rstrip("/\\")) or folder)
            self.import_folders([folder])

    def import_folders(self, folders: list[str]) -> None:
        self.service.import_folders(folders)

    def rescan(self) -> None:
        self.service.index_jobs.rescan()

    def _index_started(self, title: str) -> None:
        self._hide_panel.stop()
        self._indexed_at_start = self.service.status.indexed if self.service.status is not None else 0
        self._last_status_refresh = time.monotonic()
        self.index_panel.start(title)
        if not self.state.results:
            self.show_message(INDEXING_TEXT)

    def _index_progress(self, progress) -> None:  # noqa: ANN001
        self.index_panel.update_progress(progress)
        status = self.service.status
        if status is not None and progress.phase == "indexing":
            live = self._indexed_at_start + progress.indexed
            self.library_label.setText(f"{library_name(status)}: {live:,} images (indexing)")
            if not self.state.results and not self.service.searching:  # the centre count follows too
                message = empty_message(status, True, False, live)
                if message is not None and self.pane.currentWidget() is not self.pane.view:
                    self.show_message(*message)
        now = time.monotonic()
        if now - self._last_status_refresh > 2.0:  # keep the counts in the status bar moving
            self._last_status_refresh = now
            self.service.refresh_status()

    def _index_finished(self, report) -> None:  # noqa: ANN001
        verb = "Cancelled" if report.cancelled else "Finished"
        parts = [f"{report.indexed:,} indexed", f"{report.skipped:,} unchanged"]
        for count, word in ((report.failed, "failed"), (report.missing, "missing"), (report.moved, "moved")):
            if count:
                parts.append(f"{count:,} {word}")
        summary = f"{verb}: " + ", ".join(parts) + f" in {report.elapsed_s:.1f} s"
        note = "What was indexed is kept; Re-scan (F5) finishes the rest." if report.cancelled else ""
        self.index_panel.finish(summary, report.failed, note)
        self.status(summary, 10000)
        if not report.failed and not report.cancelled:
            self._hide_panel.start()
        if report.problems:
            errors.show_error(self.window, "Some folders could not be read",
                              "\n".join(f"{p.path}: {p.reason}" for p in report.problems[:20]))

    def _index_failed(self, exc: BaseException) -> None:
        self.index_panel.finish("Indexing stopped with an error", 0)
        errors.report(self.window, "Indexing failed", exc)
