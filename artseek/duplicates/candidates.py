"""Candidate pairs for a set of images: embedding neighbours (hnswlib) and perceptual-hash neighbours.

Only the images to check are queried, against the whole library, so a re-run
after an import costs the new images' queries, not the library's. The hash
side is multi-index hashing: the 64 bits are cut into four 16-bit words and
images that share any word are compared (by the pigeonhole principle every pair
within 3 bits shares one; most pairs within 12 do). Buckets larger than
:data:`MAX_BUCKET` (flat or blank pictures that all hash alike) are skipped:
their pairs still come from the embedding side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from artseek.duplicates.tiers import HASH_CANDIDATE_BITS, NEIGHBOURS, STORE_FLOOR
from artseek.ingest.phash import hamming
from artseek.vectors import VectorIndex

MAX_BUCKET = 64
QUERY_CHUNK = 4096
SEARCH_EF = 32  # hnswlib's ef for the neighbour queries (near duplicates are the nearest; 64 is 1.6x slower)
Fetch = Callable[[np.ndarray], np.ndarray]  # image ids -> their stored (unit) embeddings, one row each


FIELDS = ("a", "b", "similarity", "hamming", "cross", "centre", "mono", "pixels", "colour")


@dataclass
class Pairs:
    """Candidate pairs, ``a < b``: embedding similarity and hash distances (-1: a hash missing).

    ``hamming``: whole picture against whole picture; ``cross``: the lesser of one's whole picture against
    the other's centre (a 90 % crop); ``centre``: centre against centre. ``mono``: 1 when one of the two is
    black and white (then only the hashes can tell: a colour-trained model may put it far away), else 0.
    ``pixels`` and ``colour``: the thumbnails' structure and colour distances (:mod:`.pixels`; -1 not
    compared yet, :data:`~artseek.duplicates.pixels.UNCOMPARABLE` when a thumbnail is missing).
    """

    a: np.ndarray
    b: np.ndarray
    similarity: np.ndarray
    hamming: np.ndarray
    cross: np.ndarray
    centre: np.ndarray
    mono: np.ndarray | None = None
    pixels: np.ndarray | None = None
    colour: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.mono is None:
            self.mono = np.zeros(len(self.a), dtype=np.int64)
        for name in ("pixels", "colour"):
            if getattr(self, name) is None:
                setattr(self, name, np.full(len(self.a), -1.0, dtype=np.float32))

    def __len__(self) -> int:
        return len(self.a)

    @staticmethod
    def empty() -> Pairs:
        e = np.empty(0, np.int64)
        f = np.empty(0, np.float32)
        return Pairs(e, e, f, e, e, e, e, f, f)

    def select(self, keep: np.ndarray) -> Pairs:
        return Pairs(*(getattr(self, f)[keep] for f in FIELDS))

    @staticmethod
    def concat(parts: list[Pairs]) -> Pairs:
        if not parts:
            return Pairs.empty()
        return Pairs(*(np.concatenate([getattr(p, f) for p in parts]) for f in FIELDS))


class HashTable:
    """The perceptual hashes (whole picture, centre) of the library's images, looked up by id in bulk."""

    def __init__(self, ids: np.ndarray, hashes: np.ndarray, centres: np.ndarray | None = None) -> None:
        order = np.argsort(ids, kind="stable")
        self.ids = np.asarray(ids, dtype=np.int64)[order]
        self.hashes = np.asarray(hashes, dtype=np.int64)[order]
        self.centres = (self.hashes if centres is None else np.asarray(centres, dtype=np.int64)[order])

    def __len__(self) -> int:
        return len(self.ids)

    def lookup(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(hashes, centre hashes, known)`` of ``ids`` (0 where ``known`` is False)."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(self.ids):
            z = np.zeros(len(ids), np.int64)
            return z, z, np.zeros(len(ids), bool)
        pos = np.clip(np.searchsorted(self.ids, ids), 0, len(self.ids) - 1)
        known = self.ids[pos] == ids
        return np.where(known, self.hashes[pos], 0), np.where(known, self.centres[pos], 0), known


def hash_distance(ids_a: np.ndarray, ids_b: np.ndarray,
                  table: HashTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(whole, cross, centre)`` bits between ``ids_a[i]`` and ``ids_b[i]`` (see :class:`Pairs`); -1 unknown."""
    ha, ca, ka = table.lookup(ids_a)
    hb, cb, kb = table.lookup(ids_b)
    known = ka & kb
    cross = np.minimum(hamming(ha, cb), hamming(ca, hb))
    return (np.where(known, hamming(ha, hb), -1), np.where(known, cross, -1),
            np.where(known, hamming(ca, cb), -1))


def embedding_neighbours(vectors: VectorIndex, ids: np.ndarray, fetch: Fetch, k: int = NEIGHBOURS,
                         floor: float = STORE_FLOOR) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(a, b, similarity)`` for each of ``ids`` and its ``k`` nearest images at ``floor`` or above."""
    out_a, out_b, out_s = [], [], []
    for start in range(0, len(ids), QUERY_CHUNK):
        chunk = np.asarray(ids[start:start + QUERY_CHUNK], dtype=np.int64)
        labels, sims = vectors.search_many(fetch(chunk), k + 1, ef=max(SEARCH_EF, k + 1))
        if labels.size == 0:
            continue
        a = np.repeat(chunk, labels.shape[1])
        b, s = labels.ravel(), sims.ravel()
        keep = (b != a) & (s >= floor)
        out_a.append(a[keep])
        out_b.append(b[keep])
        out_s.append(s[keep])
    if not out_a:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32)
    return np.concatenate(out_a), np.concatenate(out_b), np.concatenate(out_s).astype(np.float32)


def hash_neighbours(ids: np.ndarray, phashes: HashTable,
                    max_bits: int = HASH_CANDIDATE_BITS) -> tuple[np.ndarray, np.ndarray]:
    """``(a, b)``: pairs of one of ``ids`` and any hashed image sharing a 16-bit word, within ``max_bits``."""
    query_hashes, _, known = phashes.lookup(ids)
    query = np.asarray(ids, dtype=np.int64)[known]
    query_hashes = query_hashes[known].view(np.uint64)
    if not len(query) or len(phashes) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    all_ids, all_hashes = phashes.ids, phashes.hashes.view(np.uint64)
    found_a, found_b = [], []
    for word in range(4):
        keys = ((all_hashes >> np.uint64(16 * word)) & np.uint64(0xFFFF)).astype(np.int64)
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        qkeys = ((query_hashes >> np.uint64(16 * word)) & np.uint64(0xFFFF)).astype(np.int64)
        lo = np.searchsorted(sorted_keys, qkeys, "left")
        hi = np.searchsorted(sorted_keys, qkeys, "right")
        counts = hi - lo
        ok = (counts > 1) & (counts <= MAX_BUCKET)
        for qi in np.nonzero(ok)[0]:
            members = all_ids[order[lo[qi]:hi[qi]]]
            members = members[members != query[qi]]
            found_a.append(np.full(len(members), query[qi]))
            found_b.append(members)
    if not found_a:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    a, b = np.concatenate(found_a), np.concatenate(found_b)
    whole, cross, _ = hash_distance(a, b, phashes)
    keep = np.minimum(whole, cross) <= max_bits
    return a[keep], b[keep]


def candidate_pairs(vectors: VectorIndex, ids: np.ndarray, phashes: HashTable, fetch: Fetch,
                    k: int = NEIGHBOURS, floor: float = STORE_FLOOR, max_bits: int = HASH_CANDIDATE_BITS) -> Pairs:
    """The candidate pairs of ``ids`` (live in ``vectors``) against the whole library, deduplicated.

    ``fetch`` gives stored embeddings (read from the database: hnswlib's ``get_items`` is 20x slower)."""
    ids = np.asarray(ids, dtype=np.int64)
    if not len(ids):
        return Pairs.empty()
    ea, eb, es = embedding_neighbours(vectors, ids, fetch, k, floor)
    ha, hb = hash_neighbours(ids, phashes, max_bits)
    if len(ha):
        live = np.fromiter(vectors.ids, dtype=np.int64)
        alive = np.isin(hb, live)
        ha, hb = ha[alive], hb[alive]
    if len(ha):
        va, vb = fetch(ha), fetch(hb)
        hs = np.einsum("ij,ij->i", va, vb).astype(np.float32)
    else:
        hs = np.empty(0, np.float32)
    a, b = np.concatenate([ea, ha]), np.concatenate([eb, hb])
    sims = np.concatenate([es, hs])
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    _, first = np.unique(lo * (1 << 32) + hi, return_index=True)
    lo, hi, sims = lo[first], hi[first], sims[first]
    return Pairs(lo, hi, sims, *hash_distance(lo, hi, phashes))
