"""``collections list|show|create|add|remove|rename|delete|note|export``: a curator's collections.

``export NAME --csv F | --copy DIR | --pdf F [--paper a4|letter]`` writes the
same exports as the window. The PDF contact sheet is drawn with Qt
(:mod:`artseek.ui.contact_sheet`, imported only by that option).
"""

from __future__ import annotations

import argparse
import sys

from artseek.commands.common import emit_json, open_library, opt, resolve_image
from artseek.errors import ArtSeekError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parents = [common]
    group = sub.add_parser("collections", parents=parents, help="the curator's collections: list, show, build, export")
    csub = group.add_subparsers(dest="collections_command", metavar="ACTION", required=True)

    p = csub.add_parser("list", parents=parents, help="the collections with their item counts")
    p.set_defaults(handler=cmd_list)
    p = csub.add_parser("show", parents=parents, help="a collection's items in order, with notes")
    p.add_argument("name")
    p.set_defaults(handler=cmd_show)
    p = csub.add_parser("create", parents=parents, help="a new, empty collection")
    p.add_argument("name")
    p.add_argument("--note", default="", help="the collection's note")
    p.set_defaults(handler=cmd_create)
    for action, text in (("add", "append images (ids or indexed paths) not in it yet"),
                         ("remove", "take images out of the collection (they stay in the library)")):
        p = csub.add_parser(action, parents=parents, help=text)
        p.add_argument("name")
        p.add_argument("images", nargs="+", metavar="IMAGE", help="an image id or the path of an indexed file")
        p.set_defaults(handler=cmd_add if action == "add" else cmd_remove)
    p = csub.add_parser("rename", parents=parents, help="rename a collection")
    p.add_argument("name")
    p.add_argument("new_name")
    p.set_defaults(handler=cmd_rename)
    p = csub.add_parser("delete", parents=parents, help="delete a collection (its images stay in the library)")
    p.add_argument("name")
    p.set_defaults(handler=cmd_delete)
    p = csub.add_parser("note", parents=parents, help="set the note of a collection, or of one of its images")
    p.add_argument("name")
    p.add_argument("text", help="the note ('' clears it)")
    p.add_argument("--image", help="the image (id or path) whose note to set; without it, the collection's")
    p.set_defaults(handler=cmd_note)
    p = csub.add_parser("export", parents=parents, help="export a collection: CSV, its files, a PDF contact sheet")
    p.add_argument("name")
    p.add_argument("--csv", metavar="FILE", help="CSV: path, file name, folder, score, note, tags, description, "
                                                 "width, height, format")
    p.add_argument("--copy", metavar="DIR", help="copy the files to DIR (nothing overwritten; clashes get (2), (3)...)")
    p.add_argument("--pdf", metavar="FILE", help="a PDF contact sheet (thumbnails, names, descriptions, notes)")
    p.add_argument("--paper", choices=("a4", "letter"), default="a4", help="the contact sheet's paper (default a4)")
    p.add_argument("--title", help="the contact sheet's title (default: the collection's name)")
    p.set_defaults(handler=cmd_export)


def _image_ids(lib, refs: list[str]) -> list[int]:  # noqa: ANN001
    ids = []
    for ref in refs:
        image_id, _ = resolve_image(lib, ref)
        if image_id is None:
            raise ArtSeekError(f"'{ref}' is not an image of this library.", "Index its folder first.")
        ids.append(image_id)
    return ids


def cmd_list(args: argparse.Namespace) -> int:
    with open_library(args, read_only_ok=True) as lib:
        found = lib.collections.list()
    if opt(args, "json"):
        emit_json([c.to_dict() for c in found])
    elif not found:
        print("No collections yet: create one with 'collections create NAME'.")
    for c in [] if opt(args, "json") else found:
        print(f"{c.name}  ({c.items} image{'s' if c.items != 1 else ''})" + (f"  — {c.note}" if c.note else ""))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with open_library(args, read_only_ok=True) as lib:
        info, items = lib.collections.get(args.name), lib.collections.items(args.name)
    if opt(args, "json"):
        emit_json({**info.to_dict(), "items_list": [i.to_dict() for i in items]})
        return 0
    print(f"{info.name}: {info.items} image{'s' if info.items != 1 else ''}" + (f"\nNote: {info.note}" if info.note
                                                                                 else ""))
    for n, item in enumerate(items, 1):
        state = "" if item.indexed else ("  (not in the library now: re-import its folder)" if item.image_id is None
                                         else "  (missing: re-scan)")
        ident = f"id {item.image_id}" if item.image_id is not None else "no id"
        print(f"{n:3d}  {item.path}  ({ident}){state}" + (f"\n     note: {item.note}" if item.note else ""))
    return 0


def cmd_create(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        info = lib.collections.create(args.name, args.note)
    print(f"Created the collection '{info.name}'.")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        n = lib.collections.add(args.name, _image_ids(lib, args.images))
        total = lib.collections.get(args.name).items
    print(f"Added {n} image{'s' if n != 1 else ''} to '{args.name}' (now {total}); images already in it were skipped.")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        n = lib.collections.remove(args.name, image_ids=_image_ids(lib, args.images))
    print(f"Took {n} image{'s' if n != 1 else ''} out of '{args.name}' (they stay in the library).")
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        info = lib.collections.rename(args.name, args.new_name)
    print(f"Renamed to '{info.name}'.")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        n = lib.collections.delete(args.name)
    print(f"Deleted the collection '{args.name}' ({n} items; the images stay in the library).")
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        if args.image:
            (image_id,) = _image_ids(lib, [args.image])
            lib.collections.set_item_note(args.name, image_id, args.text)
        else:
            lib.collections.set_note(args.name, args.text)
    print("Note saved." if args.text else "Note cleared.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    if not (args.csv or args.copy or args.pdf):
        raise ArtSeekError("Nothing to export to.", "Give --csv FILE, --copy DIR or --pdf FILE (or several).")
    out: dict = {}
    with open_library(args, read_only_ok=True) as lib:
        info = lib.collections.get(args.name)
        entries = lib.collections.entries(args.name)
        if args.csv:
            out["csv"] = {"file": args.csv, "rows": lib.collections.export_csv(entries, args.csv)}
            if not opt(args, "json"):
                print(f"Wrote {out['csv']['rows']} rows to {args.csv}.")
        if args.pdf:
            from artseek.ui.contact_sheet import write_contact_sheet

            pages = write_contact_sheet(args.pdf, args.title or info.name, lib.collections.sheet_entries(entries),
                                        args.paper)
            out["pdf"] = {"file": args.pdf, "pages": pages, "paper": args.paper}
            if not opt(args, "json"):
                print(f"Wrote a {pages}-page contact sheet ({args.paper}) to {args.pdf}.")
        if args.copy:
            report = lib.collections.copy_files(entries, args.copy)
            out["copy"] = report.to_dict()
            if not opt(args, "json"):
                renamed = f" ({report.renamed} renamed: the name was taken)" if report.renamed else ""
                print(f"Copied {len(report.copied)} files to {args.copy}{renamed}.")
                for path, reason in report.failed:
                    print(f"  not copied: {path}: {reason}", file=sys.stderr)
    if opt(args, "json"):
        emit_json(out)
    return 1 if out.get("copy", {}).get("failed") else 0
