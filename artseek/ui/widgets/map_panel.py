"""The map panel beside the grid: a small toolbar (fit, selection mode, the map's actions), the map view, and
the build's progress with a Cancel button, or a message when there is no map yet."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QToolBar, QVBoxLayout, QWidget

from artseek.ui.widgets.map_view import MapView

MODES = (("pan", "Pan", "Drag to move the map (Shift+drag: rectangle, Alt+drag: lasso)"),
         ("rect", "Rectangle", "Drag a rectangle to select the images inside"),
         ("lasso", "Lasso", "Draw around images to select them"))


class MapPanel(QWidget):
    cancelRequested = Signal()

    def __init__(self, thumbnail, actions: list[QAction], parent: QWidget | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.setObjectName("mapPanel")
        self.setMinimumWidth(260)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.toolbar = QToolBar("Map", self)
        self.toolbar.setIconSize(QSize(16, 16))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.fit_action = self.toolbar.addAction("Fit")
        self.fit_action.setToolTip("Show the whole map (0 or Home)")
        self.toolbar.addSeparator()
        self.modes = QActionGroup(self)
        self.mode_actions: dict[str, QAction] = {}
        for mode, text, tip in MODES:
            action = self.toolbar.addAction(text)
            action.setCheckable(True)
            action.setToolTip(tip)
            action.setChecked(mode == "pan")
            self.modes.addAction(action)
            action.triggered.connect(lambda _=False, m=mode: setattr(self.view, "mode", m))
            self.mode_actions[mode] = action
        self.toolbar.addSeparator()
        for action in actions:
            self.toolbar.addAction(action)
        layout.addWidget(self.toolbar)
        self.view = MapView(thumbnail, self)
        self.fit_action.triggered.connect(self.view.fit_all)
        layout.addWidget(self.view, 1)
        self.message = QLabel(self)
        self.message.setObjectName("mapMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.hide()
        layout.addWidget(self.message, 1)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(6, 3, 6, 3)
        self.status = QLabel(self)
        self.status.setObjectName("mapStatus")
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(140)
        self.progress.setMaximumHeight(14)
        self.progress.hide()
        self.cancel = QPushButton("Cancel", self)
        self.cancel.setToolTip("Stop building the map (the map saved before stays)")
        self.cancel.clicked.connect(self.cancelRequested)
        self.cancel.hide()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.progress)
        bottom.addWidget(self.cancel)
        layout.addLayout(bottom)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.view.hide()

    def show_map(self) -> None:
        self.message.hide()
        self.view.show()

    def set_busy(self, text: str, done: int = 0, total: int = 0) -> None:
        self.status.setText(text)
        self.progress.setRange(0, total if total else 0)
        if total:
            self.progress.setValue(done)
        self.progress.show()
        self.cancel.show()

    def set_idle(self, text: str) -> None:
        self.status.setText(text)
        self.progress.hide()
        self.cancel.hide()
