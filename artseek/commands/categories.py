"""Commands for the categories saved in a library: ``categories list|set|remove`` (``classify`` uses them)."""

from __future__ import annotations

import argparse

from artseek.commands.common import emit_json, open_library, opt
from artseek.errors import ArtSeekError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    cats = sub.add_parser("categories", parents=[common], help="list, define or remove the library's categories")
    csub = cats.add_subparsers(dest="categories_command", metavar="ACTION", required=True)
    p = csub.add_parser("list", parents=[common], help="print the saved categories")
    p.set_defaults(handler=cmd_list)
    p = csub.add_parser("set", parents=[common], help="define or change a category (classify then tags with it)")
    p.add_argument("category", metavar="NAME=V1,V2,...", help="e.g. technique=photograph,engraving,drawing,painting,map")
    p.add_argument("--template", action="append", metavar="TEMPLATE",
                   help='prompt template with {} for the value, e.g. "an {}" (repeatable)')
    p.set_defaults(handler=cmd_set)
    p = csub.add_parser("remove", parents=[common], help="forget a category and its predicted tags "
                                                         "(the curator's tags stay)")
    p.add_argument("name")
    p.set_defaults(handler=cmd_remove)


def cmd_list(args: argparse.Namespace) -> int:
    with open_library(args, read_only_ok=True) as lib:
        cats = lib.texts.categories()
    if opt(args, "json"):
        emit_json([c.to_dict() for c in cats])
    elif not cats:
        print("No categories yet: define one with 'categories set technique=photograph,engraving,drawing'.")
    else:
        for c in cats:
            print(f"{c.name}: {', '.join(c.values)}")
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    from artseek.captions.vocabulary import VocabularyError, parse_category

    category = parse_category(args.category)
    if args.template:
        bad = [t for t in args.template if t.count("{}") != 1]
        if bad:
            raise VocabularyError(f"Templates need exactly one '{{}}': {', '.join(bad)}.", 'E.g. --template "an {}".')
        category.templates = tuple(args.template)
    with open_library(args) as lib:
        saved = lib.texts.save_category(category)
    if opt(args, "json"):
        emit_json(saved.to_dict())
    else:
        print(f"Saved {saved.name}: {', '.join(saved.values)}. Run 'classify' to tag the images.")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        if not lib.texts.remove_category(args.name):
            known = ", ".join(c.name for c in lib.texts.categories()) or "none"
            raise ArtSeekError(f"There is no category '{args.name}'.", f"The library's categories: {known}.")
    if opt(args, "json"):
        emit_json({"removed": args.name})
    else:
        print(f"Removed the category {args.name} and its predicted tags (the curator's tags are kept).")
    return 0
