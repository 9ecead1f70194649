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
from artseek.storage.migrations import SCHEMA_VERSION, upgrade
from artseek.storage.models import Base, Embedding, Meta

DB_FILENAME = "library.sqlite"


class Database:
    """A SQLAlchemy engine and session factory over ``<library>/library.sqlite``."""

    def __init__(self, folder: Path, read_only: bool = False) -> None:
        self.path = folder / DB_FILENAME
        self.read_only = read_only
        timeout = float(os.environ.get("ARTSEEK_DB_TIMEOUT", "30"))  # seconds to wait for another writer
        if read_only:
            # immutable=1 when the folder itself is read-only: SQLite then needs no -shm file.
            immutable = "&immutable=1" if not os.access(folder, os.W_OK) else ""
            url = f"sqlite:///file:{self.path.as_posix()}?mode=ro{immutable}&uri=true"
        else:
            url = f"sqlite:///{self.path.as_posix()}"
        self.engine = create_engine(url, connect_args={"timeout": timeout, "check_same_thread": False})
        event.listen(self.engine, "connect", self._configure_connection)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        try:
            if not read_only:
                upgrade(self.engine)  # columns added since the file was made
                Base.metadata.create_all(self.engine)
                with self.session() as s:
                    s.merge(Meta(key="schema_version", value=SCHEMA_VERSION))
            else:
                with self.engine.connect():
                    pass
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

    def close(self) -> None:
        self.engine.dispose()


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).splitlines()[0]
