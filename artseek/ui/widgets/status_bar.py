"""The status bar: messages are elided ("…") where they would run into the library and model labels."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget


class ElidedLabel(QLabel):
    """A one-line label that shrinks to any width, drawing its text elided at the right (full text as tip)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(0, super().minimumSizeHint().height())

    def elided_text(self) -> str:
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         self.elided_text())
        painter.end()

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802
        super().resizeEvent(event)
        self.setToolTip(self.text() if self.elided_text() != self.text() else "")


class StatusBar(QStatusBar):
    """``showMessage`` / ``clearMessage`` / ``currentMessage`` as QStatusBar's, shown in an :class:`ElidedLabel`
    that leaves the permanent widgets (library, model) their room."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message_label = ElidedLabel(self)
        self.addWidget(self.message_label, 1)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.clearMessage)

    def showMessage(self, text: str, timeout: int = 0) -> None:  # noqa: N802
        self.message_label.setText(text)
        self.message_label.setToolTip(text if self.message_label.elided_text() != text else "")
        self._timer.stop()
        if timeout > 0:
            self._timer.start(timeout)
        self.messageChanged.emit(text)

    def clearMessage(self) -> None:  # noqa: N802
        self.message_label.setText("")
        self._timer.stop()
        self.messageChanged.emit("")

    def currentMessage(self) -> str:  # noqa: N802
        return self.message_label.text()
