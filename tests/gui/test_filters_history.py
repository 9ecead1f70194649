"""Filter chips and search history in the window: chips added through the dialog and removed with their ×
change the results; Refine stays within the filter; a recent search restores text, example, marks and filters."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from artseek.search.filters import SearchFilter
from artseek.ui.query_state import RELEVANT
from tests.gui.conftest import copy_shapes, search, wait_indexed

pytestmark = pytest.mark.gui


def _paths(window) -> list[str]:  # noqa: ANN001
    return [r.path for r in window.model.results()]


def test_chips_filter_results_and_history_restores(qtbot, window, shapes_200, tmp_path) -> None:  # noqa: ANN001
    first = copy_shapes(shapes_200, tmp_path / "first", 0, 30)
    second = copy_shapes(shapes_200, tmp_path / "second", 30, 60)
    window.import_folders([str(first), str(second)])
    wait_indexed(qtbot, window, 60)
    window.search_area.set_top_k(50)
    unfiltered = search(qtbot, window, "a red circle")
    assert {r.path.split("/")[-2] for r in unfiltered} == {"first", "second"}

    # Filter… opens the dialog with the library's folders; choosing one adds a chip and searches again.
    window.actions["add_filter"].trigger()
    qtbot.waitUntil(lambda: window.filters.dialog is not None, timeout=10_000)
    dialog = window.filters.dialog
    assert [dialog.folders.item(i).text() for i in range(dialog.folders.count())] == sorted([str(first), str(second)])
    assert list(dialog.formats) == ["PNG"]
    folder_row = [dialog.folders.item(i).text() for i in range(dialog.folders.count())].index(str(second))
    dialog.folders.item(folder_row).setCheckState(Qt.CheckState.Checked)
    dialog.after.setText("20x0")  # a bad date: the dialog says what to write and stays open
    dialog.accept()
    assert dialog.isVisible() and "is not a date" in dialog.problem.text()
    dialog.after.setText("")
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        dialog.accept()
    assert window.filter_chips.labels() == ["in second"]
    assert window.state.filters == SearchFilter.build(folders=[str(second)])
    filtered = _paths(window)
    assert len(filtered) == 30 and all("/second/" in p for p in filtered)

    # Refine (feedback) keeps to the filter.
    window.mark([window.model.result(0).image_id], RELEVANT)
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        window.refine()
    assert all("/second/" in p for p in _paths(window))
    marked = window.model.result(0).image_id

    # Removing the chip runs the search over the whole library again.
    chip = window.filter_chips.chips["folder:" + str(second)]
    from PySide6.QtWidgets import QToolButton

    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        qtbot.mouseClick(chip.findChild(QToolButton), Qt.MouseButton.LeftButton)
    assert window.filter_chips.labels() == []
    assert {p.split("/")[-2] for p in _paths(window)} == {"first", "second"}

    # Search → Recent Searches: one click restores the filtered, marked search and runs it.
    qtbot.waitUntil(lambda: len(window.filters.entries) >= 2, timeout=10_000)
    restore = next(e for e in window.filters.entries if not e.filter.is_empty() and e.positive_ids)
    window.search_area.field.setText("something else")
    window.clear_marks()
    titles = [a.text() for a in window.filters.recent_menu.actions()]
    assert any("a red circle" in t and "in second" in t for t in titles)
    action = next(a for a in window.filters.recent_menu.actions() if a.toolTip() == restore.describe())
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        action.trigger()
    assert window.search_area.field.text() == "a red circle"
    assert window.state.positives == [marked]
    assert window.filter_chips.labels() == ["in second"]
    assert all("/second/" in p for p in _paths(window))
