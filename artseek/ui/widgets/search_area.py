"""The search area: search field, example-image chip, result count and the Search button."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QKeyEvent, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

from artseek.ui import icons
from artseek.ui.query_state import Example
from artseek.ui.widgets.drops import DropContent, read_mime
from artseek.ui.widgets.plain import plain_label, tip

TOP_K_CHOICES = (50, 100, 200, 500, 1000)


class SearchLineEdit(QLineEdit):
    """The search field; pasting an image (not text) turns it into a query-by-example."""

    imagePasted = Signal(object)  # DropContent

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.matches(QKeySequence.StandardKey.Paste):
            mime = QGuiApplication.clipboard().mimeData()
            content = read_mime(mime) if mime is not None else DropContent()
            if content.image is not None or content.image_files:
                self.imagePasted.emit(content)
                return
        super().keyPressEvent(event)


class SearchArea(QFrame):
    """Search field, example-image chip, result count and the Search button; a drop target."""

    searchRequested = Signal()
    contentDropped = Signal(object)  # DropContent
    exampleCleared = Signal()
    exampleUnreadable = Signal(str)  # an example file whose picture Qt cannot read (the controller asks the core)
    topKChanged = Signal(int)  # the curator chose another number of results

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchArea")
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(8)

        self.example_chip = QFrame(self)
        self.example_chip.setObjectName("exampleChip")
        chip = QHBoxLayout(self.example_chip)
        chip.setContentsMargins(4, 2, 2, 2)
        chip.setSpacing(4)
        self.example_thumb = QLabel(self.example_chip)
        self.example_thumb.setFixedSize(32, 32)
        self.example_thumb.setScaledContents(False)
        self.example_label = plain_label(QLabel(self.example_chip))
        self.example_label.setMaximumWidth(180)
        self.example_clear = QToolButton(self.example_chip)
        self.example_clear.setText("×")
        self.example_clear.setAutoRaise(True)
        self.example_clear.setToolTip("Remove the example image from the query (Esc)")
        self.example_clear.clicked.connect(self.exampleCleared)
        chip.addWidget(self.example_thumb)
        chip.addWidget(self.example_label)
        chip.addWidget(self.example_clear)
        self.example_chip.hide()

        self.field = SearchLineEdit(self)
        self.field.setObjectName("searchField")
        self.field.setPlaceholderText("Describe what you are looking for — or drop / paste an image here")
        self.field.setClearButtonEnabled(True)
        self.field.setAcceptDrops(False)  # drops go to the search area (image or folder), not into the text
        self.field.addAction(icons.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.field.returnPressed.connect(self.searchRequested)
        self.field.setMinimumHeight(32)
        self.field.setAccessibleName("Search text")

        self.top_k = QComboBox(self)
        for k in TOP_K_CHOICES:
            self.top_k.addItem(f"{k:,} results", k)
        self.top_k.setCurrentIndex(1)
        self.top_k.activated.connect(lambda _i: self.topKChanged.emit(self.top_k_value()))
        self.top_k.setToolTip("How many results to show")

        self.button = QPushButton(icons.icon("search"), "Search", self)
        self.button.setDefault(True)
        self.button.setMinimumHeight(32)
        self.button.clicked.connect(self.searchRequested)

        layout.addWidget(self.example_chip)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.top_k)
        layout.addWidget(self.button)

    def top_k_value(self) -> int:
        return int(self.top_k.currentData())

    def set_top_k(self, k: int) -> None:
        i = self.top_k.findData(k)
        if i >= 0:
            self.top_k.setCurrentIndex(i)

    def show_example(self, example: Example | None, pixmap: QPixmap | None = None) -> None:
        if example is None:
            self.example_chip.hide()
            return
        self.example_label.setText(example.label)
        self.example_label.setToolTip(tip(example.path or example.label))
        if pixmap is None and example.data:
            pixmap = QPixmap()
            pixmap.loadFromData(example.data)
        elif pixmap is None and example.path:
            pixmap = QPixmap(example.path)
        if pixmap is not None and not pixmap.isNull():
            self.example_thumb.setPixmap(pixmap.scaled(32, 32, Qt.AspectRatioMode.KeepAspectRatio,
                                                       Qt.TransformationMode.SmoothTransformation))
        else:
            self.example_thumb.clear()
        self.example_chip.show()
        if (pixmap is None or pixmap.isNull()) and example.path and not example.data:
            self.exampleUnreadable.emit(example.path)

    def _set_highlight(self, on: bool) -> None:
        self.setProperty("dropTarget", on)
        self.style().unpolish(self)
        self.style().polish(self)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if read_mime(event.mimeData()):
            event.acceptProposedAction()
            self._set_highlight(True)
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:  # noqa: ANN001, N802
        self._set_highlight(False)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self._set_highlight(False)
        content = read_mime(event.mimeData())
        if content:
            event.acceptProposedAction()
            self.contentDropped.emit(content)
        else:
            event.ignore()
