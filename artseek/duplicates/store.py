"""The duplicate finder's reads and writes of the library database (bulk, in SQL, for 100k images)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.exc import OperationalError

from artseek.duplicates.candidates import HashTable, Pairs
from artseek.duplicates.pixels import UNCOMPARABLE, Signature, distances, signature
from artseek.duplicates.tiers import IDENTICAL, PIXEL_CHECK_BITS
from artseek.storage import (
    Database,
    DuplicateDismissal,
    DuplicateDismissalMember,
    DuplicatePair,
    Image,
    ImageStatus,
)

CHUNK = 500


@dataclass
class LibraryView:
    """The indexed images as the finder needs them, in increasing id order."""

    ids: np.ndarray  # image ids
    units: np.ndarray  # picture index of each (images of one content hash share it)
    unit_hashes: list[str]  # content hash of each picture
    seqs: np.ndarray  # embedding seq of each
    phashes: HashTable  # perceptual hashes of those that have one

    def unit_index(self) -> dict[str, int]:
        return {h: i for i, h in enumerate(self.unit_hashes)}


def load_view(db: Database) -> LibraryView:
    """Every indexed image with an embedding: id, content hash, embedding seq and perceptual hash."""
    with db.session() as s:
        conn = s.connection()
        try:
            rows = conn.exec_driver_sql(
                "SELECT i.id, i.content_hash, e.seq, i.phash, i.phash_crop FROM images i "
                "JOIN embeddings e ON e.image_id = i.id "
                "WHERE i.status = ? ORDER BY i.id", (ImageStatus.INDEXED,)).fetchall()
        except OperationalError:  # a read-only library from before the perceptual hash: no hashes
            rows = [(*r, None, None) for r in conn.exec_driver_sql(
                "SELECT i.id, i.content_hash, e.seq FROM images i JOIN embeddings e ON e.image_id = i.id "
                "WHERE i.status = ? ORDER BY i.id", (ImageStatus.INDEXED,)).fetchall()]
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    keys = [r[1] or f"id:{r[0]}" for r in rows]
    unit_hashes, units = np.unique(np.array(keys, dtype=object), return_inverse=True) if keys else ([], [])
    seqs = np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(rows))
    hashed = [r for r in rows if r[3] is not None and r[4] is not None]
    table = HashTable(np.array([h[0] for h in hashed], dtype=np.int64), np.array([h[3] for h in hashed], np.int64),
                      np.array([h[4] for h in hashed], np.int64))
    return LibraryView(ids, np.asarray(units, dtype=np.int64), [str(h) for h in unit_hashes], seqs, table)


def pending(db: Database, view: LibraryView) -> np.ndarray:
    """Image ids whose candidates are not known for their current embedding and hash."""
    with db.session() as s:
        checks = s.connection().exec_driver_sql("SELECT image_id, seq, phash FROM duplicate_checks").fetchall()
    done = {r[0]: (r[1], r[2]) for r in checks}
    hashes, _, known = view.phashes.lookup(view.ids)
    out = [i for i, seq, h, k in zip(view.ids.tolist(), view.seqs.tolist(), hashes.tolist(), known.tolist())
           if done.get(i) != (seq, h if k else None)]
    return np.array(out, dtype=np.int64)


def replace_pairs(db: Database, ids: np.ndarray, pairs: Pairs, view: LibraryView) -> None:
    """Forget the pairs of ``ids``, store ``pairs`` and record ``ids`` as checked, in one transaction."""
    id_list = np.asarray(ids, dtype=np.int64).tolist()
    position = {i: p for p, i in enumerate(view.ids.tolist())}
    hashes, _, known = view.phashes.lookup(ids)
    with db.session() as s:
        conn = s.connection()
        if len(id_list) * 2 > len(view.ids):  # most of the library: start afresh
            conn.exec_driver_sql("DELETE FROM duplicate_pairs")
        else:
            for start in range(0, len(id_list), CHUNK):
                chunk = id_list[start:start + CHUNK]
                s.execute(delete(DuplicatePair).where(DuplicatePair.a_id.in_(chunk)))
                s.execute(delete(DuplicatePair).where(DuplicatePair.b_id.in_(chunk)))
        def bits(values: np.ndarray) -> list[int | None]:
            return [None if h < 0 else h for h in values.tolist()]

        def measured(values: np.ndarray) -> list[float | None]:
            return [None if v < 0 else v for v in values.astype(float).tolist()]

        conn.exec_driver_sql(
            "INSERT OR REPLACE INTO duplicate_pairs (a_id, b_id, similarity, hamming, cross, centre, mono, pixels, "
            "colour) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            list(zip(pairs.a.tolist(), pairs.b.tolist(), pairs.similarity.astype(float).tolist(),
                     bits(pairs.hamming), bits(pairs.cross), bits(pairs.centre), pairs.mono.tolist(),
                     measured(pairs.pixels), measured(pairs.colour))))
        conn.exec_driver_sql(
            "INSERT OR REPLACE INTO duplicate_checks (image_id, seq, phash) VALUES (?, ?, ?)",
            [(i, int(view.seqs[position[i]]), h if k else None)
             for i, h, k in zip(id_list, hashes.tolist(), known.tolist())])


def load_vectors(db: Database, ids: np.ndarray) -> np.ndarray:
    """The stored embeddings of ``ids`` (one row each, in order, scaled to unit length)."""
    ids = np.asarray(ids, dtype=np.int64)
    found: dict[int, bytes] = {}
    unique = np.unique(ids).tolist()
    with db.session() as s:
        conn = s.connection()
        for start in range(0, len(unique), CHUNK):
            chunk = unique[start:start + CHUNK]
            found.update(conn.exec_driver_sql(
                f"SELECT image_id, vector FROM embeddings WHERE image_id IN ({','.join('?' * len(chunk))})",
                tuple(chunk)).fetchall())
    if not found:
        return np.zeros((len(ids), 0), dtype=np.float32)
    dim = len(next(iter(found.values()))) // 4
    zero = bytes(dim * 4)
    out = np.frombuffer(b"".join(found.get(i, zero) for i in ids.tolist()), dtype=np.float32).reshape(len(ids), dim)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1.0)


def load_pairs(db: Database) -> Pairs:
    with db.session() as s:
        rows = s.connection().exec_driver_sql(
            "SELECT a_id, b_id, similarity, COALESCE(hamming, -1), COALESCE(cross, -1), COALESCE(centre, -1), "
            "COALESCE(mono, 0), COALESCE(pixels, -1), COALESCE(colour, -1) FROM duplicate_pairs").fetchall()
    if not rows:
        return Pairs.empty()
    array = np.array([tuple(r) for r in rows], dtype=np.float64)
    ints = [array[:, c].astype(np.int64) for c in (0, 1, 3, 4, 5, 6)]
    return Pairs(ints[0], ints[1], array[:, 2].astype(np.float32), ints[2], ints[3], ints[4], ints[5],
                 array[:, 7].astype(np.float32), array[:, 8].astype(np.float32))


def signatures(db: Database, ids: list[int]) -> dict[int, Signature]:
    """The pixel-check signatures of ``ids`` from their stored thumbnails (those without one are left out)."""
    out: dict[int, Signature] = {}
    with db.session() as s:
        conn = s.connection()
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            for image_id, jpeg in conn.exec_driver_sql(
                    f"SELECT image_id, jpeg FROM thumbnails WHERE image_id IN ({','.join('?' * len(chunk))})",
                    tuple(chunk)).fetchall():
                found = signature(jpeg)
                if found is not None:
                    out[int(image_id)] = found
    return out


def check_pixels(db: Database, pairs: Pairs, write: bool) -> Pairs:
    """Compare the thumbnails of the pairs close enough in hash that were not compared yet (new pairs, or
    pairs stored before the pixel check), fill in ``pixels``, ``colour`` and ``mono``, and (``write``) store
    them. Each image's thumbnail is read once; the rest of the library is not touched."""
    bits = np.minimum(pairs.hamming, pairs.cross)
    todo = np.nonzero((pairs.pixels < 0) & (pairs.hamming >= 0) & (bits <= PIXEL_CHECK_BITS))[0]
    if not len(todo):
        return pairs
    sigs = signatures(db, np.unique(np.concatenate([pairs.a[todo], pairs.b[todo]])).tolist())
    updates = []
    for k in todo.tolist():
        a, b = int(pairs.a[k]), int(pairs.b[k])
        if a in sigs and b in sigs:
            structure, colour = distances(sigs[a], sigs[b])
            mono = int(sigs[a].mono or sigs[b].mono)
        else:
            structure, colour, mono = UNCOMPARABLE, UNCOMPARABLE, int(pairs.mono[k])
        pairs.pixels[k], pairs.colour[k], pairs.mono[k] = structure, colour, mono
        updates.append((structure, colour, mono, a, b))
    if write:
        with db.session() as s:
            s.connection().exec_driver_sql(
                "UPDATE duplicate_pairs SET pixels = ?, colour = ?, mono = ? WHERE a_id = ? AND b_id = ?", updates)
    return pairs


def load_dismissals(db: Database, view: LibraryView) -> tuple[dict[int, frozenset[int]], set[int]]:
    """``(picture index -> its marks, pictures whose identical copies are kept on purpose)``."""
    index = view.unit_index()
    marks: dict[int, set[int]] = {}
    identical: set[int] = set()
    with db.session() as s:
        rows = s.execute(select(DuplicateDismissal.id, DuplicateDismissal.tier, DuplicateDismissalMember.content_hash)
                         .join(DuplicateDismissalMember)).all()
    sizes: dict[int, int] = {}
    for mark, _, _ in rows:
        sizes[mark] = sizes.get(mark, 0) + 1
    for mark, tier, content in rows:
        unit = index.get(content)
        if unit is None:
            continue
        if tier == IDENTICAL and sizes[mark] == 1:
            identical.add(unit)
        else:
            marks.setdefault(unit, set()).add(mark)
    return {u: frozenset(m) for u, m in marks.items()}, identical


def dismiss(db: Database, tier: str, content_hashes: list[str]) -> int:
    """Record "not duplicates" for the pictures ``content_hashes``; returns the mark's id."""
    with db.session() as s:
        mark = DuplicateDismissal(tier=tier)
        s.add(mark)
        s.flush()
        for content in sorted(set(content_hashes)):
            s.add(DuplicateDismissalMember(dismissal_id=mark.id, content_hash=content))
        return mark.id


def forget_dismissals(db: Database) -> int:
    """Remove every "not duplicates" mark; returns how many there were."""
    with db.session() as s:
        count = s.query(DuplicateDismissal).count()
        s.execute(delete(DuplicateDismissalMember))
        s.execute(delete(DuplicateDismissal))
        return count


def image_rows(db: Database, ids: list[int]) -> dict[int, dict]:
    """Path, size, dimensions, format, date and content hash of ``ids``."""
    out: dict[int, dict] = {}
    with db.session() as s:
        for start in range(0, len(ids), CHUNK):
            for r in s.execute(select(Image.id, Image.path, Image.size, Image.width, Image.height, Image.format,
                                      Image.mtime_ns, Image.content_hash)
                               .where(Image.id.in_(ids[start:start + CHUNK]))):
                out[r.id] = dict(path=r.path, size=r.size, width=r.width, height=r.height, format=r.format,
                                 mtime_ns=r.mtime_ns, content_hash=r.content_hash)
    return out


__all__ = ["LibraryView", "dismiss", "forget_dismissals", "image_rows", "load_dismissals", "load_pairs", "load_view",
           "check_pixels", "pending", "replace_pairs"]
