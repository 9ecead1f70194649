"""Icons: the application icon from resources/icons, and small toolbar glyphs drawn with QPainter.

Drawing the glyphs keeps the app free of icon-theme dependencies (the same on
Windows, macOS and Linux) and of binary assets beyond the app icon.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from artseek import config

INK = QColor(60, 66, 76)
ACCENT = QColor(31, 111, 139)
POSITIVE = QColor(46, 160, 67)
NEGATIVE = QColor(207, 34, 46)


def app_icon() -> QIcon:
    """The ArtSeek icon (resources/icons/artseek.png), or a drawn one if the file is missing."""
    path = config.resources_dir() / "icons" / "artseek.png"
    if path.is_file():
        return QIcon(str(path))
    return _draw(_paint_app)


def _draw(paint, size: int = 64) -> QIcon:  # noqa: ANN001
    icon = QIcon()
    for s in (16, 24, 32, 48, size):
        pm = QPixmap(s, s)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.scale(s / 32.0, s / 32.0)
        paint(p)
        p.end()
        icon.addPixmap(pm)
    return icon


def _pen(colour: QColor, width: float = 2.4) -> QPen:
    pen = QPen(colour, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _paint_app(p: QPainter) -> None:
    path = QPainterPath()
    path.addRoundedRect(QRectF(1, 1, 30, 30), 7, 7)
    p.fillPath(path, ACCENT)
    p.setPen(_pen(QColor("white"), 3))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(QPointF(14, 14), 7, 7)
    p.drawLine(QPointF(19, 19), QPointF(25, 25))


def _badge(colour: QColor, plus: bool | None):  # noqa: ANN202
    def paint(p: QPainter) -> None:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        p.drawEllipse(QRectF(3, 3, 26, 26))
        p.setPen(_pen(QColor("white"), 3.2))
        if plus is None:  # a cross: clear
            p.drawLine(QPointF(11, 11), QPointF(21, 21))
            p.drawLine(QPointF(21, 11), QPointF(11, 21))
            return
        p.drawLine(QPointF(10, 16), QPointF(22, 16))
        if plus:
            p.drawLine(QPointF(16, 10), QPointF(16, 22))
    return paint


def _polygon(points: list[tuple[float, float]]) -> QPainterPath:
    """A closed path through ``points``."""
    path = QPainterPath()
    path.moveTo(*points[0])
    for x, y in points[1:]:
        path.lineTo(x, y)
    path.closeSubpath()
    return path


def _paint_search(p: QPainter) -> None:
    p.setPen(_pen(INK, 3))
    p.drawEllipse(QPointF(13, 13), 8, 8)
    p.drawLine(QPointF(19, 19), QPointF(27, 27))


def _paint_refine(p: QPainter) -> None:
    # A funnel with a small + / - beside it: "re-rank with the marks".
    path = _polygon([(4, 6), (24, 6), (16, 16), (16, 26), (12, 23), (12, 16)])
    p.setPen(_pen(ACCENT, 2))
    p.setBrush(ACCENT.lighter(160))
    p.drawPath(path)
    p.setPen(_pen(POSITIVE, 2.4))
    p.drawLine(QPointF(22, 20), QPointF(29, 20))
    p.drawLine(QPointF(25.5, 16.5), QPointF(25.5, 23.5))
    p.setPen(_pen(NEGATIVE, 2.4))
    p.drawLine(QPointF(22, 28), QPointF(29, 28))


def _paint_similar(p: QPainter) -> None:
    p.setPen(_pen(INK, 2))
    p.setBrush(QColor(230, 234, 240))
    p.drawRoundedRect(QRectF(3, 3, 17, 17), 3, 3)
    p.setBrush(ACCENT.lighter(150))
    p.drawRoundedRect(QRectF(12, 12, 17, 17), 3, 3)


def _paint_folder(colour: QColor, plus: bool):  # noqa: ANN202
    def paint(p: QPainter) -> None:
        path = _polygon([(3, 9), (3, 26), (29, 26), (29, 11), (15, 11), (12, 7), (4, 7)])
        p.setPen(_pen(colour.darker(130), 1.6))
        p.setBrush(colour)
        p.drawPath(path)
        if plus:
            p.setPen(_pen(QColor("white"), 2.6))
            p.drawLine(QPointF(11, 18.5), QPointF(21, 18.5))
            p.drawLine(QPointF(16, 13.5), QPointF(16, 23.5))
    return paint


def _paint_library(p: QPainter) -> None:
    p.setPen(_pen(INK, 1.6))
    for x, h, c in ((4, 22, ACCENT), (11, 20, QColor(196, 140, 60)), (18, 23, QColor(120, 130, 150))):
        p.setBrush(c)
        p.drawRect(QRectF(x, 28 - h, 6, h))
    p.setBrush(QColor(160, 90, 90))
    p.save()
    p.translate(25, 9)
    p.rotate(14)
    p.drawRect(QRectF(0, 0, 5, 19))
    p.restore()


def _paint_rescan(p: QPainter) -> None:
    p.setPen(_pen(ACCENT, 2.8))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawArc(QRectF(6, 6, 20, 20), 40 * 16, 280 * 16)
    p.setBrush(ACCENT)
    p.setPen(Qt.PenStyle.NoPen)
    head = QPainterPath()
    head.moveTo(28, 4)
    head.lineTo(28, 14)
    head.lineTo(18, 12)
    head.closeSubpath()
    p.drawPath(head)


def _paint_pause(p: QPainter) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(INK)
    p.drawRoundedRect(QRectF(8, 6, 6, 20), 1.5, 1.5)
    p.drawRoundedRect(QRectF(18, 6, 6, 20), 1.5, 1.5)


def _paint_play(p: QPainter) -> None:
    path = QPainterPath()
    path.moveTo(9, 5)
    path.lineTo(26, 16)
    path.lineTo(9, 27)
    path.closeSubpath()
    p.fillPath(path, POSITIVE)


def _paint_stop(p: QPainter) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(NEGATIVE)
    p.drawRoundedRect(QRectF(7, 7, 18, 18), 3, 3)


def _paint_info(p: QPainter) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(ACCENT)
    p.drawEllipse(QRectF(3, 3, 26, 26))
    p.setPen(_pen(QColor("white"), 3.2))
    p.drawLine(QPointF(16, 14), QPointF(16, 23))
    p.drawPoint(QPointF(16, 9))


_PAINTERS = {
    "search": _paint_search,
    "refine": _paint_refine,
    "similar": _paint_similar,
    "mark-relevant": _badge(POSITIVE, True),
    "mark-not-relevant": _badge(NEGATIVE, False),
    "clear-marks": _badge(QColor(130, 136, 146), None),
    "import": _paint_folder(QColor(232, 178, 74), True),
    "open": _paint_folder(QColor(120, 150, 190), False),
    "library": _paint_library,
    "rescan": _paint_rescan,
    "pause": _paint_pause,
    "resume": _paint_play,
    "cancel": _paint_stop,
    "info": _paint_info,
}


@cache
def icon(name: str) -> QIcon:
    """A named toolbar icon (see ``_PAINTERS``)."""
    return _draw(_PAINTERS[name])
