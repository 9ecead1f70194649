"""Categories and tags from the window alone (issue #22, item 4): a category defined, the library classified in
the background, a tag corrected in the detail view, re-classified (the curator's tag kept), badges in the grid,
and the tags exported with their confidence and who set them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from tests.gui.conftest import copy_shapes, search, wait_indexed

pytestmark = pytest.mark.gui

COUNT = 8
SHAPES = ["circle", "square", "triangle", "star"]


def _classify(qtbot, window, dialog, incremental: bool) -> tuple:  # noqa: ANN001
    dialog.incremental.setChecked(incremental)
    with qtbot.waitSignal(window.service.texts.classified, timeout=60_000) as done:
        dialog.classify_button.click()
        assert window.texts.classify_dialog is not None  # the progress, with Pause and Cancel
    assert window.texts.classify_dialog is None
    return done.args


def test_define_classify_correct_reclassify_and_export(qtbot, window, shapes_200, tmp_path: Path,  # noqa: ANN001
                                                      monkeypatch) -> None:  # noqa: ANN001
    from artseek.ui.widgets.results_view import TagsRole

    folder = copy_shapes(shapes_200, tmp_path / "images", 0, COUNT)
    window.import_folders([str(folder)])
    wait_indexed(qtbot, window, COUNT)

    # Library → Categories and Tags…: define "shape".
    window.actions["categories"].trigger()
    dialog = window.texts.categories_dialog
    assert dialog.isVisible() and not dialog.classify_button.isEnabled()
    dialog.name.setText("shape")
    dialog.values.setText(", ".join(SHAPES))
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=30_000)
    assert dialog.list.item(0).text() == "shape: " + ", ".join(SHAPES)
    assert dialog.classify_button.isEnabled()

    # Classify the library in the background.
    reports, cancelled = _classify(qtbot, window, dialog, incremental=True)
    assert not cancelled and sum(reports[0].counts.values()) == COUNT
    assert "Classified: 8 new tags" in dialog.message.text()
    lib = window.service.library
    assert len(lib.texts.tags(category="shape")) == COUNT

    # The tags in the detail view: the curator corrects one.
    search(qtbot, window, "a shape")
    window.open_details(window.model.index(0))
    detail = window.detail
    qtbot.waitUntil(lambda: detail.tags.image_id == detail.image_id and "shape" in detail.tags.rows, timeout=20_000)
    combo, who, confirm, clear = detail.tags.rows["shape"]
    assert who.text().startswith("model ") and confirm.isEnabled()
    image_id = detail.image_id
    predicted = combo.currentText()
    corrected = next(v for v in SHAPES if v != predicted)
    with qtbot.waitSignal(window.service.texts.tagChanged, timeout=20_000):
        combo.setCurrentText(corrected)
        combo.activated.emit(combo.currentIndex())
    qtbot.waitUntil(lambda: detail.tags.rows["shape"][1].text() == "curator", timeout=20_000)
    assert not detail.tags.rows["shape"][2].isEnabled()  # nothing left to confirm

    # Re-classified in full: the curator's tag is kept.
    reports, _ = _classify(qtbot, window, dialog, incremental=False)
    assert sum(reports[0].counts.values()) == COUNT - 1
    assert lib.texts.tags(image_id, "shape")[0] | {"path": ""} == dict(
        image_id=image_id, path="", category="shape", value=corrected, score=None, source="curator", set_by="curator")

    # View → Tag Badges: each image's values on its thumbnail.
    window.actions["tag_badges"].trigger()
    qtbot.waitUntil(lambda: all(window.model.data(window.model.index(r), TagsRole)
                                for r in range(window.model.rowCount())), timeout=20_000)
    row = window.model.row_of(image_id)
    assert window.model.data(window.model.index(row), TagsRole) == [f"✓ {corrected}"]  # the curator's
    window.view.grab()

    # Export Tags… to CSV with the confidence and who set each tag.
    out = tmp_path / "tags.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "CSV files (*.csv)"))
    with qtbot.waitSignal(window.service.texts.tagsExported, timeout=20_000):
        window.actions["export_tags"].trigger()
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == COUNT
    mine = next(r for r in rows if int(r["image_id"]) == image_id)
    assert (mine["value"], mine["set_by"], mine["score"]) == (corrected, "curator", "")
    assert all(r["set_by"] == "model" and 0 < float(r["score"]) <= 1 for r in rows if r is not mine)

    # Clearing the tag in the detail view: the next classification predicts it again.
    with qtbot.waitSignal(window.service.texts.tagChanged, timeout=20_000):
        detail.tags.rows["shape"][3].click()
    assert lib.texts.tags(image_id, "shape") == []
    detail.close()


def test_classification_pauses_and_cancels(qtbot, window, shapes_200, tmp_path: Path) -> None:  # noqa: ANN001
    folder = copy_shapes(shapes_200, tmp_path / "images", 0, 4)
    window.import_folders([str(folder)])
    wait_indexed(qtbot, window, 4)
    from artseek.ui.service_texts import category

    with qtbot.waitSignal(window.service.texts.categoriesListed, timeout=30_000):
        window.service.texts.save_category(category("colour", ["red", "green", "blue"]))
    window.texts.classify(incremental=False)
    progress = window.texts.classify_dialog
    control = window.service.texts.classify_control
    progress.pause.click()
    assert progress.pause.text() == "Resume"
    if window.service.texts.classify_control is control:  # still running: it waits while paused
        assert control.paused
    with qtbot.waitSignal(window.service.texts.classified, timeout=60_000):
        progress.cancel.click()
    assert window.texts.classify_dialog is None and window.service.texts.classify_control is None


def test_closing_the_window_stops_a_paused_classification(qtbot, window, shapes_200, tmp_path: Path) -> None:  # noqa: ANN001
    from artseek.ui.service_texts import category

    folder = copy_shapes(shapes_200, tmp_path / "images", 0, 3)
    window.import_folders([str(folder)])
    wait_indexed(qtbot, window, 3)
    with qtbot.waitSignal(window.service.texts.categoriesListed, timeout=30_000):
        window.service.texts.save_category(category("colour", ["red", "green", "blue"]))
    control = window.service.texts.classify(incremental=False)
    control.pause()  # paused before or after its first chunk: closing must not wait for a resume
    window.service.close_library()
    assert control.cancelled and not window.service.is_open
