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
from artseek.ui.widgets.rich_text_delegate import HtmlRole, RichTextDelegate

MATCHED_STYLE = "background-color:#fff1a8; color:#1f2328; font-weight:bold"


def emphasised(text: str, sentence: str | None, style: str = "font-weight:bold") -> str:
    """``text`` as escaped HTML with ``sentence`` (where it occurs in it) emphasised."""
    if sentence and sentence in text:
        before, _, after = text.partition(sentence)
        return f"{esc(before)}<span style='{style}'>{esc(sentence)}</span>{esc(after)}"
    return esc(text)


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
        self.texts.setItemDelegate(RichTextDelegate(self.texts))
        self.texts.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.matched: str | None = None  # the sentence that matched the search in descriptions
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

    def set_matched(self, sentence: str | None) -> None:
        """The sentence that matched a search in descriptions (emphasised in the image's texts), or None."""
        self.matched = sentence or None

    def _add(self, text: str, html: str, tooltip: str) -> None:
        item = QListWidgetItem(text)
        item.setData(HtmlRole, html)
        item.setToolTip(tip(tooltip))
        self.texts.addItem(item)

    def show_captions(self, c: Captions) -> None:
        self.texts.clear()
        if c.error:
            self.clear(f"Descriptions are unavailable: {c.error}")
            return
        if not c.texts and not c.own:
            self.clear("No descriptions imported yet." if not c.available or not c.keywords else
                       "No matching descriptions.")
        own_texts = set()
        for text, source, kind in c.own:
            own_texts.add(text)
            label = text if len(text) < 1200 else text[:1200] + "…"
            who = "Your description" if source == "curator" else " · ".join(
                x for x in (kind, os.path.basename(source)) if x)
            matched = self.matched if self.matched and self.matched in label else None
            note = " · <i>matched your search</i>" if matched else ""
            self._add(label, f"<span style='color:gray'>{esc(who)}{note}</span><br>"
                             f"{emphasised(label, matched, MATCHED_STYLE)}", f"{text}\n\n{who}")
        for i, (text, score, source, kind) in enumerate(c.texts):
            if text in own_texts:
                continue
            label = text if len(text) < 600 else text[:600] + "…"
            meta = " · ".join(x for x in (kind, os.path.basename(source) if source else "", f"score {score:.3f}") if x)
            best = c.parts[i] if i < len(c.parts) else ""
            self._add(label, f"{emphasised(label, best)}<br><span style='color:gray'>{esc(meta)}</span>",
                      f"{text}\n\n{meta}")
        if c.keywords:
            # A keyword is one unit: its words are joined by no-break spaces so it never wraps mid-phrase.
            links = " ".join(f"<a href='{esc(k)}' style='text-decoration:none'>{esc(k).replace(' ', '&nbsp;')}</a>"
                             f"<span style='color:gray'>&nbsp;{s:.2f}</span>&nbsp;&nbsp;" for k, s in c.keywords)
            self.keywords.setText(links)
        else:
            self.keywords.setText("<span style='color:gray'>No keywords yet.</span>")
