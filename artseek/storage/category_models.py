"""Schema of the curator's categories (the zero-shot classification's vocabulary), kept in the library.

A new table of the same ``Base`` as :mod:`artseek.storage.models`, so ``create_all``
makes it in existing libraries too (no migration). Imports neither torch nor Qt.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from artseek.storage.models import Base, utc_now


class CategoryRow(Base):
    """A category the curator defined, e.g. ``technique``: photograph, engraving, drawing, painting, map.

    ``values`` and ``templates`` are JSON lists. ``classified_key`` identifies what the zero-shot tags of
    this category were last computed with (values, templates and model): when it differs the next
    classification redoes every image, else only the images without a tag of this category.
    """

    __tablename__ = "categories"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    values: Mapped[str] = mapped_column(Text)
    templates: Mapped[str | None] = mapped_column(Text)
    classified_key: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, onupdate=utc_now)


__all__ = ["CategoryRow"]
