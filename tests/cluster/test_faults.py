"""Faults on a local Ray (2 CPUs): a decode worker and an embedding actor killed mid-run lose and duplicate nothing."""

from __future__ import annotations

import os
from pathlib import Path

from artseek.cluster.pipeline import RayPipeline
from artseek.cluster.stages import EmbedActor, decode_batch
from tests.cluster.helpers import assert_same_library, cluster_index, first_time, snapshot


def make_killing_decode(marker: Path):  # noqa: ANN201
    def killing_decode(batch, **kwargs):  # noqa: ANN001, ANN202
        if first_time(marker):
            os._exit(1)  # the worker process dies mid-task, as when a node is lost
        return decode_batch(batch, **kwargs)

    return killing_decode


def make_killing_actor(marker: Path) -> type:
    class KillingEmbedActor(EmbedActor):
        def __call__(self, batch):  # noqa: ANN001, ANN204
            if first_time(marker):
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
