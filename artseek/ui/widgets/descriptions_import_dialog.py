"""File → Import Descriptions…: where the texts come from, a preview of a file's first rows, and for a CSV which
column holds the image's file, the text, the type and the title."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from artseek.ui.widgets.plain import plain_label

SOURCES = (("file", "A file: CSV, JSON or Artpedia"),
           ("sidecars", "The .txt files next to the images (photo.txt, photo.jpg.txt)"),
           ("embedded", "The descriptions embedded in the images (XMP, IPTC, EXIF)"))
ENCODINGS = (("Automatic (UTF-8, UTF-16, UTF-32; else Windows-1252, to check)", None),
             ("Windows-1252 (Western European)", "cp1252"),
             ("Latin-1 (ISO 8859-1)", "latin-1"), ("Mac Roman", "mac-roman"))
GUESSED = ("This file is not UTF-8: it is shown read as {name}, the encoding spreadsheet programs write as plain "
           "'CSV' on Western European Windows. Check the accents in the preview (é, è, ü, ß…); if they look "
           "wrong, choose another encoding above.")
ROLES = (("file", "Image file (name, path or id)"), ("text", "Text"), ("kind", "Type (visual, contextual…)"),
         ("title", "Title"))
NONE = "(none)"


class DescriptionsImportDialog(QDialog):
    """The controller answers its signals: ``fileChanged`` asks for a preview, ``importRequested`` for the import."""

    browseRequested = Signal()
    fileChanged = Signal(str, object)  # path, encoding (None: automatic)
    importRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import Descriptions")
        self.setObjectName("descriptionsImportDialog")
        self.resize(860, 600)
        layout = QVBoxLayout(self)
        self.source = QComboBox(self)
        for key, text in SOURCES:
            self.source.addItem(text, key)
        self.source.currentIndexChanged.connect(self._source_changed)
        form = QFormLayout()
        form.addRow("Import from:", self.source)
        row = QHBoxLayout()
        self.path = QLineEdit(self)
        self.path.setPlaceholderText("Choose a .csv, .tsv or .json file")
        self.path.editingFinished.connect(self._file_changed)
        self.browse = QPushButton("Choose…", self)
        self.browse.clicked.connect(self.browseRequested)
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        form.addRow("File:", row)
        self.encoding = QComboBox(self)
        for text, value in ENCODINGS:
            self.encoding.addItem(text, value)
        self.encoding.activated.connect(self._encoding_chosen)
        self.guessed = False  # the encoding shown was chosen by the preview's guess, not by the curator
        self._previewed_path = ""
        form.addRow("Encoding:", self.encoding)
        self.kind = QComboBox(self)
        self.kind.setEditable(True)
        self.kind.addItems(["", "visual", "contextual"])
        self.kind.setToolTip("The type of texts whose file says none")
        form.addRow("Type of the texts:", self.kind)
        layout.addLayout(form)

        self.preview_box = QGroupBox("Preview (first rows)", self)
        box = QVBoxLayout(self.preview_box)
        self.table = QTableWidget(self.preview_box)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        box.addWidget(self.table)
        self.note = plain_label(QLabel(self.preview_box))
        self.note.setStyleSheet("color: gray")
        self.note.setWordWrap(True)
        box.addWidget(self.note)
        layout.addWidget(self.preview_box, 1)

        self.mapping_box = QGroupBox("Columns of the CSV", self)
        mapping = QFormLayout(self.mapping_box)
        self.columns: dict[str, QComboBox] = {}
        for role, text in ROLES:
            combo = QComboBox(self.mapping_box)
            combo.setAccessibleName(text)
            self.columns[role] = combo
            mapping.addRow(f"{text}:", combo)
        layout.addWidget(self.mapping_box)

        self.error = plain_label(QLabel(self))
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #cf222e")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.error)
        self.progress = QProgressBar(self)
        self.progress.hide()
        layout.addWidget(self.progress)
        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.importRequested)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.kind_of_file: str | None = None  # "csv" | "json" once previewed
        self._source_changed()

    # ------------------------------------------------------------ reading
    def source_key(self) -> str:
        return str(self.source.currentData())

    def file_path(self) -> str:
        return self.path.text().strip()

    def encoding_value(self) -> str | None:
        return self.encoding.currentData()

    def kind_value(self) -> str | None:
        return self.kind.currentText().strip() or None

    def mapping(self) -> dict[str, str | None] | None:
        """For a CSV: role -> column (None: no such column); None for other files."""
        if self.kind_of_file != "csv":
            return None
        return {role: (c.currentText() if c.currentText() != NONE else None) for role, c in self.columns.items()}

    # ------------------------------------------------------------ showing
    def set_file(self, path: str) -> None:
        self.path.setText(path)
        self._file_changed()

    def _encoding_chosen(self, _index: int) -> None:
        self.guessed = False
        self._file_changed()

    def _file_changed(self) -> None:
        if self.guessed and self.file_path() != self._previewed_path:  # a guess holds for its own file only
            self.guessed = False
            self.encoding.setCurrentIndex(0)
        self._previewed_path = self.file_path()
        self.kind_of_file = None
        self.error.clear()
        if self.file_path():
            self.fileChanged.emit(self.file_path(), self.encoding_value())
        self._update()

    def _source_changed(self) -> None:
        is_file = self.source_key() == "file"
        for w in (self.path, self.browse, self.encoding, self.kind, self.preview_box):
            w.setEnabled(is_file)
        self.error.clear()
        self._update()

    def _update(self) -> None:
        is_file = self.source_key() == "file"
        self.mapping_box.setVisible(is_file and self.kind_of_file == "csv")
        self.import_button.setEnabled(not is_file or self.kind_of_file is not None)

    def show_preview(self, preview) -> None:  # noqa: ANN001 - artseek.captions.preview.FilePreview
        """The first rows, and for a CSV the column choices (pre-set from the column names)."""
        if preview.path != self.file_path():
            return
        self.kind_of_file = preview.kind
        self.table.clear()
        self.table.setColumnCount(len(preview.columns))
        self.table.setHorizontalHeaderLabels(preview.columns)
        self.table.setRowCount(len(preview.rows))
        for r, row in enumerate(preview.rows):
            for c, value in enumerate(row[:len(preview.columns)]):
                self.table.setItem(r, c, QTableWidgetItem(value if len(value) < 300 else value[:300] + "…"))
        self.table.resizeColumnsToContents()
        for c in range(self.table.columnCount()):
            self.table.setColumnWidth(c, min(self.table.columnWidth(c), 320))
        guess = preview.guess
        for role, combo in self.columns.items():
            combo.clear()
            combo.addItems(([] if role == "text" else [NONE]) + list(preview.columns))
            chosen = getattr(guess, role, None) if guess is not None else None
            if chosen:
                combo.setCurrentText(chosen)
        notes = list(preview.notes)
        if preview.kind == "json":
            notes.insert(0, f"{preview.total:,} texts in this file (JSON: its texts are shown as file, text, type, "
                            "title).")
        elif guess is None:
            notes.insert(0, "No column is named like a text (text, description, caption): choose the columns below.")
        if preview.guessed_encoding and self.encoding_value() is None:
            # Shown as the guess; importing uses it too, and the curator sees (and can change) it above.
            self.encoding.setCurrentIndex(max(0, self.encoding.findData(preview.guessed_encoding)))
            self.guessed = True
            name = self.encoding.currentText().partition(" (")[0]
            notes = [GUESSED.format(name=name)] + [n for n in notes if "was read as" not in n]
        self.note.setText(" ".join(notes))
        self._update()

    def show_error(self, message: str) -> None:
        """A file that cannot be read or imported (with the line to fix); nothing was imported."""
        self.progress.hide()
        self.error.setText(message)
        self._update()

    def show_progress(self, phase: str, done: int, total: int) -> None:
        """The import runs (on a worker): texts stored, then their parts embedded."""
        self.import_button.setEnabled(False)
        self.error.clear()
        self.progress.show()
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))
        what = "Storing the texts" if phase == "storing" else "Embedding the sentences for searches"
        self.progress.setFormat(f"{what}: %v of %m")
