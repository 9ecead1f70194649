"""The library dialog: counts, model and imported folders, with Re-scan and Remove folder."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from artseek.ui import icons
from artseek.ui.widgets.plain import plain_label


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
        where = plain_label(QLabel(status.library + ("  (read-only: in use elsewhere)" if status.read_only else ""), self))
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Library folder:", where)
        form.addRow("Model:", plain_label(QLabel(f"{status.model} ({model_state})", self)))
        form.addRow("Images:", QLabel(f"{status.indexed:,} indexed · {status.failed:,} failed · "
                                      f"{status.pending:,} pending · {status.missing:,} missing", self))
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Imported folders</b>", self))
        self.roots = QListWidget(self)
        self.roots.addItems(status.roots)
        self.roots.setAccessibleName("Imported folders")
        if self.roots.count():
            self.roots.setCurrentRow(0)
        layout.addWidget(self.roots, 1)
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
            self.removeRequested.emit(item.text())
            self.accept()
