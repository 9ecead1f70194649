"""``main.py cluster bench-merge``: merge time and open time of a cluster-built library of N images.

Synthetic shards stand in for a cluster run (random 512-d vectors, fake paths,
one real 256-px JPEG thumbnail repeated), so a million images need no million
files. The library gets the pending records :meth:`IndexingJob.plan` would
make; then the timed merge (:func:`merge_shards` + saving the index) and, in a
fresh process, the open, query and memory figures of ``bench scale``
(:func:`artseek.bench.scale.measure`, which also checks recall against exact
search over the same vectors).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from artseek.bench.scale import CHUNK, DIM, synthetic_vectors
from artseek.cluster.bulk_store import bulk_merge_shards
from artseek.cluster.merge import merge_shards
from artseek.cluster.shards import write_shard
from artseek.ingest.indexer import IndexOptions, WorkItem
from artseek.ingest.scanner import FileEntry


def _thumbnail() -> bytes:
    """A real thumbnail: a 256-px JPEG of a smooth gradient with noise, as the desktop makes them."""
    from PIL import Image

    from artseek.ingest.decode import make_thumbnail

    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:384, 0:512]
    base = np.stack([x / 2, y / 1.5, (x + y) / 3.5], axis=-1) + rng.normal(0, 12, (384, 512, 3))
    return make_thumbnail(Image.fromarray(np.clip(base, 0, 255).astype(np.uint8), "RGB"))


def _entry(i: int) -> FileEntry:
    return FileEntry(f"/synthetic/{i // 10000:04d}/{i:08d}.jpg", 100_000 + i % 997, 1_700_000_000_000_000_000 + i)


SAVE_INTERVAL_S = 600.0  # the index is saved every 10 min during the merge, as ``cluster index`` does (job.py)


def _cpu_s() -> float:
    t = os.times()
    return t.user + t.system


MERGES = {"bulk": bulk_merge_shards, "desktop": merge_shards}  # the cluster's merge; the desktop job's, for the ratio


def run(n: int, folder: Path, shard_rows: int = 4096, out: Callable[[str], None] = print,
        merge: str = "bulk", measure_open: bool = True) -> dict:
    """Build synthetic shards for ``n`` images, merge them into a new library in ``folder``, measure it.

    ``merge``: ``bulk`` (:func:`bulk_merge_shards`, what ``cluster index`` runs) or ``desktop``
    (:func:`merge_shards`, through the desktop job batch by batch: the baseline of the ratio).
    """
    from sqlalchemy import insert

    from artseek.library import META_DIM, Library
    from artseek.storage import Image, ImageStatus

    if folder.exists():
        shutil.rmtree(folder)
    library, shards = folder / "library", folder / "shards"
    thumb = _thumbnail()
    figures: dict = {"images": n, "dim": DIM, "thumbnail_bytes": len(thumb), "shard_rows": shard_rows,
                     "merge": merge}

    t0 = time.perf_counter()
    first, block = 0, (-1, np.empty((0, DIM), dtype=np.float32))
    while first < n:
        base = first - first % CHUNK  # the vectors of bench scale, made CHUNK by CHUNK
        if block[0] != base:
            block = (base, synthetic_vectors(base, min(CHUNK, n - base)))
        count = min(shard_rows, n - first, base + CHUNK - first)  # a shard does not straddle two chunks
        ids = np.arange(first + 1, first + count + 1, dtype=np.int64)
        entries = [_entry(int(i)) for i in ids]
        write_shard(shards, {
            "image_id": ids, "path": np.array([e.path for e in entries], dtype=object),
            "size": np.array([e.size for e in entries]), "mtime_ns": np.array([e.mtime_ns for e in entries]),
            "error": np.array([""] * count, dtype=object), "content_hash": np.array([f"{i:040x}" for i in ids]),
            "width": np.full(count, 4000), "height": np.full(count, 3000), "format": np.array(["JPEG"] * count),
            "thumbnail": np.array([thumb] * count, dtype=object),
            "vector": block[1][first - base:first - base + count]})
        first += count
    figures["shards_s"] = round(time.perf_counter() - t0, 1)
    figures["shards_mb"] = round(sum(p.stat().st_size for p in shards.iterdir()) / 1e6)
    out(f"synthetic shards: {figures['shards_s']} s, {figures['shards_mb']} MB")

    with Library(library, model="ViT-B-32") as lib:
        lib.db.set_meta(META_DIM, str(DIM))
        t0 = time.perf_counter()
        for first in range(0, n, CHUNK):  # the pending records IndexingJob.plan() makes for new files
            ids = range(first + 1, min(first + CHUNK, n) + 1)
            with lib.db.session() as s:
                s.execute(insert(Image), [dict(id=i, path=_entry(i).path, size=_entry(i).size,
                                               mtime_ns=_entry(i).mtime_ns, status=ImageStatus.PENDING) for i in ids])
        figures["pending_records_s"] = round(time.perf_counter() - t0, 1)
        work = [WorkItem(_entry(i), i) for i in range(1, n + 1)]
        job = lib.indexing_job([], IndexOptions(save_interval_s=SAVE_INTERVAL_S))
        t0, cpu0 = time.perf_counter(), _cpu_s()
        last = [t0]

        def progress(done: int, total: int) -> None:
            if time.perf_counter() - last[0] > 30:
                last[0] = time.perf_counter()
                out(f"  merged {done}/{total} ({last[0] - t0:.0f} s)")

        merged = MERGES[merge](job, work, shards, progress=progress)
        job.finish()
        figures["merge_s"] = round(time.perf_counter() - t0, 1)
        figures["merge_cpu_s"] = round(_cpu_s() - cpu0, 1)  # every thread of this process: the load-proof figure
    assert merged == n, (merged, n)
    figures["merge_images_per_s"] = round(n / figures["merge_s"])
    out(f"merge ({merge}): {figures['merge_s']} s ({figures['merge_images_per_s']} images/s), "
        f"CPU {figures['merge_cpu_s']} s")
    if not measure_open:
        return figures
    from artseek.bench.scale import build_filter_sets

    build_filter_sets(library, n, out)  # the filtered case's collections, as `bench scale` adds them
    proc = subprocess.run([sys.executable, "-c", (
        "import json,sys; from pathlib import Path; from artseek.bench.scale import measure; "
        f"print(json.dumps(measure(Path({str(library)!r}), {n})))")],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2], env=os.environ.copy())
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    figures.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    out(f"open (fresh process, warm cache) = {figures['open_s']} s; query p50 = {figures['query_p50_ms']} ms, "
        f"p95 = {figures['query_p95_ms']} ms; recall@10 = {figures['recall_at_10']}; RSS after open "
        f"{figures['rss_after_open_mb']} MB; index {figures['index_file_mb']} MB, database {figures['database_mb']} MB")
    return figures
