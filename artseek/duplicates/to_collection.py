"""Send images to a collection by name (created when new): the duplicate finder's hook into collections.

A small core function over the ``collections`` / ``collection_items`` tables
(:mod:`artseek.storage.collection_models`). When the collections feature's own
API lands (branch ``collections``), this should call it instead.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from artseek.errors import ArtSeekError
from artseek.storage import Collection, CollectionItem, Database, Image


def append_to_collection(db: Database, name: str, image_ids: list[int]) -> tuple[int, int]:
    """Append ``image_ids`` (in order, skipping those already in it) to the collection ``name``.

    Returns ``(collection id, images added)``.
    """
    name = (name or "").strip()
    if not name:
        raise ArtSeekError("The collection has no name.", "Type a name for the collection.")
    with db.session() as s:
        coll = s.scalar(select(Collection).where(Collection.name == name))
        if coll is None:
            position = (s.scalar(select(func.max(Collection.position))) or 0) + 1
            coll = Collection(name=name, position=position)
            s.add(coll)
            s.flush()
        present = {(h, p) for h, p in s.execute(select(CollectionItem.content_hash, CollectionItem.path)
                                                .where(CollectionItem.collection_id == coll.id))}
        last = s.scalar(select(func.max(CollectionItem.position)).where(CollectionItem.collection_id == coll.id))
        position = (last or 0) + 1
        added = 0
        for image_id in image_ids:
            image = s.get(Image, image_id)
            if image is None or (image.content_hash, image.path) in present:
                continue
            s.add(CollectionItem(collection_id=coll.id, image_id=image.id, content_hash=image.content_hash,
                                 path=image.path, position=position))
            present.add((image.content_hash, image.path))
            position += 1
            added += 1
        coll.updated_at = datetime.now(timezone.utc)
        return coll.id, added
