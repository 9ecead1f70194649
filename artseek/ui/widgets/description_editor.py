"""Image → Edit Description…: the curator writes (or changes, or empties) an image's own description."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from artseek.ui.widgets.plain import plain_label


class DescriptionEditor(QDialog):
    """Emits ``saved(image_id, text)``; an empty text removes the curator's description."""

    saved = Signal(int, str)

    def __init__(self, image_id: int, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image_id = image_id
        self.setWindowTitle(f"Description of {name}")
        self.resize(560, 320)
        layout = QVBoxLayout(self)
        hint = plain_label(QLabel(f"Your description of {name}. It is searched with the imported descriptions "
                                  "(Search → Search in Descriptions) and kept by re-imports, re-scans and "
                                  "re-indexing. Leave it empty to remove it.", self))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.text = QPlainTextEdit(self)
        self.text.setPlaceholderText("Loading…")
        self.text.setEnabled(False)
        layout.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def set_text(self, text: str | None) -> None:
        self.text.setPlainText(text or "")
        self.text.setPlaceholderText("Describe the image…")
        self.text.setEnabled(True)
        self.text.setFocus()

    def _save(self) -> None:
        self.saved.emit(self.image_id, self.text.toPlainText())
        self.accept()
