"""The Ray Data pipeline: decode as CPU tasks, embed in an actor pool, write shards. Imports Ray.

Ray does the scheduling, retries and back-pressure: a task whose worker dies
is retried (``max_retries``), an actor that dies is restarted and its batch
re-run (``max_restarts``/``max_task_retries``); shards are idempotent
(:mod:`artseek.cluster.shards`), so a retry rewrites the same file.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

from artseek.cluster.errors import ClusterError
from artseek.cluster.stages import EmbedActor, decode_batch, write_batch
from artseek.embedding.preprocess import PreprocessConfig
from artseek.ingest.decode import DEFAULT_MAX_PIXELS
from artseek.ingest.indexer import WorkItem

TASK_RETRIES = 5  # a decode or write task whose worker died is run again up to this many times
ACTOR_RESTARTS = 5  # an embedding actor that died is restarted up to this many times


@dataclass
class PipelineOptions:
    """How the work is spread over the cluster (``None``: derived from the cluster's resources)."""

    model: str = "ViT-B-32"
    weights: str | None = None
    backend: str = "auto"
    device: str | None = None  # "cpu" keeps the model off GPUs even when the cluster has some
    workers: int | None = None  # embedding actors: one per GPU, else about one per 8 CPUs (at least 1)
    threads: int | None = None  # model threads of a CPU actor
    batch_size: int | None = None  # images per model batch: 256 per GPU, 32 on CPUs
    decode_batch: int = 32  # files per decode task
    shard_rows: int = 4096  # images per shard
    max_pixels: int = DEFAULT_MAX_PIXELS


@dataclass
class Plan:
    """The resources the pipeline asks Ray for."""

    workers: int
    gpus_per_actor: float
    cpus_per_actor: float
    threads: int
    batch_size: int
    device: str | None

    def describe(self) -> str:
        where = f"{self.workers} GPU actor(s)" if self.gpus_per_actor else \
            f"{self.workers} CPU actor(s) x {self.threads} thread(s)"
        return f"{where}, batches of {self.batch_size}"


def plan_resources(resources: dict[str, float], options: PipelineOptions) -> Plan:
    """Pick the actor pool for a cluster with ``resources`` (``ray.cluster_resources()``)."""
    cpus = max(1.0, float(resources.get("CPU", 1)))
    gpus = int(resources.get("GPU", 0))
    if gpus and options.device != "cpu":
        workers = options.workers or gpus
        return Plan(workers, 1.0, 1.0, 0, options.batch_size or 256, options.device or "cuda")
    workers = options.workers or max(1, int(cpus) // 8)
    threads = options.threads or max(1, int(cpus) // (2 * workers))
    # Leave at least one CPU to the decode tasks, or the pipeline would wait for ever.
    cpus_per_actor = min(float(threads), max(0.1, (cpus - 1) / workers))
    return Plan(workers, 0.0, cpus_per_actor, threads, options.batch_size or 32, "cpu")


class RayPipeline:
    """Runs decode -> embed -> write over Ray Data. The stages can be replaced (tests kill a worker in one)."""

    def __init__(self, decode: Callable = decode_batch, embed_actor: type = EmbedActor,  # noqa: B008
                 write: Callable = write_batch) -> None:
        self.decode = decode
        self.embed_actor = embed_actor
        self.write = write
        self.plan: Plan | None = None

    def run(self, todo: list[WorkItem], cfg: PreprocessConfig, shards: Path, options: PipelineOptions,
            progress: Callable[[int, int], None] | None = None) -> int:
        """Process ``todo`` into shards in ``shards`` (reachable by every worker); returns the images written."""
        import ray
        import ray.data

        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        ctx.verbose_stats_logs = False
        self.plan = plan = plan_resources(ray.cluster_resources(), options)
        rows = [{"image_id": w.image_id, "path": w.entry.path, "size": w.entry.size, "mtime_ns": w.entry.mtime_ns}
                for w in todo]
        blocks = max(1, min(math.ceil(len(rows) / options.decode_batch), 100_000))
        with warnings.catch_warnings():
            # Bounded retries are passed as Ray remote arguments, which Ray 2.60 deprecates (removal in 2.64)
            # without a named replacement; its default, infinite retries, would loop on a file that
            # crashes the decoder.
            warnings.filterwarnings("ignore", message=".*ray_remote_args.*")
            ds = ray.data.from_items(rows, override_num_blocks=blocks)
            ds = ds.map_batches(self.decode, batch_size=options.decode_batch, batch_format="numpy", num_cpus=1,
                                max_retries=TASK_RETRIES,
                                fn_kwargs=dict(image_size=cfg.image_size, mean=tuple(cfg.mean), std=tuple(cfg.std),
                                               max_pixels=options.max_pixels))
            ds = ds.map_batches(self.embed_actor, batch_size=plan.batch_size, batch_format="numpy",
                                compute=ray.data.ActorPoolStrategy(size=plan.workers),
                                num_gpus=plan.gpus_per_actor or None, num_cpus=plan.cpus_per_actor,
                                max_restarts=ACTOR_RESTARTS, max_task_retries=ACTOR_RESTARTS,
                                fn_constructor_kwargs=dict(model=options.model, weights=options.weights,
                                                           device=plan.device, backend=options.backend,
                                                           threads=plan.threads))
            ds = ds.map_batches(self.write, batch_size=options.shard_rows, batch_format="numpy", num_cpus=0.5,
                                max_retries=TASK_RETRIES, fn_kwargs=dict(folder=str(shards)))
        written, failure = 0, None
        rows_out = iter(ds.iter_rows())
        try:
            for row in rows_out:
                written += int(row["rows"])
                if progress:
                    progress(written, len(rows))
        except Exception as exc:  # noqa: BLE001 - Ray wraps worker errors in many types
            failure = _first_line(exc)
        finally:
            if isinstance(rows_out, Generator):
                rows_out.close()  # stops the executor
        if failure is not None:
            raise ClusterError(
                f"The cluster run stopped after {written} of {len(rows)} images: {failure}.",
                "The finished shards are kept: run the same command again to resume from them.")
        return written


def connect(address: str | None, num_cpus: int | None = None) -> None:
    """Join the cluster at ``address`` (``auto``, ``ray://host:port``), or start a local Ray (``None``).

    The ``artseek`` package travels to the workers (``py_modules``); its
    dependencies (requirements.txt and requirements-cluster.txt) and the model
    weights must be installed on every node.
    """
    try:
        import ray
    except ImportError as exc:
        raise ClusterError("Ray is not installed, so 'cluster' commands cannot run here.",
                           "Install the cluster extra: pip install -r requirements-cluster.txt") from exc
    if ray.is_initialized():
        return
    import artseek

    env = {"py_modules": [str(Path(artseek.__file__).parent)]} if address else None
    try:
        ray.init(address=address, num_cpus=None if address else num_cpus, include_dashboard=False,
                 log_to_driver=False, runtime_env=env)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ClusterError(f"Cannot connect to the Ray cluster at '{address}': {_first_line(exc)}.",
                           "Check the address (ray status on the head node), or leave --address out "
                           "to run on this machine.") from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
