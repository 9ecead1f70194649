"""The 2D layout: UMAP fitted on a sample of the embeddings, the rest placed with the fitted model.

UMAP (umap-learn, with numba) is imported here only, on first use: the window
and the CLI start without it. Embeddings are L2-normalised, so UMAP's
euclidean metric orders neighbours as cosine similarity does (and is the
faster one in its numba code).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable

import numpy as np

from artseek.map.progress import MapOptions

MIN_FIT = 8  # below this many images the map is a plain circle (UMAP needs a few neighbours)


def normalised(vectors: np.ndarray) -> np.ndarray:
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(norms > 0, norms, 1.0)


def choose_sample(n: int, size: int, seed: int) -> np.ndarray:
    """Sorted row numbers of the sample the layout is fitted on (all rows when ``n <= size``)."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


def _set_threads(threads: int | None) -> None:
    import numba

    wanted = threads or os.cpu_count() or 1
    numba.set_num_threads(max(1, min(wanted, numba.config.NUMBA_NUM_THREADS)))


def circle(n: int) -> np.ndarray:
    """A layout for a handful of images (too few for UMAP): evenly on a circle."""
    angles = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    return np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32) * 5.0


def fit(vectors: np.ndarray, options: MapOptions) -> tuple[object | None, np.ndarray]:
    """Fit UMAP on ``vectors`` (the sample); returns the fitted model (None for a tiny library) and its layout."""
    n = len(vectors)
    if n < MIN_FIT:
        return None, circle(n)
    from artseek.map.jit import umap_class

    _set_threads(options.threads)
    model = umap_class()(n_components=2, n_neighbors=max(2, min(options.neighbours, n - 1)), min_dist=options.min_dist,
                 metric="euclidean", low_memory=True, transform_seed=options.seed, n_jobs=options.threads or -1,
                 init="spectral" if n > 50 else "random")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        coords = model.fit_transform(normalised(vectors))
    return model, np.asarray(coords, dtype=np.float32)


def transform(model: object, vectors: np.ndarray, options: MapOptions,
              step: Callable[[int], bool] | None = None) -> np.ndarray | None:
    """Place ``vectors`` on a fitted layout, ``options.chunk`` at a time; ``step(done)`` after each chunk
    returns False to stop (then None is returned)."""
    _set_threads(options.threads)
    out = np.empty((len(vectors), 2), dtype=np.float32)
    for start in range(0, len(vectors), options.chunk):
        part = normalised(vectors[start:start + options.chunk])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out[start:start + len(part)] = model.transform(part)  # type: ignore[attr-defined]
        if step is not None and not step(start + len(part)):
            return None
    return out
