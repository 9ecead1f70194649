"""The indexing panel: progress of the background job, pause/resume, cancel, failed files."""

from __future__ import annotations

import os

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from artseek.ingest.progress import IndexProgress
from artseek.ui import icons
from artseek.ui.widgets.elided_label import ElidedLabel
from artseek.ui.widgets.plain import plain_label, tip


def format_duration(seconds: float | None) -> str:
    if seconds is None or seconds != seconds or seconds < 0:
        return "–"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class IndexPanel(QFrame):
    """Progress of the background indexing job: bar, rate, ETA, pause/resume, cancel, failures.

    The title (folder names) and the detail line (counts, then the current file) shorten with "…" when
    the window is narrow; the rate and time left (:attr:`speed`) always keep their full width.
    """

    pauseToggled = Signal(bool)
    cancelRequested = Signal()
    failuresRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("indexPanel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(10)
        text = QVBoxLayout()
        text.setSpacing(2)
        self.title = ElidedLabel("", self)
        self.title.setObjectName("indexTitle")
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        line = QHBoxLayout()
        line.setSpacing(8)
        self.detail = ElidedLabel("", self)
        self.detail.setObjectName("indexDetail")
        self.speed = plain_label(QLabel(self))
        self.speed.setObjectName("indexSpeed")
        self.speed.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
        line.addWidget(self.speed)
        line.addWidget(self.detail, 1)
        text.addWidget(self.title)
        text.addLayout(line)
        layout.addLayout(text, 2)
        self.bar = QProgressBar(self)
        self.bar.setMinimumWidth(90)
        self.bar.setMaximumWidth(260)
        self.bar.setTextVisible(True)
        layout.addWidget(self.bar, 1)
        self.pause = QPushButton(icons.icon("pause"), "Pause", self)
        self.pause.setCheckable(True)
        self.pause.toggled.connect(self._pause_toggled)
        self.cancel = QPushButton(icons.icon("cancel"), "Cancel", self)
        self.cancel.clicked.connect(self.cancelRequested)
        self.failures = QPushButton("Failed files…", self)
        self.failures.clicked.connect(self.failuresRequested)
        self.failures.hide()
        self.close_button = QToolButton(self)
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Hide")
        self.close_button.clicked.connect(self.hide)
        for w in (self.failures, self.pause, self.cancel, self.close_button):
            layout.addWidget(w)
        self.hide()

    def _pause_toggled(self, paused: bool) -> None:
        self.pause.setText("Resume" if paused else "Pause")
        self.pause.setIcon(icons.icon("resume" if paused else "pause"))
        self.pauseToggled.emit(paused)

    def start(self, title: str) -> None:
        self.title.setText(title)
        self.detail.setText("Scanning the folders…")
        self.speed.setText("")
        self.speed.hide()
        self.bar.setRange(0, 0)
        self.bar.show()
        self.pause.blockSignals(True)
        self.pause.setChecked(False)
        self.pause.setText("Pause")
        self.pause.setIcon(icons.icon("pause"))
        self.pause.blockSignals(False)
        self.pause.show()
        self.cancel.show()
        self.failures.hide()
        self.close_button.hide()
        self.show()

    def set_paused(self, paused: bool) -> None:
        self.pause.blockSignals(True)
        self.pause.setChecked(paused)
        self.pause.setText("Resume" if paused else "Pause")
        self.pause.setIcon(icons.icon("resume" if paused else "pause"))
        self.pause.blockSignals(False)
        text = self.speed.text().split(" — paused")[0]
        if text:
            self.speed.setText(text + " — paused" if paused else text)

    def update_progress(self, p: IndexProgress) -> None:
        if p.phase == "scanning":
            self.bar.setRange(0, 0)
            self.detail.setText(f"Scanning the folders… {p.current}")
            return
        self.bar.setRange(0, max(1, p.total))
        self.bar.setValue(p.done)
        self.bar.setFormat(f"{p.done:,} / {p.total:,}")
        if p.phase == "saving":
            self.detail.setText("Saving the index…")
            return
        if p.phase == "hashing":
            self.detail.setText("Perceptual hashes for the duplicate finder (no model work)…")
            return
        parts = [f"{p.indexed:,} indexed", f"{p.skipped:,} unchanged"]
        if p.failed:
            parts.append(f"{p.failed:,} failed")
        text = " · ".join(parts)
        if p.current:
            text += f" — {os.path.basename(p.current)}"
        self.detail.setText(text)
        self.detail.setToolTip(tip(p.current))
        speed = f"{p.rate:.1f} files/s · ETA {format_duration(p.eta_s)}"
        self.speed.setText(speed + " — paused" if self.pause.isChecked() else speed)
        self.speed.show()
        if p.failed:
            self.failures.setText(f"Failed files ({p.failed})…")
            self.failures.show()

    def finish(self, summary: str, failed: int, note: str = "") -> None:
        """The job is over: the summary and a note stay; no bar, rate or time left (nothing runs any more)."""
        self.title.setText(summary)
        self.detail.setText(note)
        self.detail.setToolTip("")
        self.speed.setText("")
        self.speed.hide()
        self.bar.hide()
        self.pause.hide()
        self.cancel.hide()
        self.close_button.show()
        if failed:
            self.failures.setText(f"Failed files ({failed})…")
            self.failures.show()
