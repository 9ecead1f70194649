"""A search restricted to a set of images (a collection opened as a result view): exact, over their vectors.

:class:`SubsetVectors` offers what the rankers use of a
:class:`artseek.vectors.VectorIndex` (``ids``, ``dim``, ``search``,
``get_vectors``) over the given images only, searching them exhaustively: a
collection holds at most thousands of images, so the top-k among them is exact
(no ANN candidate can be missed) and takes well under a millisecond per hundred.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from artseek.vectors import VectorIndex


class SubsetVectors:
    """The images ``ids`` of ``vectors`` (those not in the index are left out) as a small exact index."""

    def __init__(self, vectors: VectorIndex, ids: Iterable[int]) -> None:
        live = vectors.ids
        self._ids = np.array(sorted({int(i) for i in ids} & live), dtype=np.int64)
        self.dim = vectors.dim
        self._matrix = vectors.get_vectors(self._ids) if len(self._ids) else np.empty((0, self.dim), np.float32)
        self._row = {int(i): n for n, i in enumerate(self._ids)}

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> set[int]:
        return {int(i) for i in self._ids}

    def search(self, vector: np.ndarray, k: int, ef: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, len(self._ids))
        if k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        scores = self._matrix @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-scores, kind="stable")[:k]
        return self._ids[order], scores[order].astype(np.float32)

    def get_vectors(self, ids: list[int] | np.ndarray) -> np.ndarray:
        if len(ids) == 0:
            return np.empty((0, self.dim), dtype=np.float32)
        return self._matrix[[self._row[int(i)] for i in ids]]
