"""The result grid: a list model over search results, its painting delegate and the view.

The model holds only ids, paths and scores; thumbnails come from the
:class:`~artseek.ui.thumbnails.ThumbnailLoader` when an item is painted, so
the grid stays fast with any number of results (QListView asks only for the
visible items).
"""

from __future__ import annotations

import os

from PySide6.QtCore import QAbstractListModel, QMimeData, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, QUrl
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from artseek.ui.query_state import NOT_RELEVANT, RELEVANT
from artseek.ui.thumbnails import ThumbnailLoader
from artseek.ui.widgets.plain import ranked, score_name, tip

IMAGE_ID_MIME = "application/x-artseek-image-ids"

ImageIdRole = Qt.ItemDataRole.UserRole + 1
PathRole = Qt.ItemDataRole.UserRole + 2
ScoreRole = Qt.ItemDataRole.UserRole + 3
MarkRole = Qt.ItemDataRole.UserRole + 4
SentenceRole = Qt.ItemDataRole.UserRole + 5  # the sentence of its descriptions that matched (searches in descriptions)
TagsRole = Qt.ItemDataRole.UserRole + 6  # its tag values, when the View's tag badges are on
RelativeRole = Qt.ItemDataRole.UserRole + 7  # its score is a refined ranking's, relative to the search

THUMB = 160  # thumbnail box (px)
CELL = QSize(THUMB + 16, THUMB + 44)
POSITIVE_COLOUR = QColor(46, 160, 67)
NEGATIVE_COLOUR = QColor(207, 34, 46)
TAG_COLOUR = QColor(31, 35, 40, 190)


class ResultsModel(QAbstractListModel):
    """Search results: one row per image, thumbnails loaded lazily."""

    def __init__(self, thumbnails: ThumbnailLoader, marks: dict[int, int], parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self._thumbnails = thumbnails
        self._marks = marks  # shared with the QueryState: image id -> +1 / -1
        self._results: list = []
        self._row_of: dict[int, int] = {}
        self._tags: dict[int, list[str]] = {}  # image id -> tag values shown as badges (empty: badges off)
        thumbnails.ready.connect(self._thumbnail_ready)

    def set_tags(self, tags: dict[int, list[str]]) -> None:
        """Tag values to show as badges (an empty dict hides them)."""
        self._tags = dict(tags)
        if self._results:
            self.dataChanged.emit(self.index(0), self.index(len(self._results) - 1), [TagsRole])

    # ------------------------------------------------------------- content
    def set_results(self, results: list) -> None:
        self.beginResetModel()
        self._results = list(results)
        self._row_of = {r.image_id: i for i, r in enumerate(self._results)}
        self.endResetModel()

    def clear(self) -> None:
        self.set_results([])

    def result(self, row: int):  # noqa: ANN201 - SearchResult
        return self._results[row]

    def results(self) -> list:
        return list(self._results)

    def row_of(self, image_id: int) -> int | None:
        return self._row_of.get(image_id)

    def marks_changed(self, image_ids: list[int] | None = None) -> None:
        if not self._results:
            return
        if image_ids is None:
            self.dataChanged.emit(self.index(0), self.index(len(self._results) - 1), [MarkRole])
            return
        for i in image_ids:
            row = self._row_of.get(i)
            if row is not None:
                self.dataChanged.emit(self.index(row), self.index(row), [MarkRole])

    def _thumbnail_ready(self, image_id: int) -> None:
        row = self._row_of.get(image_id)
        if row is not None:
            idx = self.index(row)
            self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole])

    # ----------------------------------------------------------- Qt model
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._results)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid() or index.row() >= len(self._results):
            return None
        r = self._results[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return os.path.basename(r.path)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnails.pixmap(r.image_id)
        if role == Qt.ItemDataRole.ToolTipRole:
            size = f"\n{r.width} × {r.height} px" if r.width and r.height else ""
            sentence = f"\n“{r.sentence}”" if getattr(r, "sentence", None) else ""
            tags = f"\nTags: {', '.join(self._tags[r.image_id])}" if self._tags.get(r.image_id) else ""
            where = (f"{score_name(r).capitalize()} {r.score:.3f} · rank {index.row() + 1}" if ranked(r.score)
                     else f"Number {index.row() + 1} in the collection")
            return tip(f"{r.path}{size}\n{where}{sentence}{tags}")
        if role == SentenceRole:
            return getattr(r, "sentence", None)
        if role == TagsRole:
            return self._tags.get(r.image_id, [])
        if role == ImageIdRole:
            return r.image_id
        if role == PathRole:
            return r.path
        if role == ScoreRole:
            return r.score if ranked(r.score) else None
        if role == RelativeRole:
            return bool(getattr(r, "relative", False))
        if role == MarkRole:
            return self._marks.get(r.image_id, 0)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            mark = {RELEVANT: ", marked relevant", NOT_RELEVANT: ", marked not relevant"}.get(
                self._marks.get(r.image_id, 0), "")
            score = f", {score_name(r)} {r.score:.2f}" if ranked(r.score) else ""
            return f"{os.path.basename(r.path)}{score}{mark}"
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [IMAGE_ID_MIME, "text/uri-list"]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # noqa: N802
        rows = sorted({i.row() for i in indexes if i.isValid()})
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(self._results[r].path) for r in rows])
        mime.setData(IMAGE_ID_MIME, ",".join(str(self._results[r].image_id) for r in rows).encode())
        return mime


class ThumbnailDelegate(QStyledItemDelegate):
    """Paints a thumbnail, its file name and score, and the +/- mark as a badge."""

    thumb = THUMB  # the thumbnail box (px): ResultsView.set_thumbnail_size (Preferences)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        return QSize(self.thumb + 16, self.thumb + 44)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(3, 3, -3, -3)
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        mark = index.data(MarkRole) or 0

        # Card background.
        card = QPainterPath()
        card.addRoundedRect(rect, 6, 6)
        if selected:
            painter.fillPath(card, palette.color(QPalette.ColorRole.Highlight).lighter(175))
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2))
            painter.drawPath(card)
        elif hovered:
            painter.fillPath(card, palette.color(QPalette.ColorRole.Midlight))
        if mark:
            painter.setPen(QPen(POSITIVE_COLOUR if mark == RELEVANT else NEGATIVE_COLOUR, 3))
            painter.drawPath(card)

        # Thumbnail, centred in its box.
        thumb = self.thumb
        box = QRect(rect.left() + (rect.width() - thumb) // 2, rect.top() + 5, thumb, thumb)
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if pixmap is not None and not pixmap.isNull():
            scaled = pixmap.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, scaled.width(), scaled.height())
            target.moveCenter(box.center())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawPixmap(target, pixmap)
        else:
            painter.fillRect(box.adjusted(10, 10, -10, -10), palette.color(QPalette.ColorRole.AlternateBase))

        # Name and score.
        text_rect = QRect(rect.left() + 6, box.bottom() + 4, rect.width() - 12, 16)
        font = QFont(option.font)
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        name = option.fontMetrics.elidedText(index.data(Qt.ItemDataRole.DisplayRole) or "",
                                             Qt.TextElideMode.ElideMiddle, text_rect.width())
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter, name)
        score, sentence = index.data(ScoreRole), index.data(SentenceRole)
        if score is not None or sentence:
            small = QFont(option.font)
            small.setPointSizeF(max(6.0, option.font.pointSizeF() - 1))
            small.setItalic(bool(sentence))
            painter.setFont(small)
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            line = (QFontMetrics(small).elidedText(f"“{sentence}”", Qt.TextElideMode.ElideMiddle, text_rect.width())
                    if sentence else f"{score:.3f}" + (" relative" if index.data(RelativeRole) else ""))
            painter.drawText(text_rect.translated(0, 16), Qt.AlignmentFlag.AlignHCenter, line)
        tags = index.data(TagsRole)
        if tags:
            self._tag_badges(painter, option, box, tags)

        if mark:
            self._badge(painter, QRect(rect.left() + 6, rect.top() + 6, 22, 22), mark)
        painter.restore()

    @staticmethod
    def _tag_badges(painter: QPainter, option: QStyleOptionViewItem, box: QRect, tags: list[str]) -> None:
        """The image's tag values as small chips along the bottom of its thumbnail."""
        small = QFont(option.font)
        small.setPointSizeF(max(6.0, option.font.pointSizeF() - 2))
        painter.setFont(small)
        metrics = QFontMetrics(small)
        x, bottom = box.left() + 4, box.bottom() - 4
        for value in tags:
            width = min(metrics.horizontalAdvance(value) + 10, box.right() - 4 - x)
            if width < 24:
                break
            chip = QRect(x, bottom - metrics.height() - 2, width, metrics.height() + 2)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(TAG_COLOUR)
            painter.drawRoundedRect(chip, 4, 4)
            painter.setPen(QColor(255, 255, 255))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter,
                             metrics.elidedText(value, Qt.TextElideMode.ElideRight, width - 6))
            x += width + 3

    @staticmethod
    def _badge(painter: QPainter, r: QRect, mark: int) -> None:
        colour = POSITIVE_COLOUR if mark == RELEVANT else NEGATIVE_COLOUR
        painter.setPen(QPen(QColor(255, 255, 255), 1.5))
        painter.setBrush(colour)
        painter.drawEllipse(r)
        pen = QPen(QColor(255, 255, 255), 2.5)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        c = r.center()
        painter.drawLine(c.x() - 5, c.y(), c.x() + 5, c.y())
        if mark == RELEVANT:
            painter.drawLine(c.x(), c.y() - 5, c.x(), c.y() + 5)


class ResultsView(QListView):
    """A virtualised icon grid (uniform item sizes, batched layout)."""

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(400)
        self.setGridSize(CELL + QSize(6, 6))
        self.setSpacing(0)
        self.setWordWrap(False)
        self.setMouseTracking(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        # The grid wraps to the width it has and only ever scrolls up and down.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setMinimumWidth(CELL.width() + 6 + self.verticalScrollBar().sizeHint().width() + 4)
        self.delegate = ThumbnailDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setAccessibleName("Search results")

    def set_thumbnail_size(self, px: int) -> None:
        """Show thumbnails in ``px`` boxes (the grid lays itself out again at once)."""
        self.delegate.thumb = int(px)
        self._fit_grid(force=True)
        self.doItemsLayout()

    def _fit_grid(self, force: bool = False) -> None:
        # Spread the spare width over the columns so the grid fills the view evenly.
        cell = self.delegate.sizeHint(QStyleOptionViewItem(), QModelIndex())
        available = max(1, self.viewport().width() - 2)
        columns = max(1, available // (cell.width() + 6))
        width = available // columns
        if force or width != self.gridSize().width():
            self.setGridSize(QSize(width, cell.height() + 6))

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802
        self._fit_grid()
        super().resizeEvent(event)
