"""A look at a texts file before importing it: its columns, its first rows, the column mapping they suggest.

The window's *Import Descriptions…* dialog shows this so the curator can check the
file and, for a CSV, say which column holds the file, the text, the type and the
title. Reading a preview never imports anything; a file that cannot be read at all
raises :class:`artseek.captions.importers.TextImportError` as an import would.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from artseek.captions import importers
from artseek.captions.importers import ColumnMapping, TextImportError
from artseek.captions.text_encoding import WESTERN_8BIT, NotUtf8Error

PREVIEW_ROWS = 8


@dataclass
class FilePreview:
    """``kind``: "csv" (``columns`` are the header, ``rows`` its first rows) or "json" (the first records,
    shown as file, text, type, title). ``guess``: the mapping the header suggests (CSV only)."""

    path: str
    kind: str
    columns: list[str]
    rows: list[list[str]]
    guess: ColumnMapping | None = None
    notes: list[str] = field(default_factory=list)
    total: int | None = None  # records in a JSON file (a CSV is counted when imported)
    guessed_encoding: str | None = None  # read in this 8-bit encoding because it is not UTF-8 (see guess_8bit)


def preview_text_file(path: Path | str, encoding: str | None = None, rows: int = PREVIEW_ROWS,
                      guess_8bit: bool = False) -> FilePreview:
    """:func:`preview_file`; with ``guess_8bit``, a file in no given encoding that is not UTF-8 is shown as
    Windows-1252 (``guessed_encoding`` says so), for the curator to check in the preview: an 8-bit file
    cannot be told apart reliably, so the guess is shown, never imported unseen. A file that is not
    Windows-1252 either raises the first error (not UTF-8)."""
    try:
        return preview_file(path, encoding, rows)
    except NotUtf8Error as exc:
        if encoding is not None or not guess_8bit:
            raise
        first = exc
    try:
        found = preview_file(path, WESTERN_8BIT, rows)
    except TextImportError:
        raise first from None
    found.guessed_encoding = WESTERN_8BIT
    return found


def preview_file(path: Path | str, encoding: str | None = None, rows: int = PREVIEW_ROWS) -> FilePreview:
    path = Path(path)
    suffix = path.suffix.lower()
    notes: list[str] = []
    if suffix == ".json":
        records = importers.read_json(path, None, notes, encoding)
        shown = [[", ".join(r.refs[:1]), r.text, r.kind or "", r.title or ""] for r in records[:rows]]
        return FilePreview(str(path), "json", ["file", "text", "type", "title"], shown, None, notes, len(records))
    if suffix not in (".csv", ".tsv", ".txt"):
        raise TextImportError(f"'{path.name}' is neither a CSV nor a JSON file.",
                              "Choose a .csv, .tsv or .json file.")
    content = importers.read_text_file(path, notes, encoding)
    if not content.strip():
        raise TextImportError(f"'{path.name}' is empty.", "Give a CSV with a header line such as 'image,text'.")
    reader = csv.reader(io.StringIO(content), dialect=importers.csv_dialect(path, content))
    try:
        header = next(reader, [])
        shown = []
        for row in reader:
            if len(shown) >= rows:
                break
            shown.append(row)
    except csv.Error as exc:
        raise TextImportError(f"Cannot read '{path.name}': line {reader.line_num}: {exc}.",
                              "Check the quoting of that line. Nothing was imported.") from None
    return FilePreview(str(path), "csv", header, shown, importers.guess_columns(header), notes)
