"""Composed-retrieval evaluation (image + modifier text) on generated shapes with known answers.

Every generated image has a colour, a shape, a background pattern and a
background colour (``tests/fixtures/shapes.py``). A task takes a query image
(not in the gallery) and a modifier text; the right answers are the gallery
images whose attributes are the query's with the modifier applied:

- ``colour``:   red star + "blue"                      -> blue stars
- ``pattern``:  red star + "on a striped background"   -> red stars on stripes
- ``background``: red star + "on a green background"   -> red stars on green

Each method ranks the whole gallery through :meth:`Library.search_query`:
image only, text only (the modifier as typed), averaging and Pic2Word (a
mapper trained on the gallery's own embeddings first, as a curator would).
R@K is the share of queries with at least one right answer in the top K.
Rerun with real weights: ``eval composed --model ViT-B-32 --weights FILE``.
"""

from __future__ import annotations

import random
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from artseek.errors import ArtSeekError
from artseek.search.query import Query

KS = (1, 5, 10)
TASKS = ("colour", "pattern", "background")
METHODS = ("image only", "text only", "averaging", "pic2word")


@dataclass
class ComposedReport:
    model: str
    gallery: int
    queries_per_task: int
    training: dict
    scores: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)  # task -> method -> R@K
    mean: dict[str, dict[str, float]] = field(default_factory=dict)  # method -> R@K over the tasks
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def _shapes():  # noqa: ANN202 - the tests.fixtures.shapes module
    try:
        from tests.fixtures import shapes
    except ImportError:
        raise ArtSeekError("The generated evaluation data needs the source tree (tests/fixtures).",
                           "Run the evaluation from a source checkout.") from None
    return shapes


def make_tasks(specs: list, rng: random.Random, per_task: int) -> list[tuple[str, object, str, object]]:
    """``(task, query spec, modifier text, predicate on a gallery spec)`` for every task."""
    shapes = _shapes()
    colours, patterns = list(shapes.COLOURS), list(shapes.PATTERNS)
    out = []
    for task in TASKS:
        for _ in range(per_task):
            q = rng.choice(specs)
            if task == "colour":
                c2 = rng.choice([c for c in colours if c not in (q.colour, q.background)])
                out.append((task, q, c2, lambda s, q=q, c2=c2: s.colour == c2 and s.shape == q.shape))
            elif task == "pattern":
                p2 = rng.choice([p for p in patterns if p != q.pattern])
                out.append((task, q, f"on a {p2} background", lambda s, q=q, p2=p2: (
                    s.colour == q.colour and s.shape == q.shape and s.pattern == p2)))
            else:
                b2 = rng.choice([c for c in colours if c not in (q.colour, q.background)])
                out.append((task, q, f"on a {b2} background", lambda s, q=q, b2=b2: (
                    s.colour == q.colour and s.shape == q.shape and s.background == b2)))
    return out


def run(model: str = "tiny-test", weights: str | None = None, device: str | None = None, gallery: int = 1024,
        per_task: int = 100, steps: int | None = None, prompt: str | None = None, threads: int | None = None,
        seed: int = 7, log=print) -> ComposedReport:  # noqa: ANN001
    """Generate the data, index it, train a mapper on it and score every method on every task."""
    from artseek.composed.training import TrainingOptions
    from artseek.library import Library

    shapes = _shapes()
    t0 = time.perf_counter()
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="artseek-composed-") as tmp:
        root = Path(tmp)
        folder, qfolder = root / "gallery", root / "queries"
        folder.mkdir()
        qfolder.mkdir()
        specs: dict[str, object] = {}
        for i in range(gallery):
            spec = shapes.random_spec(rng)
            path = folder / f"{i:05d}.png"
            shapes.render(spec, size=96, seed=rng.randrange(1 << 30)).save(path)
            specs[str(path)] = spec
        tasks = make_tasks(list(specs.values()), rng, per_task)
        queries = []
        for j, (task, q, text, ok) in enumerate(tasks):
            path = qfolder / f"q{j:05d}.png"
            shapes.render(q, size=96, seed=rng.randrange(1 << 30)).save(path)  # a new drawing of the same spec
            queries.append((task, str(path), text, ok))
        with Library(root / "library", model=model, weights=weights, device=device) as lib:
            log(f"indexing {gallery} generated images")
            lib.index([folder])
            log("training the Pic2Word mapper on their embeddings")
            info = lib.train_mapper(TrainingOptions(steps=steps, threads=threads, **({"prompt": prompt} if prompt else {})))
            assert info is not None
            training = {"steps": info.stats["steps"], "seconds": info.stats["seconds"],
                        "seconds_per_step": info.stats["seconds_per_step"], "final_loss": info.stats["final_loss"],
                        "prompt": info.prompt, "threads": info.stats["threads"]}
            log("scoring")
            hits: dict[str, dict[str, list[int]]] = {t: {m: [] for m in METHODS} for t in TASKS}
            for task, path, text, ok in queries:
                for method, query in (("image only", Query(images=[path])), ("text only", Query(text=text)),
                                      ("averaging", Query(text=text, images=[path], composed="average")),
                                      ("pic2word", Query(text=text, images=[path], composed="pic2word"))):
                    results = lib.search_query(query, top_k=max(KS))
                    first = next((r for r, res in enumerate(results) if ok(specs[res.path])), None)
                    hits[task][method].append(first if first is not None else max(KS))
        report = ComposedReport(model=model, gallery=gallery, queries_per_task=per_task, training=training)
        for task in TASKS:
            report.scores[task] = {m: {f"R@{k}": round(100 * sum(r < k for r in ranks) / len(ranks), 1) for k in KS}
                                   for m, ranks in hits[task].items()}
        for m in METHODS:
            report.mean[m] = {f"R@{k}": round(sum(report.scores[t][m][f"R@{k}"] for t in TASKS) / len(TASKS), 1)
                              for k in KS}
    report.seconds = round(time.perf_counter() - t0, 1)
    return report
