"""A list delegate that paints an item's HTML (kept in :data:`HtmlRole`) wrapped to the view's width.

The item's own text stays plain (what tests, accessibility and copying read); the HTML is built by the
widget from escaped text (see :func:`artseek.ui.widgets.plain.esc`), so a description never turns into markup.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

HtmlRole = Qt.ItemDataRole.UserRole + 20
PADDING = 4


class RichTextDelegate(QStyledItemDelegate):
    def _document(self, option: QStyleOptionViewItem, index: QModelIndex) -> QTextDocument | None:
        html = index.data(HtmlRole)
        if not html:
            return None
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setHtml(html)
        view = self.parent()
        width = (view.viewport().width() if view is not None else option.rect.width()) - 2 * PADDING
        doc.setTextWidth(max(60, width))
        return doc

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        doc = self._document(option, index)
        if doc is None:
            return super().sizeHint(option, index)
        return QSize(int(doc.idealWidth()) + 2 * PADDING, int(doc.size().height()) + 2 * PADDING)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        doc = self._document(option, index)
        if doc is None:
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        text = option.text
        option.text = ""
        style = option.widget.style() if option.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        option.text = text
        painter.save()
        painter.translate(option.rect.left() + PADDING, option.rect.top() + PADDING)
        context = QAbstractTextDocumentLayout.PaintContext()
        role = (QPalette.ColorRole.HighlightedText if option.state & QStyle.StateFlag.State_Selected
                else QPalette.ColorRole.Text)
        context.palette.setColor(QPalette.ColorRole.Text, option.palette.color(role))
        context.clip = QRectF(0, 0, option.rect.width(), option.rect.height())
        doc.documentLayout().draw(painter, context)
        painter.restore()
