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
