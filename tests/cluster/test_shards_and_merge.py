"""Shards, merge and resource planning without Ray: idempotent names, atomic writes, one merge per image."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from artseek.cluster.merge import merge_shards
from artseek.cluster.pipeline import PipelineOptions, plan_resources
from artseek.cluster.shards import WorkKey, clean_partial, finished_keys, read_shards, shard_files, write_shard


def columns(ids: list[int], error_at: int | None = None, dim: int = 4) -> dict[str, np.ndarray]:
    n = len(ids)
    vectors = np.eye(dim, dtype=np.float32)[np.arange(n) % dim]
    return {"image_id": np.array(ids), "path": np.array([f"/x/{i}.jpg" for i in ids], dtype=object),
            "size": np.array([100 + i for i in ids]), "mtime_ns": np.array([1000 + i for i in ids]),
            "error": np.array(["bad file" if i == error_at else "" for i in ids], dtype=object),
            "content_hash": np.array([f"h{i}" for i in ids], dtype=object), "width": np.full(n, 10),
            "height": np.full(n, 20), "format": np.array(["PNG"] * n, dtype=object),
            "thumbnail": np.array([b"jpeg%d" % i for i in ids], dtype=object), "vector": vectors}


def test_a_shard_is_named_by_its_work_and_rewritten_in_place(tmp_path: Path) -> None:
    name, rows = write_shard(tmp_path, columns([3, 1, 2], error_at=2))
    again, _ = write_shard(tmp_path, columns([1, 2, 3], error_at=2))  # a retried task, rows in another order
    assert name == again and rows == 3 and [p.name for p in shard_files(tmp_path)] == [name]
    assert write_shard(tmp_path, columns([1, 2, 4]))[0] != name
    row = {k: v for k, v in next(read_shards(tmp_path)).to_pydict().items()}
    i = row["image_id"].index(2)
    assert row["error"][i] == "bad file" and row["vector"][i] is None and row["thumbnail"][i] is None
    j = row["image_id"].index(1)
    assert row["error"][j] is None and np.frombuffer(row["vector"][j], "<f4").shape == (4,)
    assert row["thumbnail"][j] == b"jpeg1" and row["content_hash"][j] == "h1"


def test_unfinished_and_damaged_shards_are_not_taken_as_done(tmp_path: Path) -> None:
    write_shard(tmp_path, columns([1, 2]))
    (tmp_path / ".shard-abc.parquet.0123.part").write_bytes(b"PAR1 cut short")
    (tmp_path / "shard-damaged.parquet").write_bytes(b"not parquet")
    done, damaged = finished_keys(tmp_path)
    assert done == {WorkKey(1, "/x/1.jpg", 101, 1001), WorkKey(2, "/x/2.jpg", 102, 1002)}
    assert damaged == [tmp_path / "shard-damaged.parquet"]
    assert clean_partial(tmp_path) == 1 and not list(tmp_path.glob("*.part"))


class RecordingJob:
    """Stands in for IndexingJob: records what the merge stores."""

    def __init__(self) -> None:
        self.stored: list[int] = []
        self.failed: dict[int, str] = {}

    def store_embedded(self, batch, vectors) -> None:  # noqa: ANN001
        assert len(batch) == len(vectors)
        self.stored += [item.image_id for item, _ in batch]

    def record_failure(self, item, reason: str) -> None:  # noqa: ANN001
        self.failed[item.image_id] = reason


def test_the_merge_stores_each_planned_image_once_and_ignores_stale_rows(tmp_path: Path) -> None:
    from artseek.ingest.indexer import WorkItem
    from artseek.ingest.scanner import FileEntry

    write_shard(tmp_path, columns([1, 2, 3], error_at=3))
    write_shard(tmp_path, columns([2, 3, 4, 5]))  # 2 and 3 twice (overlapping retries); 5 was not planned
    work = [WorkItem(FileEntry(f"/x/{i}.jpg", 100 + i, 1000 + i), i) for i in (1, 2, 3)]
    work.append(WorkItem(FileEntry("/x/4.jpg", 104, 9999), 4))  # changed since its shard: stale, redone
    job = RecordingJob()
    assert merge_shards(job, work, tmp_path, batch_rows=2) == 3
    assert sorted(job.stored + list(job.failed)) == [1, 2, 3]


def test_resources_follow_the_cluster() -> None:
    gpu = plan_resources({"CPU": 64, "GPU": 4}, PipelineOptions())
    assert (gpu.workers, gpu.gpus_per_actor, gpu.batch_size, gpu.device) == (4, 1.0, 256, "cuda")
    assert plan_resources({"CPU": 64, "GPU": 4}, PipelineOptions(device="cpu")).gpus_per_actor == 0
    cpu = plan_resources({"CPU": 32}, PipelineOptions())
    assert (cpu.workers, cpu.threads, cpu.cpus_per_actor, cpu.batch_size) == (4, 4, 4.0, 32)
    small = plan_resources({"CPU": 2}, PipelineOptions(workers=2))  # one CPU always stays with the decoders
    assert small.workers == 2 and small.threads == 1 and small.cpus_per_actor == 0.5
