"""The feedback bar: the accumulated +/- marks, with Refine and Clear marks."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QWidget,
)


class FeedbackBar(QFrame):
    """Shows the accumulated marks, with Refine and Clear marks."""

    def __init__(self, actions: list, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("feedbackBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        self.label = QLabel(self)
        layout.addWidget(self.label, 1)
        for action in actions:  # Refine, Clear marks
            b = QToolButton(self)
            b.setDefaultAction(action)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            b.setAutoRaise(True)
            layout.addWidget(b)
        self.hide()

    def update_marks(self, positives: int, negatives: int) -> None:
        if not positives and not negatives:
            self.hide()
            return
        self.label.setText(f"<b>Feedback:</b> <span style='color:#2ea043'>{positives} relevant</span> · "
                           f"<span style='color:#cf222e'>{negatives} not relevant</span> — "
                           "press <b>Refine</b> (Ctrl+Enter) to re-rank; marks add up over rounds.")
        self.show()
