"""Checking the library database: a quick check on every open, a full one on demand.

Measured on a 100,000-image library (1.4 GB, page cache warm): ``PRAGMA
quick_check`` of the whole file 0.61 s, ``integrity_check`` 0.75 s, but
``quick_check`` of the ``images`` table (with its indexes) 0.03 s; embeddings
0.25 s and thumbnails 0.35 s are the bulk, and grow to seconds (tens of
seconds from a cold disk) at a million images. So an open checks the tables
that hold what the files on disk cannot give back (paths, states, texts, tags,
folders, the library's identity), which costs time in proportion to those
small tables; the bulky derived tables (embeddings, thumbnails, text and prompt
vectors) are checked by :func:`full_check` (``library check --full``) and
before every backup, so a damaged page is never copied over good backups.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError

OPEN_CHECK_TABLES = ("meta", "import_roots", "images", "texts", "tags")


def _tables(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _problems(rows: list) -> list[str]:
    found = [str(r[0]) for r in rows]
    return [] if found == ["ok"] else found


def _reported(check):  # noqa: ANN001, ANN202
    """SQLite may raise instead of listing a problem (e.g. a zeroed page): that is a finding too."""
    def run(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        try:
            return check(*args, **kwargs)
        except DatabaseError as exc:
            return [str(getattr(exc, "orig", None) or exc).splitlines()[0]]
    run.__doc__ = check.__doc__
    return run


@_reported
def quick_check(engine: Engine, tables: tuple[str, ...] | None = OPEN_CHECK_TABLES) -> list[str]:
    """Problems ``PRAGMA quick_check`` finds in ``tables`` (all tables when None); [] when healthy."""
    with engine.connect() as conn:
        if tables is None:
            return _problems(conn.exec_driver_sql("PRAGMA quick_check(20)").all())
        problems: list[str] = []
        for table in sorted(set(tables) & _tables(engine)):
            problems += _problems(conn.exec_driver_sql(f"PRAGMA quick_check('{table}')").all())
        return problems


@_reported
def full_check(engine: Engine) -> list[str]:
    """Problems ``PRAGMA integrity_check`` finds in the whole database (every page, index and constraint)."""
    with engine.connect() as conn:
        return _problems(conn.exec_driver_sql("PRAGMA integrity_check(50)").all())


@dataclass
class CheckReport:
    """What ``library check`` found: the database, the vector index, the counts and the backups."""

    library: str
    full: bool
    problems: list[str] = field(default_factory=list)  # database problems; [] = healthy
    vector_index: str = "ok"  # "ok", or what was wrong with it and what was done
    indexed: int | None = None
    searchable: int | None = None
    backups: list = field(default_factory=list)  # BackupInfo, newest first
    elapsed_s: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {"library": self.library, "full": self.full, "ok": self.ok, "problems": self.problems,
                "vector_index": self.vector_index, "indexed": self.indexed, "searchable": self.searchable,
                "backups": [b.to_dict() for b in self.backups], "elapsed_s": round(self.elapsed_s, 3)}
