"""A curator's collections: named, ordered sets of images with notes, stored in the library.

:class:`CollectionService` is reached as ``lib.collections``. It gets the database,
the library folder and the writable check through its constructor; it never sees the ``Library``.

Items keep the image's content hash and last path beside its id (see
:mod:`artseek.storage.collection_models`). :meth:`CollectionService.relink`
re-attaches items whose image row went away or went missing (a folder removed
and imported again, a file moved while no embedding could be carried over, e.g.
after a re-index with another model) to the indexed image of the same content;
the library runs it after every indexing run and on open. Every write is one
SQLite transaction, so a kill -9 leaves either the state before or after it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

import artseek.collections.export as export
from artseek.collections.errors import CollectionError
from artseek.collections.export import CopyReport, ExportEntry, SheetEntry
from artseek.storage import Collection, CollectionItem, Database, Image, ImageStatus
from artseek.search.results import SearchResult
from artseek.storage.errors import guarded
from artseek.storage.queries import search_results
from artseek.storage.models import utc_now

MAX_NAME = 200


@dataclass(frozen=True)
class CollectionInfo:
    """A collection as listed: id, name, note, item count."""

    id: int
    name: str
    note: str
    items: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ItemInfo:
    """An item of a collection, resolved to the library now: ``image_id`` None when its image is not in the
    library (its folder removed, or the file not seen since it moved); ``indexed`` False when not searchable."""

    id: int
    position: int
    image_id: int | None
    path: str
    content_hash: str | None
    note: str
    indexed: bool

    def to_dict(self) -> dict:
        return asdict(self)


def clean_name(name: str) -> str:
    text = " ".join((name or "").split())
    if not text:
        raise CollectionError("A collection needs a name.", "Type a name, e.g. 'Loan request 2026'.")
    if len(text) > MAX_NAME:
        raise CollectionError(f"The name is {len(text)} characters long.", f"Use at most {MAX_NAME} characters.")
    return text


class CollectionService:
    """Create, fill, order, annotate and list collections (``lib.collections``)."""

    def __init__(self, db: Database, folder: Path, require_writable: Callable[[], None]) -> None:
        self.db = db
        self.folder = folder  # for readable storage errors (``@guarded``)
        self._require_writable = require_writable

    # ---------------------------------------------------------------- reading
    def list(self) -> list[CollectionInfo]:
        if not self._tables_exist():  # a library of an older version opened read-only (not upgraded in place)
            return []
        with self.db.session() as s:
            counts = dict(s.execute(select(CollectionItem.collection_id, func.count())
                                    .group_by(CollectionItem.collection_id)).all())
            rows = s.scalars(select(Collection).order_by(Collection.position, func.lower(Collection.name))).all()
            return [CollectionInfo(c.id, c.name, c.note or "", counts.get(c.id, 0)) for c in rows]

    def get(self, ref: int | str) -> CollectionInfo:
        """A collection by id or by name (names are matched ignoring case)."""
        with self.db.session() as s:
            row = self._find(s, ref)
            n = s.scalar(select(func.count()).where(CollectionItem.collection_id == row.id))
            return CollectionInfo(row.id, row.name, row.note or "", int(n or 0))

    def items(self, ref: int | str) -> list[ItemInfo]:
        """The items in their order, resolved to the images of the library now."""
        with self.db.session() as s:
            row = self._find(s, ref)
            q = (select(CollectionItem, Image.status, Image.path)
                 .outerjoin(Image, Image.id == CollectionItem.image_id)
                 .where(CollectionItem.collection_id == row.id)
                 .order_by(CollectionItem.position, CollectionItem.id))
            return [ItemInfo(it.id, it.position, it.image_id, image_path or it.path, it.content_hash, it.note or "",
                             status == ImageStatus.INDEXED)
                    for it, status, image_path in s.execute(q)]

    def image_ids(self, ref: int | str) -> list[int]:
        """The indexed images of a collection, in its order (for a search scoped to it)."""
        return [i.image_id for i in self.items(ref) if i.image_id is not None and i.indexed]

    def results(self, ref: int | str) -> list[SearchResult]:
        """The indexed images of a collection as search results, in its order: a collection view. Their score is
        NaN: no search ranked them (the window shows their position instead)."""
        return search_results(self.db, [(i, float("nan")) for i in self.image_ids(ref)])

    def containing(self, image_id: int) -> list[str]:
        """Names of the collections an image is in."""
        with self.db.session() as s:
            return list(s.scalars(select(Collection.name).join(CollectionItem)
                                  .where(CollectionItem.image_id == image_id).order_by(Collection.name)))

    # ---------------------------------------------------------- collections
    @guarded
    def create(self, name: str, note: str = "") -> CollectionInfo:
        self._require_writable()
        name = clean_name(name)
        with self.db.session() as s:
            self._refuse_taken(s, name)
            last = s.scalar(select(func.coalesce(func.max(Collection.position), -1)))
            row = Collection(name=name, note=note or None, position=int(last) + 1)
            s.add(row)
            s.flush()
            return CollectionInfo(row.id, row.name, note or "", 0)

    @guarded
    def rename(self, ref: int | str, new_name: str) -> CollectionInfo:
        self._require_writable()
        new_name = clean_name(new_name)
        with self.db.session() as s:
            row = self._find(s, ref)
            if new_name.lower() != row.name.lower():
                self._refuse_taken(s, new_name)
            row.name, row.updated_at = new_name, utc_now()
        return self.get(row.id)

    @guarded
    def delete(self, ref: int | str) -> int:
        """Delete a collection (the images stay in the library); returns how many items it held."""
        self._require_writable()
        with self.db.session() as s:
            row = self._find(s, ref)
            n = s.scalar(select(func.count()).where(CollectionItem.collection_id == row.id))
            s.execute(delete(CollectionItem).where(CollectionItem.collection_id == row.id))
            s.delete(row)
        return int(n or 0)

    @guarded
    def set_note(self, ref: int | str, note: str) -> None:
        self._require_writable()
        with self.db.session() as s:
            row = self._find(s, ref)
            row.note, row.updated_at = (note or None), utc_now()

    # ---------------------------------------------------------------- items
    @guarded
    def add(self, ref: int | str, image_ids: Iterable[int]) -> int:
        """Append images (in the order given) that the collection does not hold yet; returns how many were added."""
        self._require_writable()
        wanted = list(dict.fromkeys(int(i) for i in image_ids))
        with self.db.session() as s:
            row = self._find(s, ref)
            images = {r.id: r for r in s.execute(select(Image.id, Image.path, Image.content_hash)
                                                 .where(Image.id.in_(wanted)))} if wanted else {}
            unknown = [i for i in wanted if i not in images]
            if unknown:
                raise CollectionError(f"There is no image {unknown[0]} in this library.",
                                      "Add images that are in the library (search for them first).")
            held = s.execute(select(CollectionItem.image_id, CollectionItem.content_hash)
                             .where(CollectionItem.collection_id == row.id)).all()
            held_ids = {i for i, _ in held if i is not None}
            # An item whose image is gone (moved, its folder removed) waits for its picture by content hash: the
            # same picture added again is that item, not a new one. Two files with the same content (the
            # identical copies the duplicate finder shows) are two items.
            held_hashes = {h for i, h in held if h and i is None}
            position = int(s.scalar(select(func.coalesce(func.max(CollectionItem.position), -1))
                                    .where(CollectionItem.collection_id == row.id)))
            added = 0
            for image_id in wanted:
                image = images[image_id]
                if image_id in held_ids or (image.content_hash and image.content_hash in held_hashes):
                    continue
                position += 1
                s.add(CollectionItem(collection_id=row.id, image_id=image_id, content_hash=image.content_hash,
                                     path=image.path, position=position))
                held_ids.add(image_id)
                added += 1
            if added:
                row.updated_at = utc_now()
            return added

    @guarded
    def remove(self, ref: int | str, image_ids: Iterable[int] = (), item_ids: Iterable[int] = ()) -> int:
        """Take images (by image id) or items (by item id) out of a collection; returns how many left it."""
        self._require_writable()
        image_ids, item_ids = list(image_ids), list(item_ids)
        with self.db.session() as s:
            row = self._find(s, ref)
            n = 0
            if image_ids:
                n += s.execute(delete(CollectionItem).where(CollectionItem.collection_id == row.id,
                                                            CollectionItem.image_id.in_(image_ids))).rowcount
            if item_ids:
                n += s.execute(delete(CollectionItem).where(CollectionItem.collection_id == row.id,
                                                            CollectionItem.id.in_(item_ids))).rowcount
            self._renumber(s, row.id)
            return n

    @guarded
    def reorder(self, ref: int | str, item_ids: list[int]) -> None:
        """Put the items in the order of ``item_ids``; items not named keep their relative order after them."""
        self._require_writable()
        with self.db.session() as s:
            row = self._find(s, ref)
            current = list(s.scalars(select(CollectionItem.id).where(CollectionItem.collection_id == row.id)
                                     .order_by(CollectionItem.position, CollectionItem.id)))
            known = set(current)
            stray = [i for i in item_ids if i not in known]
            if stray:
                raise CollectionError(f"Item {stray[0]} is not in the collection '{row.name}'.",
                                      "Reload the collection and try again.")
            first = list(dict.fromkeys(item_ids))
            order = first + [i for i in current if i not in set(first)]
            s.execute(update(CollectionItem), [dict(id=i, position=p) for p, i in enumerate(order)])

    @guarded
    def move(self, ref: int | str, item_ids: list[int], to_index: int) -> None:
        """Move items (keeping their relative order) so that the first lands at ``to_index`` of the new order."""
        order = [i.id for i in self.items(ref)]
        moving = [i for i in order if i in set(item_ids)]
        rest = [i for i in order if i not in set(item_ids)]
        to_index = max(0, min(to_index, len(rest)))
        self.reorder(ref, rest[:to_index] + moving + rest[to_index:])

    @guarded
    def set_item_note(self, ref: int | str, image_id: int | None = None, note: str = "",
                      item_id: int | None = None) -> None:
        """The curator's note on an item (given by its image id or its item id)."""
        self._require_writable()
        with self.db.session() as s:
            row = self._find(s, ref)
            q = select(CollectionItem).where(CollectionItem.collection_id == row.id)
            q = q.where(CollectionItem.id == item_id) if item_id is not None else q.where(
                CollectionItem.image_id == image_id)
            item = s.scalars(q).first()
            if item is None:
                raise CollectionError(f"That image is not in the collection '{row.name}'.",
                                      "Add it to the collection first.")
            item.note = note or None

    # --------------------------------------------------------------- re-link
    @guarded
    def relink(self) -> int:
        """Re-attach items whose image is gone or missing to the indexed image of the same content.

        Returns how many items were re-linked. Also refreshes each item's remembered path and hash from its
        image (a file moved and taken over by its old record keeps the record's id: only the path changes).
        """
        if self.db.read_only:
            return 0
        with self.db.session() as s:
            rows = s.execute(select(CollectionItem.id, CollectionItem.collection_id, CollectionItem.image_id,
                                    CollectionItem.content_hash, CollectionItem.path, Image.status, Image.path,
                                    Image.content_hash)
                             .outerjoin(Image, Image.id == CollectionItem.image_id)).all()
            if not rows:
                return 0
            adrift = [r for r in rows if r[2] is None or r[5] != ImageStatus.INDEXED]
            hashes = sorted({r[3] for r in adrift if r[3]})
            found: dict[str, list[tuple[int, str]]] = {}
            for start in range(0, len(hashes), 500):
                for image_id, path, h in s.execute(select(Image.id, Image.path, Image.content_hash).where(
                        Image.content_hash.in_(hashes[start:start + 500]), Image.status == ImageStatus.INDEXED)):
                    found.setdefault(h, []).append((image_id, path))
            held = {(r[1], r[2]) for r in rows if r[2] is not None}
            changes: list[dict] = []
            for item_id, coll_id, image_id, h, path, _status, _ipath, _ih in adrift:
                candidates = sorted(found.get(h or "", []), key=lambda c: (os.path.basename(c[1]) !=
                                                                          os.path.basename(path), c[1]))
                target = next((c for c in candidates if (coll_id, c[0]) not in held), None)
                if target is None:
                    continue
                held.add((coll_id, target[0]))
                changes.append(dict(id=item_id, image_id=target[0], path=target[1]))
            refreshed = [dict(id=r[0], path=r[6], content_hash=r[7] or r[3]) for r in rows
                         if r[2] is not None and r[5] == ImageStatus.INDEXED and (r[6] != r[4] or (r[7] and r[7] != r[3]))]
            try:
                if changes:
                    s.execute(update(CollectionItem), changes)
                if refreshed:
                    s.execute(update(CollectionItem), refreshed)
                s.flush()
            except IntegrityError:  # two items of one collection would name the same file: keep as it was
                s.rollback()
                return 0
            return len(changes)

    # --------------------------------------------------------------- exports
    def entries(self, ref: int | str) -> list[ExportEntry]:
        """A collection's items as export entries (in order, with their notes)."""
        name = self.get(ref).name
        return export.require_entries([ExportEntry(i.image_id, i.path, None, i.note) for i in self.items(ref)],
                                      f"The collection '{name}'")

    def selection_entries(self, image_ids: list[int], scores: dict[int, float] | None = None) -> list[ExportEntry]:
        """Export entries of a selection of library images (with their search scores when given)."""
        with self.db.session() as s:
            paths = dict(s.execute(select(Image.id, Image.path).where(Image.id.in_(list(image_ids)))).all())
        return export.require_entries([ExportEntry(i, paths[i], (scores or {}).get(i)) for i in image_ids
                                       if i in paths], "The selection")

    def export_csv(self, entries: list[ExportEntry], path: str | os.PathLike[str]) -> int:
        """CSV of the entries (path, file name, folder, score, note, tags, description, size, format)."""
        return export.export_csv(self.db, entries, path)

    def copy_files(self, entries: list[ExportEntry], dest: str | os.PathLike[str],
                   progress: Callable[[int, int, str], None] | None = None,
                   cancelled: Callable[[], bool] = lambda: False) -> CopyReport:
        """Copy the entries' files to ``dest``: nothing overwritten, clashes suffixed, bad files reported."""
        return export.copy_files(entries, dest, progress, cancelled)

    def sheet_entries(self, entries: list[ExportEntry]) -> list[SheetEntry]:
        """What a contact sheet shows per entry (thumbnail, file name, description, note)."""
        return export.sheet_entries(self.db, entries)

    # -------------------------------------------------------- folder removal
    def touched_by(self, image_ids: list[int]) -> int:
        """How many of ``image_ids`` are in at least one collection."""
        n = 0
        with self.db.session() as s:
            for start in range(0, len(image_ids), 500):
                n += int(s.scalar(select(func.count(func.distinct(CollectionItem.image_id)))
                                  .where(CollectionItem.image_id.in_(image_ids[start:start + 500]))) or 0)
        return n

    # -------------------------------------------------------------- helpers
    def _tables_exist(self) -> bool:
        if not self.db.read_only:
            return True  # made on open (create_all)
        with self.db.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = "
                                        "'collection_items'").first() is not None

    @staticmethod
    def _find(s, ref: int | str) -> Collection:  # noqa: ANN001
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit() and not _named(s, ref)):
            row = s.get(Collection, int(ref))
        else:
            row = _named(s, ref)
        if row is None:
            names = ", ".join(f"'{n}'" for n in s.scalars(select(Collection.name).order_by(Collection.name)))
            raise CollectionError(f"There is no collection '{ref}' in this library.",
                                  f"The collections are: {names}." if names else
                                  "Create one first (collections create NAME).")
        return row

    @staticmethod
    def _refuse_taken(s, name: str) -> None:  # noqa: ANN001
        if _named(s, name) is not None:
            raise CollectionError(f"There is already a collection called '{name}'.", "Choose another name.")

    @staticmethod
    def _renumber(s, collection_id: int) -> None:  # noqa: ANN001
        ids = list(s.scalars(select(CollectionItem.id).where(CollectionItem.collection_id == collection_id)
                             .order_by(CollectionItem.position, CollectionItem.id)))
        if ids:
            s.execute(update(CollectionItem), [dict(id=i, position=p) for p, i in enumerate(ids)])


def _named(s, name: str) -> Collection | None:  # noqa: ANN001
    return s.scalars(select(Collection).where(func.lower(Collection.name) == " ".join(name.split()).lower())).first()
