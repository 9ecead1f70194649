"""Helpers shared by the command modules: options, JSON output, opening the library, indexing, results.

The core is imported inside the functions, so building the parser (``--help``,
the window's start) loads none of it.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from artseek.errors import ArtSeekError

if TYPE_CHECKING:
    from artseek.ingest.indexer import IndexOptions, IndexReport
    from artseek.ingest.progress import IndexProgress, JobControl, ProgressListener
    from artseek.library import Library
    from artseek.search.results import SearchResult

    IndexRun = Callable[[IndexOptions, ProgressListener, JobControl], IndexReport]


def opt(args: argparse.Namespace, name: str, default=None):  # noqa: ANN001, ANN201
    """An option given before or after the command name (or ``default`` when absent or empty)."""
    return getattr(args, name, default) or default


def emit_json(data: object) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def open_library(args: argparse.Namespace, read_only_ok: bool = False) -> Library:
    """Open the library named by the options (read-only if another process writes to it and ``read_only_ok``)."""
    from artseek.library import open_library as open_library_folder

    device = opt(args, "device")
    return open_library_folder(opt(args, "library"), read_only_ok=read_only_ok, model=opt(args, "model"),
                               weights=opt(args, "weights"), device=None if device == "auto" else device,
                               backend=opt(args, "backend", "auto"))


def resolve_image(lib: Library, ref: str) -> tuple[int | None, str | None]:
    """``(image_id, None)`` for a library image (id or indexed path), ``(None, path)`` for an outside file."""
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


def print_results(args: argparse.Namespace, lib: Library, query: dict, results: list[SearchResult],
                  show_ids: bool = False) -> None:
    """Print ranked results: JSON with ``--json``, else one line per image."""
    if opt(args, "json"):
        emit_json({"query": query, "model": lib.model_name,
                   "results": [dict(rank=i + 1, **r.to_dict()) for i, r in enumerate(results)]})
    elif not results:
        print("No indexed images yet: index a folder first.")
    else:
        if any(r.relative for r in results):  # a refined ranking (marked images): not cosine similarities
            print("Refined scores (relative): standard deviations above this search's average candidate, "
                  "not cosine similarities; compare them within this list only.")
        for i, r in enumerate(results, 1):
            print(f"{i:3d}  {r.score:.4f}  {r.path}" + (f"  (id {r.image_id})" if show_ids else ""))


# ------------------------------------------------------------------ indexing
def add_indexing_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--batch-size", type=int, default=None,
                   help="images per model batch (default: 32 on CPU, 256 on a GPU)")
    p.add_argument("--workers", type=int, default=None, help="decode threads (default: from the core count)")
    p.add_argument("--max-megapixels", type=float, default=250.0,
                   help="refuse larger images as possible decompression bombs (default 250)")
    p.add_argument("--save-interval", type=float, default=60.0, help=argparse.SUPPRESS)  # seconds; for crash tests


class ProgressPrinter:
    """Prints indexing progress on stderr: one updating line on a terminal, else a line every few seconds."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, p: IndexProgress) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        final = p.phase in ("done", "cancelled")
        if not final and now - self.last < (0.2 if self.tty else 5.0):
            return
        self.last = now
        eta = f", ETA {p.eta_s:.0f}s" if p.eta_s else ""
        line = (f"{p.phase}: {p.done}/{p.total} files ({p.indexed} indexed, {p.failed} failed, "
                f"{p.skipped} unchanged), {p.rate:.1f} files/s{eta}")
        if self.tty:
            sys.stderr.write("\r" + line[:150].ljust(150) + ("\n" if final else ""))
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


def index_options(args: argparse.Namespace) -> IndexOptions:
    from artseek.ingest.indexer import IndexOptions

    return IndexOptions(batch_size=args.batch_size, decode_workers=args.workers,
                        max_pixels=int(args.max_megapixels * 1_000_000), save_interval_s=args.save_interval,
                        verify=bool(getattr(args, "verify", False)))


def run_indexing(args: argparse.Namespace, run: IndexRun) -> int:
    """Run an indexing job with the command's options and progress on stderr; print its report.

    Ctrl+C, SIGTERM and SIGHUP stop the job between batches (the index is saved; exit code 130);
    a second one stops at once.
    """
    from artseek.ingest.progress import JobControl
    from artseek.stop_signals import cancel_on_signals

    control = JobControl()
    printer = ProgressPrinter(quiet=bool(opt(args, "json")))
    with cancel_on_signals(control.cancel) as received:
        try:
            report = run(index_options(args), printer, control)
        except KeyboardInterrupt:
            control.cancel()
            raise
    if opt(args, "json"):
        emit_json(report.to_dict())
    else:
        checked = (f" (checked {report.checked} by content, {report.replaced} replaced with the same size and date)"
                   if report.checked else "")
        checked += f"; {report.hashed} older images given a perceptual hash" if report.hashed else ""
        print(f"Indexed {report.indexed}, unchanged {report.skipped}, failed {report.failed}, "
              f"missing {report.missing}, moved {report.moved} in {report.elapsed_s:.1f}s{checked}.")
        for p in report.problems:
            print(f"  could not scan {p.path}: {p.reason}")
        for p in report.offline:
            print(f"  {p.path}: {p.reason}.")
        if report.offline:
            print(f"  The {report.offline_images} images of offline folders are kept and stay searchable; "
                  "run 'rescan' when they are back (only changed files are read).")
        if report.failed:
            print("Run 'status' to see why files failed.")
    if report.cancelled:
        how = received[0] if received else "cancelled"
        library = opt(args, "library")
        where = f" --library {shlex.quote(str(library))}" if library else ""
        kept = (f"the {report.indexed} images indexed in this run are saved" if report.indexed
                else "nothing was lost")
        print(f"Stopped ({how}): {kept}; resume with: python main.py rescan{where}", file=sys.stderr)
        return 130
    return 0
