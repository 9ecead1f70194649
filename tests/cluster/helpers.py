"""Reading a library back for comparisons, and running the cluster indexer in-process on the local Ray."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from sqlalchemy import select

from tests.fixtures.bad_files import BOMB_PIXELS

LOCAL_RAY = dict(num_cpus=2, include_dashboard=False, log_to_driver=False)
MAX_PIXELS = BOMB_PIXELS - 1  # bomb.png fails as too large, as in tests/integration/test_bad_inputs.py


def snapshot(folder: Path) -> dict[str, dict]:
    """Path -> the stored record, thumbnail and vector of every image of the library in ``folder``."""
    from artseek.storage import Database, Embedding, Image, Thumbnail

    db = Database(folder, read_only=True)
    try:
        with db.session() as s:
            rows = s.execute(select(Image, Embedding.vector, Thumbnail.jpeg)
                             .outerjoin(Embedding, Embedding.image_id == Image.id)
                             .outerjoin(Thumbnail, Thumbnail.image_id == Image.id)).all()
            return {img.path: dict(status=img.status, error=img.error, content_hash=img.content_hash,
                                   width=img.width, height=img.height, format=img.format, size=img.size,
                                   mtime_ns=img.mtime_ns, thumbnail=jpeg,
                                   vector=None if vec is None else np.frombuffer(vec, dtype=np.float32))
                    for img, vec, jpeg in rows}
    finally:
        db.close()


def cluster_index(library: Path, folders: list[Path], pipeline=None, shard_rows: int = 4096,  # noqa: ANN001
                  keep_shards: bool = False, workers: int = 1):  # noqa: ANN201
    """``cluster index`` as the command runs it, on the session's local Ray (torch on the CPU)."""
    from artseek.cluster.job import ClusterIndexer
    from artseek.cluster.pipeline import PipelineOptions
    from artseek.library import Library

    options = PipelineOptions(backend="torch", device="cpu", workers=workers, shard_rows=shard_rows,
                              decode_batch=8, max_pixels=MAX_PIXELS)
    with Library(library, model="tiny-test", backend="torch", device="cpu") as lib:
        return ClusterIndexer(lib, options, pipeline=pipeline, keep_shards=keep_shards).run(folders)


TOLERANCE = 1e-5  # the same backend on the same CPU: vectors agree to float rounding


def assert_same_library(cluster: dict[str, dict], desktop: dict[str, dict]) -> None:
    assert set(cluster) == set(desktop)
    for path, want in desktop.items():
        got = cluster[path]
        for key in ("status", "error", "content_hash", "width", "height", "format", "size", "mtime_ns", "thumbnail"):
            assert got[key] == want[key], (path, key)
        if want["vector"] is None:
            assert got["vector"] is None, path
        else:
            assert np.max(np.abs(got["vector"] - want["vector"])) < TOLERANCE, path


def first_time(marker: Path) -> bool:
    """True once per marker file, across processes (the first to create it wins)."""
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    os.close(fd)
    return True
