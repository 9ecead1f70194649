"""``bench`` commands: print performance figures (never timed tests)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from artseek.commands.common import opt


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    bench = sub.add_parser("bench", parents=[common], help="performance benchmarks that print their figures")
    bsub = bench.add_subparsers(dest="bench_command", metavar="BENCH", required=True)
    p = bsub.add_parser("indexing", parents=[common],
                        help="model-only vs end-to-end indexing throughput on large JPEGs, per backend")
    p.add_argument("--images", type=Path, help="folder of JPEGs to index (default: generated 2560x1600 photos)")
    p.add_argument("--photos-from", type=Path,
                   help="make unique variants (crop/flip/tone) of the deduplicated photos below this folder")
    p.add_argument("--count", type=int, default=120, help="number of images (default 120)")
    p.add_argument("--backends", default=None,
                   help="comma-separated: torch, onnx, onnx-int8, onnx-int8s (static int8), openvino-int8s (static int8 on "
                        "OpenVINO), auto (what the app chooses), onnx-int8-conv (dynamic int8 "
                        "with its convolutions quantised too, as exports were before: the speed goal's baseline) (default: "
                        "torch, plus onnx and onnx-int8 when ONNX Runtime is available)")
    p.add_argument("--batch-size", type=int, default=None, help="default: 32 on CPU, 256 on a GPU")
    p.add_argument("--workers", type=int, default=None, help="decode threads (default: from the core count)")
    p.add_argument("--decode", choices=["auto", "threads", "processes"], default="auto",
                   help="decode pool kind (default auto: processes from 8 cores up)")
    p.add_argument("--repeats", type=int, default=1,
                   help="measure each backend's rates this many times, alternating, and report medians "
                        "(default 1; use 3 on shared or noisy machines)")
    p.set_defaults(handler=cmd_bench_indexing)
    p = bsub.add_parser("models", parents=[common],
                        help="every catalogue model on this machine: images/s per backend and variant, end to end, "
                             "peak RSS, export size, next to the published quality (docs/performance.md)")
    p.add_argument("--models", default=None, help="comma-separated catalogue names (default: all)")
    p.add_argument("--count", type=int, default=48, help="large JPEGs to index per run (default 48)")
    p.add_argument("--repeats", type=int, default=1, help="repeats; each measures every model once, in alternating order (default 1; use 3 on shared machines)")
    p.add_argument("--images", type=Path, help="folder of JPEGs (default: generated 2560x1600 photos)")
    p.set_defaults(handler=cmd_bench_models)
    p = bsub.add_parser("scale", parents=[common],
                        help="open time, query latency and memory of a synthetic library of random 512-d vectors")
    p.add_argument("--vectors", type=int, default=1_000_000, help="library size (default 1,000,000)")
    p.set_defaults(handler=cmd_bench_scale)
    p = bsub.add_parser("huge-image", parents=[common],
                        help="time and peak memory of indexing one huge 16-bit TIFF (written, then deleted)")
    p.add_argument("--side", type=int, default=12000, help="width and height in pixels (default 12000: 144 MP)")
    p.add_argument("--workdir", type=Path, default=None, help="where to write the TIFF (default: the temp folder)")
    p.set_defaults(handler=cmd_bench_huge_image)


    # duplicate finder (issue 21): handler in commands/duplicates.py
    from artseek.commands.duplicates import cmd_bench_duplicates

    p = bsub.add_parser("duplicates", parents=[common],
                        help="duplicate finder: a synthetic library grouped, then new images checked incrementally")
    p.add_argument("--images", type=int, default=100_000, help="library size (default 100,000)")
    p.add_argument("--added", type=int, default=1000, help="new images checked afterwards (default 1,000)")
    p.add_argument("--dim", type=int, default=512, help="embedding size (default 512, as ViT-B-32)")
    p.add_argument("--backfill-from", type=Path, metavar="DIR",
                   help="instead: index DIR, then time the re-scan that gives older images their perceptual hashes")
    p.set_defaults(handler=cmd_bench_duplicates)

    p = bsub.add_parser("map", parents=[common],
                        help="collection map layout time and memory on synthetic clustered vectors (issue 18)")
    p.add_argument("--points", type=int, default=100_000, help="number of vectors (default 100,000)")
    p.add_argument("--sample", type=int, default=10_000, help="the layout is fitted on this many (default 10,000)")
    p.set_defaults(handler=cmd_bench_map)


def cmd_bench_huge_image(args: argparse.Namespace) -> int:
    from artseek.bench.huge_image import run

    as_json = bool(opt(args, "json"))
    figures = run(args.side, model=opt(args, "model", "ViT-B-32"), weights=opt(args, "weights"),
                  workdir=args.workdir, backend=opt(args, "backend", "auto"), out=(lambda line: print(line, file=sys.stderr)) if as_json else print)
    if as_json:
        print(json.dumps(figures, indent=2))
    return 0


def _default_backends() -> list[str]:
    try:
        import artseek.embedding.onnx_backend  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return ["torch"]
    return ["torch", "onnx", "onnx-int8"]


def cmd_bench_indexing(args: argparse.Namespace) -> int:
    from artseek.bench.indexing import run

    backends = args.backends.split(",") if args.backends else _default_backends()
    as_json = bool(opt(args, "json"))
    out = (lambda line: print(line, file=sys.stderr)) if as_json else print  # keep stdout pure JSON
    figures = run(model=opt(args, "model", "ViT-B-32"), weights=opt(args, "weights"),
                  images=args.images, photos_from=args.photos_from, count=args.count, backends=backends,
                  batch_size=args.batch_size, workers=args.workers,
                  processes=None if args.decode == "auto" else args.decode == "processes",
                  repeats=args.repeats, out=out)
    if as_json:
        print(json.dumps(figures, indent=2, default=str))
    return 0


def cmd_bench_models(args: argparse.Namespace) -> int:
    from artseek.bench.models import run

    as_json = bool(opt(args, "json"))
    figures = run(args.models.split(",") if args.models else None, args.count, args.repeats, args.images,
                  out=(lambda line: print(line, file=sys.stderr)) if as_json else print)
    if as_json:
        print(json.dumps(figures, indent=2, default=str))
    return 0


def cmd_bench_scale(args: argparse.Namespace) -> int:
    from artseek.bench.scale import run

    as_json = bool(opt(args, "json"))
    figures = run(args.vectors, out=(lambda line: print(line, file=sys.stderr)) if as_json else print)
    if as_json:
        print(json.dumps(figures, indent=2))
    return 0


def cmd_bench_map(args: argparse.Namespace) -> int:
    from artseek.bench.map import run

    as_json = bool(opt(args, "json"))
    figures = run(points=args.points, sample=args.sample,
                  out=(lambda line: print(line, file=sys.stderr)) if as_json else print)
    if as_json:
        print(json.dumps(figures, indent=2))
    return 0
