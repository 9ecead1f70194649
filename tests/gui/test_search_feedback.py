"""Searching and feedback in the window, as a curator's trial found them (issue #19, items 2, 5, 8, 9, 11, 14)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from artseek.ui.query_state import NOT_RELEVANT, RELEVANT, Example
from tests.gui.conftest import drop, file_mime, search, wait_indexed

pytestmark = pytest.mark.gui


def _ids(window) -> list[int]:  # noqa: ANN001
    return [r.image_id for r in window.model.results()]


def _scores(window) -> list[float]:  # noqa: ANN001
    from artseek.ui.widgets.results_view import ScoreRole

    return [window.model.data(window.model.index(row), ScoreRole) for row in range(window.model.rowCount())]


def _message(window) -> str:  # noqa: ANN001
    return window.statusBar().currentMessage()


def test_more_like_this_is_the_same_query_as_the_file_and_refined_scores_fall(qtbot, window, shapes_200) -> None:  # noqa: ANN001
    window.import_folders([str(shapes_200[0][0].parent)])
    wait_indexed(qtbot, window, 200)
    window.search_area.set_top_k(50)
    search(qtbot, window, "a blue star")
    target = window.model.result(2)

    # "More like this" on a result ...
    window.view.setCurrentIndex(window.model.index(2))
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        window.actions["more_like_this"].trigger()
    like = _ids(window)
    like_scores = _scores(window)
    # ... ranks exactly as dropping that image's file on the search area.
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        assert drop(window.search_area, file_mime(target.path))
    assert window.state.example is not None and window.state.example.image_id is None
    pasted = _ids(window)
    # The same ranking: the file is embedded afresh, so scores differ only by float noise (< 0.005) and
    # only near-ties may swap places.
    assert _scores(window) == pytest.approx(like_scores, abs=0.005)
    assert pasted[:3] == like[:3]
    assert all(abs(pasted.index(i) - rank) <= 2 for rank, i in enumerate(like[:40]) if i in pasted)
    assert set(pasted[:40]) <= set(like)
    assert like_scores == sorted(like_scores, reverse=True)

    # After Refine the scores shown fall down the ranking (they are the score that ranks).
    window.state.set_example(None)
    search(qtbot, window, "a red circle")
    names = [r.path for r in window.model.results()]
    squares = [i for i, p in enumerate(names) if "red_square" in p][:3]
    circles = [i for i, p in enumerate(names) if "red_circle" in p][:2]
    window.mark([window.model.result(i).image_id for i in squares], RELEVANT)
    window.mark([window.model.result(i).image_id for i in circles], NOT_RELEVANT)
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        window.actions["refine"].trigger()
    scores = _scores(window)
    assert len(scores) == 50
    assert all(a >= b for a, b in zip(scores, scores[1:])), scores


def test_ctrl_enter_without_marks_says_nothing_to_refine(qtbot, window, shapes_200) -> None:  # noqa: ANN001
    window.import_folders([str(shapes_200[0][0].parent)])
    wait_indexed(qtbot, window, 200)
    search(qtbot, window, "a red circle")
    assert not window.state.marks
    token = window.service.search_token
    for widget in (window.view, window.search_area.field):
        widget.setFocus()
        window.statusBar().clearMessage()
        qtbot.keyClick(widget, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert window.detail is None or not window.detail.isVisible()
        assert "Nothing to refine" in _message(window)
    assert window.service.search_token == token  # no search ran

    # Changing the number of results runs the search again, with the new count.
    window.search_area.top_k.setFocus()
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        qtbot.keyClick(window.search_area.top_k, Qt.Key.Key_Down)
    assert window.search_area.top_k_value() == 200
    assert window.model.rowCount() == 200
    assert _message(window).startswith("200 results for “a red circle”")

    # Wording: clearing one mark, then all marks.
    first = window.model.result(0).image_id
    window.mark([first, window.model.result(1).image_id], RELEVANT)
    assert _message(window) == "2 results marked relevant (+). Press Refine (Ctrl+Enter) to re-rank."
    window.mark([first], 0)
    assert _message(window) == "Mark cleared on 1 result. Press Refine (Ctrl+Enter) to re-rank."
    window.actions["clear_marks"].trigger()
    assert not window.state.marks
    assert "Refine" not in _message(window) and "cleared" in _message(window)
    window.mark([first], RELEVANT)
    window.mark([first], 0)
    assert _message(window) == "Mark cleared on 1 result."


def test_a_keyword_searches_for_itself_alone(qtbot, window, shapes_200) -> None:  # noqa: ANN001
    window.import_folders([str(shapes_200[0][0].parent)])
    wait_indexed(qtbot, window, 200)
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        window.set_example(Example.from_file(str(shapes_200[5][0])))
    window.mark([window.model.result(1).image_id], RELEVANT)
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        window.inspector.captions.keywordActivated.emit("triangle")
    assert window.state.text == "triangle" and window.state.example is None and not window.state.marks
    assert not window.search_area.example_chip.isVisible() and not window.feedback_bar.isVisible()
    assert "“triangle”" in _message(window) and "like" not in _message(window)
    assert sum("triangle" in r.path for r in window.model.results()[:10]) >= 5


def test_a_search_typed_while_the_library_opens_waits_for_it(qtbot, make_window, tmp_path) -> None:  # noqa: ANN001
    window = make_window(open_library=False)
    shown: list[str] = []
    window.service.error.connect(lambda title, exc: shown.append(title))
    window.open_library(str(tmp_path / "lib"), strict_model=True)
    assert window.service.opening
    window.search_area.field.setText("a red circle")
    window.run_search()
    assert "when the library is open" in _message(window)
    assert "try again" not in _message(window)
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        pass
    assert not shown


def test_the_centre_count_follows_indexing(qtbot, window, shapes_200) -> None:  # noqa: ANN001
    from artseek.ingest.progress import IndexProgress

    window.import_folders([str(shapes_200[0][0].parent)])
    wait_indexed(qtbot, window, 200)
    assert "200 images" in window.stack.empty_label.text()
    # A second import runs: the centre shows the count as it grows, not the last refreshed status.
    window.service.indexStarted.emit("Importing more")  # the job's signals, as the service sends them
    window.service.indexProgress.emit(IndexProgress(done=696, total=900, indexed=696, phase="indexing"))
    assert "896 images" in window.stack.empty_label.text()
    assert "896 images" in window.library_label.text()


def test_a_long_query_says_where_the_model_cut_it_and_the_message_elides(qtbot, window, shapes_200) -> None:  # noqa: ANN001
    window.import_folders([str(shapes_200[0][0].parent)])
    wait_indexed(qtbot, window, 200)
    search(qtbot, window, "a red circle")
    assert "longer than the model reads" not in _message(window)
    long_text = " ".join(f"a red circle number {i} on a white ground," for i in range(30))
    search(qtbot, window, long_text)
    message = _message(window)
    assert "longer than the model reads" in message and "only its first" in message
    words = int(message.split("only its first ")[1].split(" word")[0])
    assert 5 < words < len(long_text.split())
    # The message is far wider than the window: it is elided before the library label, not drawn under it.
    window.resize(760, 520)
    qtbot.wait(50)
    label = window.statusBar().message_label
    assert label.isVisible()
    assert label.geometry().right() < window.library_label.geometry().left()
    assert label.elided_text().endswith("…") and label.toolTip() == message
