"""The service's library care: backups, restoring one, checking the library (part of the window's door to the core).

:class:`CareService` belongs to :class:`artseek.ui.service.LibraryService` (its
``care``) and runs everything on the service's worker threads: making and
restoring backups on the write thread, listing and checking on the read thread.
A restore reopens the library. :meth:`restore_closed` restores a library that
cannot be opened (its database is damaged) and then opens it.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Signal


class CareService(QObject):
    """Backups and checks of the open library (or of a damaged one's folder); answers with signals."""

    backupsListed = Signal(object)  # list[BackupInfo], newest first
    backupMade = Signal(object)  # BackupInfo
    restored = Signal(str)  # where the replaced database was set aside
    checked = Signal(object)  # CheckReport
    failed = Signal(str, object)  # what was being done, the exception

    def __init__(self, service: QObject) -> None:
        """``service``: the LibraryService (its ``library``, ``need_library``, ``run_background``, ``open_library``;
        not imported here, which would be a cycle)."""
        super().__init__(service)
        self.service = service

    def _fail(self, title: str):  # noqa: ANN202
        return lambda exc: self.failed.emit(title, exc)

    def list_backups(self) -> None:
        lib = self.service.library
        if lib is None:
            return
        self.service.run_background(lib.backups, self.backupsListed.emit, self._fail("The backups could not be listed"))

    def backup_now(self) -> None:
        if not self.service.need_library(write=True):
            return
        lib = self.service.library

        def work() -> tuple:
            return lib.backup("manual"), lib.backups()

        def done(result: tuple) -> None:
            made, backups = result
            self.backupMade.emit(made)
            self.backupsListed.emit(backups)

        self.service.run_background(work, done, self._fail("The backup could not be made"), write=True)

    def check(self) -> None:
        lib = self.service.library
        if lib is None:
            return
        self.service.run_background(lambda: lib.check(full=True), self.checked.emit,
                                    self._fail("The library could not be checked"), write=True)

    def restore(self, name: str) -> None:
        """Replace the open library's database by backup ``name``, then reopen the library."""
        if not self.service.need_library(write=True, idle=True):
            return
        lib = self.service.library

        def done(aside: object) -> None:
            self.restored.emit(os.fspath(aside))
            self.service.open_library(lib.folder, strict_model=False)

        self.service.run_background(lambda: lib.restore_backup(name), done,
                                    self._fail("The backup could not be restored"), write=True)

    def restore_closed(self, folder: str | None, name: str) -> None:
        """Restore backup ``name`` of a library that could not be opened (no Library needed), then open it."""
        def work() -> str:
            from artseek.maintenance import restore_backup

            return os.fspath(restore_backup(folder, name))

        def done(aside: str) -> None:
            self.restored.emit(aside)
            self.service.open_library(folder, strict_model=False)

        self.service.run_background(work, done, self._fail("The backup could not be restored"), write=True)
