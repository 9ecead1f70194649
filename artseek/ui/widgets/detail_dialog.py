"""The detail view: a larger image, its path and metadata, and the caption view."""

from __future__ import annotations

import os

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QPixmap, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from artseek.ui import icons
from artseek.ui.view_data import Captions, ImageDetails
from artseek.ui.widgets.caption_view import CaptionView
from artseek.ui.widgets.pixmaps import fit_pixmap
from artseek.ui.widgets.plain import esc, plain_label, ranked
from artseek.ui.widgets.tags_view import TagsView
from artseek.ui.widgets.region_image import RegionImage


def _human_size(n: int | None) -> str:
    if not n:
        return "–"
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return str(n)


class DetailDialog(QDialog):
    """A non-modal window for one result; ←/→ step through the results."""

    navigate = Signal(int)  # -1 previous, +1 next
    openFile = Signal(str)
    revealFile = Signal(str)
    moreLikeThis = Signal(int)
    regionSearch = Signal(bytes, str)  # PNG of the dragged region, a label: search with that detail

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Image")
        self.resize(1100, 720)
        self.image_id: int | None = None
        self.path = ""
        self._pixmap = QPixmap()

        self.image = plain_label(RegionImage(self))  # an error message may name the file
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(QSize(320, 320))
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.image.setObjectName("detailImage")
        self.image.regionSelected.connect(self._region_selected)

        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(8, 0, 0, 0)
        self.title = QLabel(side)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.fields: dict[str, QLabel] = {}
        for key, label in (("path", "Path"), ("dimensions", "Size"), ("format", "Format"), ("bytes", "File size"),
                           ("score", "Score"), ("status", "Status"), ("indexed_at", "Indexed")):
            value = plain_label(QLabel(side))
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            self.form.addRow(f"{label}:", value)
        self.captions = CaptionView(side)
        side_layout.addWidget(self.title)
        side_layout.addLayout(self.form)
        self.action_row = QHBoxLayout()
        side_layout.addLayout(self.action_row)
        side_layout.addWidget(self.captions, 1)
        self.tags = TagsView(side)  # filled by the texts controller
        side_layout.addWidget(self.tags)

        splitter = QSplitter(self)
        splitter.addWidget(self.image)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([680, 400])

        buttons = QDialogButtonBox(self)
        self.prev_button = QPushButton("◀ Previous", self)
        self.next_button = QPushButton("Next ▶", self)
        self.open_button = QPushButton("Open file", self)
        self.reveal_button = QPushButton("Show in folder", self)
        self.similar_button = QPushButton(icons.icon("similar"), "More like this", self)
        for b in (self.prev_button, self.next_button):
            buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        for b in (self.similar_button, self.reveal_button, self.open_button):
            buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        self.prev_button.clicked.connect(lambda: self.navigate.emit(-1))
        self.next_button.clicked.connect(lambda: self.navigate.emit(1))
        self.open_button.clicked.connect(lambda: self.openFile.emit(self.path))
        self.reveal_button.clicked.connect(lambda: self.revealFile.emit(self.path))
        self.similar_button.clicked.connect(lambda: self.image_id is not None and self.moreLikeThis.emit(self.image_id))
        for key, step in ((Qt.Key.Key_Left, -1), (Qt.Key.Key_Right, 1), (Qt.Key.Key_PageUp, -1),
                          (Qt.Key.Key_PageDown, 1)):
            QShortcut(QKeySequence(key), self, activated=lambda s=step: self.navigate.emit(s))

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)

    def add_action_button(self, action) -> None:  # noqa: ANN001
        b = QPushButton(action.icon(), action.text().replace("&", ""), self)
        b.setToolTip(action.toolTip())
        b.clicked.connect(action.trigger)
        self.action_row.addWidget(b)
        self.addAction(action)  # its shortcut (+, -, 0) works in this window too

    def finish_buttons(self) -> None:
        self.action_row.addStretch(1)

    def show_result(self, result, thumbnail: QPixmap | None, mark: int) -> None:  # noqa: ANN001
        self.image_id = result.image_id
        self.path = result.path
        self.setWindowTitle(f"{os.path.basename(result.path)} — ArtSeek")
        mark_text = {1: "  <span style='color:#2ea043'>(+ relevant)</span>",
                     -1: "  <span style='color:#cf222e'>(− not relevant)</span>"}.get(mark, "")
        self.title.setText(f"<h3>{esc(os.path.basename(result.path))}{mark_text}</h3>")
        self.fields["path"].setText(result.path)
        relative = " (refined score, relative to this search)" if getattr(result, "relative", False) else ""
        self.fields["score"].setText(f"{result.score:.4f}{relative}" if ranked(result.score)
                                     else "— (a collection's item)")
        for key in ("dimensions", "format", "bytes", "status", "indexed_at"):
            self.fields[key].setText("…")
        if result.width and result.height:
            self.fields["dimensions"].setText(f"{result.width} × {result.height} px")
        self._pixmap = thumbnail if thumbnail is not None else QPixmap()
        self.image.set_outline(getattr(result, "quad", None) or getattr(result, "region", None))
        self._fit()
        self.captions.set_matched(getattr(result, "sentence", None))
        self.captions.loading()
        self.tags.clear()

    def set_position(self, row: int, count: int) -> None:
        """Where the shown result is in the results: Previous is greyed out at the first, Next at the last."""
        self.prev_button.setEnabled(row > 0)
        self.next_button.setEnabled(row < count - 1)

    def update_mark(self, mark: int) -> None:
        if self.path:
            mark_text = {1: "  <span style='color:#2ea043'>(+ relevant)</span>",
                         -1: "  <span style='color:#cf222e'>(− not relevant)</span>"}.get(mark, "")
            self.title.setText(f"<h3>{esc(os.path.basename(self.path))}{mark_text}</h3>")

    def show_details(self, d: ImageDetails) -> None:
        if d.image_id != self.image_id:
            return
        r = d.record or {}
        if r:
            if r.get("width") and r.get("height"):
                self.fields["dimensions"].setText(f"{r['width']} × {r['height']} px")
            self.fields["format"].setText(r.get("format") or "–")
            self.fields["bytes"].setText(_human_size(r.get("size")))
            status = r.get("status") or "–"
            if r.get("error"):
                status += f": {r['error']}"
            self.fields["status"].setText(status)
            self.fields["indexed_at"].setText((r.get("indexed_at") or "–").replace("T", " ")[:19])
        if d.image is not None:
            self._pixmap = QPixmap.fromImage(d.image)
            self._fit()
        elif d.error:
            self.image.setText(d.error)

    def show_captions(self, c: Captions) -> None:
        if c.image_id == self.image_id:
            self.captions.show_captions(c)

    def _fit(self) -> None:
        if self._pixmap.isNull():
            self.image.setText("Loading…")
            return
        self.image.setPixmap(fit_pixmap(self._pixmap, self.image.size()))

    def _region_selected(self, region: tuple) -> None:
        """The dragged rectangle, cut from the shown image (the full decoded one once loaded), as a PNG."""
        if self._pixmap.isNull():
            return
        w, h = self._pixmap.width(), self._pixmap.height()
        x0, y0, x1, y1 = region
        crop = self._pixmap.copy(round(x0 * w), round(y0 * h), max(1, round((x1 - x0) * w)),
                                 max(1, round((y1 - y0) * h)))
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        crop.save(buffer, "PNG")
        self.regionSearch.emit(bytes(data.data()), f"detail of {os.path.basename(self.path)}")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()
