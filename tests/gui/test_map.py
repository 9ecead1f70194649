"""The map view (issue 18): built in the background, zoom and pan, level of detail, hover, click → side panel,
rectangle and lasso selection → marks, the results drawn with their rank and updated by Refine."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from tests.conftest import ROOT
from tests.gui.conftest import copy_shapes, search, wait_indexed

pytestmark = pytest.mark.gui
os.environ.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".pytest_cache" / "numba"))  # see tests/unit/test_map.py

BUILD_TIMEOUT_MS = 400_000  # the first build of a run compiles umap's numba code (minutes on 2 busy cores)


def _at(view, image_id: int) -> QPoint:  # noqa: ANN001
    return view.mapFromScene(view.item.scene_pos(image_id))


def _wheel(view, delta: int) -> None:  # noqa: ANN001
    pos = QPointF(view.viewport().rect().center())
    event = QWheelEvent(pos, QPointF(view.viewport().mapToGlobal(pos.toPoint())), QPoint(0, 0), QPoint(0, delta),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)


def test_the_map_of_a_collection(qtbot, make_window, shapes_200, tmp_path) -> None:  # noqa: ANN001, PLR0915
    window = make_window()
    folder = copy_shapes(shapes_200, tmp_path / "shapes", 0, 60)
    window.import_folders([str(folder)])
    wait_indexed(qtbot, window, 60)
    window.resize(1400, 900)
    with qtbot.waitSignal(window.service.map.built, timeout=BUILD_TIMEOUT_MS) as built:
        window.actions["show_map"].trigger()  # no map yet: it is built in the background
    assert built.args[0].refit and built.args[0].points == 60
    panel, view = window.map.panel, window.map.view
    qtbot.waitUntil(lambda: len(view.item.ids) == 60, timeout=10_000)
    assert panel.isVisible() and window.actions["show_map"].isChecked()
    assert view.item.labels  # cluster labels
    first = int(view.item.ids[0])

    # level of detail: thumbnails close in (loaded lazily through the service), dots far out
    view.setFocus()
    view.fit_all()
    for _ in range(6):
        qtbot.keyClick(view, Qt.Key.Key_Minus)
    view.viewport().repaint()
    assert view.item.last_mode == "dots"
    zoom_out = view.zoom
    qtbot.keyClick(view, Qt.Key.Key_Plus)  # + zooms in the map (not the window's "mark relevant")
    assert view.zoom > zoom_out and not window.state.marks
    _wheel(view, 120 * 8)
    assert view.zoom > zoom_out * 4
    view.centerOn(view.item.scene_pos(first))
    qtbot.waitUntil(lambda: (view.viewport().repaint() or True) and view.item.last_mode == "thumbnails"
                    and window.service.thumbnails.cached(first), timeout=10_000)
    # pan: arrows and dragging move the view
    before = view.centre()
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.centre().x() > before.x()
    before = view.centre()
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(300, 300))
    qtbot.mouseMove(view.viewport(), QPoint(250, 300))
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(250, 300))
    assert view.centre().x() > before.x()
    view.fit_all()

    # hover shows the file; a click selects and the side panel follows
    qtbot.mouseMove(view.viewport(), _at(view, first))
    assert view.hover_id == first
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_at(view, first))
    assert view.selected == [first] and window.inspector.image_id == first

    # the current results with their rank; a click on a result makes it the grid's current one
    results = search(qtbot, window, "a red circle")
    assert view.item.ranks == {r.image_id: rank for rank, r in enumerate(results, 1)}
    third = results[2].image_id
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_at(view, third))
    assert window.view.currentIndex().row() == 2
    qtbot.waitUntil(lambda: window.inspector.image_id == third, timeout=5_000)

    # rectangle selection (Shift+drag) → mark relevant; Refine re-ranks and the ranks follow
    xs = sorted(_at(view, int(i)).x() for i in view.item.ids)
    middle = xs[len(xs) // 2]
    top_left, bottom_right = QPoint(1, 1), QPoint(middle, view.viewport().height() - 1)  # (0, 0): "the centre"
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, top_left)
    qtbot.mouseMove(view.viewport(), bottom_right)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, bottom_right)
    right = view.mapToScene(bottom_right).x()
    inside = {int(i) for i, (x, _) in zip(view.item.ids, view.item.xy, strict=True) if x <= right}
    assert set(view.selected) == inside and 10 < len(inside) < 60
    assert window.actions["map_mark_relevant"].isEnabled()
    window.actions["map_mark_relevant"].trigger()
    assert set(window.state.positives) == inside
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        window.refine()
    refined = window.model.results()
    assert view.item.ranks == {r.image_id: rank for rank, r in enumerate(refined, 1)}

    # lasso (Alt+drag) around one image → mark not relevant
    centre = _at(view, first)
    ring = [centre + QPoint(dx, dy) for dx, dy in ((-5, -5), (5, -5), (5, 5), (-5, 5), (-5, -4))]
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier, ring[0])
    for p in ring[1:]:
        qtbot.mouseMove(view.viewport(), p)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier, ring[-1])
    assert first in view.selected and len(view.selected) <= 3
    window.actions["map_mark_not_relevant"].trigger()
    assert window.state.mark_of(first) == -1

    # new images are placed on the map without laying it out again
    more = copy_shapes(shapes_200, tmp_path / "more", 60, 70)
    with qtbot.waitSignal(window.service.map.built, timeout=BUILD_TIMEOUT_MS) as updated:
        window.import_folders([str(more)])
    assert not updated.args[0].refit and updated.args[0].placed == 10
    qtbot.waitUntil(lambda: len(view.item.ids) == 70, timeout=10_000)
