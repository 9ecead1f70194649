"""Schema of the duplicate finder: candidate pairs, which images were checked, and "not duplicates" marks.

Same ``Base`` as :mod:`artseek.storage.models`, so ``create_all`` makes these
tables in existing libraries (new tables, no migration). Pairs and checks are
derived data (dropped with their image, recomputed on demand); the curator's
"not duplicates" marks are their own data and name images by *content hash*,
so they survive re-scans, moves, folder removal and model changes.
Imports neither torch nor Qt.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from artseek.storage.models import Base, utc_now


class DuplicatePair(Base):
    """Two images close enough to be duplicate candidates (``a_id < b_id``)."""

    __tablename__ = "duplicate_pairs"
    a_id: Mapped[int] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"), primary_key=True)
    b_id: Mapped[int] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"), primary_key=True, index=True)
    similarity: Mapped[float] = mapped_column(Float)  # cosine similarity of the embeddings
    # Differing perceptual-hash bits (None: a hash missing): whole against whole, the lesser of one's whole
    # against the other's centre (a 90 % crop), centre against centre.
    hamming: Mapped[int | None] = mapped_column(Integer)
    cross: Mapped[int | None] = mapped_column(Integer)
    centre: Mapped[int | None] = mapped_column(Integer)
    mono: Mapped[int | None] = mapped_column(Integer)  # 1: one of the two is black and white (from thumbnails)
    # The thumbnails compared (artseek.duplicates.pixels), for pairs within 8 hash bits; None: not yet.
    pixels: Mapped[float | None] = mapped_column(Float)
    colour: Mapped[float | None] = mapped_column(Float)


class DuplicateCheck(Base):
    """An image whose candidates were looked for, with the embedding ``seq`` they were found for."""

    __tablename__ = "duplicate_checks"
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    phash: Mapped[int | None] = mapped_column(BigInteger)  # the hash it was checked with (a backfill re-checks)


class DuplicateDismissal(Base):
    """The curator's "not duplicates" for a group: its members (by content hash) are not shown together again."""

    __tablename__ = "duplicate_dismissals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tier: Mapped[str] = mapped_column(String(16))  # the tier the group was shown in
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class DuplicateDismissalMember(Base):
    """One picture of a dismissed group."""

    __tablename__ = "duplicate_dismissal_members"
    dismissal_id: Mapped[int] = mapped_column(ForeignKey("duplicate_dismissals.id", ondelete="CASCADE"),
                                              primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


__all__ = ["DuplicateCheck", "DuplicateDismissal", "DuplicateDismissalMember", "DuplicatePair"]
