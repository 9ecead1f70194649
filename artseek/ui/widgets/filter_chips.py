"""The filter chips under the search field: one removable chip per condition, and a button to add filters."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from artseek.search.filters import SearchFilter
from artseek.ui.widgets.plain import plain_label, tip

CHIP_STYLE = ("QFrame#filterChip { background: palette(alternate-base); border: 1px solid palette(mid); "
              "border-radius: 11px; }")


class FilterChips(QFrame):
    """Shows a :class:`SearchFilter` as chips; the curator removes one with its ×, or adds with "Filter…"."""

    removeRequested = Signal(str)  # the key of the condition (SearchFilter.parts)
    addRequested = Signal()
    clearRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterChips")
        self.setStyleSheet(CHIP_STYLE)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(10, 0, 10, 6)
        self._layout.setSpacing(6)
        self.add_button = QPushButton("Filter…", self)
        self.add_button.setObjectName("addFilter")
        self.add_button.setToolTip("Only search images of some folders, formats, sizes, dates, tags or a collection")
        self.add_button.setFlat(True)
        self.add_button.clicked.connect(self.addRequested)
        self.clear_button = QToolButton(self)
        self.clear_button.setText("Clear filters")
        self.clear_button.setAutoRaise(True)
        self.clear_button.clicked.connect(self.clearRequested)
        self._layout.addWidget(self.add_button)
        self._layout.addStretch(1)
        self._layout.addWidget(self.clear_button)
        self.chips: dict[str, QFrame] = {}
        self.set_filter(SearchFilter())

    def set_filter(self, flt: SearchFilter) -> None:
        """Show ``flt``'s conditions (rebuilt from scratch: a handful of chips)."""
        for chip in self.chips.values():
            self._layout.removeWidget(chip)
            chip.deleteLater()
        self.chips = {}
        for n, (key, label) in enumerate(flt.parts()):
            chip = self._chip(key, label)
            self._layout.insertWidget(1 + n, chip)
            self.chips[key] = chip
        self.clear_button.setVisible(bool(self.chips))
        self.add_button.setText("Add filter…" if self.chips else "Filter…")

    def labels(self) -> list[str]:
        """The chips' texts, in order (for tests and the screenshot)."""
        return [chip.findChild(QLabel).text() for chip in self.chips.values()]

    def _chip(self, key: str, label: str) -> QFrame:
        chip = QFrame(self)
        chip.setObjectName("filterChip")
        row = QHBoxLayout(chip)
        row.setContentsMargins(8, 1, 2, 1)
        row.setSpacing(2)
        text = plain_label(QLabel(label, chip))
        text.setToolTip(tip(key.partition(":")[2] or label))
        close = QToolButton(chip)
        close.setText("×")
        close.setAutoRaise(True)
        close.setToolTip(f"Remove this filter ({label})")
        close.setAccessibleName(f"Remove filter {label}")
        close.clicked.connect(lambda: self.removeRequested.emit(key))
        row.addWidget(text)
        row.addWidget(close)
        return chip
