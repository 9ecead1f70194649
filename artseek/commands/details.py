"""``reproductions IMAGE [--source]`` and ``library tiles on|off|status``: reproductions and detail indexing.

``reproductions photo.jpg`` lists the library images the photograph appears in
(verified with local features and a RANSAC homography), with the number of
verified matches and the outline of the photograph in each; ``--source`` asks
the other way round: which library image appears inside this page.
``library tiles on`` turns detail indexing on (tiles are made by the next
``index``/``rescan``, or at once with ``--now``); ``index --tiles`` does both.
``library words on`` turns reproduction indexing on: the visual words of every
image, whose inverted index gives the candidates of ``reproductions`` in a
large library (``--pool words``; ``auto`` uses them when they are on).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from artseek.commands.common import emit_json, open_library, opt
from artseek.errors import ArtSeekError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("reproductions", parents=[common],
                       help="find where an image appears inside other images (or, with --source, the reverse)")
    p.add_argument("image", type=Path, metavar="IMAGE", help="a photograph (or, with --source, a page)")
    p.add_argument("--source", action="store_true",
                   help="IMAGE is a page: find the library images that appear inside it")
    p.add_argument("--top", type=int, default=10, metavar="K", help="number of results (default 10)")
    p.add_argument("--pool", choices=["auto", "all", "images", "tiles", "both", "words"], default="auto",
                   help="which candidates are verified: auto (default: every image of a small library, else the "
                        "visual words when reproduction indexing is on, else the nearest images and tiles), all, "
                        "images (whole-image vectors only), tiles, both, words (the inverted index of visual words)")
    p.set_defaults(handler=cmd_reproductions)


def add_tiles_command(lsub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    """``library tiles on|off|status`` (added to the ``library`` command group)."""
    p = lsub.add_parser("tiles", parents=parents,
                        help="detail indexing: each image also embedded as 13 overlapping tiles, so a small motif "
                             "is found")
    p.add_argument("state", choices=["on", "off", "status"])
    p.add_argument("--now", action="store_true", help="with 'on': make the tiles of the indexed images now")
    p.set_defaults(handler=cmd_tiles)
    p = lsub.add_parser("words", parents=parents,
                        help="reproduction indexing: every image's visual words (SIFT), so Find Reproductions and "
                             "Find the Source stay quick in a large library")
    p.add_argument("state", choices=["on", "off", "status"])
    p.add_argument("--now", action="store_true", help="with 'on': make the words of the indexed images now")
    p.set_defaults(handler=cmd_words)


def cmd_reproductions(args: argparse.Namespace) -> int:
    if not args.image.is_file():
        raise ArtSeekError(f"'{args.image}' is not a file.", "Give an image file: a photograph, or a page with --source.")
    if args.top < 1:
        raise ArtSeekError("--top must be at least 1.")
    with open_library(args, read_only_ok=True) as lib:
        found = lib.find_reproductions(args.image, source=args.source, top_k=args.top, pool=args.pool)
    if opt(args, "json"):
        emit_json({"query": str(args.image), "direction": "source" if args.source else "reproductions",
                   "results": [dict(rank=i + 1, **r.to_dict()) for i, r in enumerate(found)]})
        return 0
    if not found:
        what = "library image appears inside it" if args.source else "library image contains it"
        print(f"No {what} (checked with local features).")
        return 0
    for i, r in enumerate(found, 1):
        corners = "  ".join(f"({x:.2f},{y:.2f})" for x, y in r.quad)
        where = "in the query" if r.quad_in == "query" else "in the image"
        print(f"{i:3d}. {r.inliers:4d} verified matches  {r.path}\n     outline {where}: {corners}")
    return 0


def cmd_tiles(args: argparse.Namespace) -> int:
    with open_library(args, read_only_ok=args.state == "status") as lib:
        if args.state != "status":
            lib.set_detail_indexing(args.state == "on")
            if args.state == "on" and args.now:
                lib.update_tiles()
        stats = lib.tiles.stats()
    if opt(args, "json"):
        emit_json(stats)
    else:
        print(f"Detail indexing is {'on' if stats['enabled'] else 'off'}: {stats['tiles']} tiles of "
              f"{stats['images']} images." + ("" if stats["enabled"] or args.state == "off" else
                                              " Turn it on with 'library tiles on --now'."))
    return 0


def cmd_words(args: argparse.Namespace) -> int:
    import sys

    def progress(done: int, total: int) -> None:
        print(f"\rVisual words: {done}/{total} images", end="" if done < total else "\n", file=sys.stderr, flush=True)

    with open_library(args, read_only_ok=args.state == "status") as lib:
        if args.state != "status":
            lib.set_reproduction_indexing(args.state == "on")
            if args.state == "on" and args.now:
                lib.update_visual_words(progress=None if opt(args, "json") else progress)
        stats = lib.visual_words.stats()
    if opt(args, "json"):
        emit_json(stats)
    else:
        print(f"Reproduction indexing is {'on' if stats['enabled'] else 'off'}: visual words of {stats['images']} "
              f"images ({stats['words']} words in the vocabulary, {stats['bytes_per_image']:.0f} bytes per image)."
              + ("" if stats["enabled"] or args.state == "off" else " Turn it on with 'library words on --now'."))
    return 0
