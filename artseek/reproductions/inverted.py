"""An in-memory inverted index of visual words with tf-idf scoring, updated image by image.

Each image is a set of distinct words. Scoring is the cosine of idf-weighted
binary vectors: ``score(q, d) = Σ_{w ∈ q∩d} idf(w)² / (‖q‖ ‖d‖)`` with
``idf(w) = log((N + 1) / (df(w) + 1))``; words held by more than
``STOP_SHARE`` of the images (the strokes of printed text, plain grounds;
in a library of at least ``STOP_MIN / STOP_SHARE`` images) are stop words,
left out of queries. Only the postings of the query's words
are read: the cost of a query is the total length of those postings.

The index is a compacted part (postings of every word, sorted by word, as one
array of image positions and one of offsets) plus a list of images added since
(scanned directly); :meth:`InvertedIndex.add` and :meth:`remove` are cheap,
and :meth:`compact` folds the additions in (done on its own when they grow
past a tenth of the index). The norms of compacted images use the idf of the
last compaction; those of images added since, the idf when they were added.
"""

from __future__ import annotations

import numpy as np

STOP_SHARE = 0.25
STOP_MIN = 25
COMPACT_SHARE = 0.1


class InvertedIndex:
    """Image id -> distinct words; tf-idf search."""

    def __init__(self, vocabulary_size: int) -> None:
        self.vocabulary_size = max(1, int(vocabulary_size))
        self._word_type = np.uint16 if self.vocabulary_size <= 1 << 16 else np.int32
        self.df = np.zeros(self.vocabulary_size, dtype=np.int64)
        self._position: dict[int, int] = {}  # image id -> its position (in _ids, _words)
        self._ids: list[int] = []
        self._words: list[np.ndarray | None] = []  # None: removed
        self._norm: list[float] = []
        self._compacted = 0  # positions below this are in the postings
        self._offsets = np.zeros(self.vocabulary_size + 1, dtype=np.int64)
        self._postings = np.zeros(0, dtype=np.int32)

    def __len__(self) -> int:
        return len(self._position)

    def __contains__(self, image_id: int) -> bool:
        return image_id in self._position

    @property
    def ids(self) -> set[int]:
        return set(self._position)

    def words_of(self, image_id: int) -> np.ndarray | None:
        p = self._position.get(image_id)
        return None if p is None else self._words[p]

    def _idf(self) -> np.ndarray:
        return np.log((len(self) + 1) / (self.df + 1.0))

    def _norm_of(self, words: np.ndarray, idf: np.ndarray) -> float:
        return float(np.sqrt((idf[words] ** 2).sum())) if len(words) else 1.0

    # ------------------------------------------------------------ changes
    def add(self, image_id: int, words: np.ndarray, bulk: bool = False) -> None:
        """Index ``image_id`` with ``words`` (any order, repeats ignored), replacing what it had. ``bulk``:
        more are coming, the caller calls :meth:`compact` after the last (nothing is searchable before)."""
        self.remove(image_id)
        w = np.unique(np.asarray(words, dtype=np.int64))
        w = w[(w >= 0) & (w < self.vocabulary_size)].astype(self._word_type)
        self._position[image_id] = len(self._ids)
        self._ids.append(image_id)
        self._words.append(w)
        self.df[w] += 1
        self._norm.append(1.0 if bulk else self._norm_of(w, self._idf()))
        if not bulk and len(self._ids) - self._compacted > max(1000, COMPACT_SHARE * self._compacted):
            self.compact()

    def remove(self, image_id: int) -> bool:
        p = self._position.pop(image_id, None)
        if p is None:
            return False
        words = self._words[p]
        if words is not None:
            self.df[words] -= 1
        self._words[p] = None
        return True

    def compact(self) -> None:
        """Rebuild the postings from every image held (removed ones dropped), with fresh norms."""
        keep = [p for p in range(len(self._ids)) if self._words[p] is not None]
        self._ids = [self._ids[p] for p in keep]
        self._words = [self._words[p] for p in keep]
        self._position = {i: p for p, i in enumerate(self._ids)}
        idf = self._idf()
        self._norm = [self._norm_of(w, idf) for w in self._words]  # type: ignore[arg-type]
        counts = np.zeros(self.vocabulary_size, dtype=np.int64)
        for w in self._words:  # a counting sort by word: no sorting, no copy of all the words at once
            counts[w] += 1  # type: ignore[index]
        self._offsets = np.zeros(self.vocabulary_size + 1, dtype=np.int64)
        np.cumsum(counts, out=self._offsets[1:])
        cursor = self._offsets[:-1].copy()
        self._postings = np.empty(int(self._offsets[-1]), dtype=np.int32)
        for p, w in enumerate(self._words):
            self._postings[cursor[w]] = p  # type: ignore[index]
            cursor[w] += 1  # type: ignore[index]
        self._compacted = len(self._ids)

    # -------------------------------------------------------------- query
    def query(self, words: np.ndarray, top_k: int, exclude: set[int] | None = None) -> list[tuple[int, float]]:
        """The ``top_k`` images sharing most idf weight with ``words``, best first, as (image id, score)."""
        if not len(self):
            return []
        q = np.unique(np.asarray(words, dtype=np.int64))
        q = q[(q >= 0) & (q < self.vocabulary_size)]
        q = q[(self.df[q] > 0) & (self.df[q] <= max(STOP_MIN, STOP_SHARE * len(self)))]
        if not len(q):
            return []
        idf = self._idf()
        weight = idf[q] ** 2
        q_norm = float(np.sqrt(weight.sum()))
        scores = np.zeros(len(self._ids), dtype=np.float64)
        starts, ends = self._offsets[q], self._offsets[q + 1]
        lengths = ends - starts
        if lengths.sum():
            index = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
            scores[:self._compacted] = np.bincount(self._postings[index], weights=np.repeat(weight, lengths),
                                                   minlength=self._compacted)
        for p in range(self._compacted, len(self._ids)):  # added since the last compaction
            w = self._words[p]
            if w is not None and len(w):
                scores[p] = weight[np.isin(q, w, assume_unique=True)].sum()
        scores /= np.asarray(self._norm, dtype=np.float64) * q_norm
        alive = np.array([w is not None for w in self._words], dtype=bool)
        if exclude:
            for i in exclude:
                p = self._position.get(i)
                if p is not None:
                    alive[p] = False
        scores[~alive] = -1.0
        hits = np.nonzero(scores > 0)[0]
        top = hits[np.argsort(-scores[hits], kind="stable")[:top_k]]
        return [(self._ids[p], float(scores[p])) for p in top.tolist()]
