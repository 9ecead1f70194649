"""The user-data kinds ArtSeek exports and imports itself: collections (with notes and order) and hand-set tags.

See :mod:`artseek.userdata.registry` for the contract. Merging rules, so that an
import never duplicates and never overwrites the curator's work in this library:

* collections are matched by name (ignoring case); a missing one is created; its
  note is taken from the file only when the library's is empty; items are matched
  by image (content hash, then path) and appended in the file's order after the
  ones already there; an item's note likewise fills only an empty note; an item
  whose image is not in this library is kept by content hash and path and linked
  when the file is indexed (:meth:`CollectionService.relink`);
* hand-set tags (``source`` other than ``zero-shot``) are matched by image and
  category; a zero-shot tag there is replaced, a hand-set one is kept; tags of
  images not in this library are counted as ``unmatched`` (a tag needs its image).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from artseek.collections.errors import CollectionError, UserDataError
from artseek.collections.service import clean_name
from artseek.storage import Collection, CollectionItem, Tag
from artseek.userdata.registry import ImageRefs

ZERO_SHOT = "zero-shot"
CURATOR = "curator"  # what the window and `tags set` write (older libraries: "user")


def _need(cond: bool, what: str) -> None:
    if not cond:
        raise UserDataError(what)


def _check_ref(ref: Any, where: str) -> None:
    _need(isinstance(ref, dict) and (isinstance(ref.get("content_hash"), str) or isinstance(ref.get("path"), str)),
          f"{where} names no image (content_hash or path)")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


class CollectionsKind:
    name = "collections"
    version = 1
    description = "collections with their notes and order"

    def export(self, s: Session, images: ImageRefs) -> list[dict]:
        out = []
        for c in s.scalars(select(Collection).order_by(Collection.position, Collection.id)):
            items = s.scalars(select(CollectionItem).where(CollectionItem.collection_id == c.id)
                              .order_by(CollectionItem.position, CollectionItem.id))
            out.append({"name": c.name, "note": c.note or "",
                        "items": [{"image": images.ref(it.image_id, it.content_hash, it.path), "note": it.note or ""}
                                  for it in items]})
        return out

    def validate(self, data: Any, version: int) -> None:
        _need(isinstance(data, list), "a list of collections was expected")
        for n, c in enumerate(data, 1):
            _need(isinstance(c, dict) and isinstance(c.get("name"), str), f"collection {n} has no name")
            try:
                clean_name(c["name"])
            except CollectionError as exc:
                raise UserDataError(f"collection {n}: {exc.message}") from None
            _need(isinstance(c.get("items", []), list), f"the items of '{c['name']}' are not a list")
            for m, item in enumerate(c.get("items", []), 1):
                _need(isinstance(item, dict), f"item {m} of '{c['name']}' is not an object")
                _check_ref(item.get("image"), f"item {m} of '{c['name']}'")

    def import_(self, s: Session, data: list, version: int, images: ImageRefs) -> dict[str, int]:
        counts = {"collections_added": 0, "items_added": 0, "notes_filled": 0}
        for c in data:
            name = clean_name(c["name"])
            row = s.scalars(select(Collection).where(func.lower(Collection.name) == name.lower())).first()
            if row is None:
                last = s.scalar(select(func.coalesce(func.max(Collection.position), -1)))
                row = Collection(name=name, note=_text(c.get("note")) or None, position=int(last) + 1)
                s.add(row)
                s.flush()
                counts["collections_added"] += 1
            elif not row.note and _text(c.get("note")):
                row.note = _text(c.get("note"))
                counts["notes_filled"] += 1
            held = list(s.scalars(select(CollectionItem).where(CollectionItem.collection_id == row.id)))
            position = max((it.position for it in held), default=-1)
            for item in c.get("items", []):
                ref, note = item["image"], _text(item.get("note"))
                image_id = images.resolve(ref)
                h, path = ref.get("content_hash") or None, _text(ref.get("path"))
                same = next((it for it in held if (image_id is not None and it.image_id == image_id)
                             or (h and it.content_hash == h) or (not h and it.path == path)), None)
                if same is not None:
                    if note and not same.note:
                        same.note = note
                        counts["notes_filled"] += 1
                    continue
                position += 1
                new = CollectionItem(collection_id=row.id, image_id=image_id, content_hash=h,
                                     path=images.ref(image_id, h, path)["path"] or path, position=position,
                                     note=note or None)
                s.add(new)
                s.flush()
                held.append(new)
                counts["items_added"] += 1
        return counts


class TagsKind:
    name = "tags"
    version = 1
    description = "tags set by hand (not those of zero-shot classification)"

    def export(self, s: Session, images: ImageRefs) -> list[dict]:
        rows = s.execute(select(Tag.image_id, Tag.category, Tag.value, Tag.source).where(Tag.source != ZERO_SHOT)
                         .order_by(Tag.image_id, Tag.category)).all()
        return [{"image": images.ref(i), "category": c, "value": v, "source": src} for i, c, v, src in rows]

    def validate(self, data: Any, version: int) -> None:
        _need(isinstance(data, list), "a list of tags was expected")
        for n, t in enumerate(data, 1):
            _need(isinstance(t, dict) and isinstance(t.get("category"), str) and t["category"].strip()
                  and isinstance(t.get("value"), str), f"tag {n} has no category or value")
            _check_ref(t.get("image"), f"tag {n}")

    def import_(self, s: Session, data: list, version: int, images: ImageRefs) -> dict[str, int]:
        counts = {"tags_added": 0, "kept": 0, "unmatched": 0}
        for t in data:
            image_id = images.resolve(t["image"])
            if image_id is None:
                counts["unmatched"] += 1
                continue
            source = _text(t.get("source")) or CURATOR
            source = CURATOR if source == ZERO_SHOT else source
            row = s.get(Tag, (image_id, t["category"]))
            if row is not None and row.source != ZERO_SHOT:
                counts["kept"] += 1
                continue
            if row is not None:
                s.delete(row)
                s.flush()
            s.add(Tag(image_id=image_id, category=t["category"], value=t["value"], score=None, source=source))
            s.flush()
            counts["tags_added"] += 1
        return counts
