"""Relevance feedback: Rocchio and the linear classifier, simulated over several rounds."""

from __future__ import annotations

import numpy as np
import pytest

from artseek.errors import QueryError
from artseek.evaluation.feedback import label_from_path, pick_best, shape_tasks, simulate
from artseek.search.classifier import train_logistic
from artseek.search.feedback import AUTO_METHOD, resolve_method
from artseek.search.query import Query
from tests.search_quality.conftest import label_of


@pytest.fixture(scope="module")
def curves(text_library):
    lib = text_library
    labels = {r.image_id: label_from_path(r.path) for r in lib.search_text("a shape", 500)}
    assert len(labels) == 200
    return simulate(lambda q, n: lib.search_query(q, n), labels, shape_tasks(labels), k=5, rounds=3)


@pytest.mark.parametrize("method", ["rocchio", "classifier"])
def test_feedback_improves_precision_over_rounds(curves, method: str) -> None:
    p = curves[method].precision
    assert p[0] < 0.3  # "a star" does not say which colour
    assert p[-1] >= p[0] + 0.3, p
    assert p[-1] >= max(p[:-1]) - 0.02, p  # no collapse in later rounds
    assert np.mean(curves[method].new_precision[1:]) > curves[method].new_precision[0], curves[method]


def test_classifier_against_rocchio(curves) -> None:
    # the evaluation's pick is the documented "auto" default; on this data the classifier is at least as good
    assert pick_best(curves) in ("rocchio", "classifier")
    assert np.mean(curves["classifier"].precision[1:]) >= np.mean(curves["rocchio"].precision[1:]) - 0.05, curves
    assert resolve_method("auto") == AUTO_METHOD == "classifier"


def test_logistic_regression_separates() -> None:
    rng = np.random.default_rng(0)
    pos = rng.normal(size=(20, 8)) + 2.0
    neg = rng.normal(size=(40, 8)) - 2.0
    x = np.vstack([pos, neg]) / 10
    y = np.r_[np.ones(20), np.zeros(40)]
    w, b = train_logistic(x, y, np.ones(60))
    assert np.mean(((x @ w + b) > 0) == (y == 1)) == 1.0


def test_query_methods_and_edge_cases(text_library, shapes_200) -> None:
    lib = text_library
    ids = {lib.image_id_for_path(p): spec.label for p, spec in shapes_200}
    reds = [i for i, lab in ids.items() if lab == "red star"][:2]
    blues = [i for i, lab in ids.items() if lab == "blue star"][:2]
    for method in ("rocchio", "classifier", "auto"):
        res = lib.search_query(Query(positive_ids=reds, negative_ids=blues, method=method), 6)
        assert sum(ids[r.image_id] == "red star" for r in res) >= 4, (method, [ids[r.image_id] for r in res])
        hidden = lib.search_query(Query(positive_ids=reds, negative_ids=blues, method=method, exclude_marked=True), 6)
        assert not {r.image_id for r in hidden} & set(reds + blues)
        only_neg = lib.search_query(Query(negative_ids=blues, method=method), 5)
        assert all(ids[r.image_id] != "blue star" for r in only_neg)
    # plain text: every method is the same similarity ranking
    a = [r.image_id for r in lib.search_query(Query(text="a green circle", method="rocchio"), 5)]
    b = [r.image_id for r in lib.search_query(Query(text="a green circle", method="classifier"), 5)]
    assert a == b
    with pytest.raises(QueryError, match="Unknown relevance-feedback method"):
        lib.search_query(Query(text="x", method="svm"), 5)


def test_composed_query_and_negative_text(text_library, shapes_200) -> None:
    lib = text_library
    green_square = next(p for p, s in shapes_200 if s.label == "green square")
    as_image = lib.search_query(Query(images=[str(green_square)]), 5)
    assert label_of(as_image[0].path) == "green square"
    composed = lib.search_query(Query(text="a red square", images=[str(green_square)], text_weight=0.7), 5)
    assert sum(label_of(r.path) == "red square" for r in composed) >= 4, [r.path for r in composed]
    plain = lib.search_query(Query(text="a star"), 20)
    without_red = lib.search_query(Query(text="a star", negative_texts=["a red star"]), 20)
    count = lambda rs: sum(label_of(r.path) == "red star" for r in rs)  # noqa: E731
    assert count(without_red) < count(plain) or count(plain) == 0


def test_refined_scores_fall_down_the_ranking(text_library) -> None:
    """The score a refined search returns is the one that ranks it (not the classifier's probability)."""
    lib = text_library
    start = lib.search_text("a red circle", 50)
    squares = [r.image_id for r in start if "red_square" in r.path][:3]
    circles = [r.image_id for r in start if "red_circle" in r.path][:2]
    refined = lib.search_query(Query(text="a red circle", positive_ids=squares, negative_ids=circles), 100)
    scores = [r.score for r in refined]
    assert len(scores) == 100 and all(a >= b for a, b in zip(scores, scores[1:])), scores


def test_a_library_image_as_example_is_the_query_of_its_file(text_library) -> None:
    """"More like this" (``example_ids``) ranks as the image file given as the example."""
    lib = text_library
    target = lib.search_text("a blue star", 5)[2]
    by_id = lib.search_query(Query(example_ids=[target.image_id]), 30)
    by_file = lib.search_query(Query(images=[target.path]), 30)
    assert by_id[0].image_id == target.image_id
    assert [r.score for r in by_id] == pytest.approx([r.score for r in by_file], abs=0.005)
    ids = [r.image_id for r in by_file]
    assert all(abs(ids.index(r.image_id) - rank) <= 2 for rank, r in enumerate(by_id[:20]) if r.image_id in ids)
    assert lib.search_query(Query(example_ids=[target.image_id]), 30) == lib.more_like(target.image_id, 30)
