"""Search history: the recent searches of a library (text, example image, marks, filters), restored in one click.

:class:`SearchHistory` is reached as ``lib.history``. A search is recorded when
the CLI or the window runs it (``Library.search_query(..., remember=True)``);
running the same search again moves it to the top instead of adding a copy; the
newest :data:`MAX_ENTRIES` are kept. Everything is in the library's SQLite file
(one transaction per search), so it survives a crash at any moment.

Images are kept as references (id, content hash, path) and found again by
:func:`resolve` after moves, renames and re-indexing. :meth:`export_items` and
:meth:`import_items` carry the history in and out of a library as JSON-able
dicts (images by content hash and path); an import merges and never duplicates.
It gets the database and the writable check through its constructor.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import delete, select

from artseek.errors import QueryError
from artseek.search.filters import SearchFilter
from artseek.search.query import Query
from artseek.storage import Database, Image, ImageStatus, SearchHistoryEntry

MAX_ENTRIES = 200
ITEM_VERSION = 1


@dataclass
class HistoryEntry:
    """A recorded search, with its images found again in the library as it is now."""

    id: int
    created_at: datetime
    text: str | None = None
    example_id: int | None = None  # a library image as the example (found again)
    example_path: str | None = None  # the example's file
    example_pasted: bool = False  # the example was pasted image data, which is not kept
    positive_ids: list[int] = field(default_factory=list)
    negative_ids: list[int] = field(default_factory=list)
    lost_marks: int = 0  # marked images no longer in the library
    filter: SearchFilter = field(default_factory=SearchFilter)

    def describe(self) -> str:
        """One line for the Recent Searches menu."""
        parts = []
        if self.text:
            parts.append(f"“{self.text}”")
        if self.example_path or self.example_id is not None:
            parts.append(f"like {os.path.basename(self.example_path or '') or f'image {self.example_id}'}")
        elif self.example_pasted:
            parts.append("like a pasted image")
        if self.positive_ids or self.negative_ids:
            parts.append(f"{len(self.positive_ids)}+ {len(self.negative_ids)}−")
        if not self.filter.is_empty():
            parts.append(f"[{self.filter.describe()}]")
        return " ".join(parts) or "(empty)"

    def to_query(self) -> Query:
        """The core query this entry restores (a pasted example is gone: the rest of it)."""
        images = [self.example_path] if self.example_id is None and self.example_path else []
        return Query(text=self.text, images=images,
                     example_ids=[self.example_id] if self.example_id is not None else [],
                     positive_ids=list(self.positive_ids),
                     negative_ids=[i for i in self.negative_ids if i not in self.positive_ids],
                     filter=None if self.filter.is_empty() else self.filter)


def _key(text: str | None, example: dict, marks: dict, filters: dict) -> str:
    blob = json.dumps([text or "", example, marks, filters], sort_keys=True, ensure_ascii=False)
    return hashlib.blake2b(blob.encode(), digest_size=16).hexdigest()


def resolve(session, ref: dict) -> int | None:  # noqa: ANN001
    """The current id of an image reference: its id while it shows the same content, else by hash, else by path."""
    image_id, digest, path = ref.get("id"), ref.get("hash"), ref.get("path")
    if image_id is not None:
        row = session.execute(select(Image.content_hash, Image.status).where(Image.id == image_id)).first()
        if row is not None and row.status != ImageStatus.MISSING and (not digest or row.content_hash == digest):
            return int(image_id)
    if digest:
        found = session.scalar(select(Image.id).where(Image.content_hash == digest)
                               .order_by((Image.status == ImageStatus.INDEXED).desc(), Image.id).limit(1))
        if found is not None:
            return int(found)
    if path:
        found = session.scalar(select(Image.id).where(Image.path == path))
        if found is not None:
            return int(found)
    return None


class SearchHistory:
    """The search history of one library (``lib.history``)."""

    def __init__(self, db: Database, require_writable: Callable[[], None], read_only: bool = False) -> None:
        self.db = db
        self.require_writable = require_writable
        self.read_only = read_only

    # ------------------------------------------------------------ writing
    def record(self, query: Query) -> int | None:
        """Remember ``query`` (a read-only library remembers nothing). Returns the entry's id."""
        if self.read_only:
            return None
        with self.db.session() as s:
            refs = self._refs(s, query.positive_ids + query.negative_ids + query.example_ids)
            example: dict = {}
            if query.example_ids:
                example = dict(refs[query.example_ids[0]])
            elif query.images:
                first = query.images[0]
                if isinstance(first, bytes):
                    example = {"hash": hashlib.blake2b(first, digest_size=20).hexdigest(), "pasted": True}
                else:
                    example = {"path": os.path.abspath(os.fspath(first))}
            marks = {"relevant": [refs[i] for i in query.positive_ids if i in refs],
                     "not_relevant": [refs[i] for i in query.negative_ids if i in refs]}
            filters = query.filter.to_dict() if query.filter is not None else {}
            return self._add(s, query.text.strip() if query.text and query.text.strip() else None, example, marks,
                             filters, datetime.now(timezone.utc))

    def _add(self, s, text: str | None, example: dict, marks: dict, filters: dict,  # noqa: ANN001
             created_at: datetime) -> int:
        key = _key(text, {k: v for k, v in example.items() if k in ("hash", "path")},
                   {k: [{"hash": r.get("hash"), "path": r.get("path")} for r in v] for k, v in marks.items()},
                   filters)
        newest = s.scalars(select(SearchHistoryEntry).order_by(SearchHistoryEntry.created_at.desc(),
                                                               SearchHistoryEntry.id.desc()).limit(1)).first()
        if newest is not None and newest.key == key:  # the same search again: it moves to the top
            newest.created_at = max(created_at, _aware(newest.created_at))
            return newest.id
        entry = SearchHistoryEntry(text=text, example_image_id=example.get("id"), example_hash=example.get("hash"),
                                   example_path=example.get("path"), marks=json.dumps(marks, ensure_ascii=False),
                                   filters=json.dumps(filters, ensure_ascii=False), key=key, created_at=created_at)
        s.add(entry)
        s.flush()
        keep = select(SearchHistoryEntry.id).order_by(SearchHistoryEntry.created_at.desc(),
                                                      SearchHistoryEntry.id.desc()).limit(MAX_ENTRIES)
        s.execute(delete(SearchHistoryEntry).where(SearchHistoryEntry.id.not_in(keep)))
        return entry.id

    @staticmethod
    def _refs(s, ids: list[int]) -> dict[int, dict]:  # noqa: ANN001
        if not ids:
            return {}
        rows = s.execute(select(Image.id, Image.content_hash, Image.path).where(Image.id.in_(set(ids))))
        return {r.id: {"id": r.id, "hash": r.content_hash, "path": r.path} for r in rows}

    def clear(self) -> int:
        """Forget every recorded search; returns how many there were."""
        self.require_writable()
        with self.db.session() as s:
            return s.execute(delete(SearchHistoryEntry)).rowcount or 0

    # ------------------------------------------------------------ reading
    def entries(self, limit: int = MAX_ENTRIES) -> list[HistoryEntry]:
        """The recorded searches, newest first."""
        with self.db.session() as s:
            rows = s.scalars(select(SearchHistoryEntry).order_by(SearchHistoryEntry.created_at.desc(),
                                                                 SearchHistoryEntry.id.desc()).limit(limit)).all()
            return [self._entry(s, r) for r in rows]

    def get(self, entry_id: int) -> HistoryEntry:
        with self.db.session() as s:
            row = s.get(SearchHistoryEntry, entry_id)
            if row is None:
                raise QueryError(f"There is no recorded search {entry_id}.", "List them with 'history list'.")
            return self._entry(s, row)

    def _entry(self, s, row: SearchHistoryEntry) -> HistoryEntry:  # noqa: ANN001
        marks = _loads(row.marks)
        positives = [resolve(s, r) for r in marks.get("relevant", [])]
        negatives = [resolve(s, r) for r in marks.get("not_relevant", [])]
        example_id = None
        if row.example_image_id is not None or row.example_hash:
            example_id = resolve(s, {"id": row.example_image_id, "hash": row.example_hash, "path": row.example_path})
        try:
            flt = SearchFilter.from_dict(_loads(row.filters))
        except QueryError:
            flt = SearchFilter()
        pasted = row.example_path is None and row.example_hash is not None and row.example_image_id is None
        return HistoryEntry(
            id=row.id, created_at=_aware(row.created_at), text=row.text,
            example_id=example_id, example_path=row.example_path, example_pasted=pasted and example_id is None,
            positive_ids=[i for i in positives if i is not None], negative_ids=[i for i in negatives if i is not None],
            lost_marks=sum(i is None for i in positives + negatives), filter=flt)

    # ------------------------------------------------------ export/import
    def export_items(self) -> list[dict]:
        """Every recorded search as a JSON-able dict (images by content hash and path), oldest first."""
        with self.db.session() as s:
            return export_rows(s)

    def import_items(self, items: list[dict]) -> int:
        """Merge exported searches (those already here are skipped); returns how many were added."""
        self.require_writable()
        with self.db.session() as s:
            return import_rows(s, items)


def export_rows(s) -> list[dict]:  # noqa: ANN001 - a Session
    """:meth:`SearchHistory.export_items` inside the caller's session (the library data file)."""
    rows = s.scalars(select(SearchHistoryEntry).order_by(SearchHistoryEntry.created_at, SearchHistoryEntry.id)).all()
    return [{"version": ITEM_VERSION, "text": r.text,
             "example": {k: v for k, v in (("hash", r.example_hash), ("path", r.example_path)) if v},
             "marks": {k: [{"hash": ref.get("hash"), "path": ref.get("path")} for ref in v]
                       for k, v in _loads(r.marks).items()},
             "filters": _loads(r.filters), "created_at": _aware(r.created_at).isoformat()} for r in rows]


def import_rows(s, items: list[dict]) -> int:  # noqa: ANN001 - a Session
    """:meth:`SearchHistory.import_items` inside the caller's session: merge, skip those already here, keep the
    newest :data:`MAX_ENTRIES`. Returns how many were added."""
    added = 0
    known = set(s.scalars(select(SearchHistoryEntry.key)))
    for item in sorted(items, key=lambda i: str(i.get("created_at", "")) if isinstance(i, dict) else ""):
        if not isinstance(item, dict):
            continue
        example = {k: v for k, v in (item.get("example") or {}).items() if k in ("hash", "path") and v}
        marks = {k: [{"hash": r.get("hash"), "path": r.get("path")} for r in v if isinstance(r, dict)]
                 for k, v in (item.get("marks") or {}).items() if k in ("relevant", "not_relevant")}
        filters = item.get("filters") or {}
        text = item.get("text") or None
        key = _key(text, example, marks, filters)
        if key in known:
            continue
        example_id = resolve(s, example) if example.get("hash") else None
        entry = SearchHistoryEntry(text=text, example_image_id=example_id, example_hash=example.get("hash"),
                                   example_path=example.get("path"), marks=json.dumps(marks),
                                   filters=json.dumps(filters), key=key,
                                   created_at=_parse_time(item.get("created_at")))
        s.add(entry)
        known.add(key)
        added += 1
    s.flush()
    keep = select(SearchHistoryEntry.id).order_by(SearchHistoryEntry.created_at.desc(),
                                                  SearchHistoryEntry.id.desc()).limit(MAX_ENTRIES)
    s.execute(delete(SearchHistoryEntry).where(SearchHistoryEntry.id.not_in(keep)))
    return added


def _loads(text: str | None) -> dict:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _parse_time(value: object) -> datetime:
    try:
        return _aware(datetime.fromisoformat(str(value)))
    except ValueError:
        return datetime.now(timezone.utc)
