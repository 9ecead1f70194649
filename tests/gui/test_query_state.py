"""The observable query state: each signal fires on its change, and only then."""

from __future__ import annotations

import pytest

from artseek.search.results import SearchResult
from artseek.ui.query_state import NOT_RELEVANT, RELEVANT, Example, QueryModel

pytestmark = pytest.mark.gui

SIGNALS = ("textChanged", "exampleChanged", "marksChanged", "resultsChanged")


@pytest.fixture
def spied(qtbot):  # noqa: ANN001, ANN201
    model = QueryModel()
    fired: list[tuple[str, tuple]] = []
    for name in SIGNALS:
        getattr(model, name).connect(lambda *args, name=name: fired.append((name, args)))

    def take() -> list[tuple[str, tuple]]:
        out = list(fired)
        fired.clear()
        return out

    return model, take


def test_text_and_example(spied) -> None:  # noqa: ANN001
    model, take = spied
    model.set_text("a harbour")
    assert take() == [("textChanged", ("a harbour",))]
    model.set_text("a harbour")
    assert take() == []
    example = Example.from_file("/tmp/x.png")
    model.set_example(example)
    assert take() == [("exampleChanged", (example, None))]
    model.set_example(Example.from_file("/tmp/x.png"))  # equal: no change
    assert take() == []
    model.set_example(None)
    assert take() == [("exampleChanged", (None, None))]
    assert model.query.text == "a harbour" and model.query.example is None


def test_marks(spied) -> None:  # noqa: ANN001
    model, take = spied
    model.mark([1, 2], RELEVANT)
    assert take() == [("marksChanged", ([1, 2],))]
    model.mark([1, 2], RELEVANT)
    assert take() == []
    model.mark([2, 3], NOT_RELEVANT)
    assert take() == [("marksChanged", ([2, 3],))]
    assert model.positives == [1] and model.negatives == [2, 3] and dict(model.marks) == {1: 1, 2: -1, 3: -1}
    model.mark([4], 0)
    assert take() == []
    model.mark([3], 0)
    assert take() == [("marksChanged", ([3],))]
    with pytest.raises(TypeError):
        model.marks[5] = RELEVANT  # read-only: changes go through mark()
    model.clear_marks()
    assert take() == [("marksChanged", ([1, 2],))]
    model.clear_marks()
    assert take() == []
    q = model.query.to_query()
    assert q.positive_ids == [] and q.negative_ids == []


def test_results_and_reset(spied) -> None:  # noqa: ANN001
    model, take = spied
    results = [SearchResult(1, "/a.png", 0.9), SearchResult(2, "/b.png", 0.8)]
    model.set_results(results)
    assert take() == [("resultsChanged", (results,))]
    model.set_results(results)  # a new answer is a change even when equal
    assert take() == [("resultsChanged", (results,))]
    model.set_text("kept")
    model.set_example(Example.from_file("/tmp/y.png"))
    model.mark([1], RELEVANT)
    take()
    model.reset()
    assert [name for name, _ in take()] == ["resultsChanged", "marksChanged", "exampleChanged"]
    assert model.results == [] and not model.marks and model.example is None and model.text == "kept"
    model.clear_results()
    model.reset()
    assert take() == []
