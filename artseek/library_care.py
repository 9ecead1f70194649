"""Backups, restore and checks of an open library: the part of :class:`artseek.library.Library` a
"library health" dialog and the ``library`` commands use.

For a library that cannot be opened (its database is damaged), the same
operations exist as functions in :mod:`artseek.maintenance`.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import func, select

from artseek import index_sync
from artseek.errors import LibraryDamagedError, LibraryError
from artseek.storage import Database, Image, ImageStatus
from artseek.storage.backups import BackupInfo, BackupStore
from artseek.storage.database import DB_FILENAME
from artseek.storage.errors import damaged_error, guarded
from artseek.storage.health import CheckReport, quick_check
from artseek.vectors.hnsw_index import INDEX_FILENAME, STATE_FILENAME

META_LIBRARY_ID = "library_id"
META_DIM = "embed_dim"


class LibraryCare:
    """Mixin of :class:`artseek.library.Library` (uses its ``folder``, ``db``, ``read_only`` and vectors)."""

    folder: Path
    db: Database
    read_only: bool
    library_id: str
    index_repair: str | None
    backup_problem: str | None

    def backups(self) -> list[BackupInfo]:
        """The database backups of this library, newest first (name, date, size, image counts)."""
        return BackupStore(self.folder).list()

    @guarded
    def backup(self, reason: str = "manual") -> BackupInfo:
        """Make a backup now (checked first, so a damaged database never replaces good backups)."""
        self.require_writable()
        problems = quick_check(self.db.engine, tables=None)
        if problems:
            raise damaged_error(self.folder, problems)
        return self.db.backup(reason)

    def _auto_backup(self, reason: str) -> None:
        """The automatic backup. A failure (e.g. disk full) is noted in :attr:`backup_problem`, not raised;
        a damaged database is reported at once."""
        try:
            self.backup(reason)
            self.backup_problem = None
        except LibraryDamagedError:
            raise
        except LibraryError as exc:
            self.backup_problem = exc.message

    @guarded
    def restore_backup(self, name: str) -> Path:
        """Replace the database by backup ``name``; returns where the replaced database was kept.

        The vector index is rebuilt from the restored embeddings; images indexed
        after the backup was made come back with the next ``rescan``.
        """
        self.require_writable()
        BackupStore(self.folder).find(name)  # a wrong name changes nothing
        self.db.close()
        self._forget_vectors()
        try:
            aside = restore_files(self.folder, name)
        finally:
            self.db = Database(self.folder)
        self.library_id = self.db.get_meta(META_LIBRARY_ID) or self.library_id
        dim = self.db.get_meta(META_DIM)
        if dim:
            self._open_vectors(int(dim))
        return aside

    @guarded
    def check(self, full: bool = False) -> CheckReport:
        """Check the database (the open's quick check, or every page with ``full``) and the vector index."""
        start = time.perf_counter()
        report = CheckReport(library=str(self.folder), full=full, problems=self.db.check(full),
                             backups=self.backups())
        with self.db.session() as s:
            report.indexed = int(s.scalar(select(func.count()).select_from(Image)
                                          .where(Image.status == ImageStatus.INDEXED)))
        if self.db.get_meta(META_DIM):
            vectors = self.vectors
            if full and not index_sync.vectors_match_database(self.db, vectors):
                vectors.reset("The vector index held other vectors than the database.")
                self.repair()
            report.searchable = len(vectors)
            if self.index_repair:
                report.vector_index = f"{self.index_repair} It was rebuilt from the stored embeddings."
            if report.searchable != report.indexed:
                report.vector_index = (f"{report.searchable} searchable of {report.indexed} indexed images: "
                                       "run 'rescan' to repair.")
        report.elapsed_s = time.perf_counter() - start
        return report


def restore_files(folder: Path, name: str) -> Path:
    """Put backup ``name`` in place of the database and drop the derived vector index (rebuilt on open).

    The caller holds the library lock with no connection open; returns where the replaced database was kept.
    """
    aside = BackupStore(folder).restore(name, folder / DB_FILENAME)
    for derived in (INDEX_FILENAME, STATE_FILENAME):
        (folder / derived).unlink(missing_ok=True)
    return aside
