"""CSV cells that a spreadsheet will not run as formulas (CSV injection, as OWASP describes it).

A file name, description or tag value such as ``=HYPERLINK(...)`` or ``@SUM(...)``
written as it is into an exported CSV would be evaluated by Excel or LibreOffice
when the curator opens the export. :func:`csv_safe` prefixes such text cells with
an apostrophe (shown as text, not evaluated); numbers stay numbers. Every CSV
export goes through :func:`write_csv`.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from artseek.errors import ArtSeekError

# OWASP's list (= + - @ tab carriage return) and their full-width forms, which some spreadsheets also accept.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def csv_safe(value: object) -> object:
    """``value`` made harmless for a spreadsheet: text starting like a formula gets a leading apostrophe.

    Non-text values (numbers, None) and text that is a plain number (``-0.5``) are returned unchanged.
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS) or _NUMBER.fullmatch(value):
        return value
    return "'" + value


class ExportError(ArtSeekError):
    """An export file cannot be written."""


def write_csv(path: str | os.PathLike[str], fieldnames: Sequence[str], rows: Iterable[Mapping[str, object]]) -> int:
    """Write ``rows`` (dicts) as a UTF-8 CSV with every cell passed through :func:`csv_safe`.

    Written to a temporary file and renamed, so a failed export leaves no half file. Returns the row count.
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    n = 0
    try:
        with tmp.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(fieldnames))
            writer.writeheader()
            for row in rows:
                writer.writerow({k: csv_safe(v) for k, v in row.items()})
                n += 1
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"Cannot write '{path}': {exc.strerror or exc}.", "Choose a writable location.") from None
    return n
