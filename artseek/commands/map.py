"""``map`` commands: the collection map (issue 18).

``map build`` lays the library out (or places the images indexed since, with
the saved layout), ``map export map.csv`` writes id, path, x, y, cluster and
label per image, ``map png out.png`` renders an overview for reports. See
:mod:`artseek.map`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from artseek.commands.common import emit_json, open_library, opt
from artseek.errors import ArtSeekError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    mp = sub.add_parser("map", parents=[common], help="the collection map: build it, export it as CSV or PNG")
    msub = mp.add_subparsers(dest="map_command", metavar="WHAT", required=True)
    p = msub.add_parser("build", parents=[common],
                        help="lay the library out as a map (or place the images indexed since, without a refit)")
    p.add_argument("--refit", action="store_true", help="lay the whole map out again")
    p.add_argument("--sample", type=int, default=10_000,
                   help="fit the layout on at most this many images, place the rest with it (default 10,000)")
    p.add_argument("--min-cluster-size", type=int, default=None,
                   help="smallest cluster (default: about the square root of the image count, halved)")
    p.set_defaults(handler=cmd_map_build)
    p = msub.add_parser("export", parents=[common], help="write the map as CSV: id, path, x, y, cluster, label")
    p.add_argument("output", type=Path, help="the CSV file to write")
    p.set_defaults(handler=cmd_map_export)
    p = msub.add_parser("png", parents=[common], help="render an overview of the map as a PNG image")
    p.add_argument("output", type=Path, help="the PNG file to write")
    p.add_argument("--size", type=int, default=1600, help="width and height in pixels (default 1600)")
    p.add_argument("--thumbnails", action="store_true", help="draw thumbnails instead of dots (maps up to 400 images)")
    p.set_defaults(handler=cmd_map_png)


class _Printer:
    """Progress on stderr, at most every two seconds (and every new phase)."""

    def __init__(self) -> None:
        self.last, self.phase = 0.0, ""

    def __call__(self, p) -> None:  # noqa: ANN001 - MapProgress
        now = time.monotonic()
        if p.phase == self.phase and now - self.last < 2.0:
            return
        self.last, self.phase = now, p.phase
        print(f"{p.phase}: {p.message}" if p.message else p.phase, file=sys.stderr, flush=True)


def cmd_map_build(args: argparse.Namespace) -> int:
    from artseek.map import MapOptions, for_library

    if args.sample < 2 or (args.min_cluster_size is not None and args.min_cluster_size < 2):
        raise ArtSeekError("--sample and --min-cluster-size must be at least 2.")
    with open_library(args) as lib:
        report = for_library(lib).build(args.refit, MapOptions(sample=args.sample,
                                                               min_cluster_size=args.min_cluster_size),
                                        listener=None if opt(args, "json") else _Printer())
    if opt(args, "json"):
        emit_json(report.to_dict())
    elif report.refit:
        why = f" ({report.note})" if report.note else ""
        print(f"Laid out {report.points:,} images{why}: fitted on {report.fitted:,}, {report.placed:,} placed with "
              f"the fitted layout, {report.clusters} clusters, in {report.seconds} s.")
    else:
        print(f"Map updated: {report.placed:,} new images placed without a refit, {report.removed:,} removed; "
              f"{report.points:,} images, {report.clusters} clusters ({report.seconds} s).")
    return 0


def cmd_map_export(args: argparse.Namespace) -> int:
    from artseek.map import for_library

    with open_library(args, read_only_ok=True) as lib:
        rows = for_library(lib).export_csv(args.output)
    if opt(args, "json"):
        emit_json({"rows": rows, "output": str(args.output)})
    else:
        print(f"Wrote {rows:,} images to {args.output}.")
    return 0


def cmd_map_png(args: argparse.Namespace) -> int:
    from artseek.map import for_library

    if not 200 <= args.size <= 20_000:
        raise ArtSeekError("--size must be between 200 and 20000 pixels.")
    with open_library(args, read_only_ok=True) as lib:
        out = for_library(lib).render_png(args.output, args.size, lib.thumbnail if args.thumbnails else None)
    if opt(args, "json"):
        emit_json({"output": str(out)})
    else:
        print(f"Wrote the map to {out}.")
    return 0
