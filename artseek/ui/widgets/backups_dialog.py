"""Library → Backups…: the library's backups (date, reason, size, image counts), Back Up Now, Restore…, Check Library."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from artseek.ui.widgets.plain import plain_label

COLUMNS = ("Date (UTC)", "Reason", "Size", "Images", "Indexed")


def human_size(size: int) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


def backup_row(b) -> tuple[str, ...]:  # noqa: ANN001 - a BackupInfo
    """A backup as the table shows it."""
    unreadable = "unreadable"
    return (f"{b.created:%Y-%m-%d %H:%M}", b.reason, human_size(b.size),
            f"{b.images:,}" if b.images is not None else unreadable,
            f"{b.indexed:,}" if b.indexed is not None else unreadable)


def check_text(report) -> str:  # noqa: ANN001 - a CheckReport
    """A plain report of ``Library.check``: what was found, in words."""
    lines = [f"Library: {report.library}",
             "Database: " + ("no problems found." if report.ok else "DAMAGED:")]
    lines += [f"  {p}" for p in report.problems]
    lines.append(f"Vector index: {report.vector_index}")
    if report.indexed is not None:
        lines.append(f"Images indexed: {report.indexed:,}" +
                     (f" · searchable: {report.searchable:,}" if report.searchable is not None else ""))
    lines.append(f"Backups: {len(report.backups)}" +
                 (f", the newest from {report.backups[0].created:%Y-%m-%d %H:%M} UTC" if report.backups else ""))
    lines.append(f"Checked every page in {report.elapsed_s:.1f} s." if report.full
                 else f"Quick check in {report.elapsed_s:.1f} s.")
    if not report.ok:
        lines.append("Restore a backup (Restore… above); images added since then come back with Re-scan.")
    return "\n".join(lines)


class BackupsDialog(QDialog):
    """The backups table with Back Up Now, Restore… and Check Library; the work itself is the controller's."""

    backupRequested = Signal()
    restoreRequested = Signal(str)  # the backup's name
    checkRequested = Signal()

    def __init__(self, writable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Backups")
        self.resize(720, 480)
        self.writable = writable
        self._names: list[str] = []
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("ArtSeek backs up the library's database after each import and before removing "
                                "a folder or re-indexing. Your image files are never touched.", self, wordWrap=True))
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAccessibleName("Backups")
        self.table.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table, 2)
        row = QHBoxLayout()
        self.backup_button = QPushButton("Back Up Now", self)
        self.restore_button = QPushButton("Restore…", self)
        self.check_button = QPushButton("Check Library", self)
        self.backup_button.clicked.connect(self.backupRequested)
        self.restore_button.clicked.connect(self._restore)
        self.check_button.clicked.connect(self.checkRequested)
        for b in (self.backup_button, self.restore_button, self.check_button):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        self.state = plain_label(QLabel("Listing the backups…", self))
        layout.addWidget(self.state)
        self.report = QPlainTextEdit(self)
        self.report.setReadOnly(True)
        self.report.setPlaceholderText("Check Library reads every page of the database and the vector index.")
        layout.addWidget(self.report, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._busy = True  # until the list arrives
        self._update_buttons()

    def set_backups(self, backups: list) -> None:
        self._names = [b.name for b in backups]
        self.table.setRowCount(len(backups))
        for r, b in enumerate(backups):
            for c, text in enumerate(backup_row(b)):
                item = QTableWidgetItem(text)
                if c >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        if backups:
            self.table.selectRow(0)
        self.set_busy("" if backups else "No backups yet: Back Up Now makes one.", False)

    def selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self._names[rows[0].row()] if rows else None

    def set_busy(self, text: str, busy: bool = True) -> None:
        self._busy = busy
        self.state.setText(text)
        self._update_buttons()

    def show_report(self, text: str) -> None:
        self.report.setPlainText(text)
        self.set_busy("", False)

    def _update_buttons(self) -> None:
        idle = not self._busy
        self.backup_button.setEnabled(idle and self.writable)
        self.restore_button.setEnabled(idle and self.writable and self.selected_name() is not None)
        self.check_button.setEnabled(idle)

    def _restore(self) -> None:
        name = self.selected_name()
        if name is not None:
            self.restoreRequested.emit(name)
