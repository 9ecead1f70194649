"""Filtered search and search history of a library: which images a search may return, and its recent searches.

A mixin of :class:`artseek.library.Library` (it uses the library's ``db`` and
vector index), kept apart so that the library module holds one job.
:meth:`allowed` turns a :class:`SearchFilter` into the
:class:`artseek.search.ranking.Allowed` set every kind of search ranks
within: the ids from SQLite, read again whenever anything was written to the
database since (SQLite's ``data_version``: a changed tag or collection counts
at once), and, for a set of up to :data:`EXACT_LIMIT` images, their stored
vectors for an exact ranking, read once and kept while the same images pass
the filter and no embedding changed.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable

import numpy as np

from artseek.history import SearchHistory
from artseek.search.filters import SearchFilter
from artseek.search.ranking import EXACT_LIMIT, Allowed
from artseek.storage import Database
from artseek.storage.filter_queries import FilterOptions, allowed_ids, filter_options, stored_vectors
from artseek.vectors import VectorIndex

CACHED_FILTERS = 4  # allowed sets kept (with their vectors) for the filters used last


class LibraryFilters:
    """Mixin of :class:`artseek.library.Library`: filters on search, and the search history."""

    db: Database
    vectors: VectorIndex
    read_only: bool

    def require_writable(self) -> None:  # pragma: no cover - Library's
        raise NotImplementedError

    def allowed(self, flt: SearchFilter | None) -> Allowed | None:
        """The images ``flt`` lets through, ready for ranking (None: no filter). Unknown values raise QueryError."""
        if flt is None or flt.is_empty():
            return None
        version = self._data_version()
        with self._filter_lock():
            hit = self._cache("_allowed_by_filter").get(flt)
        if hit is not None and version is not None and hit[0] == version:
            return hit[1]
        ids = self.vectors.live_subset(allowed_ids(self.db, flt))
        if len(ids) > EXACT_LIMIT:
            allowed = Allowed(ids=ids, vectors=None, members=set(ids.tolist()))
        else:
            key = (hashlib.blake2b(ids.tobytes(), digest_size=16).digest(), self.db.max_seq())
            with self._filter_lock():
                allowed = self._cache("_allowed_vectors").get(key)
            if allowed is None:
                allowed = Allowed(ids=ids, vectors=stored_vectors(self.db, ids, self.vectors.dim))
                self._remember("_allowed_vectors", key, allowed)
        self._remember("_allowed_by_filter", flt, (version, allowed))
        return allowed

    def allowed_within(self, image_ids: Iterable[int], allowed: Allowed | None = None) -> Allowed:
        """The images of ``image_ids`` (a collection opened as the view) that are searchable and pass ``allowed``
        (a filter's set, or None), with their stored vectors: a scoped search is ranked exactly over them."""
        ids = self.vectors.live_subset(np.fromiter(dict.fromkeys(int(i) for i in image_ids), dtype=np.int64))
        if allowed is not None:
            ids = ids[np.isin(ids, allowed.ids)]
        return Allowed(ids=ids, vectors=stored_vectors(self.db, ids, self.vectors.dim))

    def _data_version(self) -> int | None:
        """SQLite's ``data_version`` seen from a connection of its own: it changes whenever anything (this process
        or another) commits to the database, so a filter's ids are read again only then. None: not available."""
        with self._filter_lock():
            conn = self.__dict__.get("_version_connection")
            try:
                if conn is None:
                    conn = sqlite3.connect(f"file:{self.db.path.as_posix()}?mode=ro", uri=True,
                                           check_same_thread=False, timeout=1)
                    self.__dict__["_version_connection"] = conn
                return int(conn.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error:
                return None

    def release_filters(self) -> None:
        """Close the connection :meth:`_data_version` opened (on closing the library)."""
        conn = self.__dict__.pop("_version_connection", None)
        if conn is not None:
            conn.close()

    def filter_options(self) -> FilterOptions:
        """What can be filtered on: imported folders, formats present, tag values, collections."""
        return filter_options(self.db)

    @property
    def history(self) -> SearchHistory:
        """The recent searches of this library (see :mod:`artseek.history`)."""
        return SearchHistory(self.db, self.require_writable, self.read_only)

    def _cache(self, name: str) -> dict:
        return self.__dict__.setdefault(name, {})

    def _remember(self, name: str, key: object, value: object) -> None:
        with self._filter_lock():
            cache = self._cache(name)
            cache.pop(key, None)
            cache[key] = value
            while len(cache) > CACHED_FILTERS:
                cache.pop(next(iter(cache)))

    def _filter_lock(self) -> threading.RLock:
        return self.__dict__.setdefault("_allowed_lock", threading.RLock())


__all__ = ["LibraryFilters"]
