"""Options of ``search`` for composed queries and relevance feedback (used by :mod:`artseek.cli`).

``search --image X "as an engraving" --text-weight 0.4 --not "a photograph"``
``search "a ship" --positive 12 --positive liked.jpg --negative 40 --method classifier``
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from artseek.errors import ArtSeekError


def add_query_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("composed queries and relevance feedback")
    g.add_argument("--text-weight", type=float, default=None, metavar="W",
                   help="weight of the text against --image in a composed query, 0..1 (default 0.5)")
    g.add_argument("--not", dest="negative_texts", action="append", default=[], metavar="TEXT",
                   help='a text the results should not match, e.g. --not "a photograph" (repeatable)')
    g.add_argument("--positive", action="append", default=[], metavar="ID|PATH",
                   help="an image marked relevant: a library id, an indexed file or any image file (repeatable)")
    g.add_argument("--negative", action="append", default=[], metavar="ID|PATH",
                   help="an image marked not relevant (repeatable)")
    g.add_argument("--method", choices=["auto", "rocchio", "classifier"], default="auto",
                   help="relevance-feedback method (default auto: the one docs/evaluation.md found best)")
    g.add_argument("--exclude-marked", action="store_true", help="hide the --positive/--negative images")


def wants_query(args: argparse.Namespace) -> bool:
    """True when ``search`` needs the full Query path (composed, negatives or feedback)."""
    return bool(getattr(args, "positive", None) or getattr(args, "negative", None)
                or getattr(args, "negative_texts", None) or getattr(args, "text_weight", None) is not None
                or (getattr(args, "text", None) and getattr(args, "image", None)))


def _resolve(lib, ref: str) -> tuple[int | None, str | None]:  # noqa: ANN001
    """``(image_id, None)`` for a library image, ``(None, path)`` for an outside file."""
    if ref.isdigit():
        if lib.image_record(int(ref)) is None:
            raise ArtSeekError(f"There is no image with id {ref} in this library.",
                               "Use the ids printed by 'search --json', or give a file path.")
        return int(ref), None
    image_id = lib.image_id_for_path(ref)
    if image_id is not None:
        return image_id, None
    if not Path(ref).is_file():
        raise ArtSeekError(f"'{ref}' is neither a library image id nor an image file.", "Check the path.")
    return None, os.fspath(ref)


def run_query_search(args: argparse.Namespace) -> int:
    from artseek.cli import open_library, print_results
    from artseek.search.query import Query

    if args.top < 1:
        raise ArtSeekError("--top must be at least 1.")
    if args.text_weight is not None and not 0.0 <= args.text_weight <= 1.0:
        raise ArtSeekError("--text-weight must be between 0 and 1.", "0 = only the image, 1 = only the text.")
    with open_library(args, read_only_ok=True) as lib:
        query = Query(text=args.text, images=[os.fspath(args.image)] if args.image else [],
                      negative_texts=list(args.negative_texts), method=args.method,
                      exclude_marked=args.exclude_marked)
        if args.text_weight is not None:
            query.text_weight = args.text_weight
        for refs, ids, files in ((args.positive, query.positive_ids, query.images),
                                 (args.negative, query.negative_ids, query.negative_images)):
            for ref in refs:
                image_id, path = _resolve(lib, ref)
                (ids.append(image_id) if image_id is not None else files.append(path))
        results = lib.search_query(query, args.top)
        described = {"text": query.text, "images": [os.fspath(i) for i in query.images],
                     "positive_ids": query.positive_ids, "negative_ids": query.negative_ids,
                     "negative_images": [os.fspath(i) for i in query.negative_images],
                     "negative_texts": query.negative_texts, "text_weight": query.text_weight,
                     "method": query.method}
        print_results(args, lib, described, results, show_ids=True)
    return 0
