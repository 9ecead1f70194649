"""The search history as a user-data kind (see :mod:`artseek.userdata.registry`).

Each recorded search (text, example image, marks, filters, when) travels with
its images named by content hash and path; importing merges, skipping searches
already in this library's history, and keeps the newest 200 (as recording does).
Imports neither torch nor Qt.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from artseek.collections.errors import UserDataError
from artseek.history import export_rows, import_rows
from artseek.userdata.registry import ImageRefs


class HistoryKind:
    name = "history"
    version = 1
    description = "recent searches (text, example image, marks and filters)"

    def export(self, s: Session, images: ImageRefs) -> list[dict]:
        return export_rows(s)

    def validate(self, data: Any, version: int) -> None:
        if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
            raise UserDataError("The history part of the file is not a list of searches.",
                                "Use a file written by File → Export Library Data….")

    def import_(self, s: Session, data: list, version: int, images: ImageRefs) -> dict[str, int]:
        added = import_rows(s, data)
        return {"searches_added": added, "already_here": len(data) - added}
