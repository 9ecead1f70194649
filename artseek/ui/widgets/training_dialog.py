"""Progress of training the composed-query mapper (Pic2Word): steps, loss and the time left, with Cancel."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from artseek.ui.widgets.index_panel import format_duration


class TrainingDialog(QProgressDialog):
    """A non-modal progress dialog; ``show_progress`` takes a TrainingProgress."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Preparing the training (loading the model)…", "Cancel", 0, 0, parent)
        self.setWindowTitle("Training the composed-query mapper")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setMinimumDuration(0)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumWidth(420)

    def show_progress(self, p) -> None:  # noqa: ANN001 - artseek.composed.training.TrainingProgress
        if p.steps:
            self.setMaximum(p.steps)
            self.setValue(min(p.step, p.steps))
        left = f", about {format_duration(p.eta_s)} left" if p.eta_s else ""
        words = {"training": f"Step {p.step} of {p.steps}, loss {p.loss}{left}",
                 "saving": "Saving the mapper in the library…", "loading": "Loading the model…"}
        self.setLabelText(words.get(p.phase, p.phase))
