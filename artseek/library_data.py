"""A curator's own data in a library: its collections, and the export and import of all user data as one file.

A mixin of :class:`artseek.library.Library` (it uses the library's ``db``,
``folder``, ``library_id`` and writable check), kept apart so that the library
module holds one job. See :mod:`artseek.collections` and :mod:`artseek.userdata`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from artseek.collections import CollectionService
from artseek.storage import Database
from artseek.storage.errors import guarded
from artseek.userdata import ImportReport, export_user_data, import_user_data


class LibraryData:
    """Mixin of :class:`artseek.library.Library`: collections and user-data files."""

    db: Database
    folder: Path
    library_id: str
    _collections: CollectionService | None
    require_writable: Callable[[], None]

    @property
    def collections(self) -> CollectionService:
        """The curator's collections of this library (see :mod:`artseek.collections`)."""
        if self._collections is None:
            self._collections = CollectionService(self.db, self.folder, self.require_writable)
        return self._collections

    @guarded
    def export_user_data(self, path: str | os.PathLike[str]) -> dict[str, int]:
        """Write the curator's own data (collections, hand-set tags, ...) to one JSON file; see
        :mod:`artseek.userdata`. Returns the records written per kind."""
        return export_user_data(self.db, path, self.library_id)

    @guarded
    def import_user_data(self, path: str | os.PathLike[str]) -> ImportReport:
        """Merge a library data file into this library (all or nothing, never duplicating)."""
        return import_user_data(self.db, path, self.require_writable, after=self.collections.relink)
