"""The library schema: images, their embeddings and thumbnails, import roots, metadata."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import BigInteger, DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class ImageStatus:
    """Values of :attr:`Image.status`."""

    PENDING = "pending"
    INDEXED = "indexed"
    FAILED = "failed"
    MISSING = "missing"


class Meta(Base):
    """Key/value facts about the library (schema version, model identity, ...)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ImportRoot(Base):
    """A folder the curator imported; re-scans walk these."""

    __tablename__ = "import_roots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(Text, unique=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class Image(Base):
    """One image file. Its ``id`` is also its label in the vector index."""

    __tablename__ = "images"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(Text, unique=True)
    root_id: Mapped[int | None] = mapped_column(ForeignKey("import_roots.id", ondelete="SET NULL"), index=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    mtime_ns: Mapped[int] = mapped_column(BigInteger, default=0)
    # ctime and inode as last seen (None: not recorded yet, e.g. a library made before schema 2; 0: the
    # platform gives none cheaply). A file replaced with the same size and mtime changes one of them.
    # Deferred: a read-only library of schema 1 (not upgradable in place) still loads its images.
    ctime_ns: Mapped[int | None] = mapped_column(BigInteger, deferred=True)
    inode: Mapped[int | None] = mapped_column(BigInteger, deferred=True)
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    format: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=ImageStatus.PENDING, index=True)
    error: Mapped[str | None] = mapped_column(Text)
    indexed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Search filters (issue 14): when the picture was taken, as wall-clock seconds (the EXIF DateTimeOriginal, else
    # the file's date; None: not read yet, filled by the next re-scan without re-embedding). Deferred as ctime_ns.
    taken_at: Mapped[float | None] = mapped_column(Float, deferred=True)
    # Duplicate finder: 64-bit perceptual hash (artseek.ingest.phash), signed; None until computed (a re-scan
    # fills it in for images indexed before it existed, without model work). Deferred like ctime_ns.
    phash: Mapped[int | None] = mapped_column(BigInteger, deferred=True)
    phash_crop: Mapped[int | None] = mapped_column(BigInteger, deferred=True)  # of the central 90 % (crops)


class Embedding(Base):
    """The embedding of an image, kept so the ANN index can always be rebuilt.

    ``seq`` grows with every write; the vector index records the highest
    ``seq`` it has saved, so a reopen knows which vectors to re-apply.
    """

    __tablename__ = "embeddings"
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)


class Thumbnail(Base):
    """A small JPEG of the image for the GUI grid (longest side 256 px)."""

    __tablename__ = "thumbnails"
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"), primary_key=True)
    jpeg: Mapped[bytes] = mapped_column(LargeBinary)


__all__ = ["Base", "Embedding", "Image", "ImageStatus", "ImportRoot", "Meta", "Thumbnail"]


# --- Reproductions: the inverted index of visual words (issue 21, artseek.reproductions.visual_words) ---
class VisualCodebook(Base):
    """The visual vocabulary of a library (a tree of k-means centres, artseek.reproductions.vocabulary)."""

    __tablename__ = "visual_codebooks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    words: Mapped[int] = mapped_column(Integer)  # vocabulary size
    trained_on: Mapped[int] = mapped_column(Integer)  # images whose descriptors it was trained on
    tree: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class VisualWords(Base):
    """The distinct visual words of an image (sorted uint16), for the embedding ``source_seq`` and codebook
    they were made with; removed with their image."""

    __tablename__ = "visual_words"
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"), primary_key=True)
    codebook_id: Mapped[int] = mapped_column(ForeignKey("visual_codebooks.id", ondelete="CASCADE"), index=True)
    source_seq: Mapped[int] = mapped_column(BigInteger)
    keypoints: Mapped[int] = mapped_column(Integer)
    words: Mapped[bytes] = mapped_column(LargeBinary)


__all__ += ["VisualCodebook", "VisualWords"]
