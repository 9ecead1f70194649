"""Turning storage failures (disk full, read-only media, locks) into curator-readable errors."""

from __future__ import annotations

import errno
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from artseek.errors import ArtSeekError, LibraryError, LibraryReadOnlyError

T = TypeVar("T")

_KEPT = "Everything saved before this point is kept."


def translate(exc: BaseException, folder: Path | str) -> LibraryError | None:
    """A :class:`LibraryError` for a known storage failure, else None."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    code = getattr(exc, "errno", None)
    if "disk is full" in text or "database or disk is full" in text or code in (errno.ENOSPC, errno.EDQUOT):
        return LibraryError(f"The disk holding the library '{folder}' is full, so ArtSeek could not save its work.",
                            f"{_KEPT} Free some space (or move the library elsewhere with --library), "
                            "then run the same action again to continue.")
    if "readonly database" in text or "read-only" in text or code == errno.EROFS or \
            (code in (errno.EACCES, errno.EPERM) and "lock" not in text):
        return LibraryReadOnlyError(f"The library '{folder}' is on read-only storage or ArtSeek may not write there.",
                            "Searching still works. To index, choose a writable folder with --library, "
                            "or ask your IT department for write access.")
    if "database is locked" in text or "database table is locked" in text:
        return LibraryError(f"The library database in '{folder}' is locked by another program.",
                            "Close other programs using it (another ArtSeek, a backup or sync tool, a database "
                            f"viewer), then try again. {_KEPT}")
    if isinstance(exc, DBAPIError) and ("malformed" in text or "not a database" in text):
        return LibraryError(f"The library database in '{folder}' is damaged ({text.splitlines()[0]}).",
                            "Restore library.sqlite from a backup, or create a new library and re-index.")
    return None


@contextmanager
def storage_errors(folder: Path | str) -> Iterator[None]:
    """Re-raise storage failures inside the block as readable :class:`LibraryError`."""
    try:
        yield
    except ArtSeekError:
        raise
    except (DBAPIError, OSError) as exc:
        translated = translate(exc, folder)
        if translated is None:
            raise
        raise translated from exc


def guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Decorator for Library methods: storage failures become readable errors."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        with storage_errors(self.folder):
            return method(self, *args, **kwargs)

    return wrapper
