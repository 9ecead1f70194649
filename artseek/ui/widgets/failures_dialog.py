"""The files that could not be indexed, with the reason for each."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from artseek.ui.widgets.plain import tip


class FailuresDialog(QDialog):
    """The files that could not be indexed, with the reason for each."""

    def __init__(self, failures: list[dict[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Files that could not be indexed")
        self.resize(820, 420)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{len(failures)} file(s) could not be indexed. Fix or remove them, "
                                "then use Library → Re-scan.", self))
        table = QTableWidget(len(failures), 2, self)
        table.setHorizontalHeaderLabels(["File", "Reason"])
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        table.horizontalHeader().setStretchLastSection(True)
        for row, f in enumerate(failures):
            path = QTableWidgetItem(f.get("path", ""))
            path.setToolTip(tip(f.get("path", "")))
            reason = QTableWidgetItem(f.get("reason", ""))
            reason.setToolTip(tip(f.get("reason", "")))
            table.setItem(row, 0, path)
            table.setItem(row, 1, reason)
        table.setColumnWidth(0, 420)
        self.table = table
        layout.addWidget(table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
