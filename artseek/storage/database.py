"""Opening the library database: WAL mode, foreign keys, schema creation, meta values."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, func, select
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from artseek.errors import LibraryError
from artseek.storage.backups import BackupStore
from artseek.storage.health import OPEN_CHECK_TABLES, full_check, quick_check
from artseek.storage.migrations import SCHEMA_VERSION, missing_columns, upgrade
from artseek.storage.models import Base, Embedding, Meta

DB_FILENAME = "library.sqlite"
WHOLE_CHECK_BYTES = 256 * 1024 * 1024  # ~20,000 images with thumbnails; quick_check of it about 0.1 s warm


class Database:
    """A SQLAlchemy engine and session factory over ``<library>/library.sqlite``."""

    def __init__(self, folder: Path, read_only: bool = False) -> None:
        self.path = folder / DB_FILENAME
        self.read_only = read_only
        timeout = float(os.environ.get("ARTSEEK_DB_TIMEOUT", "30"))  # seconds to wait for another writer
        if read_only:
            immutable = "&immutable=1" if _immutable(self.path) else ""
            url = f"sqlite:///file:{self.path.as_posix()}?mode=ro{immutable}&uri=true"
        else:
            url = f"sqlite:///{self.path.as_posix()}"
        self.engine = create_engine(url, connect_args={"timeout": timeout, "check_same_thread": False})
        event.listen(self.engine, "connect", self._configure_connection)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        try:
            if not read_only:
                self._backup_before_schema_change(folder)
                upgrade(self.engine)  # columns added since the file was made
                Base.metadata.create_all(self.engine)
                with self.session() as s:
                    s.merge(Meta(key="schema_version", value=SCHEMA_VERSION))
            else:
                with self.engine.connect():
                    pass
            # Whole-file quick check up to WHOLE_CHECK_BYTES (about 0.1 s), else the small tables only.
            small = self.path.stat().st_size <= WHOLE_CHECK_BYTES
            problems = quick_check(self.engine, None if small else OPEN_CHECK_TABLES)
        except (OperationalError, DatabaseError) as exc:
            from artseek.storage.errors import translate

            translated = translate(exc, folder)
            if translated is not None:
                raise translated from exc
            raise LibraryError(
                f"The library database '{self.path}' cannot be opened: {_reason(exc)}.",
                "Check that the folder is writable and the disk is not full; if the file is damaged, "
                "restore it from a backup or create a new library.",
            ) from exc
        if problems:
            self.engine.dispose()
            from artseek.storage.errors import damaged_error

            raise damaged_error(folder, problems)

    def _backup_before_schema_change(self, folder: Path) -> None:
        """Back up an existing database before :meth:`create_all` adds tables or ``upgrade`` adds columns to it."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        with self.engine.connect() as conn:
            present = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if present and (not set(Base.metadata.tables) <= present or missing_columns(self.engine)):
            BackupStore(folder).create(self.path, "before schema change")

    def _configure_connection(self, dbapi_connection: sqlite3.Connection, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        if not self.read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        s = self._sessions()
        try:
            yield s
            if not self.read_only:
                s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def get_meta(self, key: str) -> str | None:
        with self.session() as s:
            row = s.get(Meta, key)
            return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.session() as s:
            s.merge(Meta(key=key, value=value))

    def all_meta(self) -> dict[str, str]:
        with self.session() as s:
            return {m.key: m.value for m in s.scalars(select(Meta))}

    def max_seq(self, session: Session | None = None) -> int:
        """The newest embedding sequence number (0 when there is none)."""
        query = select(func.coalesce(func.max(Embedding.seq), 0))
        if session is not None:
            return int(session.scalar(query))
        with self.session() as s:
            return int(s.scalar(query))

    def integrity_check(self) -> str:
        """Result of ``PRAGMA integrity_check`` (``"ok"`` when healthy)."""
        with self.engine.connect() as conn:
            return str(conn.exec_driver_sql("PRAGMA integrity_check").scalar())

    def check(self, full: bool = False) -> list[str]:
        """Problems found: the open's quick check of the small tables, or every page with ``full``."""
        return full_check(self.engine) if full else quick_check(self.engine)

    def backup(self, reason: str):  # noqa: ANN201 - BackupInfo
        """A consistent copy in ``backups/`` (SQLite online backup API); old copies rotate out."""
        return BackupStore(self.path.parent).create(self.path, reason)

    def close(self) -> None:
        self.engine.dispose()


def _immutable(path: Path) -> bool:
    """Open with ``immutable=1`` (no -shm file needed) when the folder is read-only, unless a write-ahead log
    left by a run that was stopped (kill -9, media turned read-only) holds committed changes: SQLite reads
    those read-only through the existing -shm file, and ``immutable`` would hide them."""
    if os.access(path.parent, os.W_OK):
        return False
    wal, shm = path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")
    return not (wal.exists() and wal.stat().st_size > 0 and shm.exists())


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).splitlines()[0]
