"""Schema of detail indexing: the tiles each image is also embedded as (see :mod:`artseek.tiles`).

Same ``Base`` as :mod:`artseek.storage.models`, so ``create_all`` makes the
table in existing libraries. A tile's ``id`` is its label in the tile vector
index (never reused: AUTOINCREMENT), its region is a fraction of its image,
``source_seq`` is the ``seq`` of the image embedding it was made with (a
re-indexed image gets new tiles), and its vector is kept so the tile index can
always be rebuilt. Removed with their image (ON DELETE CASCADE). Imports
neither torch nor Qt.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, ForeignKey, Integer, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from artseek.storage.models import Base


class Tile(Base):
    """One tile of an image: its level (n of the n×n grid), its region and its embedding."""

    __tablename__ = "tiles"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    x0: Mapped[float] = mapped_column(Float)
    y0: Mapped[float] = mapped_column(Float)
    x1: Mapped[float] = mapped_column(Float)
    y1: Mapped[float] = mapped_column(Float)
    source_seq: Mapped[int] = mapped_column(BigInteger)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


__all__ = ["Tile"]
