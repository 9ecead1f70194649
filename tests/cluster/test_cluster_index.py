"""``cluster index`` on a local Ray (2 CPUs): the desktop's result, incremental runs, resume after a stop."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from artseek.cluster.pipeline import RayPipeline
from artseek.cluster.stages import write_batch
from tests.cluster.helpers import LOCAL_RAY, assert_same_library, cluster_index, first_time, snapshot
from tests.fixtures.bad_files import BAD_FILES


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


class StopAfterFirstShard:
    """A write stage that fails for good after its first shard: the run stops as if the driver were stopped."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __call__(self, batch, folder):  # noqa: ANN001, ANN204
        if not first_time(self.marker):
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
    # The next run is a new driver, as after Ctrl+C or a lost head node: a driver's actors end with it
    # (here a failed run's actors may linger in the driver's Ray and keep its two CPUs).
    local_ray.shutdown()
    local_ray.init(**LOCAL_RAY)
    (library / "cluster-shards" / ".shard-left-by-a-killed-writer.parquet.123.part").write_bytes(b"PAR1 cut")

    report = cluster_index(library, [collection], shard_rows=8)
    assert report.resumed == 8 and report.processed == report.planned - 8 and report.pending == 0
    assert_same_library(snapshot(library), snapshot(desktop_library))
