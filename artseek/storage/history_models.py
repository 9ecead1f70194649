"""Schema of the search history: the recent searches of a library, to restore in one click.

Same ``Base`` as :mod:`artseek.storage.models`, so ``create_all`` makes the
table in existing libraries (a new table, no migration). Images are kept as
references ``{"id", "hash", "path"}`` (JSON), so a search still restores after
its images moved or were re-indexed: by id while it still shows the same
content, else by content hash, else by path. Imports neither torch nor Qt.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from artseek.storage.models import Base, utc_now


class SearchHistoryEntry(Base):
    """One search as it was run: text, example image, +/- marks and filters."""

    __tablename__ = "search_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str | None] = mapped_column(Text)
    example_image_id: Mapped[int | None] = mapped_column(Integer)  # a library image as the example
    example_hash: Mapped[str | None] = mapped_column(String(64))  # its content hash (or that of pasted bytes)
    example_path: Mapped[str | None] = mapped_column(Text)  # the example's file (None: pasted bytes)
    marks: Mapped[str] = mapped_column(Text, default="{}")  # JSON {"relevant": [ref], "not_relevant": [ref]}
    filters: Mapped[str] = mapped_column(Text, default="{}")  # JSON of SearchFilter.to_dict()
    key: Mapped[str] = mapped_column(String(64), index=True)  # digest of the above: the same search again
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)


__all__ = ["SearchHistoryEntry"]
