"""Model Setup: when no model is usable, say so in plain words and offer every way out.

Choose a model file (checked, recognised, copied, then prepared for the fast CPU
backend), download it, open the models folder, or (in a source checkout) try the
demo. The dialog only shows and asks; :mod:`artseek.ui.controllers.models` does.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from artseek.ui.widgets.plain import plain_label


class ModelSetupDialog(QDialog):
    """The model setup choices, a progress line with Cancel, and the outcome."""

    chooseFileRequested = Signal()
    downloadRequested = Signal()
    openFolderRequested = Signal()
    demoRequested = Signal()
    cancelRequested = Signal()

    def __init__(self, models_folder: str, download_text: str | None, demo: bool,
                 parent: QWidget | None = None) -> None:
        """``download_text``: the Download button's text (None: no download for this model);
        ``demo``: offer the demo (a source checkout)."""
        super().__init__(parent)
        self.setObjectName("modelSetupDialog")
        self.setWindowTitle("Model Setup")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)

        self.heading = QLabel("<h3>ArtSeek needs a model</h3>", self)
        layout.addWidget(self.heading)
        self.reason = plain_label(QLabel(self))
        self.reason.setWordWrap(True)
        layout.addWidget(self.reason)
        explain = QLabel("The model is what lets ArtSeek read your images and your words. It is one file "
                         "(about 600 MB for the standard model) that stays on this computer: searching never uses "
                         "the internet.", self)
        explain.setWordWrap(True)
        layout.addWidget(explain)

        self.choose_button = self._choice(layout, "Choose a Model File…",
                                          "A .safetensors weights file (or the folder of an ONNX export) that someone "
                                          "gave you: ArtSeek checks it and copies it into its models folder.",
                                          self.chooseFileRequested)
        self.download_button = self._choice(layout, download_text or "Download",
                                            "Needs an internet connection once; the file is checked before use.",
                                            self.downloadRequested)
        self.download_button.setVisible(download_text is not None)
        self.download_button.parentWidget().setVisible(download_text is not None)
        self.folder_button = self._choice(layout, "Open the Models Folder",
                                          f"Copy a model file into {models_folder} yourself, then reopen the library.",
                                          self.openFolderRequested)
        self.demo_button = self._choice(layout, "Try the Demo",
                                        "A small test model on generated sample pictures, in a separate demo window "
                                        "(your libraries are not touched).", self.demoRequested)
        self.demo_button.parentWidget().setVisible(demo)

        row = QHBoxLayout()
        self.progress_label = plain_label(QLabel(self))
        self.progress_label.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setMaximumHeight(14)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self.cancelRequested)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        layout.addWidget(self.progress_label)
        layout.addLayout(row)
        self.outcome = plain_label(QLabel(self))
        self.outcome.setObjectName("modelSetupOutcome")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.outcome)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.set_busy(False)

    def _choice(self, layout: QVBoxLayout, text: str, help_text: str, signal: Signal) -> QPushButton:
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 2, 0, 2)
        button = QPushButton(text, box)
        button.setMinimumWidth(190)
        button.clicked.connect(signal)
        label = QLabel(help_text, box)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(button)
        row.addWidget(label, 1)
        layout.addWidget(box)
        return button

    # ------------------------------------------------------------- updates
    def set_reason(self, text: str) -> None:
        """Why a model is needed now (e.g. which file was not found), in plain words."""
        self.reason.setText(text)
        self.reason.setVisible(bool(text))

    def set_busy(self, busy: bool) -> None:
        for button in (self.choose_button, self.download_button, self.demo_button):
            button.setEnabled(not busy)
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.progress_label.setVisible(busy)
        if busy:
            self.outcome.clear()

    def show_progress(self, text: str, done: int, total: int) -> None:
        self.progress_label.setText(text)
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        else:
            self.progress.setRange(0, 0)  # busy, of unknown length

    def show_outcome(self, text: str, ok: bool) -> None:
        """The result in the dialog: what happened and what to do (an error is not a second dialog)."""
        self.set_busy(False)
        self.outcome.setStyleSheet("" if ok else "color: #a32020;")
        self.outcome.setText(text)
