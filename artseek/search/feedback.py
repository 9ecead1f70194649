"""Relevance feedback: turning the embeddings of a Query into one ranking.

Rocchio: a weighted centroid of the query (text and/or example images), the
positives, minus the negatives, on normalised embeddings; searched through the
ANN index and re-ranked exactly.

Classifier: logistic regression on the marked examples with unlabeled images
as weak negatives (:mod:`artseek.search.classifier`).

``method="auto"`` is :data:`AUTO_METHOD`, the method the feedback evaluation
(``python main.py eval feedback``, see docs/evaluation.md) found best on both
collection sizes tried; with no marked image (a plain text or image query) every method is the same ranking by
similarity to the query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from artseek.search.ranking import Allowed, normalise, rank_by_vector
from artseek.vectors import VectorIndex

ROCCHIO_ALPHA = 1.0  # weight of the query (text / example images)
ROCCHIO_BETA = 0.75  # weight of the positives' centroid
ROCCHIO_GAMMA = 0.25  # weight of the negatives' centroid

METHODS = ("auto", "rocchio", "classifier")
AUTO_METHOD = "classifier"  # what "auto" means: the winner of `eval feedback` (docs/evaluation.md)


@dataclass
class QueryEmbeddings:
    """The embedded parts of a Query."""

    base: np.ndarray | None = None  # composed text/image query, normalised
    positives: list[np.ndarray] = field(default_factory=list)
    negatives: list[np.ndarray] = field(default_factory=list)


def compose(text: np.ndarray | None, images: list[np.ndarray], text_weight: float) -> np.ndarray | None:
    """Weighted sum of the normalised text and mean-image embeddings (image+text baseline)."""
    image = normalise(np.mean(images, axis=0)) if images else None
    if text is None:
        return image
    if image is None:
        return normalise(text)
    w = float(np.clip(text_weight, 0.0, 1.0))
    return normalise((1.0 - w) * image + w * normalise(text))


def rocchio(q: QueryEmbeddings, alpha: float = ROCCHIO_ALPHA, beta: float = ROCCHIO_BETA,
            gamma: float = ROCCHIO_GAMMA) -> np.ndarray:
    """The Rocchio query vector (normalised)."""
    vector = np.zeros_like((q.base if q.base is not None else (q.positives or q.negatives)[0]), dtype=np.float32)
    if q.base is not None:
        vector += alpha * q.base
    if q.positives:
        vector += beta * normalise(np.mean(q.positives, axis=0))
    if q.negatives:
        vector -= gamma * normalise(np.mean(q.negatives, axis=0))
    return normalise(vector)


def rank_rocchio(vectors: VectorIndex, q: QueryEmbeddings, k: int, exclude: set[int] | None = None,
                 allowed: Allowed | None = None) -> list[tuple[int, float]]:
    """Rank the library (or the ``allowed`` images of a filtered search) for ``q`` with Rocchio."""
    return rank_by_vector(vectors, rocchio(q), k, exclude, allowed=allowed)


def resolve_method(method: str | None) -> str:
    """``rocchio`` or ``classifier`` for a Query.method value (``auto`` -> :data:`AUTO_METHOD`)."""
    from artseek.errors import QueryError

    method = (method or "auto").lower()
    if method not in METHODS:
        raise QueryError(f"Unknown relevance-feedback method '{method}'.", f"Use one of: {', '.join(METHODS)}.")
    return AUTO_METHOD if method == "auto" else method


def uses_classifier(q: QueryEmbeddings, method: str | None = "auto") -> bool:
    """Whether :func:`rank_feedback` ranks ``q`` with the classifier (its scores are then relative: standard
    deviations above the average candidate, see :mod:`artseek.search.classifier`), not by similarity."""
    has_marks = bool(q.positives or q.negatives)
    return resolve_method(method) == "classifier" and has_marks and (bool(q.positives) or q.base is not None)


def rank_feedback(vectors: VectorIndex, q: QueryEmbeddings, k: int, exclude: set[int] | None = None,
                  method: str = "auto", marked: set[int] | None = None, allowed: Allowed | None = None
                  ) -> list[tuple[int, float]]:
    """Rank the library for ``q`` with the chosen feedback method.

    The classifier needs something positive (marked images, or the query
    itself) and at least one marked example; otherwise Rocchio is used (with
    no marks it is plain similarity search). With ``allowed`` only those images
    are ranked (a filtered search, :mod:`artseek.search.filters`).
    """
    if uses_classifier(q, method):
        from artseek.search.classifier import rank_classifier

        return rank_classifier(vectors, q.positives, q.negatives, q.base, rocchio(q), k, exclude, marked, allowed)
    return rank_rocchio(vectors, q, k, exclude, allowed)
