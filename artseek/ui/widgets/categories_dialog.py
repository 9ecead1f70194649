"""Library → Categories and Tags…: the curator's categories (name → values), classifying the library into them,
and exporting the tags."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from artseek.ui.widgets.plain import plain_label


class CategoriesDialog(QDialog):
    """Lists the categories; a category is edited in the fields below the list and saved with *Save Category*."""

    saveRequested = Signal(str, list)  # name, values
    removeRequested = Signal(str)
    classifyRequested = Signal(bool)  # only images without a tag (incremental)
    exportRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Categories and Tags")
        self.setObjectName("categoriesDialog")
        self.resize(620, 520)
        layout = QVBoxLayout(self)
        intro = QLabel("Define your categories and their values; <i>Classify Library</i> tags every image with the "
                       "value that fits best (zero-shot, by the model). Tags you set or confirm in the detail view "
                       "are yours: classification never changes them.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Categories")
        self.list.currentItemChanged.connect(self._picked)
        layout.addWidget(self.list, 1)

        form = QFormLayout()
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("e.g. technique")
        self.values = QLineEdit(self)
        self.values.setPlaceholderText("e.g. photograph, engraving, drawing, painting, map")
        form.addRow("Category:", self.name)
        form.addRow("Values (comma-separated):", self.values)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.save_button = QPushButton("Save Category", self)
        self.save_button.clicked.connect(self._save)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setToolTip("Forget the category and its predicted tags (your own tags stay)")
        self.remove_button.clicked.connect(self._remove)
        row.addWidget(self.save_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout.addLayout(row)

        run = QHBoxLayout()
        self.incremental = QCheckBox("Only images without a tag (a changed category is redone in full)", self)
        self.incremental.setChecked(True)
        self.classify_button = QPushButton("Classify Library", self)
        self.classify_button.clicked.connect(lambda: self.classifyRequested.emit(self.incremental.isChecked()))
        self.export_button = QPushButton("Export Tags…", self)
        self.export_button.clicked.connect(self.exportRequested)
        run.addWidget(self.incremental, 1)
        run.addWidget(self.classify_button)
        run.addWidget(self.export_button)
        layout.addLayout(run)
        self.message = plain_label(QLabel(self))
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.categories: list = []
        self.show_categories([])

    def show_categories(self, categories: list) -> None:  # noqa: ANN001 - list[Category]
        current = self.name.text().strip()
        self.categories = list(categories)
        self.list.clear()
        for c in self.categories:
            item = QListWidgetItem(f"{c.name}: {', '.join(c.values)}")
            item.setData(Qt.ItemDataRole.UserRole, c.name)
            self.list.addItem(item)
            if c.name == current:
                self.list.setCurrentItem(item)
        self.classify_button.setEnabled(bool(self.categories))
        self.remove_button.setEnabled(self.list.currentItem() is not None)

    def _picked(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        self.remove_button.setEnabled(item is not None)
        if item is None:
            return
        category = next((c for c in self.categories if c.name == item.data(Qt.ItemDataRole.UserRole)), None)
        if category is not None:
            self.name.setText(category.name)
            self.values.setText(", ".join(category.values))

    def _save(self) -> None:
        name = self.name.text().strip()
        values = [v.strip() for v in self.values.text().split(",") if v.strip()]
        if not name or len(values) < 2:
            self.show_message("A category needs a name and at least two values, e.g. technique: photograph, "
                              "engraving, drawing.")
            return
        self.saveRequested.emit(name, values)

    def _remove(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.removeRequested.emit(item.data(Qt.ItemDataRole.UserRole))

    def show_message(self, text: str) -> None:
        self.message.setText(text)
