"""Merging shards into an ordinary library, through the desktop indexing job's own storing code.

Only rows that match a planned file (same record id, path, size and mtime)
are merged, each image once, so stale shards and shards written twice by
retries change nothing; the records, thumbnails, embeddings, failures and the
hnswlib index are written by :class:`artseek.ingest.indexer.IndexingJob`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from artseek.cluster.shards import read_shards
from artseek.ingest.decode import DecodedImage
from artseek.ingest.indexer import IndexingJob, WorkItem

_NO_INPUT = np.empty(0, dtype=np.float32)  # the model input is not needed once the image is embedded


def planned_row(planned: dict[int, WorkItem], merged: set[int], cols: dict, i: int) -> WorkItem | None:
    """The planned file that row ``i`` of a shard batch stores, or None: a row this run did not plan (another
    path, size or mtime: stale) or merged already (a retried shard). A row taken is added to ``merged``."""
    image_id = cols["image_id"][i]
    item = planned.get(image_id)
    if item is None or image_id in merged or item.entry.path != cols["path"][i] \
            or item.entry.size != cols["size"][i] or item.entry.mtime_ns != cols["mtime_ns"][i]:
        return None
    merged.add(image_id)
    return item


def merge_shards(job: IndexingJob, work: list[WorkItem], folder: Path, batch_rows: int = 2048,
                 progress: Callable[[int, int], None] | None = None) -> int:
    """Store every shard row of ``folder`` that belongs to ``work`` through ``job``; returns the images merged."""
    planned = {w.image_id: w for w in work}
    merged: set[int] = set()
    for record_batch in read_shards(folder, batch_rows):
        cols = record_batch.to_pydict()
        batch: list[tuple[WorkItem, DecodedImage]] = []
        vectors: list[np.ndarray] = []
        for i in range(len(cols["image_id"])):
            item = planned_row(planned, merged, cols, i)
            if item is None:
                continue
            if cols["error"][i] is not None:
                job.record_failure(item, cols["error"][i])
                continue
            batch.append((item, DecodedImage(content_hash=cols["content_hash"][i], width=cols["width"][i],
                                             height=cols["height"][i], format=cols["format"][i],
                                             model_input=_NO_INPUT, thumbnail_jpeg=cols["thumbnail"][i])))
            vectors.append(np.frombuffer(cols["vector"][i], dtype="<f4"))
        if batch:
            job.store_embedded(batch, np.stack(vectors))
        if progress:
            progress(len(merged), len(planned))
    return len(merged)
