"""Relevance feedback with a linear classifier (as in imgs.ai and GallicaSnoop).

An L2-regularised logistic regression is trained, in numpy, on the marked
examples: positives (marked images, example images, and the text/image query
itself) against negatives (marked images, negative texts and images) and a
sample of unlabeled library images as weak negatives. Candidates come from
the ANN index twice -- around the Rocchio vector and along the classifier's
weight direction (a linear score is an inner product, so its best images are
the weight vector's nearest neighbours) -- and are re-ranked exactly on the
stored vectors by the classifier's logit plus the Rocchio similarity, both
standardised over the candidates (``BLEND``): with the few marks of early
rounds the classifier alone overfits, the blend beat both parts in
``eval feedback``. The score returned is that ranking key, so scores fall
monotonically down the ranking: the mean of the standardised parts, i.e. how
many standard deviations a result lies above the average candidate.
"""

from __future__ import annotations

import numpy as np

from artseek.search.ranking import Allowed, normalise, top_k
from artseek.vectors import VectorIndex

CANDIDATES = 400  # ANN candidates per direction, re-ranked exactly
UNLABELED_SAMPLE = 256  # unlabeled images drawn as weak negatives
UNLABELED_WEIGHT = 0.25  # their total weight relative to the marked negatives' class weight
QUERY_WEIGHT = 1.0  # weight of the query vector as a positive example
L2 = 0.1  # regularisation of the weights (not the bias)
SCALE = 10.0  # features are scaled so that cosine differences become usable logits
SEED = 0
BLEND = 1.0  # weight of the Rocchio similarity mixed into the classifier's ranking (chosen by eval feedback)


def _z(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / (x.std() or 1.0)


def train_logistic(x: np.ndarray, y: np.ndarray, weights: np.ndarray, l2: float | None = None, iters: int = 30
                   ) -> tuple[np.ndarray, float]:
    """Weighted L2-regularised logistic regression by Newton's method. Returns ``(w, b)``."""
    l2 = L2 if l2 is None else l2
    x = np.asarray(x, dtype=np.float64) * SCALE
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    theta = np.zeros(d + 1)
    reg = np.full(d + 1, l2)
    reg[-1] = 1e-6
    for _ in range(iters):
        z = np.clip(xb @ theta, -30, 30)
        p = 1.0 / (1.0 + np.exp(-z))
        grad = xb.T @ (weights * (p - y)) + reg * theta
        hess = (xb * (weights * p * (1 - p))[:, None]).T @ xb + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        theta -= step
        if np.max(np.abs(step)) < 1e-6:
            break
    return (theta[:-1] * SCALE).astype(np.float32), float(theta[-1])


def sample_unlabeled(vectors: VectorIndex, exclude: set[int], n: int = UNLABELED_SAMPLE) -> np.ndarray:
    ids = sorted(vectors.ids - exclude)
    if not ids:
        return np.empty((0, vectors.dim), dtype=np.float32)
    rng = np.random.default_rng(SEED)
    chosen = rng.choice(ids, size=min(n, len(ids)), replace=False)
    return vectors.get_vectors(chosen)


def fit(positives: list[np.ndarray], negatives: list[np.ndarray], unlabeled: np.ndarray,
        query: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Train on the examples; each class gets the same total weight so a few marks count."""
    pos = [normalise(v) for v in positives] + ([normalise(query)] if query is not None else [])
    neg = [normalise(v) for v in negatives]
    x = np.vstack([np.asarray(pos + neg, dtype=np.float32).reshape(-1, unlabeled.shape[1]), unlabeled])
    y = np.r_[np.ones(len(pos)), np.zeros(len(neg) + len(unlabeled))]
    w_pos = np.ones(len(pos))
    if query is not None:
        w_pos[-1] = QUERY_WEIGHT
    w_pos *= len(pos) / w_pos.sum()
    # Marked negatives: weight 1 each; unlabeled share UNLABELED_WEIGHT of the negative class.
    neg_total = max(len(pos), len(neg))
    w_neg = np.ones(len(neg)) if neg else np.empty(0)
    w_unl = np.full(len(unlabeled), (UNLABELED_WEIGHT * neg_total if neg else neg_total) / max(1, len(unlabeled)))
    weights = np.r_[w_pos, w_neg, w_unl]
    return train_logistic(x, y, weights)


def rank_classifier(vectors: VectorIndex, positives: list[np.ndarray], negatives: list[np.ndarray],
                    query: np.ndarray | None, anchor: np.ndarray, k: int, exclude: set[int] | None = None,
                    marked: set[int] | None = None, allowed: Allowed | None = None) -> list[tuple[int, float]]:
    """Top ``k`` ``(id, score)`` (the ranking key); ``anchor`` (the Rocchio vector) seeds the ANN candidates.

    With ``allowed`` (a filtered search) the candidates are the allowed images only: all of them when their
    vectors are at hand (a small set), else hnswlib's filtered search in both directions.
    """
    exclude = exclude or set()
    unlabeled = sample_unlabeled(vectors, (marked or set()) | exclude)
    w, b = fit(positives, negatives, unlabeled, query)
    want = max(CANDIDATES, 4 * (k + len(exclude)))
    directions = (np.asarray(anchor, dtype=np.float32), normalise(w))
    if allowed is not None and allowed.vectors is not None:  # exact: the same candidates the ANN would propose
        rows = np.unique(np.concatenate([np.argsort(-(allowed.vectors @ d), kind="stable")[:want]
                                         for d in directions]))
        ids, candidates = allowed.ids[rows], allowed.vectors[rows]
    else:
        members = allowed.members if allowed is not None else None
        found = [vectors.search(d, want, ef=want, allowed=members)[0] for d in directions]
        ids = np.unique(np.concatenate(found))
        candidates = vectors.get_vectors(ids)
    if len(ids) == 0:
        return []
    logits = candidates @ w + b
    rank_key = _z(logits)
    if BLEND > 0:  # mix in the Rocchio similarity (both standardised over the candidates)
        sims = candidates @ np.asarray(anchor, dtype=np.float32)
        rank_key = (rank_key + BLEND * _z(sims)) / (1.0 + BLEND)
    return top_k(ids, rank_key, rank_key, k, exclude)
