"""``history list``: the library's recent searches (text, example image, marks, filters), newest first;
``history clear`` forgets them. The window restores one with Search → Recent Searches."""

from __future__ import annotations

import argparse

from artseek.commands.common import emit_json, open_library, opt


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("history", parents=[common], help="the library's recent searches")
    hsub = p.add_subparsers(dest="history_command", required=True, metavar="{list,clear}")
    lp = hsub.add_parser("list", parents=[common], help="recent searches, newest first")
    lp.add_argument("--limit", type=int, default=50, help="how many (default 50)")
    lp.set_defaults(handler=cmd_history_list)
    cp = hsub.add_parser("clear", parents=[common], help="forget every recorded search")
    cp.set_defaults(handler=cmd_history_clear)


def cmd_history_list(args: argparse.Namespace) -> int:
    with open_library(args, read_only_ok=True) as lib:
        entries = lib.history.entries(max(1, args.limit))
        if opt(args, "json"):
            emit_json([{"id": e.id, "created_at": e.created_at.isoformat(), "text": e.text,
                        "example_id": e.example_id, "example_path": e.example_path,
                        "positive_ids": e.positive_ids, "negative_ids": e.negative_ids,
                        "filter": e.filter.to_dict()} for e in entries])
        elif not entries:
            print("No searches recorded yet.")
        for e in entries if not opt(args, "json") else []:
            print(f"{e.id:5d}  {e.created_at.astimezone():%Y-%m-%d %H:%M}  {e.describe()}")
    return 0


def cmd_history_clear(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        print(f"Forgot {lib.history.clear()} recorded searches.")
    return 0
