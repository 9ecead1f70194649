"""``status``, ``remove-folder`` and ``reindex``: look after the library itself."""

from __future__ import annotations

import argparse
from pathlib import Path

from artseek.commands.common import add_indexing_options, emit_json, open_library, opt, run_indexing
from artseek.errors import ArtSeekError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("status", parents=[common], help="counts, failures and model of the library")
    p.set_defaults(handler=cmd_status)

    p = sub.add_parser("remove-folder", parents=[common], help="forget an imported folder and its images")
    p.add_argument("folder", type=Path)
    p.set_defaults(handler=cmd_remove_folder)

    p = sub.add_parser("reindex", parents=[common],
                       help="rebuild the library with another model (--model), re-embedding every image")
    add_indexing_options(p)
    p.set_defaults(handler=cmd_reindex)


def cmd_status(args: argparse.Namespace) -> int:
    with open_library(args, read_only_ok=True) as lib:
        st = lib.status()
    if opt(args, "json"):
        emit_json(st.to_dict())
        return 0
    ro = " (read-only: another ArtSeek is writing to it, or its folder cannot be written)" if st.read_only else ""
    print(f"Library: {st.library}{ro}")
    print(f"Model:   {st.model}")
    print(f"Images:  {st.indexed} indexed, {st.failed} failed, {st.pending} pending, {st.missing} missing")
    for folder in st.folders:
        offline = (f"  (offline: {folder['images']} images kept and searchable; reconnect it, then rescan)"
                   if folder["offline"] else "")
        print(f"Folder:  {folder['path']}{offline}")
    for note in st.notes:
        print(f"Note:    {note}")
    if st.failures:
        print("Failed files:")
        for f in st.failures:
            print(f"  {f['path']}: {f['reason']}")
    return 0


def cmd_remove_folder(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        impact = lib.root_removal_impact(args.folder)
        if impact["collected"] or impact["tagged"]:
            print(f"{impact['collected']} of its images are in collections (the items are kept and come back "
                  f"when the folder is imported again); {impact['tagged']} have tags set by hand (these go).")
        n = lib.remove_root(args.folder)
    print(f"Removed {n} images of {args.folder} from the library (the files themselves are untouched).")
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    model = opt(args, "model")
    if not model:
        raise ArtSeekError("reindex needs the new model.", "Pass --model NAME (see 'models list').")
    from artseek.library import Library

    # Opened with the model it was built with (no --model), then switched.
    with Library(opt(args, "library"), weights=opt(args, "weights"), backend=opt(args, "backend", "auto")) as lib:
        if lib.model_name != model:
            lib.switch_model(model)
        return run_indexing(args, lib.rescan)
