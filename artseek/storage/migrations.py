"""Schema upgrades of existing libraries: new nullable columns added in place.

``create_all`` makes missing *tables*; a column added to a model later is added
here with ``ALTER TABLE ... ADD COLUMN`` (cheap in SQLite: no table rewrite).
Only nullable columns without a server default may be added this way, which
is what every added column so far is; their value is filled in as the data is
next seen (e.g. ``images.ctime_ns`` on the next re-scan).
"""

from __future__ import annotations

from sqlalchemy import Engine, inspect
from sqlalchemy.schema import CreateColumn

from artseek.storage.models import Base

# 2: images.ctime_ns, images.inode. 3: images.taken_at, phash, phash_crop; duplicate_pairs.pixels, colour; the
# tables of collections, tags, categories, descriptions, history, map, duplicates, tiles and visual words.
SCHEMA_VERSION = "3"


def missing_columns(engine: Engine) -> list[tuple[str, str]]:
    """``(table, column)`` of model columns the database file lacks (tables it lacks are not listed)."""
    inspector = inspect(engine)
    tables = set(inspector.get_table_names())
    out = []
    for table in Base.metadata.sorted_tables:
        if table.name not in tables:
            continue
        present = {c["name"] for c in inspector.get_columns(table.name)}
        out.extend((table.name, c.name) for c in table.columns if c.name not in present)
    return out


def upgrade(engine: Engine) -> list[tuple[str, str]]:
    """Add the missing columns; returns what was added. Run before ``create_all`` or after: both work."""
    added = missing_columns(engine)
    if not added:
        return []
    with engine.begin() as conn:
        for table_name, column_name in added:
            column = Base.metadata.tables[table_name].columns[column_name]
            if not column.nullable or column.primary_key:
                raise RuntimeError(f"column {table_name}.{column_name} cannot be added in place")
            ddl = CreateColumn(column).compile(dialect=engine.dialect)
            conn.exec_driver_sql(f'ALTER TABLE "{table_name}" ADD COLUMN {ddl}')
    return added
