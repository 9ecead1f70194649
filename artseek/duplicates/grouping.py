"""Groups from pairs: connected components (union-find) per tier, each picture in its strongest tier.

The unit is the *picture* (a content hash): the files of one content form an
*identical* group; near-identical and similar groups link pictures, each shown
by one file (its representative, the lowest image id). Components are nested:
near-identical components are made of near-identical links; similar components
join near-identical components (and single pictures) by similar links. A
picture is listed in the strongest tier that links it to another; a similar
group holding a near-identical group shows that group by its representative
(marked ``linked``), so the link between the two groups is not lost.

A "not duplicates" mark removes every link between the pictures it names, so
its group is not formed again; a new picture joining them forms a group again,
which is worth a second look.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from artseek.duplicates.candidates import Pairs
from artseek.duplicates.tiers import IDENTICAL, NEAR, SIMILAR, Thresholds
from artseek.duplicates.unionfind import UnionFind


@dataclass
class RawGroup:
    """A group as image ids: the tier, the member ids (representatives for near/similar), best links."""

    tier: str
    image_ids: list[int]
    linked: list[int] = field(default_factory=list)  # members shown for a stronger group they stand for
    best: dict[int, tuple[float, int]] = field(default_factory=dict)  # id -> (similarity, bits) of its best link

    @property
    def key(self) -> str:
        """A stable name for the group: its tier and smallest image id (e.g. ``near-12``)."""
        return f"{self.tier}-{min(self.image_ids)}"


def group(image_ids: np.ndarray, units: np.ndarray, pairs: Pairs, thresholds: Thresholds,
          dismissed: Mapping[int, frozenset[int]] | None = None, identical_dismissed: set[int] | None = None,
          tiers: tuple[str, ...] = (IDENTICAL, NEAR, SIMILAR)) -> list[RawGroup]:
    """Groups of ``image_ids`` (indexed images; ``units[i]`` the picture index of ``image_ids[i]``).

    ``pairs`` are image-id pairs; those of absent images are ignored. ``dismissed`` maps a picture index
    to the "not duplicates" marks naming it; ``identical_dismissed`` the pictures whose copies the curator
    keeps on purpose.
    """
    dismissed = dismissed or {}
    identical_dismissed = identical_dismissed or set()
    image_ids = np.asarray(image_ids, dtype=np.int64)
    units = np.asarray(units, dtype=np.int64)
    n_units = int(units.max()) + 1 if len(units) else 0
    order = np.argsort(image_ids, kind="stable")
    sorted_ids = image_ids[order]
    # the representative of a picture: its lowest image id
    rep = np.full(n_units, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(rep, units, image_ids)
    out: list[RawGroup] = []

    if IDENTICAL in tiers:
        counts = np.bincount(units, minlength=n_units)
        for u in np.nonzero(counts > 1)[0].tolist():
            if u not in identical_dismissed:
                out.append(RawGroup(IDENTICAL, sorted(image_ids[units == u].tolist())))
    if NEAR not in tiers and SIMILAR not in tiers:
        return _sorted(out)

    ua, ub, p = _unit_pairs(pairs, sorted_ids, units[order])
    if dismissed and len(ua):
        keep = np.array([not (dismissed.get(a, frozenset()) & dismissed.get(b, frozenset()))
                         for a, b in zip(ua.tolist(), ub.tolist())], dtype=bool)
        ua, ub, p = ua[keep], ub[keep], p.select(keep)
    near = thresholds.is_near(p)
    similar = thresholds.is_similar(p.similarity) & ~near
    sims, bits = p.similarity, np.minimum(p.hamming, p.cross)

    uf = UnionFind(n_units)
    uf.union_all(ua[near], ub[near])
    best = _best_links(ua, ub, sims, bits, similar)
    best.update(_best_links(ua, ub, sims, bits, near))  # in a near group: its closest near link
    near_units = np.unique(np.concatenate([ua[near], ub[near]]))
    near_groups = {root: members for root, members in uf.components(near_units).items() if len(members) > 1}
    if NEAR in tiers:
        for members in near_groups.values():
            ids = sorted(rep[members].tolist())
            out.append(RawGroup(NEAR, ids, best={int(rep[m]): best[m] for m in members if m in best}))
    if SIMILAR in tiers:
        uf2 = uf.copy()
        uf2.union_all(ua[similar], ub[similar])
        sim_units = np.unique(np.concatenate([ua[similar], ub[similar]]))
        for members in uf2.components(sim_units).values():
            blocks = sorted({uf.find(m) for m in members})
            if len(blocks) < 2:
                continue
            shown, linked = [], []
            for b in blocks:
                if b in near_groups:
                    r = int(min(rep[near_groups[b]]))
                    linked.append(r)
                else:
                    r = int(rep[b])
                shown.append(r)
            unit_of_rep = {int(rep[m]): m for m in members}
            out.append(RawGroup(SIMILAR, sorted(shown), sorted(linked),
                                best={r: best[unit_of_rep[r]] for r in shown
                                      if r in unit_of_rep and unit_of_rep[r] in best}))
    return _sorted(out)


def _sorted(groups: list[RawGroup]) -> list[RawGroup]:
    rank = {IDENTICAL: 0, NEAR: 1, SIMILAR: 2}
    return sorted(groups, key=lambda g: (rank[g.tier], min(g.image_ids)))


def _unit_pairs(pairs: Pairs, sorted_ids: np.ndarray,
                sorted_units: np.ndarray) -> tuple[np.ndarray, np.ndarray, Pairs]:
    """The pairs as picture pairs (``a < b``), without those of absent images or within one picture."""
    if not len(pairs) or not len(sorted_ids):
        e = np.empty(0, np.int64)
        return e, e, Pairs.empty()
    pa = np.clip(np.searchsorted(sorted_ids, pairs.a), 0, len(sorted_ids) - 1)
    pb = np.clip(np.searchsorted(sorted_ids, pairs.b), 0, len(sorted_ids) - 1)
    present = (sorted_ids[pa] == pairs.a) & (sorted_ids[pb] == pairs.b)
    ua, ub = sorted_units[pa], sorted_units[pb]
    keep = present & (ua != ub)
    ua, ub = ua[keep], ub[keep]
    return np.minimum(ua, ub), np.maximum(ua, ub), pairs.select(keep)


def _best_links(ua: np.ndarray, ub: np.ndarray, sims: np.ndarray, bits: np.ndarray,
                used: np.ndarray) -> dict[int, tuple[float, int]]:
    """Picture -> (similarity, bits) of its closest link among ``used``: fewest known hash bits, then
    most similar."""
    best: dict[int, tuple[float, int]] = {}
    rank: dict[int, tuple[int, float]] = {}
    for a, b, s, h in zip(ua[used].tolist(), ub[used].tolist(), sims[used].tolist(), bits[used].tolist()):
        key = (h if h >= 0 else 65, -s)
        for u in (a, b):
            if u not in rank or key < rank[u]:
                rank[u], best[u] = key, (float(s), int(h))
    return best
