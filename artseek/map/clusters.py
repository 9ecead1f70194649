"""Clusters of the map (HDBSCAN on the 2D layout, as PixPlot's "hotspots") and their labels.

scikit-learn's ``HDBSCAN`` (1.3+) is used: scikit-learn comes with umap-learn,
so the separate ``hdbscan`` package would be one dependency more for the same
algorithm. A label is the tags' shared category values when the cluster's
images are tagged (``texts classify`` / the curator's own tags), else the
vocabulary terms nearest the cluster's centre in the embedding space, ranked
by how much more they fit this cluster than the map as a whole.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

CLUSTER_FIT_MAX = 20_000  # HDBSCAN runs on at most this many points (a random sample); the others join their
# nearest one's cluster. Measured (docs/performance.md): at 10k points HDBSCAN took 4 s and matched the true
# clusters (adjusted Rand 0.91); run on all of 100k points it took 226 s and its leaf clusters fragmented
# (47 % noise, adjusted Rand 0.06).


@dataclass(frozen=True)
class ClusterInfo:
    id: int
    label: str
    source: str  # "tags" | "vocabulary" | "number"
    x: float
    y: float
    size: int


def min_cluster_size(n: int, wanted: int | None = None) -> int:
    return wanted if wanted else max(5, int(round(np.sqrt(n) / 2)))


def cluster(coords: np.ndarray, wanted: int | None = None, seed: int = 0) -> np.ndarray:
    """HDBSCAN cluster number per point (-1: noise, in no cluster)."""
    from sklearn.cluster import HDBSCAN

    n = len(coords)
    if n < 2 * min_cluster_size(n, wanted):
        return np.full(n, -1, dtype=np.int32)
    rows = np.arange(n)
    if n > CLUSTER_FIT_MAX:
        rows = np.sort(np.random.default_rng(seed).choice(n, CLUSTER_FIT_MAX, replace=False))
    size = min_cluster_size(len(rows), wanted)
    fitted = HDBSCAN(min_cluster_size=size, min_samples=min(size, 10), cluster_selection_method="leaf",
                     copy=True).fit_predict(coords[rows]).astype(np.int32)
    if len(rows) == n:
        return fitted
    return assign(coords[rows], fitted, coords)


def assign(known: np.ndarray, labels: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The cluster of each of ``points``: its nearest ``known`` point's (new images placed without re-clustering)."""
    if len(known) == 0:
        return np.full(len(points), -1, dtype=np.int32)
    from sklearn.neighbors import KDTree

    _, nearest = KDTree(known).query(points, k=1)
    return labels[nearest[:, 0]].astype(np.int32)


def centres(vectors: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    """Each cluster's centre in the embedding space (normalised mean of its members)."""
    out = {}
    for c in sorted(set(labels.tolist()) - {-1}):
        mean = vectors[labels == c].mean(axis=0)
        out[c] = mean / (np.linalg.norm(mean) or 1.0)
    return out


def vocabulary_labels(cluster_centres: Mapping[int, np.ndarray], terms: Sequence[str], term_vectors: np.ndarray,
                      per_label: int = 2) -> dict[int, str]:
    """Zero-shot labels: the terms nearest each centre, less their mean similarity to all centres (so a term
    that fits every cluster, such as the collection's medium, does not label them all)."""
    if not cluster_centres or not len(terms):
        return {}
    ids = list(cluster_centres)
    sims = np.stack([cluster_centres[c] for c in ids]) @ np.asarray(term_vectors, dtype=np.float32).T
    distinct = sims - 0.5 * sims.mean(axis=0, keepdims=True)
    return {c: ", ".join(terms[j] for j in np.argsort(-distinct[i], kind="stable")[:per_label])
            for i, c in enumerate(ids)}


def tag_labels(members: Mapping[int, Sequence[int]], tags: Mapping[int, Mapping[str, str]],
               min_share: float = 0.5, per_label: int = 2) -> dict[int, str]:
    """Labels from tags: per cluster, the categories whose most common value covers at least ``min_share`` of its
    images, most shared first (``value`` of up to ``per_label`` categories). Clusters without such values get none."""
    out = {}
    for c, image_ids in members.items():
        counts: dict[str, Counter] = {}
        for i in image_ids:
            for category, value in tags.get(i, {}).items():
                counts.setdefault(category, Counter())[value] += 1
        best = []
        for counter in counts.values():
            value, count = counter.most_common(1)[0]
            share = count / max(1, len(image_ids))
            if share >= min_share:
                best.append((-share, value))
        if best:
            out[c] = ", ".join(value for _, value in sorted(best)[:per_label])
    return out


def label_position(coords: np.ndarray, labels: np.ndarray, c: int) -> tuple[float, float]:
    """Where a cluster's label goes: the member nearest the members' median (inside the cluster, even a curved one)."""
    members = coords[labels == c]
    median = np.median(members, axis=0)
    nearest = members[np.argmin(((members - median) ** 2).sum(axis=1))]
    return float(nearest[0]), float(nearest[1])
