"""Library → Find Duplicates…: groups by tier on the left, the selected group side by side on the right.

Each image of a group shows its thumbnail, pixel size, format, file size, date
and path (and, for near-identical and similar groups, how alike it is). The
curator marks a group *not duplicates* (remembered), sends it to a collection or
exports every group as CSV; the similar tier's threshold is adjustable. The
work is the controller's: this widget only shows and asks.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from artseek.ui.widgets.backups_dialog import human_size
from artseek.ui.widgets.elided_label import ElidedLabel
from artseek.ui.widgets.plain import plain_label

TIER_CHOICES = (("All tiers", ""), ("Identical", "identical"), ("Near-identical", "near"), ("Similar", "similar"))
CARD_WIDTH = 210
THUMB = 190


def member_lines(m) -> list[str]:  # noqa: ANN001 - a DuplicateMember
    """What a card says about one image, line by line."""
    dims = f"{m.width} × {m.height}" if m.width and m.height else "size unknown"
    lines = [os.path.basename(m.path), f"{dims} · {m.format or '?'} · {human_size(m.size)}",
             f"modified {m.modified[:10]}"]
    if m.similarity is not None:
        lines.append(f"similarity {m.similarity:.3f}" + ("" if m.hash_bits is None else f" · {m.hash_bits} hash bits"))
    if m.copies > 1:
        lines.append(f"{m.copies} identical files")
    if m.stands_for:
        lines.append("stands for its near-identical group")
    return lines


class MemberCard(QFrame):
    """One image of a group: thumbnail and facts; the path elided, in full as a tooltip."""

    def __init__(self, member, pixmap: QPixmap | None, parent: QWidget | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.member = member
        self.setObjectName("duplicateCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFixedWidth(CARD_WIDTH)
        layout = QVBoxLayout(self)
        self.thumb = QLabel(self)
        self.thumb.setFixedSize(THUMB, THUMB)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.set_pixmap(pixmap)
        layout.addWidget(self.thumb)
        for i, line in enumerate(member_lines(member)):
            label = plain_label(QLabel(line, self))
            if i == 0:
                label.setStyleSheet("font-weight: bold")
            layout.addWidget(label)
        path = ElidedLabel(member.path, self)
        path.setStyleSheet("color: palette(mid)")
        layout.addWidget(path)
        layout.addStretch(1)

    def set_pixmap(self, pixmap: QPixmap | None) -> None:
        if pixmap is None or pixmap.isNull():
            self.thumb.setText("…")
            return
        self.thumb.setPixmap(pixmap.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))


class DuplicatesDialog(QDialog):
    """The review view of duplicate groups; emits what the curator asks for."""

    findRequested = Signal(str, float)  # tier ("" all), similar threshold
    notDuplicatesRequested = Signal(object)  # the DuplicateGroup
    collectRequested = Signal(object)  # the DuplicateGroup (the controller asks for the collection's name)
    exportRequested = Signal()

    def __init__(self, thumbnail: Callable[[int], QPixmap | None], writable: bool, similar_threshold: float,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Find Duplicates")
        self.resize(1060, 640)
        self.thumbnail = thumbnail
        self.writable = writable
        self.groups: list = []
        self.report = None  # the last DuplicateReport (the tier choice filters it without a new search)
        self.cards: list[MemberCard] = []
        layout = QVBoxLayout(self)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show:", self))
        self.tier = QComboBox(self)
        for text, value in TIER_CHOICES:
            self.tier.addItem(text, value)
        self.tier.currentIndexChanged.connect(lambda _: self.report is not None and self.set_report(self.report))
        bar.addWidget(self.tier)
        bar.addSpacing(12)
        bar.addWidget(QLabel("Similar from:", self))
        self.threshold = QDoubleSpinBox(self)
        self.threshold.setRange(0.5, 1.0)
        self.threshold.setSingleStep(0.01)
        self.threshold.setDecimals(2)
        self.threshold.setValue(similar_threshold)
        self.threshold.setToolTip("Embedding similarity two images need to be called similar (higher: fewer, "
                                  "closer images)")
        bar.addWidget(self.threshold)
        self.find_button = QPushButton("Find", self)
        self.find_button.setDefault(True)
        self.find_button.clicked.connect(self._find)
        bar.addWidget(self.find_button)
        self.busy = QProgressBar(self)
        self.busy.setMaximumWidth(220)
        self.busy.hide()
        bar.addWidget(self.busy)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.summary = plain_label(QLabel("Looking for duplicates…", self))
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.list = QListWidget(splitter)
        self.list.currentRowChanged.connect(self._show_group)
        right = QWidget(splitter)
        rlayout = QVBoxLayout(right)
        rlayout.setContentsMargins(0, 0, 0, 0)
        self.group_title = plain_label(QLabel("", right))
        self.group_title.setStyleSheet("font-weight: bold")
        rlayout.addWidget(self.group_title)
        self.scroll = QScrollArea(right)
        self.scroll.setWidgetResizable(True)
        self.strip = QWidget()
        self.strip_layout = QHBoxLayout(self.strip)
        self.strip_layout.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.scroll.setWidget(self.strip)
        rlayout.addWidget(self.scroll, 1)
        buttons = QHBoxLayout()
        self.not_duplicates = QPushButton("Not Duplicates", right)
        self.not_duplicates.setToolTip("Remember that these images are not duplicates (kept across re-scans)")
        self.not_duplicates.clicked.connect(lambda: self._emit_current(self.notDuplicatesRequested))
        self.collect = QPushButton("Add to Collection…", right)
        self.collect.setToolTip("Add the images of this group to a collection (created when new)")
        self.collect.clicked.connect(lambda: self._emit_current(self.collectRequested))
        self.export = QPushButton("Export CSV…", right)
        self.export.setToolTip("Write every group, one row per image, to a CSV file")
        self.export.clicked.connect(self.exportRequested.emit)
        close = QPushButton("Close", right)
        close.clicked.connect(self.reject)
        for b in (self.not_duplicates, self.collect, self.export):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        rlayout.addLayout(buttons)
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setSizes([280, 780])
        layout.addWidget(splitter, 1)
        self._enable()

    # ------------------------------------------------------------ state
    def selected_tier(self) -> str:
        return self.tier.currentData() or ""

    def current_group(self):  # noqa: ANN201 - DuplicateGroup or None
        row = self.list.currentRow()
        return self.groups[row] if 0 <= row < len(self.groups) else None

    def _enable(self) -> None:
        has = self.current_group() is not None
        self.not_duplicates.setEnabled(has and self.writable)
        self.collect.setEnabled(has and self.writable)
        self.export.setEnabled(bool(self.groups))

    def _emit_current(self, signal: Signal) -> None:
        group = self.current_group()
        if group is not None:
            signal.emit(group)

    def _find(self) -> None:
        self.findRequested.emit(self.selected_tier(), float(self.threshold.value()))

    # ------------------------------------------------------------ updates
    def set_busy(self, phase: str, done: int, total: int) -> None:
        self.find_button.setEnabled(False)
        self.busy.show()
        self.busy.setRange(0, max(1, total))
        self.busy.setValue(done)
        self.busy.setFormat("Checking new images %v / %m" if phase == "checking" else "Grouping…")

    def set_failed(self, text: str) -> None:
        self.find_button.setEnabled(True)
        self.busy.hide()
        self.summary.setText(text)

    def set_report(self, report) -> None:  # noqa: ANN001 - a DuplicateReport
        from artseek.duplicates import TIER_NAMES

        self.report = report
        self.find_button.setEnabled(True)
        self.busy.hide()
        tier = self.selected_tier()
        self.groups = [g for g in report.groups if not tier or g.tier == tier]
        counts = report.counts()
        shown = [t for t in TIER_NAMES if not tier or t == tier]
        self.summary.setText(
            f"{report.images:,} images ({report.checked:,} checked now), "
            + ", ".join(f"{counts[t]} {TIER_NAMES[t].lower()} group{'s' if counts[t] != 1 else ''}" for t in shown)
            + (f"; {report.dismissed} marked not duplicates" if report.dismissed else "") + "."
            + ("" if self.groups else " No duplicates found."))
        self.list.blockSignals(True)
        self.list.clear()
        for g in self.groups:
            item = QListWidgetItem(f"{g.tier_name} · {len(g.members)} images\n{os.path.basename(g.members[0].path)}")
            item.setToolTip(g.key)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.list.setCurrentRow(0 if self.groups else -1)
        if not self.groups:
            self._show_group(-1)

    def remove_group(self, key: str) -> None:
        """A group marked not duplicates leaves the list."""
        if self.report is not None:
            self.report.groups = [g for g in self.report.groups if g.key != key]
        rows = [i for i, g in enumerate(self.groups) if g.key == key]
        for row in reversed(rows):
            del self.groups[row]
            self.list.takeItem(row)
        self._show_group(self.list.currentRow())

    def _show_group(self, row: int) -> None:
        for card in self.cards:
            card.deleteLater()
        self.cards = []
        group = self.groups[row] if 0 <= row < len(self.groups) else None
        if group is None:
            self.group_title.setText("")
        else:
            self.group_title.setText(f"{group.tier_name} — {len(group.members)} images ({group.key})")
            for m in group.members:
                card = MemberCard(m, self.thumbnail(m.image_id), self.strip)
                self.strip_layout.addWidget(card)
                self.cards.append(card)
        self._enable()

    def thumbnail_ready(self, image_id: int) -> None:
        for card in self.cards:
            if card.member.image_id == image_id:
                card.set_pixmap(self.thumbnail(image_id))
