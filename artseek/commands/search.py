"""``search``: by text, by example image, composed queries and relevance feedback.

``search "a harbour at night"``, ``search --image photo.jpg``,
``search --image X "as an engraving" --text-weight 0.4 --not "a photograph"``,
``search --image X "an engraving of *" --composed pic2word`` (see ``train mapper``),
``search "a ship" --positive 12 --positive liked.jpg --negative 40 --method classifier``,
``search "a harbour" --folder ~/Scans/1900s --format tiff --taken-before 1950 --tag technique=engraving``
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from artseek.commands.common import open_library, opt, print_results, resolve_image
from artseek.errors import ArtSeekError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("search", parents=[common], help="search by text or by example image")
    p.add_argument("text", nargs="?", help="what to look for, e.g. \"a harbour at night\"")
    p.add_argument("--image", type=Path, metavar="PATH", help="query by example: an image file")
    p.add_argument("--top", type=int, default=20, metavar="K", help="number of results (default 20)")
    add_query_options(p)
    add_filter_options(p)
    p.set_defaults(handler=cmd_search)


def add_filter_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters (only images that pass every filter are results)")
    g.add_argument("--folder", action="append", default=[], metavar="PATH",
                   help="only images in this imported folder or a folder inside it (repeatable: any of them)")
    g.add_argument("--format", action="append", default=[], metavar="FMT",
                   help="only this file format, e.g. jpeg, png, tiff (repeatable: any of them)")
    g.add_argument("--min-megapixels", type=float, default=None, metavar="MP",
                   help="only images of at least this many megapixels (width x height / 1,000,000)")
    g.add_argument("--taken-after", metavar="DATE",
                   help="taken on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD): the EXIF date, else the file date")
    g.add_argument("--taken-before", metavar="DATE", help="taken on or before DATE (the whole year for YYYY)")
    g.add_argument("--tag", action="append", default=[], metavar="CATEGORY=VALUE",
                   help="only images with this tag, e.g. --tag technique=engraving (repeatable: all of them)")
    g.add_argument("--collection", metavar="NAME", help="only images of this collection")


def search_filter(args: argparse.Namespace):  # noqa: ANN201 - a SearchFilter or None
    """The filter the options ask for (None: no filter); bad values raise a QueryError saying what to write."""
    from artseek.search.filters import SearchFilter

    flt = SearchFilter.build(folders=args.folder, formats=args.format, min_megapixels=args.min_megapixels,
                             taken_after=args.taken_after, taken_before=args.taken_before, tags=args.tag,
                             collection=args.collection)
    return None if flt.is_empty() else flt


def _print(args: argparse.Namespace, lib, query: dict, results: list, flt, show_ids: bool = False) -> None:  # noqa: ANN001
    if flt is not None:
        query["filter"] = flt.to_dict()
        if not results and not opt(args, "json"):
            print(f"No indexed image passes the filter ({flt.describe()}).", file=sys.stderr)
            return
    print_results(args, lib, query, results, show_ids=show_ids)


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
    g.add_argument("--composed", choices=["auto", "pic2word", "average"], default="auto",
                   help="image+text method: pic2word (the library's mapper, see 'train mapper'), average, or "
                        "auto (default: the one docs/evaluation.md found best; averaging for now)")


def cmd_search(args: argparse.Namespace) -> int:
    if wants_query(args):
        return run_query_search(args)
    if not args.text and not args.image:
        raise ArtSeekError("Nothing to search for.", 'Give a text (search "a red chair") or --image PATH.')
    if args.top < 1:
        raise ArtSeekError("--top must be at least 1.")
    flt = search_filter(args)
    with open_library(args, read_only_ok=True) as lib:
        from artseek.search.query import Query

        if args.image:
            results = lib.search_image(args.image, args.top, filter=flt)
            query = {"image": str(args.image)}
            lib.history.record(Query(images=[os.fspath(args.image)], filter=flt))
        else:
            results = lib.search_text(args.text, args.top, filter=flt)
            query = {"text": args.text}
            lib.history.record(Query(text=args.text, filter=flt))
        _print(args, lib, query, results, flt)
    return 0


def wants_query(args: argparse.Namespace) -> bool:
    """True when ``search`` needs the full Query path (composed, negatives or feedback)."""
    return bool(args.positive or args.negative or args.negative_texts or args.text_weight is not None
                or (args.text and args.image))


def run_query_search(args: argparse.Namespace) -> int:
    from artseek.search.query import Query

    if args.top < 1:
        raise ArtSeekError("--top must be at least 1.")
    if args.text_weight is not None and not 0.0 <= args.text_weight <= 1.0:
        raise ArtSeekError("--text-weight must be between 0 and 1.", "0 = only the image, 1 = only the text.")
    flt = search_filter(args)
    with open_library(args, read_only_ok=True) as lib:
        query = Query(text=args.text, images=[os.fspath(args.image)] if args.image else [],
                      negative_texts=list(args.negative_texts), method=args.method,
                      exclude_marked=args.exclude_marked, composed=args.composed, filter=flt)
        if args.text_weight is not None:
            query.text_weight = args.text_weight
        for refs, ids, files in ((args.positive, query.positive_ids, query.images),
                                 (args.negative, query.negative_ids, query.negative_images)):
            for ref in refs:
                image_id, path = resolve_image(lib, ref)
                (ids.append(image_id) if image_id is not None else files.append(path))
        results = lib.search_query(query, args.top, remember=True)
        described = {"text": query.text, "images": [os.fspath(i) for i in query.images],
                     "positive_ids": query.positive_ids, "negative_ids": query.negative_ids,
                     "negative_images": [os.fspath(i) for i in query.negative_images],
                     "negative_texts": query.negative_texts, "text_weight": query.text_weight,
                     "method": query.method, "composed_with": lib.composer.method_for(query)}
        if described["composed_with"] and not opt(args, "json"):
            print(f"composed with {described['composed_with']}", file=sys.stderr)
        _print(args, lib, described, results, flt, show_ids=True)
    return 0
