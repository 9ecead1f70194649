"""Schema of the text side of a library: descriptions, their embedded parts, tags, cached prompts.

Same ``Base`` as :mod:`artseek.storage.models`, so ``create_all`` makes these
tables in existing libraries too (they are new tables, no migration needed).
Imports neither torch nor Qt.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from artseek.storage.models import Base, utc_now


class TextEntry(Base):
    """A description, caption or catalogue text, attached to an image or free in the corpus.

    ``ref`` is what the import used to name the image (file name, path or id);
    ``image_id`` is the image it resolved to (``None``: a corpus text of no
    indexed image, re-linked when more images are indexed). ``source`` says
    where it came from (``csv:catalogue.csv``, ``sidecar``, ``xmp``, ``iptc`` ...),
    ``kind`` its type when the import says so (``visual``, ``contextual`` ...).
    """

    __tablename__ = "texts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"), index=True)
    ref: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(32), index=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)  # dedup of re-imports
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class TextPart(Base):
    """A sentence or window of a text, short enough for the text tower, with its embedding.

    ``model`` names the model that produced ``vector``; parts embedded by
    another model (after ``reindex``) are re-embedded on next use.
    """

    __tablename__ = "text_parts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text_id: Mapped[int] = mapped_column(ForeignKey("texts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)
    model: Mapped[str | None] = mapped_column(String(64), index=True)


class Tag(Base):
    """A category value of an image, e.g. ``technique = engraving`` from zero-shot classification."""

    __tablename__ = "tags"
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(32), default="zero-shot")
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class PromptEmbedding(Base):
    """Cache of embedded prompts (vocabulary terms and category templates) per model."""

    __tablename__ = "prompt_embeddings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of model + prompt
    model: Mapped[str] = mapped_column(String(64))
    prompt: Mapped[str] = mapped_column(Text)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


__all__ = ["PromptEmbedding", "Tag", "TextEntry", "TextPart"]
