"""A refined ranking's score (marks, the classifier: standard deviations above the average candidate, which can
exceed 1) is named in plain words wherever the window shows it; a similarity stays "score"."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from artseek.ui.query_state import NOT_RELEVANT, RELEVANT
from tests.gui.conftest import copy_shapes, search, wait_indexed

pytestmark = pytest.mark.gui


def _shown(window) -> dict[str, str]:  # noqa: ANN001
    """The first result's score as the side panel, the tooltip and the accessible text give it."""
    from tests.gui.test_hostile import shown_text

    window.view.setCurrentIndex(window.model.index(0))
    index = window.model.index(0)
    return {"panel": shown_text(window.inspector.facts), "tip": index.data(Qt.ItemDataRole.ToolTipRole),
            "accessible": index.data(Qt.ItemDataRole.AccessibleTextRole)}


def test_the_refined_score_is_labelled_relative(qtbot, window, shapes_200, tmp_path) -> None:  # noqa: ANN001
    from artseek.ui.widgets.results_view import RelativeRole

    window.import_folders([str(copy_shapes(shapes_200, tmp_path / "images", 0, 40))])
    wait_indexed(qtbot, window, 40)
    results = search(qtbot, window, "a red circle")
    assert not any(r.relative for r in results)
    shown = _shown(window)
    assert f"score {results[0].score:.3f}" in shown["panel"] and "relative" not in shown["panel"]
    assert f"Score {results[0].score:.3f} · rank 1" in shown["tip"] and not window.model.index(0).data(RelativeRole)

    window.mark([results[1].image_id, results[2].image_id], RELEVANT)
    window.mark([results[-1].image_id], NOT_RELEVANT)
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        window.actions["refine"].trigger()
    refined = window.model.results()
    assert refined and all(r.relative for r in refined)
    shown = _shown(window)
    assert f"refined score (relative) {refined[0].score:.3f}" in shown["panel"]
    assert f"Refined score (relative) {refined[0].score:.3f} · rank 1" in shown["tip"]
    assert "refined score (relative)" in shown["accessible"] and window.model.index(0).data(RelativeRole)
