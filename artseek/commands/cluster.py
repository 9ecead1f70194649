"""``cluster index``: index folders on a Ray cluster into an ordinary library (the cluster extra).

Ray and pyarrow are imported only when the command runs, so the parser, the
window and the packaged app (which has no Ray) never load them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from artseek.commands.common import emit_json, opt
from artseek.errors import ArtSeekError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("cluster", parents=[common], help="index millions of images on a Ray cluster")
    csub = p.add_subparsers(dest="cluster_command", metavar="SUBCOMMAND", required=True)
    c = csub.add_parser("index", parents=[common],
                        help="index folders on Ray: decode on CPUs, embed on GPU or CPU actors, merge into a library")
    c.add_argument("folders", nargs="+", type=Path, metavar="FOLDER",
                   help="image folders, at the same path on every node (a network share)")
    c.add_argument("--address", default=None,
                   help="Ray cluster: 'auto' (this node's cluster), 'ray://host:10001'; default: a local Ray")
    c.add_argument("--workers", type=int, default=None,
                   help="embedding actors (default: one per GPU, else one per 8 CPUs)")
    c.add_argument("--threads", type=int, default=None, help="model threads per CPU actor (default: from the CPUs)")
    c.add_argument("--batch-size", type=int, default=None, help="images per model batch (default: 256 per GPU, 32 on CPU)")
    c.add_argument("--shard-rows", type=int, default=4096, help="images per result shard (default 4096)")
    c.add_argument("--shards", type=Path, default=None,
                   help="shard folder, reachable by every node (default: LIBRARY/cluster-shards)")
    c.add_argument("--keep-shards", action="store_true", help="keep the shards after the merge")
    c.add_argument("--num-cpus", type=int, default=None, help="CPUs of a local Ray (default: all)")
    c.add_argument("--max-megapixels", type=float, default=250.0,
                   help="refuse larger images as possible decompression bombs (default 250)")
    c.set_defaults(handler=cmd_cluster_index)

    b = csub.add_parser("bench-merge", parents=[common],
                        help="merge and open time of a library of N images built from synthetic shards (docs/scale.md)")
    b.add_argument("--images", type=int, default=1_000_000, help="images (default 1000000)")
    b.add_argument("--dir", type=Path, default=Path(".bench/cluster-merge"), help="work folder (emptied first)")
    b.add_argument("--shard-rows", type=int, default=4096, help="images per shard (default 4096)")
    b.add_argument("--merge", choices=("bulk", "desktop"), default="bulk",
                   help="bulk: the cluster's merge (default); desktop: through the desktop job, the old baseline")
    b.add_argument("--no-open", action="store_true", help="time the merge only (no open/query figures)")
    b.set_defaults(handler=cmd_cluster_bench_merge)


def cmd_cluster_index(args: argparse.Namespace) -> int:
    missing = [str(f) for f in args.folders if not f.is_dir()]
    if missing:
        raise ArtSeekError(f"Not a folder: {', '.join(missing)}.", "Give folders that contain images.")
    try:
        from artseek.cluster.job import ClusterIndexer
        from artseek.cluster.pipeline import PipelineOptions, connect
    except ImportError as exc:  # the packaged app and a desktop install have no cluster extra
        raise ArtSeekError(f"The cluster extra is not installed ({exc.name} is missing).",
                           "Install it: pip install -r requirements-cluster.txt") from exc
    from artseek.library import Library

    device = opt(args, "device")
    options = PipelineOptions(weights=opt(args, "weights"), backend=opt(args, "backend", "auto"),
                              device=None if device == "auto" else device, workers=args.workers,
                              threads=args.threads, batch_size=args.batch_size, shard_rows=args.shard_rows,
                              max_pixels=int(args.max_megapixels * 1_000_000))
    connect(args.address, args.num_cpus)
    quiet = bool(opt(args, "json"))
    # The driver loads the model only to learn its input size and dimension: on the CPU.
    with Library(opt(args, "library"), model=opt(args, "model"), weights=options.weights, device="cpu",
                 backend=options.backend) as lib:
        indexer = ClusterIndexer(lib, options, shards=args.shards, keep_shards=args.keep_shards,
                                 listener=None if quiet else _Progress())
        report = indexer.run(args.folders)
    if quiet:
        emit_json(report.to_dict())
        return 0
    print(f"Indexed {report.indexed}, unchanged {report.skipped}, failed {report.failed}, missing {report.missing}, "
          f"moved {report.moved}; {report.processed} processed on the cluster at {report.images_per_s:.1f} images/s "
          f"({report.resources or 'nothing to process'}), {report.resumed} resumed from shards; "
          f"merge {report.merge_s:.1f}s, total {report.elapsed_s:.1f}s.")
    if report.pending:
        print(f"{report.pending} images are still pending: run the same command again.")
    for p in report.problems:
        print(f"  could not scan {p['path']}: {p['reason']}")
    if report.failed:
        print("Run 'status' to see why files failed.")
    return 0


def cmd_cluster_bench_merge(args: argparse.Namespace) -> int:
    try:
        from artseek.cluster.bench import run
    except ImportError as exc:
        raise ArtSeekError(f"The cluster extra is not installed ({exc.name} is missing).",
                           "Install it: pip install -r requirements-cluster.txt") from exc
    quiet = bool(opt(args, "json"))
    figures = run(args.images, args.dir, args.shard_rows, out=(lambda _line: None) if quiet else print,
                  merge=args.merge, measure_open=not args.no_open)
    if quiet:
        emit_json(figures)
    return 0


class _Progress:
    """One line on stderr every few seconds per phase."""

    def __init__(self) -> None:
        self.last = 0.0
        self.start = time.monotonic()

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase not in ("done", "scanning") and now - self.last < 5.0:
            return
        self.last = now
        sys.stderr.write(f"{phase}: {done}/{total} images ({now - self.start:.0f}s)\n")
        sys.stderr.flush()
