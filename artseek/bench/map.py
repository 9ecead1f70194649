"""``main.py bench map``: lay out N synthetic clustered embeddings as the map does, and time it.

The vectors are 512-d, normalised, drawn around ``clusters`` random centres (a
collection with themes). Measured in one run: the layout as the map builds it
(UMAP fitted on a sample, the rest placed with the fitted model's transform,
then HDBSCAN) and, as the baseline, UMAP fitted on the sample alone; the ratio
says what placing the other images costs on top. Also peak memory and how well
the clusters found match the true ones (adjusted Rand index).
"""

from __future__ import annotations

import time

import numpy as np

from artseek.bench.indexing import peak_rss_mb

DIM = 512


def clustered_vectors(n: int, clusters: int = 50, spread: float = 0.6, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` normalised vectors around ``clusters`` centres, and each one's true cluster."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, DIM), dtype=np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    truth = rng.integers(0, clusters, n)
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 50_000):
        part = truth[start:start + 50_000]
        noise = rng.standard_normal((len(part), DIM), dtype=np.float32) * (spread / np.sqrt(DIM))
        v = centres[part] + noise
        out[start:start + len(part)] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out, truth


def run(points: int = 100_000, sample: int = 10_000, clusters: int = 50, out=print) -> dict:  # noqa: ANN001
    from sklearn.metrics import adjusted_rand_score

    from artseek.map import clusters as clustering
    from artseek.map import layout
    from artseek.map.progress import MapOptions

    options = MapOptions(sample=sample)
    vectors, truth = clustered_vectors(points, clusters)
    figures: dict = {"points": points, "sample": min(sample, points), "dim": DIM, "true_clusters": clusters}
    out(f"{points:,} synthetic {DIM}-d vectors around {clusters} centres; layout fitted on {figures['sample']:,}.")
    start = time.perf_counter()
    layout.fit(vectors[:64], options)  # compile (or load from numba's cache) umap's code: not part of the figures
    figures["warm_up_s"] = round(time.perf_counter() - start, 1)
    rows = layout.choose_sample(points, sample, options.seed)
    start = time.perf_counter()
    model, sample_xy = layout.fit(vectors[rows], options)
    figures["fit_s"] = round(time.perf_counter() - start, 1)
    rest = np.setdiff1d(np.arange(points), rows, assume_unique=True)
    start = time.perf_counter()
    placed = layout.transform(model, vectors[rest], options) if len(rest) else np.zeros((0, 2), np.float32)
    figures["transform_s"] = round(time.perf_counter() - start, 1)
    figures["transform_per_1k_s"] = round(figures["transform_s"] / max(1, len(rest)) * 1000, 3)
    xy = np.empty((points, 2), np.float32)
    xy[rows], xy[rest] = sample_xy, placed
    start = time.perf_counter()
    labels = clustering.cluster(xy)
    figures["cluster_s"] = round(time.perf_counter() - start, 1)
    figures["total_s"] = round(figures["fit_s"] + figures["transform_s"] + figures["cluster_s"], 1)
    figures["clusters_found"] = int(len(set(labels.tolist()) - {-1}))
    figures["noise_share"] = round(float((labels < 0).mean()), 3)
    figures["adjusted_rand"] = round(float(adjusted_rand_score(truth, labels)), 3)
    figures["ratio_total_to_sample_fit"] = round(figures["total_s"] / max(figures["fit_s"], 1e-9), 2)
    figures["peak_rss_mb"] = round(peak_rss_mb())
    out(f"fit on the sample: {figures['fit_s']} s (baseline); transform of {len(rest):,} more: "
        f"{figures['transform_s']} s ({figures['transform_per_1k_s']} s per 1,000); HDBSCAN: {figures['cluster_s']} s")
    out(f"total {figures['total_s']} s = {figures['ratio_total_to_sample_fit']}x the sample fit alone; "
        f"{figures['clusters_found']} clusters found (adjusted Rand {figures['adjusted_rand']} against the true "
        f"{clusters}), {figures['noise_share']:.0%} in no cluster; peak RSS {figures['peak_rss_mb']} MB")
    return figures
