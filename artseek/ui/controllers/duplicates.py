"""Library → Find Duplicates…: the review dialog and its flows (find, not duplicates, collection, CSV)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow

from artseek.ui import errors
from artseek.ui.service import LibraryService
from artseek.ui.widgets.duplicates_dialog import DuplicatesDialog

DEFAULT_COLLECTION = "Duplicates to review"


class DuplicatesController(QObject):
    """Opens the review dialog and runs its requests through ``service.duplicates``."""

    def __init__(self, service: LibraryService, window: QMainWindow, status: Callable[[str, int], None]) -> None:
        super().__init__(window)
        self.service, self.dups, self.window, self.status = service, service.duplicates, window, status
        self.dialog: DuplicatesDialog | None = None
        self.dups.progress.connect(self._progress)
        self.dups.found.connect(self._found)
        self.dups.marked.connect(self._marked)
        self.dups.collected.connect(lambda name, n: self.status(f"{n} image{'s' if n != 1 else ''} added to the "
                                                                f"collection '{name}'.", 10000))
        self.dups.exported.connect(lambda path, n: self.status(f"{n} rows written to {path}.", 10000))
        self.dups.failed.connect(self._failed)
        service.thumbnails.ready.connect(self._thumbnail)

    def show_dialog(self) -> None:
        if not self.service.need_library():
            return
        from artseek.duplicates import Thresholds

        dialog = DuplicatesDialog(self.service.thumbnails.pixmap, not self.service.read_only,
                                  Thresholds().similar_threshold, self.window)
        dialog.findRequested.connect(self.find)
        dialog.notDuplicatesRequested.connect(self.dups.not_duplicates)
        dialog.collectRequested.connect(self.choose_collection)
        dialog.exportRequested.connect(self.choose_csv)
        dialog.finished.connect(self._closed)
        self.dialog = dialog
        dialog.open()
        self.find(dialog.selected_tier(), dialog.threshold.value())

    def _closed(self) -> None:
        self.dialog = None

    def find(self, tier: str, threshold: float) -> None:
        if self.dups.find(threshold) and self.dialog is not None:
            self.dialog.set_busy("checking", 0, 0)

    def choose_collection(self, group) -> None:  # noqa: ANN001 - a DuplicateGroup
        name, ok = QInputDialog.getText(self.dialog or self.window, "Add to collection",
                                        f"Add the {len(group.members)} images of this group to the collection:",
                                        text=DEFAULT_COLLECTION)
        if ok and name.strip():
            self.dups.to_collection(group, name.strip())

    def choose_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.dialog or self.window, "Export duplicate groups",
                                              "duplicates.csv", "CSV files (*.csv)")
        if path:
            self.dups.export_csv(path)

    # ------------------------------------------------------------ answers
    def _progress(self, phase: str, done: int, total: int) -> None:
        if self.dialog is not None:
            self.dialog.set_busy(phase, done, total)

    def _found(self, report) -> None:  # noqa: ANN001
        if self.dialog is not None:
            self.dialog.set_report(report)

    def _marked(self, key: str) -> None:
        if self.dialog is not None:
            self.dialog.remove_group(key)
        self.status("Remembered: not duplicates. They will not be shown together again.", 8000)

    def _thumbnail(self, image_id: int) -> None:
        if self.dialog is not None:
            self.dialog.thumbnail_ready(image_id)

    def _failed(self, title: str, exc: BaseException) -> None:
        if self.dialog is not None:
            self.dialog.set_failed(f"{title}.")
        errors.report(self.window, title, exc, self.status)
