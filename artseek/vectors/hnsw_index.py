"""hnswlib index over L2-normalised vectors: add/replace, delete, search, atomic save.

Labels are the images' database ids. Inner product on normalised vectors is
cosine similarity; scores returned are similarities (higher is better). A JSON
sidecar records which database state the saved file reflects (``synced_seq``),
so a reopen after a crash can re-apply what the file missed.
"""

from __future__ import annotations

import errno
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

import hnswlib
import numpy as np

INDEX_FILENAME = "vectors.hnsw"
STATE_FILENAME = "vectors.json"
M = 16
EF_CONSTRUCTION = 200
DEFAULT_EF = 128
INITIAL_CAPACITY = 1024


class VectorIndex:
    """A resizable hnswlib index stored in a library folder."""

    def __init__(self, folder: Path, dim: int) -> None:
        self.folder = folder
        self.dim = dim
        self.path = folder / INDEX_FILENAME
        self.state_path = folder / STATE_FILENAME
        self.synced_seq = 0
        self._lock = threading.RLock()
        self._index = hnswlib.Index(space="ip", dim=dim)
        self._live: set[int] = set()
        self.loaded_from_disk = False
        if self.path.exists() and self.state_path.exists():
            try:
                state = json.loads(self.state_path.read_text())
                if int(state["dim"]) != dim:
                    raise ValueError("dimension changed")
                self._index.load_index(str(self.path), max_elements=0)
                self._live = set(int(i) for i in state.get("live", []))
                self.synced_seq = int(state.get("synced_seq", 0))
                self.loaded_from_disk = True
            except (OSError, RuntimeError, ValueError, KeyError, json.JSONDecodeError):
                self._fresh()
        else:
            self._fresh()
        self._index.set_ef(DEFAULT_EF)

    def _fresh(self) -> None:
        self._index = hnswlib.Index(space="ip", dim=self.dim)
        self._index.init_index(max_elements=INITIAL_CAPACITY, ef_construction=EF_CONSTRUCTION, M=M)
        self._live = set()
        self.synced_seq = 0
        self.loaded_from_disk = False

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

    def search(self, vector: np.ndarray, k: int, ef: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(ids, similarities)`` of up to ``k`` nearest vectors, best first."""
        with self._lock:
            k = min(k, len(self._live))
            if k <= 0:
                return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
            self._index.set_ef(max(ef or DEFAULT_EF, k))
            labels, distances = self._index.knn_query(np.asarray(vector, dtype=np.float32).reshape(1, -1), k=k)
            return labels[0].astype(np.int64), (1.0 - distances[0]).astype(np.float32)

    def get_vectors(self, ids: list[int] | np.ndarray) -> np.ndarray:
        """The stored vectors of ``ids`` (which must be live)."""
        with self._lock:
            if len(ids) == 0:
                return np.empty((0, self.dim), dtype=np.float32)
            return np.asarray(self._index.get_items(list(map(int, ids))), dtype=np.float32)

    def save(self, synced_seq: int) -> None:
        """Write the index and its state atomically (temp file + rename)."""
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp_state = self.state_path.with_name(self.state_path.name + ".tmp")
            try:
                self._index.save_index(str(tmp))
                # hnswlib does not report write errors: check the file is complete.
                if tmp.stat().st_size != self._index.index_file_size():
                    raise OSError(errno.ENOSPC, "No space left on device (the index file was written incompletely)")
                _fsync_file(tmp)
                os.replace(tmp, self.path)
                state = {"dim": self.dim, "synced_seq": int(synced_seq), "live": sorted(self._live)}
                tmp_state.write_text(json.dumps(state))
                _fsync_file(tmp_state)
                os.replace(tmp_state, self.state_path)
            except BaseException:
                tmp.unlink(missing_ok=True)  # the previous complete files stay in place
                tmp_state.unlink(missing_ok=True)
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


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
