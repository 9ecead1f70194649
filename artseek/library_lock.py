"""An OS-level lock so that only one process writes to a library at a time."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

from artseek.errors import LibraryError

LOCK_FILENAME = "library.lock"


class LibraryLock:
    """Exclusive, non-blocking lock on ``<library>/library.lock``; freed if the process dies."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_FILENAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Take the lock; False when another process holds it."""
        if self._fd is not None:
            return True
        fd = self._open()
        try:
            if sys.platform.startswith("win"):
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return True

    def _open(self) -> int:
        """Open (or create) the lock file; an empty folder in its place (left by a copy tool) is removed."""
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            if not (isinstance(exc, IsADirectoryError) or exc.errno == errno.EISDIR or self.path.is_dir()):
                raise
        try:
            self.path.rmdir()  # holds nothing: ArtSeek makes the file itself
        except OSError:
            raise LibraryError(
                f"'{self.path}' is a folder, but ArtSeek keeps a small lock file under that name.",
                f"Move that folder out of the library folder '{self.path.parent}' (it is not ArtSeek's), "
                "then try again.") from None
        return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            if sys.platform.startswith("win"):
                import msvcrt

                os.lseek(self._fd, 0, os.SEEK_SET)
                msvcrt.locking(self._fd, msvcrt.LK_UNLCK, 1)
            else:
                import fcntl

                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            os.close(self._fd)
            self._fd = None
