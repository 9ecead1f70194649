"""``index`` and ``rescan``: add image folders to the library, or re-index every imported folder."""

from __future__ import annotations

import argparse
import functools
from pathlib import Path

from artseek.commands.common import add_indexing_options, open_library, run_indexing
from artseek.errors import ArtSeekError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("index", parents=[common], help="index image folders (incremental)")
    p.add_argument("folders", nargs="+", type=Path, metavar="FOLDER")
    add_indexing_options(p)
    p.add_argument("--tiles", action="store_true",
                   help="turn detail indexing on: each image also embedded as overlapping tiles (small motifs)")
    p.set_defaults(handler=cmd_index)

    p = sub.add_parser("rescan", parents=[common], help="re-index every imported folder")
    add_indexing_options(p)
    p.add_argument("--verify", action="store_true",
                   help="also compare the content of files whose size and dates did not change (reads every file)")
    p.set_defaults(handler=cmd_rescan)


def cmd_index(args: argparse.Namespace) -> int:
    missing = [str(f) for f in args.folders if not f.is_dir()]
    if missing:
        raise ArtSeekError(f"Not a folder: {', '.join(missing)}.", "Give folders that contain images.")
    with open_library(args) as lib:
        if getattr(args, "tiles", False):
            lib.set_detail_indexing(True)  # detail indexing: tiles are made after the images
        return run_indexing(args, functools.partial(lib.index, args.folders))


def cmd_rescan(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        return run_indexing(args, lib.rescan)
