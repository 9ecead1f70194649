"""Schema of a curator's collections: named, ordered sets of images with notes.

Same ``Base`` as :mod:`artseek.storage.models`, so ``create_all`` makes these
tables in existing libraries (new tables, no migration needed). An item keeps
the image's ``content_hash`` and last ``path`` beside ``image_id``: when the
image row goes (its folder removed, the file moved or renamed and re-scanned)
``image_id`` becomes NULL and the item is kept, to be linked again by content
hash when the file is seen again. A curator's own data is never deleted by a
re-scan. Imports neither torch nor Qt.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from artseek.storage.models import Base, utc_now


class Collection(Base):
    """A named selection (an exhibition, a loan request, a set for the photographer)."""

    __tablename__ = "collections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the sidebar
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class CollectionItem(Base):
    """An image in a collection, at ``position``, with the curator's note."""

    __tablename__ = "collection_items"
    __table_args__ = (UniqueConstraint("collection_id", "content_hash", "path", name="uq_collection_item"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), index=True)
    image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id", ondelete="SET NULL"), index=True)
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    path: Mapped[str] = mapped_column(Text)  # the file's path when last seen
    position: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


__all__ = ["Collection", "CollectionItem"]
