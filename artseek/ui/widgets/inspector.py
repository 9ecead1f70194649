"""The side panel: preview, file facts, action buttons and the caption view of the current image."""

from __future__ import annotations

import os

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from artseek.ui.widgets.caption_view import CaptionView
from artseek.ui.widgets.pixmaps import fit_pixmap
from artseek.ui.widgets.plain import esc, ranked, score_name

PREVIEW_MIN, PREVIEW_MAX = 96, 320  # the preview shrinks to PREVIEW_MIN when the window is small


class InspectorPanel(QFrame):
    """The side panel: preview, file facts and the caption view of the current image.

    Its parts sit in :attr:`content` inside a scroll area: when the window is small the preview shrinks
    first (down to ``PREVIEW_MIN``), then the panel scrolls, so nothing is ever drawn over anything else.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspector")
        self.setMinimumWidth(240)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.content = QWidget(self.scroll)
        self.content.setObjectName("inspectorContent")
        self.scroll.setWidget(self.content)
        outer.addWidget(self.scroll)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        self.preview = QLabel(self.content)
        self.preview.setObjectName("preview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(QSize(PREVIEW_MIN, PREVIEW_MIN))
        self.preview.setMaximumHeight(PREVIEW_MAX)
        # Its height never follows the picture's (Ignored): it is what the panel can spare, between the limits.
        self.preview.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.name = QLabel(self)
        self.name.setObjectName("inspectorName")
        self.name.setWordWrap(True)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel(self)
        self.facts.setObjectName("inspectorFacts")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(4)
        self.captions = CaptionView(self)
        layout.addWidget(self.preview, 2)  # with room to spare the preview grows (up to PREVIEW_MAX)
        layout.addWidget(self.name)
        layout.addWidget(self.facts)
        layout.addLayout(self.buttons)
        layout.addWidget(self.captions, 3)
        self.image_id: int | None = None
        self._pixmap: QPixmap | None = None
        self.show_nothing()

    def add_action_button(self, action) -> None:  # noqa: ANN001
        b = QToolButton(self)
        b.setDefaultAction(action)
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        b.setAutoRaise(True)
        b.setIconSize(QSize(22, 22))
        self.buttons.addWidget(b)

    def finish_buttons(self) -> None:
        self.buttons.addStretch(1)

    def show_nothing(self) -> None:
        self.image_id = None
        self._pixmap = None
        self.preview.setPixmap(QPixmap())
        self.preview.setText("<span style='color:gray'>No image selected</span>")
        self.name.setText("")
        self.facts.setText("")
        self.captions.clear()

    def show_result(self, result, pixmap: QPixmap | None, mark: int) -> None:  # noqa: ANN001
        self.image_id = result.image_id
        self.set_pixmap(pixmap)
        self.name.setText(f"<b>{esc(os.path.basename(result.path))}</b>")
        size = f"{result.width} × {result.height} px · " if result.width and result.height else ""
        mark_text = {1: " · <span style='color:#2ea043'>marked relevant</span>",
                     -1: " · <span style='color:#cf222e'>marked not relevant</span>"}.get(mark, "")
        score = f"{score_name(result)} {result.score:.3f}" if ranked(result.score) else "in the open collection"
        self.facts.setText(f"{size}{score}{mark_text}<br>"
                           f"<span style='color:gray'>{esc(os.path.dirname(result.path))}</span>")
        self.captions.set_matched(getattr(result, "sentence", None))
        self.captions.loading()

    def set_pixmap(self, pixmap: QPixmap | None) -> None:
        if pixmap is None or pixmap.isNull():
            self.preview.setText("<span style='color:gray'>Loading…</span>")
            return
        self._pixmap = pixmap
        self._fit()

    def _fit(self) -> None:
        if self._pixmap is not None and not self._pixmap.isNull():
            box = self.preview.contentsRect().size().boundedTo(QSize(PREVIEW_MAX, PREVIEW_MAX))
            self.preview.setPixmap(fit_pixmap(self._pixmap, box))

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802
        super().resizeEvent(event)
        self._fit()
