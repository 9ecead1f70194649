"""A curator's own data as one versioned JSON file: the registry of user-data kinds, export and import.

Each kind of user data (collections, hand-set tags; later search history, edited
descriptions ...) is a :class:`UserDataKind`: a ``name`` (its key in the file), a
``version`` (of its own part of the file), ``export(session)`` giving plain JSON
data, ``validate(data, version)`` raising :class:`UserDataError` for anything it
cannot import, and ``import_(session, data, version, images)`` merging the data
into the library and returning what it did. A new kind is one class and one
:func:`register` call (see ``artseek/userdata/__init__.py``).

The file::

    {"format": "artseek-library-data", "version": 1, "exported_at": "...", "library_id": "...",
     "kinds": {"collections": {"version": 1, "data": [...]}, "tags": {"version": 1, "data": [...]}}}

Images are referred to by content hash and path (:class:`ImageRefs`), never by
the library's ids, so a file exported from one library imports into another
holding the same files, or into this one after its folders moved.

Import is all or nothing: every part is validated before anything is written,
and everything is written in one transaction. Importing merges and never
duplicates: importing the same file twice leaves the library as after once.
Parts of kinds this version does not know are skipped and reported; a file of
another format version, or a part newer than this version reads, is refused.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from artseek.collections.errors import UserDataError
from artseek.storage import Database, Image

FORMAT = "artseek-library-data"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 512 * 1024 * 1024


class ImageRefs:
    """Images named by content hash and path, in one session: to a reference, and back to an image id."""

    def __init__(self, s: Session) -> None:
        self.s = s
        self._by_hash: dict[str, list[tuple[int, str]]] | None = None
        self._by_path: dict[str, int] = {}

    def ref(self, image_id: int | None, content_hash: str | None = None, path: str | None = None) -> dict:
        """``{"content_hash", "path"}`` of an image (or of what an item remembers when its image is gone)."""
        if image_id is not None:
            row = self.s.execute(select(Image.content_hash, Image.path).where(Image.id == image_id)).first()
            if row is not None:
                return {"content_hash": row[0] or content_hash, "path": row[1]}
        return {"content_hash": content_hash, "path": path}

    def resolve(self, ref: dict) -> int | None:
        """The library's image for a reference: same content (the same path first), else the same path."""
        if self._by_hash is None:
            self._by_hash = {}
            for image_id, path, h in self.s.execute(select(Image.id, Image.path, Image.content_hash)):
                self._by_path[path] = image_id
                if h:
                    self._by_hash.setdefault(h, []).append((image_id, path))
        same = self._by_hash.get(ref.get("content_hash") or "", [])
        if same:
            return next((i for i, p in same if p == ref.get("path")), same[0][0])
        return self._by_path.get(ref.get("path") or "")


class UserDataKind(Protocol):
    name: str
    version: int
    description: str

    def export(self, s: Session, images: ImageRefs) -> Any: ...

    def validate(self, data: Any, version: int) -> None: ...

    def import_(self, s: Session, data: Any, version: int, images: ImageRefs) -> dict[str, int]: ...


KINDS: dict[str, UserDataKind] = {}


def register(kind: UserDataKind) -> UserDataKind:
    """Add a kind of user data to what the library data file holds (a later one of the same name replaces it)."""
    KINDS[kind.name] = kind
    return kind


@dataclass
class ImportReport:
    """What an import did, per kind (e.g. ``{"collections": {"added": 2, "items_added": 14}}``)."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped_kinds: list[str] = field(default_factory=list)  # parts this version does not know

    def to_dict(self) -> dict:
        return {"counts": self.counts, "skipped_kinds": self.skipped_kinds}

    def summary(self) -> str:
        parts = [f"{kind}: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in c.items())
                 for kind, c in self.counts.items()]
        text = "; ".join(parts) or "nothing"
        if self.skipped_kinds:
            text += f" (skipped, unknown to this version: {', '.join(self.skipped_kinds)})"
        return text


def bad(path: Path, what: str) -> UserDataError:
    return UserDataError(f"'{path}' cannot be imported: {what}. Nothing was imported.",
                         "Choose a file written by File → Export Library Data… (or 'library export-data').")


def export_user_data(db: Database, path: str | os.PathLike[str], library_id: str = "") -> dict[str, int]:
    """Write every registered kind to ``path`` (atomically); returns the number of records per kind."""
    path = Path(path)
    with db.session() as s:
        images = ImageRefs(s)
        parts = {name: {"version": kind.version, "data": kind.export(s, images)} for name, kind in KINDS.items()}
    document = {"format": FORMAT, "version": FORMAT_VERSION,
                "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "library_id": library_id, "kinds": parts}
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8") as f:
            json.dump(document, f, ensure_ascii=False, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        from artseek.csv_safe import ExportError

        raise ExportError(f"Cannot write '{path}': {exc.strerror or exc}.", "Choose a writable location.") from None
    return {name: len(part["data"]) if hasattr(part["data"], "__len__") else 1 for name, part in parts.items()}


def read_document(path: Path) -> dict:
    """The parsed file, checked for format and version (raises :class:`UserDataError`)."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise bad(path, f"it is larger than {MAX_FILE_BYTES // 2**20} MB")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserDataError(f"There is no file '{path}'.", "Check the path.") from None
    except UnicodeDecodeError:
        raise bad(path, "it is not UTF-8 text") from None
    except OSError as exc:
        raise UserDataError(f"'{path}' cannot be read: {exc.strerror or exc}.", "Check the file.") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise bad(path, f"it is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise bad(path, "it is not an ArtSeek library data file")
    version = document.get("version")
    if version != FORMAT_VERSION:
        newer = isinstance(version, int) and version > FORMAT_VERSION
        raise UserDataError(
            f"'{path}' is a library data file of version {version!r}; this ArtSeek reads version {FORMAT_VERSION}. "
            "Nothing was imported.",
            "Import it with the ArtSeek version that wrote it, or a newer one." if newer else
            "Export the data again with this version of ArtSeek.")
    if not isinstance(document.get("kinds"), dict):
        raise bad(path, "it has no 'kinds' object")
    return document


def import_user_data(db: Database, path: str | os.PathLike[str], require_writable: Callable[[], None],
                     after: Callable[[], None] = lambda: None) -> ImportReport:
    """Merge the file into the library (all or nothing); see the module docstring. ``after`` runs on success."""
    require_writable()
    path = Path(path)
    document = read_document(path)
    report = ImportReport()
    todo = []
    for name, part in document["kinds"].items():
        kind = KINDS.get(name)
        if kind is None:
            report.skipped_kinds.append(str(name))
            continue
        if not isinstance(part, dict) or not isinstance(part.get("version"), int) or "data" not in part:
            raise bad(path, f"its '{name}' part has no version and data")
        if part["version"] > kind.version:
            raise UserDataError(f"The '{name}' part of '{path}' is of version {part['version']}; this ArtSeek "
                                f"reads up to {kind.version}. Nothing was imported.",
                                "Import it with a newer version of ArtSeek.")
        try:
            kind.validate(part["data"], part["version"])
        except UserDataError as exc:
            raise bad(path, f"its '{name}' part is not valid ({exc.message})") from None
        todo.append((kind, part))
    with db.session() as s:
        images = ImageRefs(s)
        for kind, part in todo:
            report.counts[kind.name] = kind.import_(s, part["data"], part["version"], images)
    after()
    return report
