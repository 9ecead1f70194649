"""The Collections panel: create, add (action, relevant marks, drag onto a collection), open as the result view
(search, feedback and More like this within it), notes, reorder by drag, exports, Find More Like This Collection,
library data files, and the remove-folder confirmation that counts collected images."""

from __future__ import annotations

import csv

from PySide6.QtCore import QItemSelectionModel, QMimeData, QModelIndex, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from artseek.ui.query_state import RELEVANT
from artseek.ui.widgets.results_view import IMAGE_ID_MIME
from tests.gui.conftest import copy_shapes, search, wait_indexed

TIMEOUT = 30_000


def select_rows(window, rows: list[int]) -> None:  # noqa: ANN001
    sm = window.view.selectionModel()
    sm.clearSelection()
    for row in rows:
        sm.select(window.model.index(row), QItemSelectionModel.SelectionFlag.Select)
    sm.setCurrentIndex(window.model.index(rows[0]), QItemSelectionModel.SelectionFlag.NoUpdate)


def drop_ids(list_widget, row: int, ids: list[int]) -> None:  # noqa: ANN001
    mime = QMimeData()
    mime.setData(IMAGE_ID_MIME, ",".join(map(str, ids)).encode())
    pos = QPointF(list_widget.visualItemRect(list_widget.item(row)).center())
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(list_widget.viewport(), enter)
    assert enter.isAccepted()
    event = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(list_widget.viewport(), event)


def core_items(window, name: str) -> list:  # noqa: ANN001
    return window.service.library.collections.items(name)


def test_collections_in_the_window(qtbot, make_window, shapes_200, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    import artseek.ui.errors as ui_errors

    def no_dialog(_parent, title, text, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        raise AssertionError(f"error dialog: {title}: {text}")

    monkeypatch.setattr(ui_errors, "show_error", no_dialog)
    folder = copy_shapes(shapes_200, tmp_path / "images", 0, 30)
    window = make_window(tmp_path / "lib")
    cc, panel, changed = window.collections, window.collections_panel, window.service.collections.changed
    window.import_folders([str(folder)])
    wait_indexed(qtbot, window, 30)
    assert not window.collections_dock.isVisible()  # until the library has a collection (or F8)
    assert not window.actions["export_collection"].isEnabled()
    results = search(qtbot, window, "a red circle")
    ids = [r.image_id for r in results]

    # Create, then add the selection with the action (Ctrl+D): no collection chosen, so the window asks which.
    with qtbot.waitSignal(changed, timeout=TIMEOUT):
        cc.new_collection("Loan request")
    assert panel.list.count() == 1 and panel.list.item(0).text() == "Loan request  (0)"
    assert window.collections_dock.isVisible() and window.actions["toggle_collections"].isChecked()
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("Loan request", True))
    select_rows(window, [0, 1, 2])
    assert window.actions["add_to_collection"].isEnabled()
    with qtbot.waitSignal(changed, timeout=TIMEOUT):
        window.actions["add_to_collection"].trigger()
    assert [i.image_id for i in core_items(window, "Loan request")] == ids[:3]
    # Drag of results onto the collection in the panel; then the results marked relevant (duplicates skipped).
    with qtbot.waitSignal(changed, timeout=TIMEOUT):
        drop_ids(panel.list, 0, [ids[5], ids[1]])
    window.state.mark([ids[6], ids[0]], RELEVANT)
    with qtbot.waitSignal(changed, timeout=TIMEOUT):
        window.actions["add_relevant_to_collection"].trigger()
    coll = [i.image_id for i in core_items(window, "Loan request")]
    assert coll == ids[:3] + [ids[5], ids[6]]
    window.clear_marks()
    window.search_area.field.clear()
    window.state.set_text("")

    # Open it: the grid shows its images in order; the view is scoped to it.
    with qtbot.waitSignal(window.service.collections.opened, timeout=TIMEOUT):
        panel.list.itemClicked.emit(panel.list.item(0))
    assert [r.image_id for r in window.model.results()] == coll
    assert window.state.scope is not None and window.actions["show_whole_library"].isEnabled()
    assert window.actions["export_collection"].isEnabled() and panel.open_box.isVisible()
    # Its items are listed in order, not ranked: no score under them (a search inside it shows scores again).
    from artseek.ui.widgets.results_view import ScoreRole

    assert window.model.index(0).data(ScoreRole) is None
    assert "Number 1 in the collection" in window.model.index(0).data(Qt.ItemDataRole.ToolTipRole)
    # Search, feedback and More like this run within it.
    within = search(qtbot, window, "a blue star")
    assert {r.image_id for r in within} == set(coll)
    assert isinstance(window.model.index(0).data(ScoreRole), float)
    window.mark([coll[3]], RELEVANT)
    with qtbot.waitSignal(window.service.searchFinished, timeout=TIMEOUT):
        window.refine()
    assert {r.image_id for r in window.model.results()} <= set(coll)
    select_rows(window, [0])
    with qtbot.waitSignal(window.service.searchFinished, timeout=TIMEOUT):
        window.more_like_this()
    assert {r.image_id for r in window.model.results()} <= set(coll)
    assert "in the collection 'Loan request'" in window.state.describe()

    # Notes: the collection's, and the selected item's (saved when typing stops or the field loses focus).
    with qtbot.waitSignal(changed, timeout=TIMEOUT):
        panel.note.setPlainText("Rijksmuseum, due 1 March")
        panel.note.flush()
    panel.items.setCurrentRow(1)
    with qtbot.waitSignal(changed, timeout=TIMEOUT):
        panel.item_note.setPlainText("needs a new scan")
        panel.item_note.flush()
    lib = window.service.library
    assert lib.collections.get("Loan request").note == "Rijksmuseum, due 1 March"
    assert core_items(window, "Loan request")[1].note == "needs a new scan"
    # Reorder by drag in the items list: the first item moves to the end.
    with qtbot.waitSignal(changed, timeout=TIMEOUT):
        assert panel.items.model().moveRow(QModelIndex(), 0, QModelIndex(), panel.items.count())
    assert [i.image_id for i in core_items(window, "Loan request")] == coll[1:] + coll[:1]

    # Exports of the collection (CSV, PDF contact sheet, copied files) on a worker.
    exported = window.service.collections.exported
    with qtbot.waitSignal(exported, timeout=TIMEOUT):
        cc.export("csv", str(tmp_path / "loan.csv"))
    rows = list(csv.DictReader((tmp_path / "loan.csv").open(encoding="utf-8")))
    assert len(rows) == 5 and rows[0]["note"] == "needs a new scan"
    with qtbot.waitSignal(exported, timeout=TIMEOUT) as pdf:
        cc.export("pdf", str(tmp_path / "loan.pdf"), paper="letter")
    assert "1-page contact sheet (LETTER)" in pdf.args[0] and (tmp_path / "loan.pdf").read_bytes()[:4] == b"%PDF"
    with qtbot.waitSignal(exported, timeout=TIMEOUT) as copied:
        cc.export("copy", str(tmp_path / "copies"))
    assert "Copied 5 files" in copied.args[0] and len(list((tmp_path / "copies").iterdir())) == 5

    # Find More Like This Collection: feedback over the whole library with its images as positives.
    with qtbot.waitSignal(window.service.searchFinished, timeout=TIMEOUT):
        window.actions["find_more_like_collection"].trigger()
    assert window.state.scope is None and sorted(window.state.positives) == sorted(coll)
    assert not panel.open_box.isVisible() and len(window.model.results()) > 5

    # Library data: export, then import into the same library changes nothing.
    with qtbot.waitSignal(exported, timeout=TIMEOUT):
        window.service.collections.export_data(str(tmp_path / "data.json"))
    with qtbot.waitSignal(window.service.collections.dataImported, timeout=TIMEOUT) as imported:
        window.service.collections.import_data(str(tmp_path / "data.json"))
    assert imported.args[0].counts["collections"]["items_added"] == 0

    # Removing the folder says how many collected images it touches; the items are kept.
    window.clear_marks()
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a, **k: asked.append(text)
                        or QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(window.service.folderRemoved, timeout=TIMEOUT):
        window.confirm_remove_folder(str(folder))
    assert "5 of them are in collections" in asked[0]
    assert len(core_items(window, "Loan request")) == 5

    # Delete (confirmed): the panel empties.
    panel.list.setCurrentRow(0)
    with qtbot.waitSignal(changed, timeout=TIMEOUT):
        cc.delete()
    assert panel.list.count() == 0
