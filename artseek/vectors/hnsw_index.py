"""hnswlib index over L2-normalised vectors: add/replace, delete, search, atomic save.

Labels are the images' database ids. Inner product on normalised vectors is
cosine similarity; scores returned are similarities (higher is better). A JSON
sidecar records which database state the saved file reflects (``synced_seq``),
so a reopen after a crash can re-apply what the file missed, and the file's
size and checksum, verified before hnswlib ever reads the file
(:mod:`artseek.vectors.state`).
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable
from pathlib import Path

import hnswlib
import numpy as np

from artseek.files import fsync_file
from artseek.vectors.state import IndexState, StateError, file_crc32, verify, write_state

INDEX_FILENAME = "vectors.hnsw"
STATE_FILENAME = "vectors.json"
M = 16
EF_CONSTRUCTION = 200
DEFAULT_EF = 128
INITIAL_CAPACITY = 1024


class VectorIndex:
    """A resizable hnswlib index stored in a library folder."""

    def __init__(self, folder: Path, dim: int, library_id: str = "") -> None:
        self.folder = folder
        self.dim = dim
        self.library_id = library_id
        self.path = folder / INDEX_FILENAME
        self.state_path = folder / STATE_FILENAME
        self.synced_seq = 0
        self._lock = threading.RLock()
        self._index = hnswlib.Index(space="ip", dim=dim)
        self._live: set[int] = set()
        self.loaded_from_disk = False
        #: Why the saved index was not loaded (None when it was, or when there was none).
        self.load_problem: str | None = None
        if self.path.exists() or self.state_path.exists():
            try:
                self._load(verify(self.path, self.state_path, dim, library_id))
            except StateError as exc:
                self.load_problem = f"The saved vector index was not used: {exc}."
                self._fresh()
        else:
            self._fresh()
        self._index.set_ef(DEFAULT_EF)

    def _load(self, state: IndexState) -> None:
        """Load a verified file and check that hnswlib sees the labels the state lists."""
        try:
            self._index.load_index(str(self.path), max_elements=0)
        except (RuntimeError, MemoryError, ValueError) as exc:
            raise StateError(f"hnswlib could not read it ({exc})") from None
        labels = set(int(i) for i in self._index.get_ids_list())
        if not state.live <= labels:
            raise StateError("it lacks images its state lists")
        self._live = state.live
        self.synced_seq = state.synced_seq
        self.loaded_from_disk = True

    def _fresh(self) -> None:
        self._index = hnswlib.Index(space="ip", dim=self.dim)
        self._index.init_index(max_elements=INITIAL_CAPACITY, ef_construction=EF_CONSTRUCTION, M=M)
        self._live = set()
        self.synced_seq = 0
        self.loaded_from_disk = False

    def reset(self, reason: str) -> None:
        """Forget the loaded graph (found inconsistent with the database); the caller rebuilds it."""
        with self._lock:
            self._fresh()
            self._index.set_ef(DEFAULT_EF)
            self.load_problem = reason

    def __len__(self) -> int:
        return len(self._live)

    @property
    def ids(self) -> set[int]:
        """Labels currently searchable."""
        return set(self._live)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add or replace vectors for ``ids`` (growing the index as needed)."""
        if len(ids) == 0:
            return
        ids = np.asarray(ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        with self._lock:
            needed = self._index.get_current_count() + len(ids)
            capacity = self._index.get_max_elements()
            if needed > capacity:
                self._index.resize_index(max(needed, capacity * 2))
            self._index.add_items(vectors, ids)
            self._live.update(int(i) for i in ids)

    def remove(self, ids: np.ndarray | list[int]) -> None:
        """Make ``ids`` unsearchable (hnswlib tombstones; re-adding revives them)."""
        with self._lock:
            for i in ids:
                i = int(i)
                if i in self._live:
                    self._index.mark_deleted(i)
                    self._live.discard(i)

    def search(self, vector: np.ndarray, k: int, ef: int | None = None, allowed: set[int] | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(ids, similarities)`` of up to ``k`` nearest vectors, best first.

        Never fewer than ``min(k, len(self))``: when the graph cannot return
        that many (hnswlib raises, or comes back short, e.g. with many
        tombstones), the search is done exactly over every live vector.
        With ``allowed`` (a set of live ids), only those are returned (hnswlib's
        filtered search; exact over them when it comes back short).
        """
        with self._lock:
            k = min(k, len(self._live) if allowed is None else len(allowed))
            if k <= 0:
                return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
            query = np.asarray(vector, dtype=np.float32).reshape(1, -1)
            self._index.set_ef(max(ef or DEFAULT_EF, k))
            try:
                if allowed is None:
                    labels, distances = self._index.knn_query(query, k=k)
                else:
                    labels, distances = self._index.knn_query(query, k=k, num_threads=1, filter=allowed.__contains__)
            except RuntimeError:
                return self._exact_search(query[0], k, allowed)
            if len(labels[0]) < k:
                return self._exact_search(query[0], k, allowed)
            return labels[0].astype(np.int64), (1.0 - distances[0]).astype(np.float32)

    def live_subset(self, ids: np.ndarray) -> np.ndarray:
        """The ids of ``ids`` that are searchable now (order kept)."""
        with self._lock:
            live = self._live
            return np.fromiter((i for i in ids.tolist() if i in live), dtype=np.int64)

    def search_many(self, vectors: np.ndarray, k: int, ef: int | None = None,
                    threads: int = -1) -> tuple[np.ndarray, np.ndarray]:
        """``(ids, similarities)``, each ``(n, k)``, of many queries at once (hnswlib's threads); rows a graph
        cannot fill (few live vectors, many tombstones) fall back to :meth:`search` one by one."""
        queries = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(vectors), -1)
        with self._lock:
            k = min(k, len(self._live))
            if k <= 0 or len(queries) == 0:
                return np.empty((len(queries), 0), dtype=np.int64), np.empty((len(queries), 0), dtype=np.float32)
            self._index.set_ef(max(ef or DEFAULT_EF, k))
            try:
                labels, distances = self._index.knn_query(queries, k=k, num_threads=threads)
                return labels.astype(np.int64), (1.0 - distances).astype(np.float32)
            except RuntimeError:
                pass
        rows = [self.search(q, k, ef) for q in queries]
        return np.stack([r[0] for r in rows]), np.stack([r[1] for r in rows])

    def _exact_search(self, query: np.ndarray, k: int, allowed: set[int] | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
        """Brute force over every live (or allowed) vector, in chunks (the fallback of :meth:`search`)."""
        live = np.fromiter(sorted(self._live if allowed is None else allowed), dtype=np.int64)
        best_ids = np.empty(0, dtype=np.int64)
        best = np.empty(0, dtype=np.float32)
        for start in range(0, len(live), 65536):
            chunk = live[start:start + 65536]
            scores = np.asarray(self._index.get_items(chunk.tolist()), dtype=np.float32) @ query
            best_ids = np.concatenate([best_ids, chunk])
            best = np.concatenate([best, scores])
            if len(best) > k:
                keep = np.argpartition(-best, k - 1)[:k]
                best_ids, best = best_ids[keep], best[keep]
        order = np.argsort(-best, kind="stable")[:k]
        return best_ids[order], best[order].astype(np.float32)

    def get_vectors(self, ids: list[int] | np.ndarray) -> np.ndarray:
        """The stored vectors of ``ids`` (which must be live)."""
        with self._lock:
            if len(ids) == 0:
                return np.empty((0, self.dim), dtype=np.float32)
            return np.asarray(self._index.get_items(list(map(int, ids))), dtype=np.float32)

    def save(self, synced_seq: int) -> None:
        """Write the index and its state atomically (temp file + rename), with size and checksum."""
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp_state = self.state_path.with_name(self.state_path.name + ".tmp")
            try:
                # hnswlib reports no write errors at all: probe that the folder takes the file first,
                # so read-only media or a missing permission is an OSError with its real cause.
                with open(tmp, "wb"):
                    pass
                self._index.save_index(str(tmp))
                expected = self._index.index_file_size()
                size = tmp.stat().st_size if tmp.exists() else -1
                if size != expected:
                    raise OSError(errno.ENOSPC, "No space left on device (the index file was written incompletely)")
                fsync_file(tmp)
                state = IndexState(dim=self.dim, synced_seq=int(synced_seq), live=set(self._live), size=size,
                                   crc32=file_crc32(tmp), library_id=self.library_id)
                write_state(self.state_path, state)
                os.replace(tmp, self.path)
                os.replace(tmp_state, self.state_path)
            except BaseException:
                for leftover in (tmp, tmp_state):  # the previous complete files stay in place
                    try:
                        leftover.unlink(missing_ok=True)
                    except OSError:
                        pass
                raise
            self.synced_seq = int(synced_seq)

    def reconcile(self, valid: dict[int, int], fetch: Callable[[list[int]], np.ndarray]) -> tuple[int, int]:
        """Make the index hold exactly the ``valid`` ids (id -> seq) after a crash or edit.

        Ids whose vectors may be stale (``seq`` above the saved ``synced_seq``, or
        unknown to the saved state) are re-applied from ``fetch(ids)``; labels the
        database no longer considers valid are deleted. Returns ``(added, removed)``.
        """
        with self._lock:
            trusted = self._live if self.loaded_from_disk else set()
            stale = [i for i, seq in valid.items() if seq > self.synced_seq or i not in trusted]
            removed = 0
            for label in self._index.get_ids_list():
                label = int(label)
                if label not in valid:
                    try:
                        self._index.mark_deleted(label)
                        removed += 1
                    except RuntimeError:
                        pass  # already a tombstone
                    self._live.discard(label)
            self._live &= set(valid)
            for start in range(0, len(stale), 4096):
                chunk = stale[start : start + 4096]
                self.add(np.asarray(chunk, dtype=np.int64), fetch(chunk))
            return len(stale), removed

    def rebuild(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Discard the graph and build it anew from ``ids``/``vectors``."""
        with self._lock:
            self._index = hnswlib.Index(space="ip", dim=self.dim)
            self._index.init_index(max_elements=max(INITIAL_CAPACITY, len(ids)), ef_construction=EF_CONSTRUCTION, M=M)
            self._index.set_ef(DEFAULT_EF)
            self._live = set()
            self.add(ids, vectors)

