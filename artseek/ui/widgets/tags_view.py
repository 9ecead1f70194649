"""The tags of one image, one row per category: the value (the model's or the curator's), who set it, and
the curator's gestures: choose another value (correct), confirm the model's, or clear the tag."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from artseek.ui.widgets.plain import plain_label

NO_VALUE = "—"


def who_text(tag: dict | None) -> str:
    """``model 82 %`` or ``curator`` (or nothing: no tag)."""
    if not tag:
        return "not tagged"
    if tag.get("set_by") == "curator":
        return "curator"
    score = tag.get("score")
    return f"model {score * 100:.0f} %" if isinstance(score, (int, float)) else "model"


class TagsView(QWidget):
    """Shows and edits the tags of :attr:`image_id` (rows built by :meth:`show_tags`)."""

    tagSet = Signal(int, str, str)  # image id, category, value (the curator's: corrected or confirmed)
    tagCleared = Signal(int, str)  # image id, category

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tagsView")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        outer.addWidget(QLabel("<b>Tags</b>", self))
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(6)
        outer.addLayout(self.grid)
        self.empty = QLabel("<span style='color:gray'>No categories yet: Library → Categories and Tags…</span>", self)
        self.empty.setWordWrap(True)
        outer.addWidget(self.empty)
        self.image_id: int | None = None
        self.rows: dict[str, tuple[QComboBox, QLabel, QToolButton, QToolButton]] = {}

    def clear(self) -> None:
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.rows = {}
        self.image_id = None

    def show_tags(self, image_id: int, tags: list[dict], categories: list) -> None:  # noqa: ANN001
        """``tags``: the image's tag dicts (category, value, score, set_by); ``categories``: the saved ones."""
        self.clear()
        self.image_id = image_id
        by_category = {t["category"]: t for t in tags}
        values = {c.name: list(c.values) for c in categories}
        for name in [*values, *(n for n in by_category if n not in values)]:
            tag = by_category.get(name)
            row = len(self.rows)
            combo = QComboBox(self)
            combo.setAccessibleName(f"Tag {name}")
            choices = values.get(name, [])
            if tag and tag["value"] not in choices:
                choices = [*choices, tag["value"]]
            combo.addItems([NO_VALUE, *choices])
            combo.setCurrentText(tag["value"] if tag else NO_VALUE)
            combo.activated.connect(lambda _i, n=name, c=combo: self._chosen(n, c.currentText()))
            who = plain_label(QLabel(who_text(tag), self))
            who.setStyleSheet("color: gray")
            confirm = QToolButton(self)
            confirm.setText("✓")
            confirm.setToolTip("Confirm the model's value: it becomes yours and is kept by every classification")
            confirm.setEnabled(bool(tag) and tag.get("set_by") != "curator")
            confirm.clicked.connect(lambda _c=False, n=name, c=combo: self._chosen(n, c.currentText()))
            clear = QToolButton(self)
            clear.setText("×")
            clear.setToolTip("Remove this tag (the next classification predicts it again)")
            clear.setEnabled(bool(tag))
            clear.clicked.connect(lambda _c=False, n=name: self.tagCleared.emit(self.image_id, n))
            self.grid.addWidget(plain_label(QLabel(name, self)), row, 0)
            self.grid.addWidget(combo, row, 1)
            self.grid.addWidget(who, row, 2)
            self.grid.addWidget(confirm, row, 3)
            self.grid.addWidget(clear, row, 4)
            self.grid.setColumnStretch(1, 1)
            self.rows[name] = (combo, who, confirm, clear)
        self.empty.setVisible(not self.rows)

    def _chosen(self, category: str, value: str) -> None:
        if self.image_id is None:
            return
        if value == NO_VALUE:
            self.tagCleared.emit(self.image_id, category)
        else:
            self.tagSet.emit(self.image_id, category, value)
