"""The filter dialog: choose the folders, formats, minimum size, date range, tag and collection a search keeps."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from artseek.errors import ArtSeekError
from artseek.search.filters import SearchFilter
from artseek.ui.widgets.plain import plain_label


class FilterDialog(QDialog):
    """Edits a :class:`SearchFilter`; ``options`` (FilterOptions) says what the library holds."""

    def __init__(self, options, current: SearchFilter, parent: QWidget | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.setWindowTitle("Filter the search")
        self.setObjectName("filterDialog")
        self.result_filter: SearchFilter | None = None
        self.setMinimumWidth(560)
        form = QFormLayout()

        self.folders = QListWidget(self)
        self.folders.setMaximumHeight(90)
        for path in options.folders:
            item = QListWidgetItem(path, self.folders)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if path in current.folders else Qt.CheckState.Unchecked)
        form.addRow("Folders:", self.folders)

        formats = QWidget(self)
        row = QHBoxLayout(formats)
        row.setContentsMargins(0, 0, 0, 0)
        self.formats: dict[str, QCheckBox] = {}
        for name in options.formats:
            box = QCheckBox(name, formats)
            box.setChecked(name in current.formats)
            row.addWidget(box)
            self.formats[name] = box
        row.addStretch(1)
        form.addRow("Formats:", formats)

        self.min_mp = QDoubleSpinBox(self)
        self.min_mp.setRange(0.0, 1000.0)
        self.min_mp.setDecimals(1)
        self.min_mp.setSingleStep(0.5)
        self.min_mp.setSuffix(" MP")
        self.min_mp.setSpecialValueText("any size")
        self.min_mp.setValue(current.min_megapixels or 0.0)
        form.addRow("At least:", self.min_mp)

        dates = QWidget(self)
        drow = QHBoxLayout(dates)
        drow.setContentsMargins(0, 0, 0, 0)
        self.after = QLineEdit(current.taken_after or "", dates)
        self.after.setPlaceholderText("from: 1990 or 1990-05-31")
        self.before = QLineEdit(current.taken_before or "", dates)
        self.before.setPlaceholderText("until: 2000 or 2000-12")
        drow.addWidget(self.after)
        drow.addWidget(QLabel("–", dates))
        drow.addWidget(self.before)
        form.addRow("Taken:", dates)

        self.tag = QComboBox(self)
        self.tag.setEditable(True)
        self.tag.addItem("")
        for category, values in options.tags.items():
            for value in values:
                self.tag.addItem(f"{category}={value}")
        self.tag.lineEdit().setPlaceholderText("category=value")
        self.kept_tags = list(current.tags)
        if current.tags:
            self.tag.setCurrentText("=".join(current.tags[-1]))
            self.kept_tags = list(current.tags[:-1])
        form.addRow("Tag:", self.tag)

        self.collection = QComboBox(self)
        self.collection.addItem("", None)
        for name in options.collections:
            self.collection.addItem(name, name)
        if current.collection:
            i = self.collection.findData(current.collection)
            if i < 0:
                self.collection.addItem(current.collection, current.collection)
                i = self.collection.count() - 1
            self.collection.setCurrentIndex(i)
        self.collection.setEnabled(self.collection.count() > 1)
        form.addRow("Collection:", self.collection)

        self.problem = plain_label(QLabel("", self))
        self.problem.setObjectName("filterProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def build(self) -> SearchFilter:
        """The filter the fields describe; raises ArtSeekError (a bad date or tag) saying what to write."""
        tag = self.tag.currentText().strip()
        return SearchFilter.build(
            folders=[self.folders.item(i).text() for i in range(self.folders.count())
                     if self.folders.item(i).checkState() == Qt.CheckState.Checked],
            formats=[name for name, box in self.formats.items() if box.isChecked()],
            min_megapixels=self.min_mp.value() or None, taken_after=self.after.text().strip() or None,
            taken_before=self.before.text().strip() or None, tags=self.kept_tags + ([tag] if tag else []),
            collection=self.collection.currentData())

    def accept(self) -> None:
        try:
            self.result_filter = self.build()
        except ArtSeekError as exc:  # the dialog stays open with what to fix; nothing typed is lost
            self.problem.setText(f"{exc.message} {exc.hint}".strip())
            self.problem.show()
            return
        super().accept()
