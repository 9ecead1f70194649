"""The collections sidebar: the list of collections (results dropped on one are added to it), the open
collection's items (drag to reorder), its note and the note of the selected item.

It only shows and reports: every gesture becomes a signal that the collections
controller (:mod:`artseek.ui.controllers.collections`) turns into service calls.
Notes are saved shortly after typing stops (:data:`NOTE_DELAY_MS`) and when the
field loses focus.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDragMoveEvent, QDropEvent, QIcon, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QPlainTextEdit, QSizePolicy, QToolButton, QVBoxLayout, QWidget)

from artseek.ui.widgets.plain import plain_label
from artseek.ui.widgets.results_view import IMAGE_ID_MIME

NOTE_DELAY_MS = 800
ID_ROLE = Qt.ItemDataRole.UserRole
IMAGE_ROLE = Qt.ItemDataRole.UserRole + 1


class CollectionList(QListWidget):
    """The collections; results dragged from the grid onto one are added to it."""

    imagesDropped = Signal(int, list)  # collection id, image ids

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("collectionList")
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)

    def _target(self, event: QDropEvent | QDragMoveEvent) -> QListWidgetItem | None:
        if not event.mimeData().hasFormat(IMAGE_ID_MIME):
            return None
        return self.itemAt(event.position().toPoint())

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasFormat(IMAGE_ID_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        item = self._target(event)
        if item is not None:
            self.setCurrentItem(item)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        item = self._target(event)
        if item is None:
            event.ignore()
            return
        raw = bytes(event.mimeData().data(IMAGE_ID_MIME).data()).decode(errors="ignore")
        ids = [int(x) for x in raw.split(",") if x.strip().isdigit()]
        event.acceptProposedAction()
        if ids:
            self.imagesDropped.emit(int(item.data(ID_ROLE)), ids)


class NoteEdit(QPlainTextEdit):
    """A note field that reports its text shortly after typing stops, and on losing focus."""

    edited = Signal(str)

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)
        self.setMaximumHeight(84)
        self._timer = QTimer(self, singleShot=True, interval=NOTE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        self.textChanged.connect(self._typed)
        self._quiet = False
        self._dirty = False

    def set_note(self, text: str) -> None:
        """Show ``text`` (a stored note) without reporting it as an edit."""
        self.flush()
        self._quiet = True
        self.setPlainText(text)
        self._quiet = False

    def _typed(self) -> None:
        if not self._quiet:
            self._dirty = True
            self._timer.start()

    def flush(self) -> None:
        self._timer.stop()
        if self._dirty:
            self._dirty = False
            self.edited.emit(self.toPlainText())

    def focusOutEvent(self, event) -> None:  # noqa: ANN001, N802
        self.flush()
        super().focusOutEvent(event)


class CollectionsPanel(QFrame):
    """The collections sidebar; see the module docstring."""

    collectionActivated = Signal(int)  # open it as the result view
    imagesDropped = Signal(int, list)
    itemsReordered = Signal(int, list)  # collection id, item ids in the new order
    itemSelected = Signal(int)  # image id of the item chosen in the items list (-1: none)
    noteEdited = Signal(int, str)  # collection id, its note
    itemNoteEdited = Signal(int, int, str)  # collection id, item id, its note

    def __init__(self, actions: list[QAction], close_action: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("collectionsPanel")
        self.setMinimumWidth(200)
        self.open_id: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        self.list = CollectionList(self)
        self.list.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.list.itemActivated.connect(lambda item: self.collectionActivated.emit(int(item.data(ID_ROLE))))
        self.list.itemClicked.connect(lambda item: self.collectionActivated.emit(int(item.data(ID_ROLE))))
        self.list.imagesDropped.connect(self.imagesDropped)
        layout.addWidget(self.list, 2)
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        for action in actions:
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.open_box = QWidget(self)
        box = QVBoxLayout(self.open_box)
        box.setContentsMargins(0, 6, 0, 0)
        box.setSpacing(4)
        head = QHBoxLayout()
        self.title = plain_label(QLabel(self.open_box))
        self.title.setObjectName("collectionTitle")
        self.title.setWordWrap(True)
        head.addWidget(self.title, 1)
        back = QToolButton(self.open_box)
        back.setDefaultAction(close_action)
        head.addWidget(back)
        box.addLayout(head)
        self.note = NoteEdit("A note on this collection (its purpose, a deadline…)", self.open_box)
        self.note.edited.connect(lambda text: self.open_id is not None and self.noteEdited.emit(self.open_id, text))
        box.addWidget(self.note)
        self.items = QListWidget(self.open_box)
        self.items.setObjectName("collectionItems")
        self.items.setIconSize(QSize(40, 40))
        self.items.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.items.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.items.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.items.model().rowsMoved.connect(self._reordered)
        self.items.currentItemChanged.connect(self._item_chosen)
        box.addWidget(self.items, 3)
        self.item_label = plain_label(QLabel("Note on the selected image:", self.open_box))
        box.addWidget(self.item_label)
        self.item_note = NoteEdit("A note on this image (shown in exports and on the contact sheet)", self.open_box)
        self.item_note.edited.connect(self._item_note_edited)
        box.addWidget(self.item_note)
        layout.addWidget(self.open_box, 3)
        self.open_box.hide()
        self._notes: dict[int, str] = {}  # item id -> note, as last shown or saved
        self._note_item: int | None = None  # the item whose note the field shows

    # ------------------------------------------------------------ showing
    def set_collections(self, infos: list) -> None:
        """The collections (CollectionInfo), keeping the current one selected."""
        current = self.current_id()
        self.list.clear()
        for info in infos:
            item = QListWidgetItem(f"{info.name}  ({info.items})", self.list)
            item.setData(ID_ROLE, info.id)
            item.setToolTip(info.note or info.name)
            if info.id in (current, self.open_id):
                self.list.setCurrentItem(item)

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(ID_ROLE)) if item is not None else None

    def current_name(self) -> str:
        item = self.list.currentItem()
        return item.text().rsplit("  (", 1)[0] if item is not None else ""

    def show_collection(self, info, items: list, pixmap=None) -> None:  # noqa: ANN001
        """Open ``info`` with its ``items`` (ItemInfo); ``pixmap(image_id)`` gives thumbnails when loaded."""
        self.note.flush()
        self.item_note.flush()
        self.open_id = info.id
        self.title.setText(f"{info.name} — {info.items} image{'s' if info.items != 1 else ''}")
        self.note.set_note(info.note)
        selected = self.selected_item_id()
        self.items.blockSignals(True)
        self.items.clear()
        self._notes = {}
        for n, it in enumerate(items, 1):
            suffix = "" if it.indexed else "  (not in the library now)"
            row = QListWidgetItem(f"{n}. {os.path.basename(it.path)}{suffix}", self.items)
            row.setData(ID_ROLE, it.id)
            row.setData(IMAGE_ROLE, it.image_id if it.image_id is not None else -1)
            row.setToolTip(it.path + (f"\n{it.note}" if it.note else ""))
            self._notes[it.id] = it.note
            thumb: QPixmap | None = pixmap(it.image_id) if (pixmap and it.image_id is not None) else None
            if thumb is not None:
                row.setIcon(QIcon(thumb))
            if it.id == selected:
                self.items.setCurrentItem(row)
        self.items.blockSignals(False)
        self._show_item_note()
        self.open_box.show()

    def close_collection(self) -> None:
        self.note.flush()
        self.item_note.flush()
        self.open_id = None
        self.open_box.hide()

    def select_image(self, image_id: int | None) -> None:
        """Select the item of ``image_id`` (the grid's current result), if the open collection holds it."""
        for n in range(self.items.count()):
            row = self.items.item(n)
            if image_id is not None and row.data(IMAGE_ROLE) == image_id:
                if self.items.currentItem() is not row:
                    self.items.setCurrentItem(row)
                return

    def selected_item_id(self) -> int | None:
        row = self.items.currentItem()
        return int(row.data(ID_ROLE)) if row is not None else None

    # ------------------------------------------------------------ gestures
    def _reordered(self, *_: object) -> None:
        if self.open_id is not None:
            order = [int(self.items.item(n).data(ID_ROLE)) for n in range(self.items.count())]
            self.itemsReordered.emit(self.open_id, order)

    def _item_chosen(self, current: QListWidgetItem | None, _previous: object = None) -> None:
        self._show_item_note()
        if current is not None:
            self.itemSelected.emit(int(current.data(IMAGE_ROLE)))

    def _show_item_note(self) -> None:
        self.item_note.flush()  # an edit of the item shown so far is saved to that item
        item_id = self.selected_item_id()
        self._note_item = item_id
        self.item_note.setEnabled(item_id is not None)
        self.item_note.set_note(self._notes.get(item_id, "") if item_id is not None else "")

    def _item_note_edited(self, text: str) -> None:
        item_id = self._note_item
        if self.open_id is not None and item_id is not None:
            self._notes[item_id] = text
            self.itemNoteEdited.emit(self.open_id, item_id, text)
