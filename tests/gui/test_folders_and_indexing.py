"""Removing folders and the indexing panel (issue #19, items 3, 4, 7, 10, 12)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox

from artseek.ingest.progress import IndexProgress
from tests.fixtures.shapes import generate_folder
from tests.gui.conftest import copy_shapes, search, wait_indexed

pytestmark = pytest.mark.gui


def _panel_texts(window) -> str:  # noqa: ANN001
    panel = window.index_panel
    return " ".join(w.text() for w in panel.findChildren(QLabel) if w.isVisible()) + \
        " ".join(b.format() for b in [panel.bar] if b.isVisible())


def test_remove_folder_keeps_other_results_and_the_query(qtbot, make_window, shapes_200, tmp_path,
                                                         monkeypatch) -> None:  # noqa: ANN001
    outer = copy_shapes(shapes_200, tmp_path / "A", 0, 9)
    (outer / "broken.jpg").write_bytes(b"not a JPEG")
    nested = copy_shapes(shapes_200, outer / "nested", 9, 17)
    other = copy_shapes(shapes_200, tmp_path / "B", 17, 27)
    window = make_window(tmp_path / "lib")
    window.import_folders([str(outer)])
    wait_indexed(qtbot, window, 17)
    window.import_folders([str(nested), str(other)])
    wait_indexed(qtbot, window, 27)
    assert window.index_panel.isVisible()  # the failed file keeps the finished panel up
    results = search(qtbot, window, "a shape")
    assert len(results) == 27

    asked = []

    def question(parent, title, text, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        window.confirm_remove_folder(str(outer))
        # At once: only the removed folder's own results leave the grid; the query stays.
        assert window.search_area.field.text() == "a shape"
        assert window.model.rowCount() > 0
        assert not any(r.path.startswith(str(outer) + "/") and not r.path.startswith(str(nested) + "/")
                       for r in window.model.results())
    # Item 3: the confirmation says how many images go: A's 9 and its broken file; A/nested's stay.
    assert "10 images" in asked[0], asked[0]
    # Item 10: the search ran again on what is left: A/nested and B.
    paths = [r.path for r in window.model.results()]
    assert len(paths) == 18 and window.search_area.field.text() == "a shape"
    assert all(p.startswith((str(nested) + "/", str(other) + "/")) for p in paths)
    assert window.service.status.indexed == 18 and str(outer) not in window.service.status.roots
    # Item 7: the finished panel with the removed folder's failed file is gone.
    assert not window.index_panel.isVisible()


def test_finished_panel_after_cancel_and_after_switching_library(qtbot, make_window, tmp_path) -> None:  # noqa: ANN001
    folder = tmp_path / "mixed"
    generate_folder(folder, 300, seed=7)
    (folder / "broken.jpg").write_bytes(b"not a JPEG")
    window = make_window(tmp_path / "lib")
    service, panel = window.service, window.index_panel
    with qtbot.waitSignal(service.indexFinished, timeout=60_000) as finished:
        window.import_folders([str(folder)])
        qtbot.waitUntil(lambda: service.last_progress is not None and service.last_progress.done >= 1,
                        timeout=30_000)
        panel.cancel.click()
    assert finished.args[0].cancelled
    qtbot.wait(50)
    text = _panel_texts(window)
    # Item 7: no 100 %, no time left, no "Done" bar that looks like a button; what happened is said.
    assert panel.isVisible() and "Cancelled" in text
    assert "ETA" not in text and "files/s" not in text and "Done" not in text and not panel.bar.isVisible()
    assert "Re-scan" in text
    # Importing again finds the broken file: a finished panel with "Failed files (1)…".
    window.actions["rescan"].trigger()
    wait_indexed(qtbot, window)
    assert panel.isVisible() and panel.failures.isVisible() and "(1)" in panel.failures.text()
    # Switching library: the panel (and the other library's failed files) goes.
    window.open_library(str(tmp_path / "other"), strict_model=True)
    qtbot.waitUntil(lambda: service.is_open and service.status is not None, timeout=30_000)
    assert not panel.isVisible()


def test_importing_a_folder_already_importing_or_queued_is_not_queued_again(qtbot, window, shapes_200,
                                                                            tmp_path) -> None:  # noqa: ANN001
    first = copy_shapes(shapes_200, tmp_path / "first", 0, 30)
    second = copy_shapes(shapes_200, tmp_path / "second", 30, 40)
    service = window.service
    started, messages = [], []
    service.indexStarted.connect(started.append)
    service.message.connect(messages.append)
    assert service.import_folders([str(first)])
    service.index_jobs.pause()  # the first job waits before its first file
    assert not service.import_folders([str(first)])  # being imported
    assert "already being imported" in messages[-1]
    assert service.import_folders([str(second)])  # queued
    assert not service.import_folders([str(second)])  # already queued
    assert "already being imported or queued" in messages[-1]
    service.index_jobs.resume()
    qtbot.waitUntil(lambda: len(started) == 2 and not service.indexing, timeout=60_000)
    qtbot.wait(200)
    assert len(started) == 2
    assert service.status.indexed == 40
    # Once done, the same folder can be imported again (a re-import is an incremental update).
    with qtbot.waitSignal(service.indexFinished, timeout=60_000) as finished:
        assert service.import_folders([str(first)])
    assert finished.args[0].skipped == 30


def test_progress_line_shows_the_job_clock(qtbot, window) -> None:  # noqa: ANN001
    """The panel shows the rate and time left the job reports (computed without paused time, see
    tests/integration/test_paused_time.py), and marks a pause on that line."""
    panel = window.index_panel
    panel.start("Importing X")
    panel.update_progress(IndexProgress(done=100, total=400, indexed=100, rate=162.0, eta_s=1.85,
                                        current="/x/a.png", phase="indexing"))
    assert "162.0 files/s" in _panel_texts(window) and "ETA 2 s" in _panel_texts(window)
    panel.set_paused(True)
    assert "paused" in _panel_texts(window)
    panel.set_paused(False)
    assert "paused" not in _panel_texts(window)
