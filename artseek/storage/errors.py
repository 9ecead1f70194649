"""Turning storage failures (disk full, read-only media, locks) into curator-readable errors."""

from __future__ import annotations

import errno
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from artseek.errors import ArtSeekError, LibraryDamagedError, LibraryError, LibraryReadOnlyError

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
        return damaged_error(folder, [text.splitlines()[0]])
    return None


def damaged_error(folder: Path | str, problems: list[str]) -> LibraryDamagedError:
    """The error for a damaged database: what was found, the backups, and the command that restores one."""
    from artseek.storage.backups import BackupStore

    backups = [b for b in BackupStore(Path(folder)).list() if b.images is not None]
    detail = "; ".join(problems[:3]) + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else "")
    message = f"The library database in '{folder}' is damaged ({detail})."
    if backups:
        lines = [f"  {b.name}  ({b.created:%Y-%m-%d %H:%M} UTC, {b.indexed} indexed images, {b.size // 1024} kB)"
                 for b in backups]
        hint = ("Backups of this library:\n" + "\n".join(lines) + "\nRestore the newest with "
                f"'python main.py library restore {backups[0].name} --library \"{folder}\"' "
                "(the damaged file is kept aside in damaged/), then 'rescan' to pick up images added since.")
    else:
        hint = ("This library has no backup yet. Create a new library and re-index the folders (the image files "
                "themselves are untouched), or restore library.sqlite from your own backup.")
    return LibraryDamagedError(message, hint, backups=backups, problems=problems)


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
