"""The storage side of search filters: a :class:`SearchFilter` to the ids of the indexed images that pass it.

Also what the window's filter dialog offers (:func:`filter_options`: the
imported folders, the formats present, tag values, collections) and the stored
vectors of a set of ids, read in bulk for exact ranking over a small allowed
set (hnswlib's ``get_items`` is about 100 times slower per vector).

Dates: ``images.taken_at`` is the EXIF date taken, else the file's date, as
wall-clock seconds (a date read as if it were UTC, so that "1990" means the
curator's calendar year wherever the file was made); images indexed before the
column existed and not re-scanned since fall back to their file date.
"""

from __future__ import annotations

import calendar
import os
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import OperationalError

from artseek.errors import QueryError
from artseek.search.filters import SearchFilter, date_bounds
from artseek.storage.collection_models import Collection, CollectionItem
from artseek.storage.database import Database
from artseek.storage.models import Embedding, Image, ImageStatus, ImportRoot
from artseek.storage.text_models import Tag

CHUNK = 900  # ids per IN (...) (SQLite's default limit of host parameters is 999)


@dataclass
class FilterOptions:
    """What can be filtered on in a library (for the filter dialog)."""

    folders: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    tags: dict[str, list[str]] = field(default_factory=dict)  # category -> values
    collections: list[str] = field(default_factory=list)


def filter_options(db: Database) -> FilterOptions:
    with db.session() as s:
        folders = list(s.scalars(select(ImportRoot.path).order_by(ImportRoot.path)))
        formats = [f for f in s.scalars(select(Image.format).distinct().where(Image.status == ImageStatus.INDEXED)
                                        .order_by(Image.format)) if f]
        tags: dict[str, list[str]] = {}
        for category, value in s.execute(select(Tag.category, Tag.value).distinct().order_by(Tag.category, Tag.value)):
            tags.setdefault(category, []).append(value)
        collections = list(s.scalars(select(Collection.name).order_by(Collection.position, Collection.name)))
    return FilterOptions(folders, formats, tags, collections)


def wall_clock_seconds(year: int, month: int, day: int, end_of_day: bool = False) -> int:
    seconds = calendar.timegm((year, month, day, 0, 0, 0, 0, 0, 0))
    return seconds + 86399 if end_of_day else seconds


def _conditions(s, flt: SearchFilter, has_taken_at: bool) -> list:  # noqa: ANN001
    """SQL conditions on ``images`` for ``flt``; unknown folders, formats, tags or collections raise QueryError."""
    conds: list = []
    if flt.folders:
        roots = list(s.scalars(select(ImportRoot.path)))
        alternatives = []
        for folder in flt.folders:
            if not any(folder == r or folder.startswith(r.rstrip(os.sep) + os.sep) for r in roots):
                listed = "; ".join(roots) or "none yet"
                raise QueryError(f"'{folder}' is not a folder of this library.",
                                 f"Filter on an imported folder or a folder inside one (imported: {listed}).")
            prefix = folder.rstrip(os.sep) + os.sep
            alternatives.append(func.substr(Image.path, 1, len(prefix)) == prefix)
        conds.append(or_(*alternatives))
    if flt.formats:
        present = set(s.scalars(select(Image.format).distinct())) - {None}
        unknown = [f for f in flt.formats if f not in present]
        if unknown:
            raise QueryError(f"No image of this library is in the format {', '.join(unknown)}.",
                             f"Formats present: {', '.join(sorted(present)) or 'none'}.")
        conds.append(Image.format.in_(flt.formats))
    if flt.min_megapixels:
        conds.append(Image.width * Image.height >= flt.min_megapixels * 1e6)
    if flt.taken_after or flt.taken_before:
        # The file date is wall-clock seconds in the computer's zone, as taken_at is (see the module docstring).
        file_date = Image.mtime_ns / 1_000_000_000 + _utc_offset_s()
        when = func.coalesce(Image.taken_at, file_date) if has_taken_at else file_date
        if flt.taken_after:
            y, m, d, *_ = date_bounds(flt.taken_after)
            conds.append(when >= wall_clock_seconds(y, m, d))
        if flt.taken_before:
            *_, y, m, d = date_bounds(flt.taken_before)
            conds.append(when <= wall_clock_seconds(y, m, d, end_of_day=True))
    for category, value in flt.tags:
        if s.scalar(select(Tag.image_id).where(Tag.category == category, Tag.value == value).limit(1)) is None:
            values = sorted(set(s.scalars(select(Tag.value).where(Tag.category == category))))
            hint = (f"Values of '{category}': {', '.join(values[:20])}." if values else
                    f"No image has a '{category}' tag: tag images first (classify, or the side panel).")
            raise QueryError(f"No image is tagged {category} = {value}.", hint)
        conds.append(Image.id.in_(select(Tag.image_id).where(Tag.category == category, Tag.value == value)))
    if flt.collection:
        cid = s.scalar(select(Collection.id).where(Collection.name == flt.collection))
        if cid is None:
            names = list(s.scalars(select(Collection.name).order_by(Collection.name)))
            raise QueryError(f"There is no collection named '{flt.collection}'.",
                             f"Collections: {', '.join(names)}." if names else "Create a collection first.")
        conds.append(Image.id.in_(select(CollectionItem.image_id).where(CollectionItem.collection_id == cid,
                                                                        CollectionItem.image_id.is_not(None))))
    return conds


def _utc_offset_s() -> int:
    import time

    return -time.altzone if time.daylight and time.localtime().tm_isdst else -time.timezone


def allowed_ids(db: Database, flt: SearchFilter) -> np.ndarray:
    """The ids (sorted int64) of the indexed images that pass ``flt``; raises QueryError on unknown values."""
    with db.session() as s:
        for has_taken_at in (True, False):
            conds = _conditions(s, flt, has_taken_at)
            try:
                ids = s.scalars(select(Image.id).where(and_(Image.status == ImageStatus.INDEXED, *conds))
                                .order_by(Image.id)).all()
                break
            except OperationalError:  # a read-only library made before images.taken_at: file dates only
                if not has_taken_at or not (flt.taken_after or flt.taken_before):
                    raise
                s.rollback()
    return np.asarray(ids, dtype=np.int64)


def stored_vectors(db: Database, ids: np.ndarray, dim: int) -> np.ndarray:
    """The stored embeddings of ``ids``, in that order (a zero row for an id without one)."""
    out = np.zeros((len(ids), dim), dtype=np.float32)
    row = {int(i): n for n, i in enumerate(ids)}
    with db.session() as s:
        for start in range(0, len(ids), CHUNK):
            chunk = [int(i) for i in ids[start:start + CHUNK]]
            for image_id, blob in s.execute(select(Embedding.image_id, Embedding.vector)
                                            .where(Embedding.image_id.in_(chunk))):
                out[row[image_id]] = np.frombuffer(blob, dtype=np.float32)
    return out
