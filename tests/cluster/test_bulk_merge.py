"""The bulk merge (no Ray): the library of the desktop job's merge; a merge killed midway re-runs to completion."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import insert

from artseek.cluster.bulk_store import bulk_merge_shards
from artseek.cluster.merge import merge_shards
from artseek.cluster.shards import write_shard
from artseek.ingest.indexer import IndexOptions, WorkItem
from artseek.ingest.scanner import FileEntry

DIM = 64  # the committed tiny-test model's dimension (its encoder is loaded for the input size only)
ROOT = Path(__file__).resolve().parents[2]


def _vector(key: int | str) -> np.ndarray:
    seed = int(hashlib.blake2b(str(key).encode(), digest_size=8).hexdigest(), 16)
    v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def _columns(items: list[WorkItem], hashes: list[str], errors: dict[int, str] | None = None) -> dict:
    errors = errors or {}
    n = len(items)
    return {"image_id": np.array([w.image_id for w in items]),
            "path": np.array([w.entry.path for w in items], dtype=object),
            "size": np.array([w.entry.size for w in items]), "mtime_ns": np.array([w.entry.mtime_ns for w in items]),
            "error": np.array([errors.get(w.image_id, "") for w in items], dtype=object),
            "content_hash": np.array(hashes, dtype=object), "width": np.full(n, 640), "height": np.full(n, 480),
            "format": np.array(["JPEG"] * n, dtype=object),
            "thumbnail": np.array([b"jpeg-" + h.encode() for h in hashes], dtype=object),
            "vector": np.stack([_vector(h) for h in hashes])}


def _rows(folder: Path) -> dict[str, list]:
    import sqlite3

    con = sqlite3.connect(f"file:{folder / 'library.sqlite'}?mode=ro", uri=True)
    try:
        return {
            "images": con.execute("SELECT id, path, root_id, size, mtime_ns, ctime_ns, inode, content_hash, width, "
                                  "height, format, status, error, indexed_at IS NOT NULL FROM images ORDER BY id")
            .fetchall(),
            "embeddings": con.execute("SELECT image_id, vector, seq FROM embeddings ORDER BY image_id").fetchall(),
            "thumbnails": con.execute("SELECT image_id, jpeg FROM thumbnails ORDER BY image_id").fetchall()}
    finally:
        con.close()


def _merge_into_new_library(folder: Path, work: list[WorkItem], shards: Path, merge, **kwargs):  # noqa: ANN001, ANN202
    """A library with the pending records IndexingJob.plan() makes for ``work``, merged from ``shards``."""
    from artseek.library import META_DIM, Library
    from artseek.storage import Image, ImageStatus

    with Library(folder, model="tiny-test") as lib:
        lib.db.set_meta(META_DIM, str(DIM))
        with lib.db.session() as s:
            s.execute(insert(Image), [dict(id=w.image_id, path=w.entry.path, size=w.entry.size,
                                           mtime_ns=w.entry.mtime_ns, status=ImageStatus.PENDING) for w in work])
        job = lib.indexing_job([], IndexOptions(save_interval_s=0.0))  # the index saved after every chunk too
        merged = merge(job, work, shards, **kwargs)
        return merged, job.finish()


def test_the_bulk_merge_gives_the_library_of_the_desktop_jobs_merge(tmp_path: Path) -> None:
    from artseek.library import Library

    work = [WorkItem(FileEntry(f"/x/{i:05d}.jpg", 1000 + i, 10**18 + i), i) for i in range(1, 601)]

    def shard(items: list[WorkItem], errors: dict[int, str] | None = None) -> None:
        write_shard(tmp_path / "shards", _columns(items, [f"{w.image_id:040x}" for w in items], errors))

    shard(work[:250], {7: "not an image file", 200: "the file is empty"})
    shard(work[250:595])  # 596-600 are in no shard: a run stopped early, they stay pending
    shard(work[239:261])  # a retried task's overlapping shard: each image is merged once
    stale = WorkItem(FileEntry(work[4].entry.path, work[4].entry.size, 5), 5)  # file changed since: ignored
    shard([stale, WorkItem(FileEntry("/x/not-planned.jpg", 1, 1), 9999)])

    desktop_n, desktop = _merge_into_new_library(tmp_path / "desktop", work, tmp_path / "shards", merge_shards)
    bulk_n, bulk = _merge_into_new_library(tmp_path / "bulk", work, tmp_path / "shards", bulk_merge_shards,
                                           chunk_rows=64)
    assert desktop_n == bulk_n == 595
    assert (bulk.indexed, bulk.failed) == (desktop.indexed, desktop.failed) == (593, 2)
    want, got = _rows(tmp_path / "desktop"), _rows(tmp_path / "bulk")
    assert got == want and len(got["embeddings"]) == 593
    assert [r[11] for r in got["images"]].count("pending") == 5
    states = [json.loads((tmp_path / name / "vectors.json").read_text()) for name in ("desktop", "bulk")]
    for key in ("dim", "synced_seq", "live"):
        assert states[0][key] == states[1][key], key
    with Library(tmp_path / "bulk", model="tiny-test") as lib:  # opens from the saved index, nothing to repair
        assert lib.vectors.loaded_from_disk and lib.vectors.load_problem is None and len(lib.vectors) == 593
        ids = [r[0] for r in got["embeddings"]]
        stored = np.stack([np.frombuffer(r[1], dtype=np.float32) for r in got["embeddings"]])
        assert np.array_equal(lib.vectors.get_vectors(ids), stored)


class FakePipeline:
    """Stands in for Ray: writes the shards of the work it is given (vectors made from the files' bytes)."""

    plan = None

    def run(self, todo, cfg, folder, options, progress) -> int:  # noqa: ANN001
        for start in range(0, len(todo), options.shard_rows):
            items = todo[start:start + options.shard_rows]
            hashes = [hashlib.blake2b(Path(w.entry.path).read_bytes(), digest_size=20).hexdigest() for w in items]
            write_shard(folder, _columns(items, hashes))
        return len(todo)


def _index(library: Path, folder: Path, listener=None):  # noqa: ANN001, ANN202
    from artseek.cluster.job import ClusterIndexer
    from artseek.cluster.pipeline import PipelineOptions
    from artseek.library import Library

    with Library(library, model="tiny-test") as lib:
        options = PipelineOptions(shard_rows=100)
        return ClusterIndexer(lib, options, pipeline=FakePipeline(), listener=listener).run([folder])


def merge_then_hang(library: str, folder: str, after: int) -> None:
    """Run in a subprocess: index in chunks of 100, stop forever once ``after`` images are merged (to be killed)."""
    import time

    from artseek.cluster import bulk_store

    bulk_store.CHUNK_ROWS = 100

    def listener(phase: str, done: int, total: int) -> None:
        if phase == "merging" and done >= after:
            print(f"MERGED {done}", flush=True)
            time.sleep(600)

    _index(Path(library), Path(folder), listener)


@pytest.mark.slow  # a subprocess merge killed with SIGKILL, then a rerun: 20-25 s of CPU, minutes on a loaded machine
def test_a_merge_killed_midway_leaves_a_library_that_opens_and_a_rerun_completes(tmp_path: Path) -> None:
    from artseek.library import Library

    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(600):
        (folder / f"{i:04d}.jpg").write_bytes(b"not decoded here %d" % i)
    library = tmp_path / "library"
    proc = subprocess.Popen([sys.executable, "-c", "from tests.cluster.test_bulk_merge import merge_then_hang; "
                             f"merge_then_hang({str(library)!r}, {str(folder)!r}, 300)"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        line = proc.stdout.readline()
        if not line.startswith("MERGED "):
            proc.wait(timeout=60)
            raise AssertionError(f"the merge did not reach its stop: {proc.stderr.read()[-3000:]}")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    assert len(list((library / "cluster-shards").glob("shard-*.parquet"))) == 6  # kept until a complete merge

    with Library(library, model="tiny-test") as lib:  # opens; the index is repaired from the committed chunks
        status = lib.status()
        assert status.indexed == 300 and status.pending == 300
        assert len(lib.vectors) == 300

    report = _index(library, folder)  # the same command again
    assert (report.skipped, report.resumed, report.processed, report.indexed, report.pending) == (300, 300, 0, 300, 0)
    assert not (library / "cluster-shards").exists()
    with Library(library, model="tiny-test") as lib:
        assert lib.status().indexed == 600
        assert lib.vectors.loaded_from_disk and lib.vectors.load_problem is None and len(lib.vectors) == 600

    # A moved file keeps its record (and its vector) through the bulk merge, as on the desktop.
    rows = {r[1]: r for r in _rows(library)["images"]}
    os.rename(folder / "0005.jpg", folder / "moved.jpg")
    report = _index(library, folder)
    assert (report.moved, report.missing) == (1, 1)
    after = {r[1]: r for r in _rows(library)["images"]}
    assert after[str(folder / "moved.jpg")][0] == rows[str(folder / "0005.jpg")][0]
    assert str(folder / "0005.jpg") not in after
