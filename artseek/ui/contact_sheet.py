"""A PDF contact sheet of a collection or selection, drawn with Qt's own QPdfWriter and QPainter.

Each page has the title and date at the top, a grid of cells (thumbnail, file
name, best description, the curator's note) and the page number at the bottom;
A4 or Letter, portrait. Every size is a fraction of the page width, so the same
:meth:`ContactSheet.paint_page` draws the PDF page and its PNG preview
(:func:`render_page_image`, used for docs/gui.md) identically. The CLI's
``collections export --pdf`` imports this module inside its command function and
makes an offscreen QGuiApplication when none exists (:func:`ensure_gui_app`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (QColor, QFont, QFontMetricsF, QGuiApplication, QImage, QPageLayout, QPageSize, QPainter,
                           QPdfWriter, QPen)

from artseek.collections.export import SheetEntry
from artseek.csv_safe import ExportError

PAPERS = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
COLUMNS, ROWS = 4, 5
RESOLUTION = 200  # dpi of the PDF's device units (thumbnails are 256 px: sharp enough at ~4 cm)


def ensure_gui_app() -> QGuiApplication:
    """The running Qt application, or a new offscreen one (the CLI has none). A QApplication, not just a
    QGuiApplication, so that a window opened later in the same process (tests) can still make widgets."""
    app = QGuiApplication.instance()
    if app is None:
        from PySide6.QtWidgets import QApplication

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([])
    return app  # type: ignore[return-value]


class ContactSheet:
    """The pages of a contact sheet for ``entries`` under ``title`` on ``paper`` ("a4" or "letter")."""

    def __init__(self, title: str, entries: list[SheetEntry], paper: str = "a4", when: date | None = None) -> None:
        if paper.lower() not in PAPERS:
            raise ExportError(f"Unknown paper size '{paper}'.", "Use a4 or letter.")
        self.title, self.entries, self.paper = title, entries, paper.lower()
        self.when = when or date.today()
        self.per_page = COLUMNS * ROWS
        self.pages = max(1, -(-len(entries) // self.per_page))

    def page_size(self) -> QPageSize:
        return QPageSize(PAPERS[self.paper])

    def write_pdf(self, path: str | os.PathLike[str], progress: Callable[[int, int], None] | None = None) -> int:
        """Write the PDF (to a temporary file, then renamed); returns the page count."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        writer = QPdfWriter(str(tmp))
        writer.setResolution(RESOLUTION)
        writer.setTitle(self.title)
        writer.setCreator("ArtSeek")
        writer.setPageLayout(QPageLayout(self.page_size(), QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
        painter = QPainter()
        if not painter.begin(writer):
            tmp.unlink(missing_ok=True)
            raise ExportError(f"Cannot write '{path}'.", "Choose a writable location.")
        try:
            for page in range(self.pages):
                if page:
                    writer.newPage()
                self.paint_page(painter, QRectF(0, 0, writer.width(), writer.height()), page)
                if progress is not None:
                    progress(page + 1, self.pages)
        finally:
            painter.end()
        try:
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ExportError(f"Cannot write '{path}': {exc.strerror or exc}.", "Choose a writable location.") from None
        return self.pages

    def paint_page(self, painter: QPainter, page: QRectF, index: int) -> None:
        """Draw page ``index`` into ``page`` (device units)."""
        w = page.width()
        margin = w * 0.06
        area = page.adjusted(margin, margin, -margin, -margin)
        painter.save()
        painter.fillRect(page, QColor("white"))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        title_font = _font(w * 0.028, bold=True)
        small = _font(w * 0.0135)
        painter.setPen(QColor("#202020"))
        painter.setFont(title_font)
        title_h = QFontMetricsF(title_font).height()
        painter.drawText(QRectF(area.left(), area.top(), area.width() * 0.75, title_h),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         QFontMetricsF(title_font).elidedText(self.title, Qt.TextElideMode.ElideRight,
                                                              area.width() * 0.75))
        painter.setFont(small)
        painter.setPen(QColor("#606060"))
        painter.drawText(QRectF(area.left(), area.top(), area.width(), title_h),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         f"{self.when.day} {self.when:%B %Y} · {len(self.entries)} image{'s' if len(self.entries) != 1 else ''}")
        top = area.top() + title_h * 1.4
        painter.setPen(QPen(QColor("#b0b0b0"), max(1.0, w * 0.0008)))
        painter.drawLine(area.left(), top - title_h * 0.2, area.right(), top - title_h * 0.2)
        footer_h = QFontMetricsF(small).height() * 1.5
        grid = QRectF(area.left(), top, area.width(), area.bottom() - footer_h - top)
        cell_w, cell_h = grid.width() / COLUMNS, grid.height() / ROWS
        for n, entry in enumerate(self.entries[index * self.per_page:(index + 1) * self.per_page]):
            r, c = divmod(n, COLUMNS)
            self._paint_cell(painter, QRectF(grid.left() + c * cell_w, grid.top() + r * cell_h, cell_w, cell_h),
                             entry, w)
        painter.setFont(small)
        painter.setPen(QColor("#606060"))
        painter.drawText(QRectF(area.left(), area.bottom() - footer_h, area.width(), footer_h),
                         Qt.AlignmentFlag.AlignCenter, f"ArtSeek · page {index + 1} of {self.pages}")
        painter.restore()

    def _paint_cell(self, painter: QPainter, cell: QRectF, entry: SheetEntry, w: float) -> None:
        pad = w * 0.008
        inner = cell.adjusted(pad, pad, -pad, -pad)
        name_font, text_font = _font(w * 0.0125, bold=True), _font(w * 0.0112)
        note_font = _font(w * 0.0112)
        note_font.setItalic(True)
        line = QFontMetricsF(text_font).height()
        text_h = QFontMetricsF(name_font).height() + line * 4.1
        box = QRectF(inner.left(), inner.top(), inner.width(), inner.height() - text_h)
        image = QImage.fromData(entry.thumbnail) if entry.thumbnail else QImage()
        if not image.isNull():
            size = QSizeF(image.size()).scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRectF(box.left() + (box.width() - size.width()) / 2, box.top() + (box.height() - size.height()) / 2,
                            size.width(), size.height())
            painter.drawImage(target, image)
        else:
            painter.fillRect(box, QColor("#eeeeee"))
            painter.setFont(text_font)
            painter.setPen(QColor("#808080"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, "no thumbnail")
        y = box.bottom() + line * 0.3
        painter.setPen(QColor("#202020"))
        y = _lines(painter, name_font, entry.file_name, inner.left(), y, inner.width(), 1)
        painter.setPen(QColor("#404040"))
        y = _lines(painter, text_font, entry.description, inner.left(), y, inner.width(), 2)
        painter.setPen(QColor("#8a4b08"))
        _lines(painter, note_font, entry.note, inner.left(), y, inner.width(), 2)


def _font(pixels: float, bold: bool = False) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPixelSize(max(1, round(pixels)))
    font.setBold(bold)
    return font


def _lines(painter: QPainter, font: QFont, text: str, x: float, y: float, width: float, most: int) -> float:
    """Draw ``text`` word-wrapped into at most ``most`` lines (the last one elided); returns the next y."""
    if not text:
        return y
    metrics = QFontMetricsF(font)
    painter.setFont(font)
    words, lines = " ".join(text.split()).split(" "), []
    current = ""
    for word in words:
        trial = f"{current} {word}".strip()
        if metrics.horizontalAdvance(trial) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    lines.append(current)
    shown = lines[:most]
    if len(lines) > most:
        shown[-1] = shown[-1] + " " + " ".join(lines[most:])
    for n, text_line in enumerate(shown):
        if n == len(shown) - 1 or metrics.horizontalAdvance(text_line) > width:
            text_line = metrics.elidedText(text_line, Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRectF(x, y, width, metrics.height()), Qt.AlignmentFlag.AlignLeft, text_line)
        y += metrics.height()
    return y


def render_page_image(sheet: ContactSheet, index: int = 0, width_px: int = 1240) -> QImage:
    """Page ``index`` as an image ``width_px`` wide (the PNG preview; same drawing code as the PDF)."""
    size = sheet.page_size().sizePoints()
    height_px = round(width_px * size.height() / size.width())
    image = QImage(width_px, height_px, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        sheet.paint_page(painter, QRectF(0, 0, width_px, height_px), index)
    finally:
        painter.end()
    return image


def write_contact_sheet(path: str | os.PathLike[str], title: str, entries: list[SheetEntry], paper: str = "a4",
                        progress: Callable[[int, int], None] | None = None) -> int:
    """Write a contact sheet PDF; returns its page count."""
    ensure_gui_app()
    return ContactSheet(title, entries, paper).write_pdf(path, progress)
