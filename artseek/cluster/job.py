"""One cluster indexing run: plan with the desktop's scanner, process on Ray, merge the shards into the library.

1. Plan: :meth:`IndexingJob.plan` scans the folders and diffs them against the
   library exactly as ``index`` does (unchanged files skipped, vanished ones
   marked missing, new ones given pending records).
2. Resume: the work the complete shards already hold is not sent again.
3. Process the rest on Ray (:class:`artseek.cluster.pipeline.RayPipeline`).
4. Merge every matching shard row into the library (:func:`bulk_merge_shards`), save the
   index; the shards are deleted only then (``keep_shards`` keeps them).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from artseek.cluster.bulk_store import bulk_merge_shards
from artseek.cluster.pipeline import PipelineOptions, RayPipeline
from artseek.cluster.shards import WorkKey, clean_partial, finished_keys, shard_files
from artseek.ingest.indexer import IndexOptions
from artseek.library import Library

SHARDS_FOLDER = "cluster-shards"


@dataclass
class ClusterReport:
    """What a cluster run did (``index``'s report plus the cluster's own figures)."""

    scanned: int = 0
    skipped: int = 0
    planned: int = 0
    resumed: int = 0  # planned images already in finished shards of an earlier run
    processed: int = 0  # images decoded and embedded by this run
    indexed: int = 0
    failed: int = 0
    missing: int = 0
    moved: int = 0
    pending: int = 0  # planned but in no shard (a run stopped early): the next run does them
    shards: int = 0
    pipeline_s: float = 0.0
    merge_s: float = 0.0
    elapsed_s: float = 0.0
    images_per_s: float = 0.0  # processed / pipeline_s
    resources: str = ""
    problems: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


class ClusterIndexer:
    """Indexes folders into ``lib`` on a Ray cluster; ``pipeline`` is the engine (replaceable in tests)."""

    def __init__(self, lib: Library, options: PipelineOptions, shards: Path | None = None,
                 pipeline: RayPipeline | None = None, keep_shards: bool = False,
                 listener: Callable[[str, int, int], None] | None = None) -> None:
        self.lib = lib
        self.options = options
        self.shards = Path(shards) if shards else lib.folder / SHARDS_FOLDER
        self.pipeline = pipeline or RayPipeline()
        self.keep_shards = keep_shards
        self.listener = listener or (lambda phase, done, total: None)

    def run(self, folders: Iterable[Path | str]) -> ClusterReport:
        start = time.monotonic()
        cfg = self.lib.encoder.preprocess_cfg  # also records the model's dimension in a new library
        self.options.model = self.lib.model_name
        job = self.lib.indexing_job(folders, IndexOptions(max_pixels=self.options.max_pixels,
                                                          save_interval_s=600.0))
        self.listener("scanning", 0, 0)
        work = job.plan()
        clean_partial(self.shards)
        done, damaged = finished_keys(self.shards)
        for path in damaged:  # unreadable (cut short by a crash of the storage): its images are redone
            path.unlink(missing_ok=True)
        todo = [w for w in work if WorkKey(w.image_id, w.entry.path, w.entry.size, w.entry.mtime_ns) not in done]
        report = ClusterReport(planned=len(work), resumed=len(work) - len(todo))
        if todo:
            t0 = time.monotonic()
            report.processed = self.pipeline.run(todo, cfg, self.shards, self.options,
                                                 lambda d, t: self.listener("processing", d, t))
            report.pipeline_s = time.monotonic() - t0
            report.images_per_s = report.processed / report.pipeline_s if report.pipeline_s else 0.0
            report.resources = self.pipeline.plan.describe() if self.pipeline.plan else ""
        t0 = time.monotonic()
        report.shards = len(shard_files(self.shards))
        merged = bulk_merge_shards(job, work, self.shards, progress=lambda d, t: self.listener("merging", d, t))
        report.pending = len(work) - merged
        done_report = job.finish()
        report.merge_s = time.monotonic() - t0
        if not self.keep_shards:
            for path in shard_files(self.shards):
                path.unlink(missing_ok=True)
            try:
                self.shards.rmdir()
            except OSError:
                pass  # not empty (someone's files) or already gone
        for name in ("scanned", "skipped", "indexed", "failed", "missing", "moved"):
            setattr(report, name, getattr(done_report, name))
        report.problems = [{"path": p.path, "reason": p.reason} for p in done_report.problems]
        report.elapsed_s = time.monotonic() - start
        self.listener("done", report.indexed + report.failed, report.planned)
        return report
