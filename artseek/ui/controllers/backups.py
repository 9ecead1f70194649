"""Backups in the window: the Backups dialog, and what the window offers when the database is damaged."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog, QMainWindow, QMessageBox

from artseek.ui import errors
from artseek.ui.service import LibraryService
from artseek.ui.widgets.backups_dialog import BackupsDialog, backup_row, check_text

RESTORE_NEWEST = "Restore the Newest Backup"
CHOOSE = "Choose a Backup…"


def backup_label(b) -> str:  # noqa: ANN001 - a BackupInfo
    date, reason, size, images, indexed = backup_row(b)
    return f"{date} UTC — {reason} — {indexed} indexed of {images} images — {size}"


class BackupsController(QObject):
    """Library → Backups… and the damaged-database offer; the work runs on the service's threads."""

    def __init__(self, service: LibraryService, window: QMainWindow,
                 status: Callable[[str, int], None]) -> None:
        super().__init__(window)
        self.service, self.care, self.window, self.status = service, service.care, window, status
        self.dialog: BackupsDialog | None = None
        self.care.backupsListed.connect(self._listed)
        self.care.backupMade.connect(lambda b: self.status(f"Backup made: {backup_label(b)}.", 10000))
        self.care.checked.connect(self._checked)
        self.care.restored.connect(self._restored)
        self.care.failed.connect(self._failed)

    # ------------------------------------------------------------- dialog
    def show_dialog(self) -> None:
        status = self.service.status
        if status is None:
            errors.show_error(self.window, "No library", "No library is open.\nUse File → Open or Create Library… "
                              "first.")
            return
        dialog = BackupsDialog(not status.read_only, self.window)
        dialog.backupRequested.connect(self._backup)
        dialog.restoreRequested.connect(self.confirm_restore)
        dialog.checkRequested.connect(self._check)
        self.dialog = dialog
        self.care.list_backups()
        dialog.finished.connect(self._closed)
        dialog.open()

    def _closed(self) -> None:
        self.dialog = None

    def _backup(self) -> None:
        if self.dialog is not None:
            self.dialog.set_busy("Backing up…")
        self.care.backup_now()

    def _check(self) -> None:
        if self.dialog is not None:
            self.dialog.set_busy("Checking every page of the library…")
        self.care.check()

    def confirm_restore(self, name: str) -> None:
        answer = QMessageBox.question(
            self.window, "Restore this backup?",
            f"Replace the library's database by the backup '{name}'?\nThe current database is kept aside (in the "
            "library's damaged/ folder); images indexed since the backup come back with Re-scan. The image files "
            "are not touched.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        if self.dialog is not None:
            self.dialog.set_busy("Restoring…")
        self.care.restore(name)

    def _listed(self, backups: list) -> None:
        if self.dialog is not None:
            self.dialog.set_backups(backups)

    def _checked(self, report) -> None:  # noqa: ANN001
        if self.dialog is not None:
            self.dialog.show_report(check_text(report))
        self.status("Library check: " + ("no problems found." if report.ok else "the database is damaged."), 10000)

    def _restored(self, aside: str) -> None:
        if self.dialog is not None:
            self.dialog.accept()
        self.status(f"Backup restored; the replaced database was kept as {aside}. Re-scan (F5) picks up images "
                    "added since.", 20000)

    def _failed(self, title: str, exc: BaseException) -> None:
        if self.dialog is not None:
            self.dialog.set_busy(title + ".", False)
        errors.report(self.window, title, exc, self.status)

    # ---------------------------------------------------- damaged database
    def offer_restore(self, exc: BaseException, folder: str | None) -> None:
        """The database is damaged (a LibraryDamagedError): say so and offer its backups."""
        backups = [b for b in getattr(exc, "backups", []) if b.images is not None]
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("The library is damaged")
        box.setTextFormat(errors.PLAIN)
        box.setText(getattr(exc, "message", str(exc)))
        problems = list(getattr(exc, "problems", []))
        if backups:
            box.setInformativeText(f"ArtSeek has {len(backups)} backup{'s' if len(backups) != 1 else ''} of it; the "
                                   f"newest is from {backup_label(backups[0])}.\nRestoring keeps the damaged file "
                                   "aside; Re-scan then picks up images added since.")
            newest = box.addButton(RESTORE_NEWEST, QMessageBox.ButtonRole.AcceptRole)
            choose = box.addButton(CHOOSE, QMessageBox.ButtonRole.ActionRole)
        else:
            box.setInformativeText("There is no backup of it. Open or create another library; the damaged "
                                   "one is left as it is.")
            newest = choose = None
        box.addButton(QMessageBox.StandardButton.Cancel)
        if problems:
            box.setDetailedText("\n".join(problems))
        box.exec()
        clicked = box.clickedButton()
        if newest is not None and clicked is newest:
            self.care.restore_closed(folder, backups[0].name)
        elif choose is not None and clicked is choose:
            labels = [backup_label(b) for b in backups]
            label, ok = QInputDialog.getItem(self.window, "Choose a backup", "Restore this backup:", labels, 0, False)
            if ok and label:
                self.care.restore_closed(folder, backups[labels.index(label)].name)
