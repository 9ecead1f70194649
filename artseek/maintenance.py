"""Backups, restore and check for a library folder, also when it cannot be opened (damaged database).

What the ``library`` commands and a "library health" dialog call. With an open
:class:`artseek.library.Library`, its methods ``backups()``, ``backup()``,
``restore_backup()`` and ``check()`` do the same.
"""

from __future__ import annotations

from pathlib import Path

from artseek import config
from artseek.errors import LibraryDamagedError, LibraryError
from artseek.library import open_library, raise_locked
from artseek.library_care import restore_files
from artseek.library_lock import LibraryLock
from artseek.storage.backups import BackupInfo, BackupStore
from artseek.storage.health import CheckReport


def _folder(folder: Path | str | None) -> Path:
    return Path(folder).expanduser() if folder else config.default_library_dir()


def list_backups(folder: Path | str | None) -> list[BackupInfo]:
    """The backups of a library folder, newest first; needs no working database."""
    return BackupStore(_folder(folder)).list()


def restore_backup(folder: Path | str | None, name: str) -> Path:
    """Put backup ``name`` in place of the library's database; returns where the replaced one was kept.

    Refused while another process has the library open. The vector index is
    rebuilt from the restored database on the next open; images indexed since
    the backup return with ``rescan``.
    """
    folder = _folder(folder)
    store = BackupStore(folder)
    store.find(name)
    lock = LibraryLock(folder)
    try:
        acquired = lock.acquire()
    except OSError as exc:
        raise LibraryError(f"The library '{folder}' cannot be written ({exc.strerror}), so no backup can be "
                           "restored there.", "Make the folder writable, then try again.") from exc
    if not acquired:
        raise_locked(folder)
    try:
        return restore_files(folder, name)
    finally:
        lock.release()


def check_library(folder: Path | str | None, full: bool = False, **kwargs: object) -> CheckReport:
    """Check a library (read-only when it is in use elsewhere); a damaged database gives a report, not an error."""
    folder = _folder(folder)
    try:
        with open_library(folder, **kwargs) as lib:
            return lib.check(full)
    except LibraryDamagedError as exc:
        return CheckReport(library=str(folder), full=full, problems=exc.problems or [exc.message],
                           vector_index="not checked", backups=exc.backups)
