"""Search by a detail: drag a rectangle in the detail view → the query's example is that crop → results;
with detail indexing on, a result matched by a tile carries its region, outlined in the detail view."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt

from tests.gui.conftest import copy_shapes, search, wait_indexed


def test_dragging_a_rectangle_searches_with_that_region(qtbot, window, shapes_200, tmp_path) -> None:  # noqa: ANN001
    folder = copy_shapes(shapes_200, tmp_path / "four", 0, 4)
    window.service.library.set_detail_indexing(True)
    window.import_folders([str(folder)])
    wait_indexed(qtbot, window, 4)
    assert window.service.library.tiles.stats()["images"] == 4
    search(qtbot, window, "a shape")
    window.open_details(window.model.index(0))
    detail = window.detail
    qtbot.waitUntil(lambda: detail.image.pixmap() is not None and not detail.image.pixmap().isNull(), timeout=10_000)
    shown = detail.image.image_rect()
    start = shown.topLeft() + QPoint(shown.width() // 4, shown.height() // 4)
    end = shown.topLeft() + QPoint(shown.width() * 3 // 4, shown.height() * 3 // 4)
    before = window.service.search_token
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        qtbot.mousePress(detail.image, Qt.MouseButton.LeftButton, pos=start)
        qtbot.mouseMove(detail.image, end)
        qtbot.mouseRelease(detail.image, Qt.MouseButton.LeftButton, pos=end)
    assert window.service.search_token > before
    example = window.state.example
    assert example is not None and example.data and example.label.startswith("detail of ")
    crop = Image.open(io.BytesIO(example.data))
    full = detail._pixmap  # the image the rectangle was drawn on: the crop is half its size each way
    assert abs(crop.width - full.width() / 2) <= 3 and abs(crop.height - full.height() / 2) <= 3
    results = window.model.results()
    assert results
    outlined = [r for r in results if r.region is not None]
    if outlined:  # a tile matched better than its whole image: the detail view outlines that region
        row = window.model.row_of(outlined[0].image_id)
        window.open_details(window.model.index(row))
        assert len(detail.image.outline) == 4
    detail.close()


@pytest.mark.slow
def test_find_reproductions_and_detail_indexing_actions(qtbot, window, tmp_path) -> None:  # noqa: ANN001
    from artseek.evaluation.pages import write_pairs

    truth = write_pairs(tmp_path / "set", 1, seed=2)
    folder = tmp_path / "set"
    window.import_folders([str(folder / "pages"), str(folder / "photos")])
    wait_indexed(qtbot, window, 2)
    search(qtbot, window, "a photograph")
    photo = truth["pairs"][0]["photo"]
    row = next(i for i, r in enumerate(window.model.results()) if r.path == photo)
    window.view.setCurrentIndex(window.model.index(row))
    with qtbot.waitSignal(window.service.details.reproductionsFound, timeout=60_000):
        window.actions["find_reproductions"].trigger()
    results = window.model.results()
    assert [r.path for r in results] == [truth["pairs"][0]["page"]] and results[0].quad is not None
    window.open_details(window.model.index(0))
    assert len(window.detail.image.outline) == 4
    window.detail.close()
    with qtbot.waitSignal(window.service.details.tilesSet, timeout=60_000):
        window.actions["detail_indexing"].trigger()
    assert window.service.library.tiles.stats()["images"] == 2
