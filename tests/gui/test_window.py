"""The desktop window end to end, offscreen, with the tiny test model."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog, QMessageBox

from artseek.ui.query_state import NOT_RELEVANT, RELEVANT, QueryState
from artseek.ui.widgets.results_view import IMAGE_ID_MIME, MarkRole
from tests.conftest import ROOT
from tests.fixtures.shapes import generate_folder
from tests.gui.conftest import copy_shapes, drop, file_mime, search, wait_indexed

pytestmark = pytest.mark.gui


def _names(results: list, n: int) -> list[str]:
    return [Path(r.path).name for r in results[:n]]


def test_window_appears_fast_without_loading_the_model(tmp_path: Path) -> None:
    """The window shows in well under 2 s and neither torch nor hnswlib is imported to show it."""
    code = (
        "import time, sys; t = time.perf_counter()\n"
        "from PySide6.QtCore import QSettings\n"
        "from artseek.ui.app import create_app\n"
        "from artseek.ui.main_window import MainWindow\n"
        "from artseek.ui.service import LibraryService\n"
        "app = create_app()\n"
        f"w = MainWindow(LibraryService(), QSettings(r'{tmp_path / 's.ini'}', QSettings.Format.IniFormat))\n"
        "w.show(); app.processEvents()\n"
        "print(time.perf_counter() - t)\n"
        "print(','.join(m for m in ('torch', 'open_clip', 'hnswlib', 'onnxruntime') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60,
                         env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    elapsed, heavy = out.stdout.strip().splitlines()[-2:] if out.stdout.strip().count("\n") else (out.stdout, "")
    assert float(elapsed) < 2.0
    assert heavy == ""


def test_import_action_then_text_search(qtbot, window, shapes_200, monkeypatch) -> None:  # noqa: ANN001
    folder = shapes_200[0][0].parent
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    assert window.actions["import_folder"].isEnabled()
    window.actions["import_folder"].trigger()
    assert window.index_panel.isVisible()
    wait_indexed(qtbot, window, 200)
    assert "200 indexed" in window.index_panel.title.text()
    assert "200 images" in window.library_label.text()

    results = search(qtbot, window, "a red circle")
    assert len(results) == window.search_area.top_k_value() or len(results) == 100
    assert window.stack.currentWidget() is window.view
    top = _names(results, 5)
    assert all("red_circle" in n for n in top), top
    # The grid shows the results with their scores; thumbnails load lazily off the UI thread.
    first = window.model.index(0)
    assert window.model.data(first) == top[0]
    assert window.model.data(first, Qt.ItemDataRole.ToolTipRole).endswith("rank 1")
    qtbot.waitUntil(lambda: window.service.thumbnails.pixmap(results[0].image_id) is not None, timeout=10_000)
    # The inspector shows the current result and its descriptions (or says there are none yet).
    qtbot.waitUntil(lambda: window.inspector.image_id == results[0].image_id, timeout=5_000)
    qtbot.waitUntil(lambda: not window.inspector.captions.texts.item(0).text().startswith("Looking"), timeout=20_000)
    assert "unavailable" not in window.inspector.captions.texts.item(0).text()


def test_drop_folder_then_drop_paste_and_drag_images(qtbot, window, shapes_200) -> None:  # noqa: ANN001
    folder = shapes_200[0][0].parent
    assert drop(window.search_area, file_mime(folder))
    wait_indexed(qtbot, window, 200)

    # An image file dropped from outside: it is the query, so it comes first.
    query_path, spec = shapes_200[37]
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        assert drop(window.search_area, file_mime(query_path))
    assert window.search_area.example_chip.isVisible()
    assert window.model.result(0).path == str(query_path)
    assert window.model.result(0).score > 0.99
    assert sum(spec.label.replace(" ", "_") in n for n in _names(window.model.results(), 5)) >= 3

    # A thumbnail dragged from the grid onto the search area ("more like this" by drag and drop).
    other = window.model.result(7)
    mime = window.model.mimeData([window.model.index(7)])
    assert mime.hasFormat(IMAGE_ID_MIME) and mime.urls()[0].toLocalFile() == other.path
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        assert drop(window.search_area, mime)
    assert window.model.result(0).image_id == other.image_id

    # An image pasted from the clipboard.
    pasted_path, _ = shapes_200[120]
    QGuiApplication.clipboard().setImage(QImage(str(pasted_path)))
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        window.actions["paste_image"].trigger()
    assert window.state.example is not None and window.state.example.data
    assert window.model.result(0).path == str(pasted_path)
    # Ctrl+V inside the search field pastes the image as the query too (text would paste as text).
    pasted_path, _ = shapes_200[121]
    QGuiApplication.clipboard().setImage(QImage(str(pasted_path)))
    window.search_area.field.setFocus()
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        qtbot.keyClick(window.search_area.field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.model.result(0).path == str(pasted_path)
    assert window.search_area.field.text() == ""

    # "More like this" from the context-menu action on the current result.
    window.view.setCurrentIndex(window.model.index(3))
    target = window.model.result(3)
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        window.actions["more_like_this"].trigger()
    assert window.model.result(0).image_id == target.image_id

    # Esc in the search area removes the example; with nothing left the grid keeps its results.
    window.search_area.field.setFocus()
    qtbot.keyClick(window.search_area.field, Qt.Key.Key_Escape)
    assert window.state.example is None and not window.search_area.example_chip.isVisible()


def test_relevance_feedback_moves_ranking_toward_positives(qtbot, window, shapes_200) -> None:  # noqa: ANN001
    window.import_folders([str(shapes_200[0][0].parent)])
    wait_indexed(qtbot, window, 200)
    window.search_area.set_top_k(200)
    results = search(qtbot, window, "a red circle")

    def ranks(results: list, label: str) -> list[int]:
        return [i for i, r in enumerate(results) if label in Path(r.path).name]

    before_squares = ranks(results, "red_square")
    # Mark three red squares relevant with the keyboard (+), and the top red circles not relevant (-).
    window.view.setFocus()
    for row in before_squares[:3]:
        window.view.setCurrentIndex(window.model.index(row))
        qtbot.keyClick(window.view, Qt.Key.Key_Plus)
    circles = ranks(results, "red_circle")[:2]
    window.view.clearSelection()
    for row in circles:
        window.view.selectionModel().select(window.model.index(row),
                                            window.view.selectionModel().SelectionFlag.Select)
    window.actions["mark_not_relevant"].trigger()
    assert len(window.state.positives) == 3 and len(window.state.negatives) == 2
    assert window.model.data(window.model.index(before_squares[0]), MarkRole) == RELEVANT
    assert window.model.data(window.model.index(circles[0]), MarkRole) == NOT_RELEVANT
    assert window.feedback_bar.isVisible()

    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        window.actions["refine"].trigger()
    refined = window.model.results()
    after_squares = ranks(refined, "red_square")
    assert sum(after_squares[:6]) / 6 < sum(before_squares[:6]) / 6
    assert sum("red_square" in n for n in _names(refined, 10)) > sum("red_square" in n for n in _names(results, 10))
    # The text stays in the mix: red things still dominate the top.
    assert sum("red_" in n for n in _names(refined, 10)) >= 6
    # Marks survive the round and are still drawn.
    row = window.model.row_of(refined[after_squares[0]].image_id)
    assert window.model.data(window.model.index(row), MarkRole) in (RELEVANT, 0)
    assert len(window.state.marks) == 5

    # A second round adds to the marks; 0 clears one; Clear marks clears all.
    window.view.setCurrentIndex(window.model.index(after_squares[-1]))
    qtbot.keyClick(window.view, Qt.Key.Key_Plus)
    assert len(window.state.marks) == 6
    qtbot.keyClick(window.view, Qt.Key.Key_0)
    assert len(window.state.marks) == 5
    window.actions["clear_marks"].trigger()
    assert not window.state.marks and not window.feedback_bar.isVisible()


def test_ui_thread_never_stalls_during_indexing(qtbot, window, tmp_path) -> None:  # noqa: ANN001
    folder = tmp_path / "big"
    generate_folder(folder, 500, seed=99, size=160)
    qtbot.waitUntil(lambda: window.service.model_state == "ready", timeout=60_000)
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer(window)
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    last[0] = time.perf_counter()
    window.import_folders([str(folder)])
    searched, answered = [], []
    window.service.searchFinished.connect(lambda outcome: answered.append(outcome))
    # Search while indexing runs: it works on what is already indexed.
    QTimer.singleShot(300, lambda: searched.append(window.service.search(QueryState(text="a star"))))
    wait_indexed(qtbot, window, 500)
    timer.stop()
    qtbot.waitUntil(lambda: bool(answered), timeout=10_000)
    assert len(gaps) > 20
    print(f"indexing 500 images: {len(gaps)} ticks, longest gap {max(gaps) * 1000:.0f} ms")
    assert max(gaps) < 0.2, f"the UI thread stalled for {max(gaps) * 1000:.0f} ms"
    assert searched and searched[0] > 0


def test_pause_resume_cancel_and_failed_files(qtbot, window, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    folder = tmp_path / "mixed"
    generate_folder(folder, 60, seed=5)
    (folder / "broken.jpg").write_bytes(b"this is not a JPEG")
    service = window.service
    window.import_folders([str(folder)])
    window.index_panel.pause.click()  # pause at once: the job waits before its first file
    assert service.index_jobs.paused and window.index_panel.pause.text() == "Resume"
    time.sleep(0.3)
    qtbot.wait(300)
    done = service.last_progress.done if service.last_progress else 0
    assert done == 0 and service.indexing
    window.index_panel.pause.click()
    assert not service.index_jobs.paused
    wait_indexed(qtbot, window, 60)
    assert service.status.failed == 1
    assert window.index_panel.failures.isVisible() and "(1)" in window.index_panel.failures.text()

    shown = []
    monkeypatch.setattr("artseek.ui.widgets.failures_dialog.FailuresDialog.exec",
                        lambda self: shown.append([self.table.item(r, 0).text() for r in range(self.table.rowCount())]))
    window.index_panel.failures.click()
    assert shown and shown[0][0].endswith("broken.jpg")

    # Cancel: a new, larger folder; work done so far is kept.
    more = tmp_path / "more"
    generate_folder(more, 300, seed=6)
    with qtbot.waitSignal(service.indexFinished, timeout=60_000) as finished:
        window.import_folders([str(more)])
        window.index_panel.cancel.click()
    assert finished.args[0].cancelled
    assert "Cancelled" in window.index_panel.title.text()


def test_library_management_rescan_remove_and_read_only(qtbot, make_window, shapes_200, tmp_path,
                                                        monkeypatch) -> None:  # noqa: ANN001
    small = tmp_path / "small"
    copy_shapes(shapes_200, small, 0, 20)
    window = make_window(tmp_path / "lib")
    window.import_folders([str(small)])
    wait_indexed(qtbot, window, 20)
    assert window.actions["rescan"].isEnabled()
    with qtbot.waitSignal(window.service.indexFinished, timeout=60_000) as finished:
        window.actions["rescan"].trigger()
    assert finished.args[0].skipped == 20 and finished.args[0].indexed == 0

    # Remove the folder (confirmed in a dialog): its images leave the library.
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(window.service.statusChanged, timeout=30_000):
        window.confirm_remove_folder(str(small))
    assert window.service.status.indexed == 0 and window.service.status.roots == []

    # A second window on the same library gets it read-only (the first holds the write lock).
    window.import_folders([str(small)])
    wait_indexed(qtbot, window, 20)
    second = make_window(tmp_path / "lib")
    assert second.service.read_only
    assert not second.actions["import_folder"].isEnabled()
    assert "read-only" in second.windowTitle()
    results = search(qtbot, second, "a blue star")
    assert results


def test_detail_view_and_captions_panel(qtbot, window, shapes_200) -> None:  # noqa: ANN001
    window.import_folders([str(shapes_200[0][0].parent)])
    wait_indexed(qtbot, window, 200)
    results = search(qtbot, window, "a green triangle")

    # A caption engine (stubbed here: the real one is another issue's) fills the panel.
    class Text:
        def __init__(self, text: str, score: float) -> None:
            self.text, self.score, self.source, self.kind = text, score, "catalogue.csv", "caption"

    class Keyword:
        def __init__(self, term: str, score: float) -> None:
            self.term, self.score = term, score

    class Description:
        texts = [Text("A green triangle on a dotted ground.", 0.61)]
        keywords = [Keyword("triangle", 0.7), Keyword("green", 0.6)]

    window.service.library.texts.describe = lambda image_id, top_k=10: Description()
    index = window.model.index(1)
    window.view.setCurrentIndex(index)
    qtbot.waitUntil(lambda: window.inspector.captions.texts.item(0).text().startswith("A green triangle"),
                    timeout=10_000)
    assert "triangle" in window.inspector.captions.keywords.text()

    # Double-click (activation) opens the detail view with metadata, a larger image and captions.
    window.view.activated.emit(index)
    detail = window.detail
    assert detail is not None and detail.isVisible()
    qtbot.waitUntil(lambda: detail.fields["format"].text() == "PNG", timeout=10_000)
    assert detail.fields["path"].text() == results[1].path
    assert not detail.image.pixmap().isNull()
    qtbot.waitUntil(lambda: detail.captions.texts.item(0).text().startswith("A green triangle"), timeout=10_000)
    detail.navigate.emit(1)
    assert detail.image_id == results[2].image_id
    detail.close()


def test_settings_persist_and_errors_become_dialogs(qtbot, make_window, settings, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    window = make_window(tmp_path / "kept")
    window.resize(790, 580)  # the offscreen screen is 800 x 600
    window.search_area.set_top_k(200)
    window.close()
    assert settings.value("library/last") == str(tmp_path / "kept")
    again = make_window(open_library=False)
    assert again.search_area.top_k_value() == 200
    assert (again.width(), again.height()) == (790, 580)

    from artseek.ui import errors

    shown = []
    monkeypatch.setattr(errors, "show_error", lambda parent, title, text, details="": shown.append((title, text)))
    try:
        raise ValueError("boom")
    except ValueError as exc:
        errors.excepthook(type(exc), exc, exc.__traceback__)
    assert shown and "boom" in shown[0][1]

    # A library that cannot be opened is a dialog, not a traceback.
    monkeypatch.setattr("artseek.ui.errors.show_error", lambda parent, title, text: shown.append((title, text)))
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with qtbot.waitSignal(again.service.libraryFailed, timeout=30_000):
        again.open_library(str(blocker))
    assert shown[-1][0] == "The library could not be opened"
    # Searching with nothing typed is a status message, not an error.
    again.run_search()
    assert "Type a description" in again.statusBar().currentMessage()
    assert QModelIndex().isValid() is False


def test_menus_dialogs_and_context_menu(qtbot, window, shapes_200, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """The modal parts (library dialog, context menu, open library) run without errors."""
    from artseek.ui.widgets import LibraryDialog

    small = tmp_path / "few"
    copy_shapes(shapes_200, small, 0, 12)
    window.import_folders([str(small)])
    wait_indexed(qtbot, window, 12)
    search(qtbot, window, "a green star")

    seen: dict[str, list] = {}
    texts = [a.text() for a in window.build_context_menu().actions()]
    assert "More &Like This" in texts and "Mark &Relevant" in texts and "Show in &Folder" in texts

    def fake_exec(dialog: LibraryDialog) -> int:
        seen["roots"] = [dialog.roots.item(i).text() for i in range(dialog.roots.count())]
        dialog.rescanRequested.emit()
        return 0

    monkeypatch.setattr(LibraryDialog, "exec", fake_exec)
    with qtbot.waitSignal(window.service.indexFinished, timeout=60_000):
        window.actions["library_status"].trigger()
    assert seen["roots"] == [str(small)]


    # File -> Open or Create Library with an empty folder creates a new library there.
    fresh = tmp_path / "fresh-library"
    fresh.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(fresh))
    with qtbot.waitSignal(window.service.libraryOpened, timeout=30_000):
        window.actions["open_library"].trigger()
    assert (fresh / "library.sqlite").is_file()
    assert window.model.rowCount() == 0 and "0 images" in window.library_label.text()
