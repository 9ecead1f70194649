"""``cluster index`` on a local Ray (2 CPUs): the desktop's result, faults, resume, incremental runs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

from artseek.cluster.pipeline import RayPipeline
from artseek.cluster.stages import EmbedActor, decode_batch, write_batch
from tests.cluster.helpers import cluster_index, snapshot
from tests.fixtures.bad_files import BAD_FILES

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


def test_cluster_index_gives_the_desktop_result_and_skips_unchanged_files(
        local_ray, collection: Path, desktop_library: Path, tmp_path: Path) -> None:
    from artseek.library import Library

    library = tmp_path / "cluster-library"
    report = cluster_index(library, [collection], shard_rows=16)
    desktop = snapshot(desktop_library)
    assert report.processed == report.planned == len(desktop) and report.shards >= 2
    assert report.failed == len(BAD_FILES) and report.pending == 0
    assert_same_library(snapshot(library), desktop)
    assert not (library / "cluster-shards").exists()  # merged, then removed

    # An ordinary library: opened read-only from a copy (as from a network share), it searches like the desktop's.
    copy = tmp_path / "copied"
    shutil.copytree(library, copy, ignore=shutil.ignore_patterns("library.lock"))
    with Library(copy, read_only=True, backend="torch", device="cpu") as lib, \
            Library(desktop_library, read_only=True, backend="torch", device="cpu") as ref:
        assert lib.status().indexed == ref.status().indexed == len(desktop) - len(BAD_FILES)
        assert [r.path for r in lib.search_text("a red circle", 10)] == \
            [r.path for r in ref.search_text("a red circle", 10)]

    # Unchanged files cost nothing; failed ones are tried again (as on the desktop); a new file is new work.
    again = cluster_index(library, [collection])
    assert (again.processed, again.skipped, again.indexed, again.failed) == \
        (len(BAD_FILES), len(desktop) - len(BAD_FILES), 0, len(BAD_FILES))
    shutil.copy(collection / "a" / sorted(os.listdir(collection / "a"))[0], collection / "a" / "zz_new.png")
    try:
        third = cluster_index(library, [collection])
        assert (third.processed, third.indexed) == (1 + len(BAD_FILES), 1)
    finally:
        (collection / "a" / "zz_new.png").unlink()


# --------------------------------------------------------------------------- faults
def _first_time(marker: Path) -> bool:
    """True once per marker file (atomic: the first process to create it wins)."""
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def make_killing_decode(marker: Path):  # noqa: ANN201
    def killing_decode(batch, **kwargs):  # noqa: ANN001, ANN202
        if _first_time(marker):
            os._exit(1)  # the worker process dies mid-task, as when a node is lost
        return decode_batch(batch, **kwargs)

    return killing_decode


def make_killing_actor(marker: Path) -> type:
    class KillingEmbedActor(EmbedActor):
        def __call__(self, batch):  # noqa: ANN001, ANN204
            if _first_time(marker):
                os._exit(1)  # the actor's process dies with a batch in hand
            return super().__call__(batch)

    return KillingEmbedActor


def test_a_killed_decode_worker_and_a_killed_embedding_actor_lose_and_duplicate_nothing(
        local_ray, collection: Path, desktop_library: Path, tmp_path: Path) -> None:
    pipeline = RayPipeline(decode=make_killing_decode(tmp_path / "decode-killed"),
                           embed_actor=make_killing_actor(tmp_path / "actor-killed"))
    library = tmp_path / "library"
    report = cluster_index(library, [collection], pipeline=pipeline, shard_rows=16, keep_shards=True)
    assert (tmp_path / "decode-killed").exists() and (tmp_path / "actor-killed").exists()  # both were killed
    assert report.processed == report.planned and report.pending == 0
    assert_same_library(snapshot(library), snapshot(desktop_library))

    import pyarrow.parquet as pq

    ids = [i for f in sorted((library / "cluster-shards").glob("shard-*.parquet"))
           for i in pq.read_table(f, columns=["image_id"]).column("image_id").to_pylist()]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == report.planned  # every image once in the shards


class StopAfterFirstShard:
    """A write stage that fails for good after its first shard: the run stops as if the driver were stopped."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __call__(self, batch, folder):  # noqa: ANN001, ANN204
        if not _first_time(self.marker):
            raise RuntimeError("the run was interrupted")
        return write_batch(batch, folder)


def test_an_interrupted_run_resumes_from_its_finished_shards(
        local_ray, collection: Path, desktop_library: Path, tmp_path: Path) -> None:
    from artseek.cluster.errors import ClusterError

    library = tmp_path / "library"
    pipeline = RayPipeline(write=StopAfterFirstShard(tmp_path / "first-shard"))
    try:
        cluster_index(library, [collection], pipeline=pipeline, shard_rows=8)
    except ClusterError as exc:
        assert "run the same command again" in str(exc)
    else:
        raise AssertionError("the interrupted run did not report its stop")
    shards = sorted((library / "cluster-shards").glob("shard-*.parquet"))
    assert len(shards) == 1
    (library / "cluster-shards" / ".shard-left-by-a-killed-writer.parquet.123.part").write_bytes(b"PAR1 cut")

    report = cluster_index(library, [collection], shard_rows=8)
    assert report.resumed == 8 and report.processed == report.planned - 8 and report.pending == 0
    assert_same_library(snapshot(library), snapshot(desktop_library))
