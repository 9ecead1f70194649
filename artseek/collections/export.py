"""Exports of a collection or a selection: a CSV with metadata, and the files copied to a folder.

Both take :class:`ExportEntry` lists (what to export, in order, with the score
of a search and the curator's note) and read the rest (size, format, tags, best
description, thumbnail) from the database. The PDF contact sheet is drawn with
Qt in :mod:`artseek.ui.contact_sheet` from :func:`sheet_entries`.

The CSV goes through :func:`artseek.csv_safe.write_csv` (formula-safe, written
to a temporary file and renamed). Copying never overwrites: a name already in
the folder (or copied earlier in the same run) gets `` (2)``, `` (3)`` ...
before its extension; a file that cannot be read is reported and the others
are copied; each file is copied to a temporary name and renamed, so a stopped
copy leaves no half file under a real name.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import select

from artseek.collections.errors import CollectionError
from artseek.csv_safe import ExportError, write_csv
from artseek.storage import Database, Image, Tag, TextEntry, Thumbnail

CSV_FIELDS = ("path", "file_name", "folder", "score", "note", "tags", "description", "width", "height", "format")
KIND_ORDER = {"visual": 0, "caption": 1, "description": 2}  # which text is the "best description" of an image


@dataclass(frozen=True)
class ExportEntry:
    """One image to export: its id (None: not in the library now), its path, a search score, a note."""

    image_id: int | None
    path: str
    score: float | None = None
    note: str = ""


@dataclass
class CopyReport:
    copied: list[tuple[str, str]] = field(default_factory=list)  # (source, destination)
    renamed: int = 0  # copies that got a suffix because the name was taken
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    cancelled: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SheetEntry:
    """What a contact-sheet cell shows."""

    file_name: str
    description: str
    note: str
    thumbnail: bytes | None


def image_facts(db: Database, image_ids: list[int]) -> dict[int, dict]:
    """Per image id: width, height, format, tags ("category: value; ..."), best description."""
    facts: dict[int, dict] = {}
    with db.session() as s:
        for start in range(0, len(image_ids), 500):
            chunk = image_ids[start:start + 500]
            for r in s.execute(select(Image.id, Image.width, Image.height, Image.format).where(Image.id.in_(chunk))):
                facts[r.id] = dict(width=r.width, height=r.height, format=r.format, tags=[], texts=[])
            for image_id, cat, value in s.execute(select(Tag.image_id, Tag.category, Tag.value)
                                                  .where(Tag.image_id.in_(chunk)).order_by(Tag.category)):
                facts[image_id]["tags"].append(f"{cat}: {value}")
            for image_id, text, kind, entry_id in s.execute(select(TextEntry.image_id, TextEntry.text, TextEntry.kind,
                                                                   TextEntry.id).where(TextEntry.image_id.in_(chunk))):
                facts[image_id]["texts"].append((KIND_ORDER.get(kind or "", 9), entry_id, text))
    for f in facts.values():
        f["description"] = " ".join(min(f.pop("texts"))[2].split()) if f["texts"] else ""
        f["tags"] = "; ".join(f["tags"])
    return facts


def csv_rows(db: Database, entries: list[ExportEntry]) -> list[dict]:
    facts = image_facts(db, [e.image_id for e in entries if e.image_id is not None])
    rows = []
    for e in entries:
        f = facts.get(e.image_id or -1, {})
        rows.append(dict(path=e.path, file_name=os.path.basename(e.path), folder=os.path.dirname(e.path),
                         score=None if e.score is None else round(e.score, 6), note=e.note, tags=f.get("tags", ""),
                         description=f.get("description", ""), width=f.get("width"), height=f.get("height"),
                         format=f.get("format")))
    return rows


def export_csv(db: Database, entries: list[ExportEntry], path: str | os.PathLike[str]) -> int:
    """Write the CSV; returns the row count."""
    return write_csv(path, CSV_FIELDS, csv_rows(db, entries))


def sheet_entries(db: Database, entries: list[ExportEntry]) -> list[SheetEntry]:
    ids = [e.image_id for e in entries if e.image_id is not None]
    facts = image_facts(db, ids)
    with db.session() as s:
        thumbs = {}
        for start in range(0, len(ids), 200):
            thumbs.update(s.execute(select(Thumbnail.image_id, Thumbnail.jpeg)
                                    .where(Thumbnail.image_id.in_(ids[start:start + 200]))).all())
    return [SheetEntry(os.path.basename(e.path), facts.get(e.image_id or -1, {}).get("description", ""), e.note,
                       thumbs.get(e.image_id or -1)) for e in entries]


def free_name(folder: Path, name: str, taken: set[str]) -> str:
    """``name``, or ``stem (2).ext``, ``stem (3).ext`` ...: the first not in ``folder`` nor in ``taken``."""
    stem, ext = os.path.splitext(name)
    candidate, n = name, 1
    while candidate.lower() in taken or (folder / candidate).exists():
        n += 1
        candidate = f"{stem} ({n}){ext}"
    return candidate


def copy_files(entries: list[ExportEntry], dest: str | os.PathLike[str],
               progress: Callable[[int, int, str], None] | None = None,
               cancelled: Callable[[], bool] = lambda: False) -> CopyReport:
    """Copy the entries' files into ``dest`` (made if needed); see the module docstring."""
    folder = Path(dest)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"Cannot create the folder '{folder}': {exc.strerror or exc}.",
                          "Choose a folder you can write to.") from None
    if not os.access(folder, os.W_OK):
        raise ExportError(f"The folder '{folder}' cannot be written.", "Choose a folder you can write to.")
    report = CopyReport()
    taken: set[str] = set()
    for n, e in enumerate(entries):
        if cancelled():
            report.cancelled = True
            break
        if progress is not None:
            progress(n, len(entries), e.path)
        if not os.path.isfile(e.path):
            report.failed.append((e.path, "the file is not there (moved, deleted, or its drive not connected)"))
            continue
        name = free_name(folder, os.path.basename(e.path), taken)
        taken.add(name.lower())
        target = folder / name
        tmp = folder / f".{name}.artseek-copy"
        try:
            shutil.copyfile(e.path, tmp)
            shutil.copystat(e.path, tmp)
            if target.exists():  # appeared meanwhile: never overwrite
                name = free_name(folder, name, taken)
                taken.add(name.lower())
                target = folder / name
            os.replace(tmp, target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            report.failed.append((e.path, exc.strerror or str(exc)))
            continue
        report.renamed += name != os.path.basename(e.path)
        report.copied.append((e.path, str(target)))
    if progress is not None and not report.cancelled:
        progress(len(entries), len(entries), "")
    return report


def require_entries(entries: list[ExportEntry], what: str) -> list[ExportEntry]:
    if not entries:
        raise CollectionError(f"{what} is empty: there is nothing to export.",
                              "Add images to it first, or select some results.")
    return entries
