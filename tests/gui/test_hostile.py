"""Hostile conditions in the window (#20): no traceback reaches the user, odd names show literally,
offline folders, library notes, backups and a damaged database."""

from __future__ import annotations

import sys
import threading

import pytest
from PySide6.QtCore import QTimer

from artseek import crash_log
from artseek.ui import errors
from tests.fixtures.damage import zero_page

pytestmark = pytest.mark.gui


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_is_logged_and_shown_as_one_line(qtbot, monkeypatch) -> None:  # noqa: ANN001
    shown: list[tuple[str, str, str]] = []
    monkeypatch.setattr(errors, "show_error",
                        lambda parent, title, text, details="": shown.append((title, text, details)))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    errors.install_excepthook()

    def slot() -> None:
        raise ZeroDivisionError("the slot divided by zero")

    QTimer.singleShot(0, slot)
    qtbot.waitUntil(lambda: bool(shown), timeout=5_000)
    title, text, details = shown[0]
    assert "Traceback" not in text and details == ""
    assert "ZeroDivisionError: the slot divided by zero" in text and str(crash_log.log_path()) in text
    logged = crash_log.log_path().read_text(encoding="utf-8")
    assert "Traceback" in logged and "def slot" not in text and "in slot" in logged

    # An exception of a Python thread arrives on the UI thread the same way.
    thread = threading.Thread(target=lambda: [][1])
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=5_000)
    assert "IndexError" in shown[1][1] and str(crash_log.log_path()) in shown[1][1]


def test_an_unexpected_worker_exception_is_one_line_and_logged(qtbot, window, monkeypatch) -> None:  # noqa: ANN001
    shown: list[str] = []
    monkeypatch.setattr(errors, "show_error", lambda parent, title, text, details="": shown.append(text))

    def boom(*_: object) -> None:
        raise KeyError("a surprise on the worker")

    monkeypatch.setattr(type(window.service.library), "status", boom)
    window.service.refresh_status()
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert "KeyError" in shown[0] and str(crash_log.log_path()) in shown[0] and "Traceback" not in shown[0]
    assert "a surprise on the worker" in crash_log.log_path().read_text(encoding="utf-8")


def shown_text(label) -> str:  # noqa: ANN001 - a QLabel
    """What a label shows a reader (its text as plain text, or its HTML rendered)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextDocument

    if label.textFormat() == Qt.TextFormat.PlainText:
        return label.text()
    doc = QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText()


def rendered(html_or_text: str) -> str:
    from PySide6.QtGui import Qt, QTextDocument

    if not Qt.mightBeRichText(html_or_text):
        return html_or_text
    doc = QTextDocument()
    doc.setHtml(html_or_text)
    return doc.toPlainText()


def test_file_names_and_descriptions_show_literally(qtbot, window, shapes_200, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    import shutil

    from PySide6.QtCore import Qt

    from artseek.ui.widgets.library_dialog import LibraryDialog

    folder = tmp_path / "<i>folder & co"  # ("/" cannot be in a name)
    folder.mkdir()
    names = ["<b>bold.png", "<img src=x>.png"]
    for (src, _), name in zip(shapes_200[:2], names):
        shutil.copy(src, folder / name)

    class Text:
        text, score, source, kind = "<img src=x> a <b>bold</b> claim & more", 0.5, "<b>cat</b>.csv", "caption"

    class Keyword:
        term, score = "<b>kw</b>", 0.4

    class Description:
        texts = [Text()]
        keywords = [Keyword()]

    window.service.library.texts.describe = lambda image_id, top_k=10: Description()
    window.import_folders([str(folder)])
    from tests.gui.conftest import search, wait_indexed

    wait_indexed(qtbot, window, 2)
    results = search(qtbot, window, "a shape")
    assert sorted(r.path.rsplit("/", 1)[-1] for r in results) == sorted(names)
    window.view.setCurrentIndex(window.model.index(0))
    name = results[0].path.rsplit("/", 1)[-1]
    qtbot.waitUntil(lambda: window.inspector.captions.texts.item(0).text().startswith("<img"), timeout=10_000)
    assert shown_text(window.inspector.name) == name
    assert str(folder) in shown_text(window.inspector.facts)
    assert "<b>kw</b>" in shown_text(window.inspector.captions.keywords)
    assert window.inspector.captions.texts.item(0).text() == Text.text
    assert rendered(window.inspector.captions.texts.item(0).toolTip()).startswith(Text.text)
    tooltip = window.model.data(window.model.index(0), Qt.ItemDataRole.ToolTipRole)
    assert rendered(tooltip).startswith(results[0].path)
    # Clicking the keyword searches for the keyword itself.
    assert window.inspector.captions.keywords.text().count("href='&lt;b&gt;kw&lt;/b&gt;'") == 1

    window.view.activated.emit(window.model.index(0))
    detail = window.detail
    qtbot.waitUntil(lambda: detail.fields["format"].text() == "PNG", timeout=10_000)
    assert shown_text(detail.title).startswith(name)
    assert shown_text(detail.fields["path"]) == results[0].path
    detail.close()
    dialog = LibraryDialog(window.service.status, "ready", window)
    labels = [shown_text(label) for label in dialog.findChildren(type(window.library_label))]
    assert any(text.startswith(window.service.status.library) for text in labels)
    assert dialog.roots.item(0).text() == str(folder)  # (online: the folder alone)
    dialog.close()

    # An error dialog naming such a file shows it literally too.
    from PySide6.QtWidgets import QMessageBox

    seen = []

    def capture(box: QMessageBox) -> None:
        seen.append((box.textFormat(), box.text()))

    monkeypatch.setattr(QMessageBox, "exec", lambda box: capture(box))
    errors.show_error(window, "x", f"{names[0]} could not be read.\nIn {folder}.")
    assert seen == [(Qt.TextFormat.PlainText, f"{names[0]} could not be read.")]

    # The remove-folder confirmation names the folder literally too (it is not taken for markup).
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    window.library.confirm_remove_folder(str(folder))
    assert len(asked) == 1 and rendered(asked[0]).startswith(f"Remove '{folder}' and its 2 images")


def test_offline_folders_and_library_notes(qtbot, make_window, shapes_200, tmp_path) -> None:  # noqa: ANN001
    import shutil

    from artseek.ui.widgets.library_dialog import LibraryDialog
    from artseek.vectors.hnsw_index import INDEX_FILENAME
    from tests.gui.conftest import search, wait_indexed

    drive = tmp_path / "drive" / "scans"
    drive.mkdir(parents=True)
    for src, _ in shapes_200[:3]:
        shutil.copy(src, drive / src.name)
    window = make_window(tmp_path / "lib")
    window.import_folders([str(drive)])
    wait_indexed(qtbot, window, 3)
    window.close()

    # The drive is disconnected, and the saved vector index is damaged, while the window is closed.
    (tmp_path / "drive").rename(tmp_path / "unplugged")
    (tmp_path / "lib" / INDEX_FILENAME).write_bytes(b"not an index")
    again = make_window(tmp_path / "lib")
    status = again.service.status
    assert status.offline == [str(drive)]
    assert "1 folder offline" in again.library_label.text()
    assert "offline (drive or share not connected)" in again.library_label.toolTip()
    assert status.notes and "rebuilt" in status.notes[0]
    assert status.notes[0] in again.statusBar().currentMessage()
    # Shown once: a later status does not show it again.
    again.statusBar().clearMessage()
    again.service.refresh_status()
    qtbot.wait(300)
    qtbot.waitUntil(lambda: not again.service.busy, timeout=10_000)
    assert status.notes[0] not in again.statusBar().currentMessage()

    dialog = LibraryDialog(again.service.status, "ready", again)
    assert dialog.roots.item(0).text() == f"{drive} — offline (drive or share not connected)"
    assert "rebuilt" in dialog.notes.text()
    removed = []
    dialog.removeRequested.connect(removed.append)
    dialog.remove.click()
    assert removed == [str(drive)]
    # Their images stay in results.
    assert len(search(qtbot, again, "a shape")) == 3


def _library_with(qtbot, window, shapes_200, tmp_path, name: str, count: int) -> None:  # noqa: ANN001
    import shutil

    from tests.gui.conftest import wait_indexed

    folder = tmp_path / name
    folder.mkdir()
    for src, _ in shapes_200[:count]:
        shutil.copy(src, folder / src.name)
    before = window.service.status.indexed
    window.import_folders([str(folder)])
    wait_indexed(qtbot, window, before + count)


def test_backups_dialog_back_up_check_and_restore(qtbot, window, shapes_200, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QMessageBox

    _library_with(qtbot, window, shapes_200, tmp_path, "first", 3)
    care = window.service.care
    window.actions["backups"].trigger()
    dialog = window.backups.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.backup_button.isEnabled(), timeout=10_000)
    listed = dialog.table.rowCount()
    with qtbot.waitSignal(care.backupMade, timeout=20_000):
        dialog.backup_button.click()
    newest = window.service.library.backups()[0]
    qtbot.waitUntil(lambda: dialog.table.item(0, 1).text() == "manual", timeout=10_000)
    assert dialog.table.rowCount() == len(window.service.library.backups()) >= listed
    assert (newest.reason, newest.indexed) == ("manual", 3)
    assert [dialog.table.item(0, c).text() for c in (1, 4)] == ["manual", "3"]
    assert dialog.table.item(0, 0).text() == f"{newest.created:%Y-%m-%d %H:%M}"

    with qtbot.waitSignal(care.checked, timeout=30_000):
        dialog.check_button.click()
    report = dialog.report.toPlainText()
    assert "Database: no problems found." in report and "Images indexed: 3" in report
    dialog.close()

    # Two more images, then restore the backup with three: the library reopens with three.
    _library_with(qtbot, window, shapes_200[3:], tmp_path, "second", 2)
    window.actions["backups"].trigger()
    dialog = window.backups.dialog
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0 and dialog.restore_button.isEnabled(), timeout=10_000)
    names = [b.name for b in window.service.library.backups()]
    dialog.table.selectRow(names.index(newest.name))
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(window.service.libraryOpened, timeout=30_000):
        dialog.restore_button.click()
    assert newest.name in asked[0]
    assert window.service.status.indexed == 3
    assert window.backups.dialog is None and "Backup restored" in window.statusBar().currentMessage()


def test_a_damaged_database_offers_its_backups_and_opens_restored(qtbot, make_window, shapes_200, tmp_path,  # noqa: ANN001
                                                                  monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from artseek.errors import LibraryDamagedError
    from artseek.ui.controllers import backups as backups_module

    lib = tmp_path / "lib"
    window = make_window(lib)
    _library_with(qtbot, window, shapes_200, tmp_path, "pics", 4)
    window.close()
    zero_page(lib / "library.sqlite", "images")

    offered = []

    def answer(box: QMessageBox) -> int:
        offered.append((box.windowTitle(), box.text(), box.informativeText(), [b.text() for b in box.buttons()]))
        for b in box.buttons():
            if b.text() == backups_module.RESTORE_NEWEST:
                b.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", answer)
    again = make_window(open_library=False)
    with qtbot.waitSignal(again.service.libraryFailed, timeout=30_000) as failed:
        again.open_library(str(lib))
    assert isinstance(failed.args[0], LibraryDamagedError)
    qtbot.waitUntil(lambda: again.service.is_open, timeout=30_000)
    title, text, informative, buttons = offered[0]
    assert title == "The library is damaged" and "damaged" in text and "Traceback" not in text
    assert backups_module.RESTORE_NEWEST in buttons and backups_module.CHOOSE in buttons
    assert again.service.status.indexed == 4
    assert list((lib / "damaged").glob("library-*.sqlite"))  # the damaged file is kept aside


def test_a_damaged_database_lets_the_curator_choose_a_backup(qtbot, make_window, shapes_200, tmp_path,  # noqa: ANN001
                                                             monkeypatch) -> None:
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    from artseek.ui.controllers import backups as backups_module

    lib = tmp_path / "lib"
    window = make_window(lib)
    _library_with(qtbot, window, shapes_200, tmp_path, "pics", 2)
    with qtbot.waitSignal(window.service.care.backupMade, timeout=20_000):
        window.service.care.backup_now()
    _library_with(qtbot, window, shapes_200[2:], tmp_path, "more", 3)
    window.close()
    zero_page(lib / "library.sqlite", "images")

    def answer(box: QMessageBox) -> int:
        for b in box.buttons():
            if b.text() == backups_module.CHOOSE:
                b.click()
        return 0

    chosen = []

    def pick(parent, title, label, items, current, editable):  # noqa: ANN001, ANN202
        choice = next(i for i in items if "manual" in i)
        chosen.append(choice)
        return choice, True

    monkeypatch.setattr(QMessageBox, "exec", answer)
    monkeypatch.setattr(QInputDialog, "getItem", pick)
    again = make_window(open_library=False)
    again.open_library(str(lib))
    qtbot.waitUntil(lambda: again.service.is_open, timeout=30_000)
    assert chosen and again.service.status.indexed == 2
