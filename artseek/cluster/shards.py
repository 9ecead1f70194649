"""Result shards: Parquet files of decoded-and-embedded images, written atomically and named by content.

A shard holds, per image, what the desktop indexing job stores: the planned
image id, path, size and mtime (the key of the work), the failure reason or
the content hash, dimensions, format, JPEG thumbnail and float32 embedding.

Shards are idempotent: a shard's name is a hash of the work it covers, and it
is written to a temporary name and renamed, so a retried task rewrites the
same complete file and a killed one leaves only a ``.part`` that is ignored.
A finished shard is never redone; an interrupted run resumes from them.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

SHARD_GLOB = "shard-*.parquet"
KEY_COLUMNS = ("image_id", "path", "size", "mtime_ns")

SCHEMA = pa.schema([
    ("image_id", pa.int64()),
    ("path", pa.string()),
    ("size", pa.int64()),
    ("mtime_ns", pa.int64()),
    ("error", pa.string()),  # null when the image was decoded and embedded
    ("content_hash", pa.string()),
    ("width", pa.int32()),
    ("height", pa.int32()),
    ("format", pa.string()),
    ("thumbnail", pa.binary()),  # JPEG, as the desktop stores it
    ("vector", pa.binary()),  # float32 little-endian, L2-normalised; null for failures
])


@dataclass(frozen=True)
class WorkKey:
    """What makes a shard row valid for a planned file: the same record, path, size and mtime."""

    image_id: int
    path: str
    size: int
    mtime_ns: int


def shard_name(image_ids: np.ndarray, sizes: np.ndarray, mtimes: np.ndarray) -> str:
    """The file name of the shard for this work (the same work always gives the same name)."""
    order = np.argsort(image_ids, kind="stable")
    h = hashlib.blake2b(digest_size=12)
    for array in (image_ids, sizes, mtimes):
        h.update(np.ascontiguousarray(np.asarray(array, dtype=np.int64)[order]).tobytes())
    return f"shard-{h.hexdigest()}.parquet"


def write_shard(folder: Path, columns: dict[str, np.ndarray]) -> tuple[str, int]:
    """Write one shard atomically from numpy columns (see :data:`SCHEMA`); returns ``(name, rows)``."""
    folder.mkdir(parents=True, exist_ok=True)
    vectors = columns["vector"]
    errors = [e or None for e in columns["error"]]
    table = pa.table({
        "image_id": pa.array(columns["image_id"], pa.int64()),
        "path": pa.array(list(columns["path"]), pa.string()),
        "size": pa.array(columns["size"], pa.int64()),
        "mtime_ns": pa.array(columns["mtime_ns"], pa.int64()),
        "error": pa.array(errors, pa.string()),
        "content_hash": pa.array([None if e else h for e, h in zip(errors, columns["content_hash"])], pa.string()),
        "width": pa.array(columns["width"], pa.int32()),
        "height": pa.array(columns["height"], pa.int32()),
        "format": pa.array([None if e else f for e, f in zip(errors, columns["format"])], pa.string()),
        "thumbnail": pa.array([None if e else bytes(t) for e, t in zip(errors, columns["thumbnail"])], pa.binary()),
        "vector": pa.array([None if e else np.asarray(v, dtype="<f4").tobytes() for e, v in zip(errors, vectors)],
                           pa.binary()),
    }, schema=SCHEMA)
    name = shard_name(columns["image_id"], columns["size"], columns["mtime_ns"])
    tmp = folder / f".{name}.{uuid.uuid4().hex}.part"
    try:
        # Thumbnails and vectors are unique: a dictionary would only cost time (and hide their real size).
        pq.write_table(table, tmp, use_dictionary=["format", "error"])
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, folder / name)
    finally:
        tmp.unlink(missing_ok=True)
    return name, table.num_rows


def shard_files(folder: Path) -> list[Path]:
    """The complete shards in ``folder`` (unfinished ``.part`` files are not listed)."""
    return sorted(folder.glob(SHARD_GLOB)) if folder.is_dir() else []


def finished_keys(folder: Path) -> tuple[set[WorkKey], list[Path]]:
    """The work the shards in ``folder`` already hold, and the damaged shards (unreadable; to be redone)."""
    done: set[WorkKey] = set()
    damaged: list[Path] = []
    for path in shard_files(folder):
        try:
            table = pq.read_table(path, columns=list(KEY_COLUMNS))
        except (OSError, pa.ArrowException):
            damaged.append(path)
            continue
        cols = [table.column(c).to_pylist() for c in KEY_COLUMNS]
        done.update(WorkKey(*row) for row in zip(*cols))
    return done, damaged


def read_shards(folder: Path, batch_rows: int = 2048) -> Iterator[pa.RecordBatch]:
    """Every row of every complete shard, in record batches."""
    for path in shard_files(folder):
        yield from pq.ParquetFile(path).iter_batches(batch_size=batch_rows)


def clean_partial(folder: Path) -> int:
    """Delete ``.part`` files left by killed writers; returns how many."""
    parts = list(folder.glob(".shard-*.part")) if folder.is_dir() else []
    for part in parts:
        part.unlink(missing_ok=True)
    return len(parts)
