"""The duplicate finder of a library: incremental candidate pairs, tiered groups, "not duplicates" marks.

:class:`DuplicateFinder` is reached as ``lib.duplicates``; it gets the database,
the vector index and the writable check through its constructor and never sees
the :class:`artseek.library.Library`. :meth:`DuplicateFinder.find` first looks
for the candidates of images that have none yet for their current embedding and
perceptual hash (new, changed or backfilled images: the rest of the library is
not queried again), stores them, then groups everything stored (see
:mod:`artseek.duplicates.grouping`). A read-only library is grouped from
candidates computed in memory and nothing is stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

import artseek.duplicates.store as store
from artseek.duplicates.candidates import QUERY_CHUNK, Pairs, candidate_pairs
from artseek.duplicates.grouping import RawGroup, group
from artseek.duplicates.report import DuplicateGroup, DuplicateMember, DuplicateReport
from artseek.duplicates.tiers import IDENTICAL, TIERS, Thresholds
from artseek.errors import ArtSeekError
from artseek.storage import Database
from artseek.vectors import VectorIndex

# (what is being done, done, total): "checking" new images against the library, then "grouping"
DuplicateProgress = Callable[[str, int, int], None]


class DuplicateGroupError(ArtSeekError):
    """A group named by the curator is not (or no longer) among the groups found."""


class DuplicateFinder:
    def __init__(self, db: Database, vectors: Callable[[], VectorIndex | None], read_only: Callable[[], bool],
                 require_writable: Callable[[], None]) -> None:
        self.db = db
        self.vectors = vectors
        self.read_only = read_only
        self.require_writable = require_writable

    # ----------------------------------------------------------- find
    def find(self, thresholds: Thresholds | None = None, tiers: tuple[str, ...] = TIERS,
             progress: DuplicateProgress | None = None, cancelled: Callable[[], bool] = lambda: False
             ) -> DuplicateReport:
        """Check new images against the library, then group the whole library by tier."""
        start = time.perf_counter()
        thresholds = thresholds or Thresholds()
        view = store.load_view(self.db)
        checked, pairs = self._update(view, progress, cancelled)
        if progress:
            progress("grouping", 0, 1)
        marks, kept = store.load_dismissals(self.db, view)
        raw = group(view.ids, view.units, pairs, thresholds, marks, kept, tiers)
        groups = self._describe(raw, view)
        if progress:
            progress("grouping", 1, 1)
        return DuplicateReport(groups, thresholds, len(view.ids), checked, len({m for s in marks.values() for m in s})
                               + len(kept), time.perf_counter() - start)

    def update(self, progress: DuplicateProgress | None = None,
               cancelled: Callable[[], bool] = lambda: False) -> int:
        """Only look for the candidates of new and changed images (e.g. after indexing); returns how many."""
        return self._update(store.load_view(self.db), progress, cancelled)[0]

    def _update(self, view: store.LibraryView, progress: DuplicateProgress | None,
                cancelled: Callable[[], bool]) -> tuple[int, Pairs]:
        vectors = self.vectors()
        writable = not self.read_only()
        todo = store.pending(self.db, view) if writable else view.ids
        if vectors is not None:
            todo = todo[np.isin(todo, np.fromiter(vectors.ids, dtype=np.int64))]
        else:
            todo = todo[:0]
        found: list[Pairs] = []

        def fetch(ids: np.ndarray) -> np.ndarray:
            return store.load_vectors(self.db, ids)

        done = 0
        for start in range(0, len(todo), QUERY_CHUNK):
            if cancelled():
                break
            if progress:
                progress("checking", done, len(todo))
            chunk = todo[start:start + QUERY_CHUNK]
            found.append(candidate_pairs(vectors, chunk, view.phashes, fetch))
            done += len(chunk)
        if progress:
            progress("checking", done, len(todo))
        new = Pairs.concat(found)
        if writable:
            if done:
                store.replace_pairs(self.db, todo[:done], new, view)
            return done, store.check_pixels(self.db, store.load_pairs(self.db), write=True)
        return done, store.check_pixels(self.db, new, write=False)

    def _describe(self, raw: list[RawGroup], view: store.LibraryView) -> list[DuplicateGroup]:
        ids = sorted({i for g in raw for i in g.image_ids})
        rows = store.image_rows(self.db, ids)
        copies = np.bincount(view.units, minlength=len(view.unit_hashes)) if len(view.units) else np.zeros(0)
        unit_of = dict(zip(view.ids.tolist(), view.units.tolist()))
        out = []
        for g in raw:
            members = []
            for i in g.image_ids:
                if i not in rows:
                    continue
                m = DuplicateMember.from_row(i, rows[i], int(copies[unit_of[i]]) if i in unit_of else 1)
                if g.tier != IDENTICAL and i in g.best:
                    m.similarity, bits = round(g.best[i][0], 4), g.best[i][1]
                    m.hash_bits = None if bits < 0 else bits
                m.stands_for = i in g.linked
                members.append(m)
            if len(members) > 1:
                out.append(DuplicateGroup(g.key, g.tier, members))
        return out

    # ------------------------------------------------- the curator's marks
    def not_duplicates(self, group: DuplicateGroup) -> None:
        """Remember that ``group``'s images are not duplicates (by content: survives re-scans and moves)."""
        self.require_writable()
        hashes = [m.content_hash or f"id:{m.image_id}" for m in group.members]
        store.dismiss(self.db, group.tier, hashes[:1] if group.tier == IDENTICAL else hashes)

    def not_duplicates_key(self, key: str, thresholds: Thresholds | None = None) -> DuplicateGroup:
        """:meth:`not_duplicates` for the group named ``key`` (as ``find`` with ``thresholds`` names it)."""
        report = self.find(thresholds)
        found = report.group(key)
        if found is None:
            raise DuplicateGroupError(f"There is no duplicate group '{key}' (with these thresholds).",
                                      "List the groups with 'main.py duplicates' and use a key it prints, with "
                                      "the same --similar-threshold.")
        self.not_duplicates(found)
        return found

    def forget_marks(self) -> int:
        """Forget every "not duplicates" mark; returns how many there were."""
        self.require_writable()
        return store.forget_dismissals(self.db)

