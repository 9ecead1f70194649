"""``library backups|restore|check``: the database backups and health checks of a library.

They work on a library whose database is damaged (that is what they are for),
so they go through :mod:`artseek.maintenance`, not a plain open.
"""

from __future__ import annotations

import argparse

from artseek.commands.common import emit_json, opt
from artseek.errors import ArtSeekError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parents = [common]
    group = sub.add_parser("library", parents=parents, help="backups, restore and health check of the library")
    lsub = group.add_subparsers(dest="library_command", metavar="ACTION", required=True)

    p = lsub.add_parser("backups", parents=parents, help="list the automatic database backups (newest first)")
    p.set_defaults(handler=cmd_library_backups)

    p = lsub.add_parser("restore", parents=parents,
                        help="put a backup in place of the database (the replaced file is kept in damaged/)")
    p.add_argument("name", metavar="NAME", help="a backup name as 'library backups' lists it")
    p.set_defaults(handler=cmd_library_restore)

    p = lsub.add_parser("check", parents=parents, help="check the database and the vector index")
    p.add_argument("--full", action="store_true",
                   help="check every page of the database (PRAGMA integrity_check; slower on big libraries)")
    p.set_defaults(handler=cmd_library_check)

    # A curator's own data as one file (collections, hand-set tags, ...): artseek.userdata.
    p = lsub.add_parser("export-data", parents=parents,
                        help="write collections, notes and hand-set tags to one versioned JSON file")
    p.add_argument("file", metavar="FILE.json")
    p.set_defaults(handler=cmd_export_data)
    p = lsub.add_parser("import-data", parents=parents,
                        help="merge a file written by export-data (importing twice changes nothing)")
    p.add_argument("file", metavar="FILE.json")
    p.set_defaults(handler=cmd_import_data)
    from artseek.commands.details import add_tiles_command  # detail indexing: library tiles on|off|status
    add_tiles_command(lsub, parents)


def _folder(args: argparse.Namespace) -> str | None:
    return opt(args, "library")


def _describe(backup) -> str:  # noqa: ANN001 - BackupInfo
    counts = "unreadable" if backup.images is None else f"{backup.indexed} indexed of {backup.images} images"
    return (f"{backup.name}  {backup.created:%Y-%m-%d %H:%M} UTC  {backup.size / 1e6:.1f} MB  "
            f"{counts}  ({backup.reason})")


def cmd_library_backups(args: argparse.Namespace) -> int:
    from artseek.maintenance import list_backups

    backups = list_backups(_folder(args))
    if opt(args, "json"):
        emit_json([b.to_dict() for b in backups])
    elif not backups:
        print("No backups yet: one is made after every indexing run that changes the library.")
    else:
        for b in backups:
            print(_describe(b))
    return 0


def cmd_library_restore(args: argparse.Namespace) -> int:
    from artseek.maintenance import restore_backup

    aside = restore_backup(_folder(args), args.name)
    if opt(args, "json"):
        emit_json({"restored": args.name, "replaced_database_kept_at": str(aside)})
    else:
        print(f"Restored {args.name}. The replaced database is kept at {aside}.\n"
              "Run 'rescan' to index images added since the backup was made.")
    return 0


def cmd_library_check(args: argparse.Namespace) -> int:
    from artseek.maintenance import check_library

    device = opt(args, "device")
    report = check_library(_folder(args), full=args.full, model=opt(args, "model"), weights=opt(args, "weights"),
                           device=None if device == "auto" else device, backend=opt(args, "backend", "auto"))
    if opt(args, "json"):
        emit_json(report.to_dict())
        return 0 if report.ok else 1
    kind = "Full check (every page)" if report.full else "Quick check"
    print(f"{kind} of {report.library}: {'database ok' if report.ok else 'the database is DAMAGED'} "
          f"({report.elapsed_s:.2f}s)")
    for problem in report.problems[:20]:
        print(f"  {problem}")
    if report.indexed is not None:
        print(f"Images:  {report.indexed} indexed, {report.searchable} searchable")
    print(f"Vector index: {report.vector_index}")
    if report.backups:
        print("Backups:")
        for b in report.backups:
            print(f"  {_describe(b)}")
    if not report.ok:
        if not report.backups:
            raise ArtSeekError("The database is damaged and this library has no backup.",
                               "Create a new library and re-index the folders (the image files are untouched).")
        print(f"Restore with: python main.py library restore {report.backups[0].name}"
              + (f" --library \"{report.library}\"" if _folder(args) else ""))
        return 1
    return 0


def cmd_export_data(args: argparse.Namespace) -> int:
    from artseek.commands.common import open_library

    with open_library(args, read_only_ok=True) as lib:
        counts = lib.export_user_data(args.file)
    if opt(args, "json"):
        emit_json({"file": args.file, "counts": counts})
    else:
        print(f"Wrote {args.file}: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()) + ".")
    return 0


def cmd_import_data(args: argparse.Namespace) -> int:
    from artseek.commands.common import open_library

    with open_library(args) as lib:
        report = lib.import_user_data(args.file)
    if opt(args, "json"):
        emit_json(report.to_dict())
    else:
        print(f"Imported {args.file}: {report.summary()}.")
    return 0
