"""Automatic copies of the library database, and putting one back.

A backup is a consistent copy made with SQLite's online backup API
(``sqlite3.Connection.backup``) while the library stays open, written to a
temporary name, fsynced and renamed into ``<library>/backups/``. ArtSeek makes
one after every indexing job that changed something and before every change
that deletes data or alters the schema; the newest :data:`KEEP` are kept.

Restoring sets the current (damaged) database aside under ``damaged/`` (it is
never deleted) and copies the backup in its place.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from artseek.errors import LibraryError
from artseek.files import fsync_file

BACKUP_DIR = "backups"
DAMAGED_DIR = "damaged"
KEEP = 3
_NAME = re.compile(r"^library-(\d{8}-\d{6})-(\d{6})-([a-z-]+)\.sqlite$")


@dataclass
class BackupInfo:
    """One backup, as a list or a dialog shows it."""

    name: str
    path: Path
    created: datetime
    reason: str
    size: int
    images: int | None  # None: the copy cannot be read
    indexed: int | None

    def to_dict(self) -> dict:
        return {"name": self.name, "path": str(self.path), "created": self.created.isoformat(),
                "reason": self.reason, "size": self.size, "images": self.images, "indexed": self.indexed}


class BackupStore:
    """The backups of one library folder."""

    def __init__(self, folder: Path, keep: int = KEEP) -> None:
        self.folder = Path(folder)
        self.dir = self.folder / BACKUP_DIR
        self.keep = keep

    def list(self) -> list[BackupInfo]:
        """Every backup, newest first, with its date, size and image counts."""
        if not self.dir.is_dir():
            return []
        found = []
        for path in self.dir.iterdir():
            m = _NAME.match(path.name)
            if not m or not path.is_file():
                continue
            created = datetime.strptime(m.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=timezone.utc)
            images, indexed = _counts(path)
            info = BackupInfo(path.name, path, created, m.group(3).replace("-", " "), path.stat().st_size,
                              images, indexed)
            found.append((m.group(1) + m.group(2), info))
        return [info for _, info in sorted(found, key=lambda pair: pair[0], reverse=True)]

    def create(self, db_path: Path, reason: str) -> BackupInfo:
        """Copy the live database ``db_path`` with the online backup API; rotates old copies out."""
        self.dir.mkdir(parents=True, exist_ok=True)
        tag = re.sub(r"[^a-z]+", "-", reason.lower()).strip("-") or "manual"
        name = f"library-{datetime.now(timezone.utc):%Y%m%d-%H%M%S-%f}-{tag}.sqlite"
        while (self.dir / name).exists():  # same microsecond: take the next one
            name = f"library-{datetime.now(timezone.utc):%Y%m%d-%H%M%S-%f}-{tag}.sqlite"
        target = self.dir / name
        tmp = target.with_name(name + ".tmp")
        try:
            with closing(sqlite3.connect(f"file:{db_path.as_posix()}?mode=ro", uri=True)) as src, \
                    closing(sqlite3.connect(tmp)) as dst:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")
            fsync_file(tmp)
            os.replace(tmp, target)
        except sqlite3.Error as exc:
            tmp.unlink(missing_ok=True)
            code = errno.ENOSPC if "full" in str(exc).lower() else errno.EIO
            raise OSError(code, f"the backup could not be written ({exc})") from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._rotate()
        return next(b for b in self.list() if b.name == name)

    def _rotate(self) -> None:
        for old in self.list()[self.keep:]:
            old.path.unlink(missing_ok=True)

    def find(self, name: str) -> BackupInfo:
        for backup in self.list():
            if backup.name == name or backup.name == f"{name}.sqlite":
                return backup
        names = ", ".join(b.name for b in self.list()) or "none"
        raise LibraryError(f"There is no backup named '{name}' in '{self.dir}'.", f"Backups: {names}.")

    def restore(self, name: str, db_path: Path) -> Path:
        """Put backup ``name`` in place of ``db_path``; returns where the replaced database was set aside.

        The caller holds the library's lock and has closed its connections.
        """
        backup = self.find(name)
        if backup.images is None:
            raise LibraryError(f"The backup '{backup.name}' cannot be read either.", "Choose another backup.")
        aside_dir = self.folder / DAMAGED_DIR
        aside_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")
        aside = aside_dir / f"library-{stamp}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            current = db_path.with_name(db_path.name + suffix)
            if current.exists():
                os.replace(current, aside.with_name(aside.name + suffix))
        tmp = db_path.with_name(db_path.name + ".restoring")
        shutil.copyfile(backup.path, tmp)
        fsync_file(tmp)
        os.replace(tmp, db_path)
        return aside


def _counts(path: Path) -> tuple[int | None, int | None]:
    try:
        with closing(sqlite3.connect(f"file:{path.as_posix()}?mode=ro&immutable=1", uri=True)) as con:
            images = con.execute("SELECT count(*) FROM images").fetchone()[0]
            indexed = con.execute("SELECT count(*) FROM images WHERE status = 'indexed'").fetchone()[0]
            return int(images), int(indexed)
    except sqlite3.Error:
        return None, None
