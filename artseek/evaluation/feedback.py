"""A simulated curator to compare relevance-feedback methods.

Protocol (per task): the curator types a seed query that is broader than what
they want (``"a star"`` when they want red stars), looks at the first ``k``
results not yet marked, marks each ``+`` or ``-`` from the ground truth, and
refines; ``rounds`` times. Reported per round, averaged over tasks:

- ``precision``: precision@k of the ranking as shown (marked images included);
- ``new_precision``: precision@k among images not yet marked (what the next page brings).

Round 0 is the seed query alone (the same for every method).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from artseek.search.query import Query


@dataclass
class Task:
    seed: str
    target: str  # ground-truth label


@dataclass
class MethodCurve:
    method: str
    precision: list[float] = field(default_factory=list)
    new_precision: list[float] = field(default_factory=list)


@dataclass
class FeedbackReport:
    model: str
    images: int
    tasks: int
    k: int
    rounds: int
    methods: dict[str, MethodCurve]
    best: str
    ann: dict | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def simulate(search: Callable[[Query, int], list], labels: dict[int, str], tasks: list[Task], k: int = 10,
             rounds: int = 4, methods: tuple[str, ...] = ("rocchio", "classifier")) -> dict[str, MethodCurve]:
    """Run every task with every method; ``search(query, top_k)`` returns results with ``.image_id``."""
    curves = {}
    for method in methods:
        precision = np.zeros(rounds + 1)
        new_precision = np.zeros(rounds + 1)
        for task in tasks:
            positives: list[int] = []
            negatives: list[int] = []
            for r in range(rounds + 1):
                query = Query(text=task.seed, positive_ids=list(positives), negative_ids=list(negatives),
                              method=method)
                marked = set(positives) | set(negatives)
                results = [x.image_id for x in search(query, k + len(marked))]
                shown = results[:k]
                unseen = [i for i in results if i not in marked][:k]
                precision[r] += sum(labels.get(i) == task.target for i in shown) / k
                new_precision[r] += sum(labels.get(i) == task.target for i in unseen) / k
                for i in unseen:
                    (positives if labels.get(i) == task.target else negatives).append(i)
        n = max(1, len(tasks))
        curves[method] = MethodCurve(method, [round(float(p / n), 4) for p in precision],
                                     [round(float(p / n), 4) for p in new_precision])
    return curves


def pick_best(curves: dict[str, MethodCurve]) -> str:
    """The method with the best mean precision over the feedback rounds (round 0 excluded)."""
    return max(curves.values(), key=lambda c: (np.mean(c.precision[1:]) + np.mean(c.new_precision[1:]))
               if len(c.precision) > 1 else 0.0).method


def shape_tasks(labels: dict[int, str]) -> list[Task]:
    """One task per colour+shape label: seed "a {shape}", target "{colour} {shape}"."""
    return [Task(f"a {label.split()[-1]}", label) for label in sorted(set(labels.values()))]


def label_from_path(path: str) -> str | None:
    """The ground-truth label of a generated shape image (``00012_red_star.png`` -> ``red star``)."""
    m = re.match(r"\d+_([a-z]+)_([a-z]+)$", Path(path).stem)
    return f"{m.group(1)} {m.group(2)}" if m else None


def run_shapes(model: str = "tiny-test", images: int = 640, k: int = 10, rounds: int = 4,
               methods: tuple[str, ...] = ("rocchio", "classifier"), weights: str | None = None,
               device: str | None = None, workdir: Path | None = None, with_ann: bool = True) -> FeedbackReport:
    """Generate a shapes collection, index it with ``model`` and run :func:`simulate` on it."""
    from artseek.library import Library
    from artseek.storage import Image, ImageStatus

    try:
        from tests.fixtures.shapes import generate_folder
    except ImportError as exc:  # the packaged app ships no test fixtures
        from artseek.errors import ArtSeekError

        raise ArtSeekError("The generated evaluation data needs the source tree (tests/fixtures).",
                           "Run it from a source checkout.") from exc
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        folder = Path(tmp) / "shapes"
        generate_folder(folder, images, seed=4321)
        with Library(Path(tmp) / "library", model=model, weights=weights, device=device) as lib:
            lib.index([folder])
            with lib.db.session() as s:
                from sqlalchemy import select

                rows = s.execute(select(Image.id, Image.path).where(Image.status == ImageStatus.INDEXED)).all()
            labels = {i: label_from_path(p) for i, p in rows}
            curves = simulate(lambda q, n: lib.search_query(q, n), labels, shape_tasks(labels), k, rounds, methods)
            ann = None
            if with_ann:
                from artseek.evaluation.ann import ann_recall

                ids = sorted(labels)
                queries = np.vstack([lib.vectors.get_vectors(ids[::4]),
                                     lib.encoder.encode_texts(sorted({f"a {v}" for v in labels.values()}))])
                ann = ann_recall(lib.vectors, queries).to_dict()
            return FeedbackReport(model, len(labels), len(set(labels.values())), k, rounds, curves,
                                  pick_best(curves), ann)
