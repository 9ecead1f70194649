"""Progress of classifying the library into its categories, with Pause/Resume and Cancel."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget


class ClassifyDialog(QDialog):
    """Non-modal; ``pauseToggled(True)`` pauses, ``cancelled`` stops (tags made so far are kept)."""

    pauseToggled = Signal(bool)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Classifying the library")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        self.label = QLabel("Preparing (loading the model)…", self)
        self.label.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        buttons = QDialogButtonBox(self)
        self.pause = QPushButton("Pause", self)
        self.pause.setCheckable(True)
        self.pause.toggled.connect(self._paused)
        self.cancel = QPushButton("Cancel", self)
        self.cancel.clicked.connect(self.cancelled)
        buttons.addButton(self.pause, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.cancel, QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(buttons)

    def _paused(self, on: bool) -> None:
        self.pause.setText("Resume" if on else "Pause")
        self.pauseToggled.emit(on)

    def show_progress(self, category: str, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, max(total, 1)))
        paused = " (paused)" if self.pause.isChecked() else ""
        self.label.setText(f"Category “{category}”: {done:,} of {total:,} images{paused}"
                           if total else f"Category “{category}”: no image needs a tag")

    def reject(self) -> None:  # Esc or the window's close button: cancel, as the Cancel button
        self.cancelled.emit()
