"""The library dialog: counts, model and imported folders (offline ones marked), notes, with Re-scan and
Remove folder."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from artseek.ui import icons
from artseek.ui.widgets.plain import plain_label

OFFLINE = "offline (drive or share not connected)"


def folder_text(path: str, offline: bool) -> str:
    """An imported folder as the folder lists show it."""
    return f"{path} — {OFFLINE}" if offline else path


class LibraryDialog(QDialog):
    """Library status (counts, model, folders) with Re-scan and Remove folder."""

    rescanRequested = Signal()
    removeRequested = Signal(str)
    failuresRequested = Signal()

    def __init__(self, status, model_state: str, parent: QWidget | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.setWindowTitle("Library")
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        where = plain_label(QLabel(status.library + ("  (read-only: in use elsewhere, or its folder cannot be written)" if status.read_only else ""), self))
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Library folder:", where)
        form.addRow("Model:", plain_label(QLabel(f"{status.model} ({model_state})", self)))
        form.addRow("Images:", QLabel(f"{status.indexed:,} indexed · {status.failed:,} failed · "
                                      f"{status.pending:,} pending · {status.missing:,} missing", self))
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Imported folders</b>", self))
        self.roots = QListWidget(self)
        offline = set(status.offline)
        for root in status.roots:
            item = QListWidgetItem(folder_text(root, root in offline))
            item.setData(Qt.ItemDataRole.UserRole, root)
            self.roots.addItem(item)
        self.roots.setAccessibleName("Imported folders")
        if self.roots.count():
            self.roots.setCurrentRow(0)
        layout.addWidget(self.roots, 1)
        if offline:
            layout.addWidget(QLabel("Images of offline folders stay searchable; they are re-scanned when the "
                                    "folder is back.", self))
        if status.notes:
            self.notes = plain_label(QLabel("\n".join(status.notes), self))
            self.notes.setWordWrap(True)
            self.notes.setObjectName("libraryNotes")
            layout.addWidget(self.notes)
        row = QHBoxLayout()
        self.rescan = QPushButton(icons.icon("rescan"), "Re-scan all folders", self)
        self.remove = QPushButton("Remove folder…", self)
        self.failures = QPushButton(f"Failed files ({status.failed})…", self)
        self.failures.setEnabled(status.failed > 0)
        for b in (self.rescan, self.remove):
            b.setEnabled(not status.read_only)
        self.remove.setEnabled(not status.read_only and self.roots.count() > 0)
        self.rescan.clicked.connect(lambda: (self.rescanRequested.emit(), self.accept()))
        self.remove.clicked.connect(self._remove)
        self.failures.clicked.connect(self.failuresRequested)
        row.addWidget(self.rescan)
        row.addWidget(self.remove)
        row.addWidget(self.failures)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _remove(self) -> None:
        item = self.roots.currentItem()
        if item is not None:
            self.removeRequested.emit(item.data(Qt.ItemDataRole.UserRole))
            self.accept()
