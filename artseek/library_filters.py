"""Filtered search and search history of a library: which images a search may return, and its recent searches.

A mixin of :class:`artseek.library.Library` (it uses the library's ``db`` and
vector index), kept apart so that the library module holds one job.
:meth:`allowed` turns a :class:`SearchFilter` into the
:class:`artseek.search.ranking.Allowed` set every kind of search ranks
within: the ids from SQLite on every search (so a changed tag or collection
counts at once), and, for a set of up to :data:`EXACT_LIMIT` images, their
stored vectors for an exact ranking, read once and kept while the same images
pass the filter and no embedding changed.
"""

from __future__ import annotations

import hashlib
import threading


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
        ids = self.vectors.live_subset(allowed_ids(self.db, flt))
        if len(ids) > EXACT_LIMIT:
            return Allowed(ids=ids, vectors=None, members=set(ids.tolist()))
        key = (hashlib.blake2b(ids.tobytes(), digest_size=16).digest(), self.db.max_seq())
        cache = self._allowed_cache()
        with self._filter_lock():
            found = cache.get(key)
        if found is not None:
            return found
        allowed = Allowed(ids=ids, vectors=stored_vectors(self.db, ids, self.vectors.dim))
        with self._filter_lock():
            cache[key] = allowed
            while len(cache) > CACHED_FILTERS:
                cache.pop(next(iter(cache)))
        return allowed

    def filter_options(self) -> FilterOptions:
        """What can be filtered on: imported folders, formats present, tag values, collections."""
        return filter_options(self.db)

    @property
    def history(self) -> SearchHistory:
        """The recent searches of this library (see :mod:`artseek.history`)."""
        return SearchHistory(self.db, self.require_writable, self.read_only)

    def _allowed_cache(self) -> dict:
        cache = self.__dict__.get("_allowed_sets")
        if cache is None:
            cache = self.__dict__.setdefault("_allowed_sets", {})
        return cache

    def _filter_lock(self) -> threading.Lock:
        return self.__dict__.setdefault("_allowed_lock", threading.Lock())


__all__ = ["LibraryFilters"]
