"""``duplicates``: identical, near-identical and similar images; "not duplicates" marks; CSV export."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from artseek.commands.common import emit_json, open_library, opt
from artseek.errors import ArtSeekError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from artseek.duplicates import TIERS, Thresholds

    default = Thresholds()
    p = sub.add_parser(
        "duplicates", parents=[common],
        help="groups of identical, near-identical and similar images (new images are checked incrementally)",
        description="List duplicate groups by tier, or remember that a group is not duplicates. "
                    "Examples: 'duplicates', 'duplicates --tier near --csv dups.csv', "
                    "'duplicates not-duplicates near-12', 'duplicates forget-marks'.")
    p.add_argument("action", nargs="?", default="list", choices=["list", "not-duplicates", "forget-marks"],
                   help="list (default); not-duplicates GROUP: remember the group is not duplicates; "
                        "forget-marks: forget every such mark")
    p.add_argument("group", nargs="?", metavar="GROUP", help="the group's key as listed (e.g. near-12)")
    p.add_argument("--tier", action="append", choices=TIERS, metavar="TIER",
                   help=f"only this tier (repeatable; {', '.join(TIERS)}; default all)")
    p.add_argument("--similar-threshold", type=float, default=default.similar_threshold, metavar="X",
                   help=f"embedding similarity a similar pair needs (0.5-1, default {default.similar_threshold})")
    p.add_argument("--csv", type=Path, metavar="FILE", help="also write every group, one row per image, to FILE")
    p.set_defaults(handler=cmd_duplicates)


def _thresholds(args: argparse.Namespace):  # noqa: ANN202 - Thresholds
    from artseek.duplicates import Thresholds

    try:
        return Thresholds(similar_threshold=args.similar_threshold)
    except ValueError as exc:
        raise ArtSeekError(f"--similar-threshold {args.similar_threshold} is not usable: {exc}.",
                           "Give a value such as 0.9 (higher: fewer, closer pairs).") from None


def _progress(phase: str, done: int, total: int) -> None:
    if phase == "checking" and total:
        print(f"\rChecking new images against the library: {done}/{total}", end="", file=sys.stderr, flush=True)
        if done == total:
            print(file=sys.stderr)


def cmd_duplicates(args: argparse.Namespace) -> int:
    thresholds = _thresholds(args)
    if args.action == "not-duplicates":
        if not args.group:
            raise ArtSeekError("Which group is not duplicates?", "Give its key as listed, e.g. "
                                                                 "'duplicates not-duplicates near-12'.")
        with open_library(args) as lib:
            group = lib.duplicates.not_duplicates_key(args.group, thresholds)
        print(f"Remembered: the {len(group.members)} images of {group.key} are not duplicates "
              "(by content: kept across re-scans and moves).")
        return 0
    if args.action == "forget-marks":
        with open_library(args) as lib:
            n = lib.duplicates.forget_marks()
        print(f"Forgot {n} 'not duplicates' mark{'s' if n != 1 else ''}.")
        return 0
    from artseek.duplicates import TIER_NAMES, TIERS
    from artseek.duplicates.export import write_csv

    tiers = tuple(t for t in TIERS if t in (args.tier or TIERS))
    with open_library(args, read_only_ok=True) as lib:
        report = lib.duplicates.find(thresholds, tiers, progress=None if opt(args, "json") else _progress)
    if args.csv:
        rows = write_csv(report, args.csv)
        if not opt(args, "json"):
            print(f"Wrote {rows} rows ({len(report.groups)} groups) to {args.csv}.")
    if opt(args, "json"):
        emit_json(report.to_dict())
        return 0
    counts = report.counts()
    print(f"{report.images} images ({report.checked} checked now): "
          + ", ".join(f"{counts[t]} {TIER_NAMES[t].lower()} groups" for t in tiers)
          + f" in {report.elapsed_s:.1f}s (similar threshold {thresholds.similar_threshold}).")
    for g in report.groups:
        print(f"\n[{g.key}] {g.tier_name}, {len(g.members)} images")
        for m in g.members:
            link = "" if m.similarity is None else f"  similarity {m.similarity:.3f}"
            link += "" if m.hash_bits is None else f", {m.hash_bits} hash bits"
            link += "  (stands for its near-identical group)" if m.stands_for else ""
            size = f"{m.width}x{m.height}" if m.width else "?"
            print(f"  {m.path}  {size} {m.format or ''} {m.size:,} bytes  {m.modified[:10]}{link}")
    if report.groups:
        print("\nNot duplicates? 'main.py duplicates not-duplicates KEY' remembers it.")
    return 0


def cmd_eval_duplicates(args: argparse.Namespace) -> int:
    from artseek.duplicates import IDENTICAL, NEAR, SIMILAR, Thresholds
    from artseek.evaluation.duplicates import TARGET, run

    if args.count < 2:
        raise ArtSeekError("--count must be at least 2.")
    thresholds = Thresholds() if args.similar_threshold is None else _thresholds(args)
    device = opt(args, "device")
    r = run(args.originals, args.count, model=opt(args, "model") or "tiny-test", weights=opt(args, "weights"),
            device=None if device == "auto" else device, thresholds=thresholds, seed=opt(args, "seed") or 99)
    if opt(args, "json"):
        emit_json(r.to_dict())
        return 0
    print(f"{r.originals} originals ({r.source}), {r.distractors} of them unrelated distractors; {r.files} files; "
          f"model {r.model}; groups {r.groups}; finder {r.find_s} s")
    print(f"thresholds {r.thresholds}")
    print(f"  {'transformation':<14s}" + "".join(f"{t + ' P':>12s}{t + ' R':>12s}" for t in (IDENTICAL, NEAR, SIMILAR)))

    def cell(v: float | None) -> str:
        return f"{'-' if v is None else f'{v:.3f}':>12s}"

    for name, tiers in r.per_transform.items():
        mark = " *" if name in TARGET else ""
        print(f"  {name + mark:<14s}" + "".join(cell(tiers[t].precision) + cell(tiers[t].recall)
                                               for t in (IDENTICAL, NEAR, SIMILAR)))
    print(f"  {'all pairs':<14s}" + "".join(cell(r.overall[t].precision) + cell(None)
                                           for t in (IDENTICAL, NEAR, SIMILAR)))
    print(f"(* the near-identical target, precision >= 0.98 and recall >= 0.95: "
          f"{'met' if r.target_met() else 'NOT met'}; tiers are cumulative)")
    return 0


def cmd_bench_duplicates(args: argparse.Namespace) -> int:
    from artseek.bench.duplicates import backfill, run

    if args.backfill_from:
        f = backfill(args.backfill_from, opt(args, "model") or "tiny-test", opt(args, "weights"))
        if opt(args, "json"):
            emit_json(f.to_dict())
            return 0
        print(f"{f.images} images, model {f.model}: indexing {f.index_s} s; re-scan with nothing to do "
              f"{f.rescan_s} s; re-scan giving {f.hashed} images their perceptual hashes {f.backfill_s} s "
              f"({(f.backfill_s - f.rescan_s) / max(f.index_s, 1e-9):.3f} x indexing, beyond a plain re-scan)")
        return 0
    if args.images < 100 or args.added < 1 or args.dim < 2:
        raise ArtSeekError("--images must be at least 100, --added at least 1, --dim at least 2.")
    b = run(args.images, args.dim, args.added)
    if opt(args, "json"):
        emit_json(b.to_dict())
        return 0
    print(f"{b.images:,} synthetic images ({b.dim}-d vectors, {b.planted_near:,} planted near-duplicates, "
          f"{b.planted_copies:,} identical copies); vector index built in {b.index_build_s} s (not counted: a "
          "library has it)")
    print(f"  first run (every image checked, then grouped): {b.full_s} s wall, {b.full_cpu_s} s CPU -> "
          f"{b.groups}, {b.pairs:,} pairs stored")
    print(f"  {b.added:,} new images checked, everything regrouped: {b.incremental_s} s wall, {b.incremental_cpu_s} s "
          f"CPU ({b.incremental_cpu_s / b.full_cpu_s:.3f} x the first run's CPU)")
    print(f"  nothing new, regrouped: {b.regroup_s} s wall, {b.regroup_cpu_s} s CPU "
          f"({b.regroup_cpu_s / b.full_cpu_s:.3f} x the first run's CPU)")
    return 0
