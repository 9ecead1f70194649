"""The detail view's image: drag a rectangle over it to search with that region; an outline shows a match.

The label shows a fitted pixmap centred in itself; a drag draws a rubber band
and, when released over at least a few pixels, emits ``regionSelected`` with
the rectangle as fractions of the image (x0, y0, x1, y1). ``set_outline``
draws a region (a matching tile) or a quadrilateral (a reproduction) over the
image, given in the same fractions.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QLabel, QRubberBand, QWidget

MIN_DRAG_PX = 8


class RegionImage(QLabel):
    """A QLabel for a fitted pixmap that lets the curator select a region of it."""

    regionSelected = Signal(tuple)  # (x0, y0, x1, y1) as fractions of the image

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip("Drag a rectangle over the image to search for that detail")
        self.setCursor(Qt.CursorShape.CrossCursor)
        self._band = QRubberBand(QRubberBand.Shape.Rectangle, self)
        self._origin: QPoint | None = None
        self._outline: list[tuple[float, float]] = []

    def image_rect(self) -> QRect:
        """Where the shown pixmap lies in the label (empty when none is shown)."""
        pix = self.pixmap()
        if pix is None or pix.isNull():
            return QRect()
        size: QSize = pix.size() / pix.devicePixelRatio()
        return QRect(QPoint((self.width() - size.width()) // 2, (self.height() - size.height()) // 2), size)

    def set_outline(self, region: tuple | list | None) -> None:
        """A rectangle (x0, y0, x1, y1) or four corners ((x, y), ...) in fractions of the image; None: nothing."""
        if not region:
            self._outline = []
        elif isinstance(region[0], (tuple, list)):
            self._outline = [(float(x), float(y)) for x, y in region]
        else:
            x0, y0, x1, y1 = (float(v) for v in region)
            self._outline = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        self.update()

    @property
    def outline(self) -> list[tuple[float, float]]:
        return list(self._outline)

    # -------------------------------------------------------------- mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.image_rect().contains(event.position().toPoint()):
            self._origin = event.position().toPoint()
            self._band.setGeometry(QRect(self._origin, QSize()))
            self._band.show()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._origin is not None:
            self._band.setGeometry(QRect(self._origin, event.position().toPoint()).normalized()
                                   .intersected(self.image_rect()))
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._origin is not None and event.button() == Qt.MouseButton.LeftButton:
            rect = QRect(self._origin, event.position().toPoint()).normalized().intersected(self.image_rect())
            self._origin = None
            self._band.hide()
            if rect.width() >= MIN_DRAG_PX and rect.height() >= MIN_DRAG_PX:
                self.regionSelected.emit(self.fractions(rect))
        super().mouseReleaseEvent(event)

    def fractions(self, rect: QRect) -> tuple[float, float, float, float]:
        """A rectangle of the label as fractions of the shown image."""
        img = self.image_rect()
        w, h = max(1, img.width()), max(1, img.height())
        return (round((rect.left() - img.left()) / w, 4), round((rect.top() - img.top()) / h, 4),
                round((rect.right() + 1 - img.left()) / w, 4), round((rect.bottom() + 1 - img.top()) / h, 4))

    # ------------------------------------------------------------ outline
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(event)
        img = self.image_rect()
        if not self._outline or img.isEmpty():
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#ff3b30"), 3))
        painter.drawPolygon(QPolygonF([QPointF(img.left() + x * img.width(), img.top() + y * img.height())
                                       for x, y in self._outline]))
        painter.end()
