"""The central area: the result grid, or a message (with an Import button) when there is nothing to show."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from artseek.ui import icons
from artseek.ui.widgets.results_view import ResultsView


class ResultsPane(QStackedWidget):
    """Either the grid (:attr:`view`) or the empty state (:attr:`empty`: a message and an Import button)."""

    def __init__(self, import_action: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty = QWidget(self)
        layout = QVBoxLayout(self.empty)
        layout.addStretch(1)
        self.empty_label = QLabel(self.empty)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        layout.addWidget(self.empty_label)
        self.empty_import = QPushButton(icons.icon("import"), "Import a folder…", self.empty)
        self.empty_import.clicked.connect(import_action.trigger)
        self.empty_import.setEnabled(import_action.isEnabled())
        import_action.enabledChanged.connect(self.empty_import.setEnabled)
        layout.addWidget(self.empty_import, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.view = ResultsView(self)
        self.addWidget(self.empty)
        self.addWidget(self.view)

    def show_message(self, text: str, show_import: bool) -> None:
        self.empty_label.setText(text)
        self.empty_import.setVisible(show_import)
        self.setCurrentWidget(self.empty)

    def show_grid(self) -> None:
        self.setCurrentWidget(self.view)
