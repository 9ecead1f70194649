"""The caption view: best-matching descriptions and suggested keywords of one image."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from artseek.ui.view_data import Captions
from artseek.ui.widgets.plain import esc, tip


class CaptionView(QWidget):
    """Best-matching texts of the library's corpus and suggested keywords for one image."""

    keywordActivated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        heading = QLabel("<b>Descriptions</b>", self)
        self.texts = QListWidget(self)
        self.texts.setWordWrap(True)
        self.texts.setAlternatingRowColors(True)
        self.texts.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.texts.setAccessibleName("Matching descriptions")
        self.keywords_heading = QLabel("<b>Suggested keywords</b>", self)
        self.keywords = QLabel(self)
        self.keywords.setWordWrap(True)
        self.keywords.setTextFormat(Qt.TextFormat.RichText)
        self.keywords.linkActivated.connect(self.keywordActivated)
        self.keywords.setToolTip("Click a keyword to search for it")
        layout.addWidget(heading)
        layout.addWidget(self.texts, 1)
        layout.addWidget(self.keywords_heading)
        layout.addWidget(self.keywords)
        self.clear()

    def clear(self, message: str = "Select an image to see matching descriptions.") -> None:
        self.texts.clear()
        item = QListWidgetItem(message)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.texts.addItem(item)
        self.keywords.setText("<span style='color:gray'>–</span>")

    def loading(self) -> None:
        self.clear("Looking for matching descriptions…")

    def show_captions(self, c: Captions) -> None:
        self.texts.clear()
        if c.error:
            self.clear(f"Descriptions are unavailable: {c.error}")
            return
        if not c.texts:
            self.clear("No descriptions imported yet." if not c.available or not c.keywords else
                       "No matching descriptions.")
        for text, score, source, kind in c.texts:
            label = text if len(text) < 600 else text[:600] + "…"
            item = QListWidgetItem(label)
            meta = " · ".join(x for x in (kind, os.path.basename(source) if source else "", f"score {score:.3f}") if x)
            item.setToolTip(tip(f"{text}\n\n{meta}"))
            self.texts.addItem(item)
        if c.keywords:
            # A keyword is one unit: its words are joined by no-break spaces so it never wraps mid-phrase.
            links = " ".join(f"<a href='{esc(k)}' style='text-decoration:none'>{esc(k).replace(' ', '&nbsp;')}</a>"
                             f"<span style='color:gray'>&nbsp;{s:.2f}</span>&nbsp;&nbsp;" for k, s in c.keywords)
            self.keywords.setText(links)
        else:
            self.keywords.setText("<span style='color:gray'>No keywords yet.</span>")
