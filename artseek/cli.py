"""Command-line interface: thin argparse commands over :class:`artseek.library.Library`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from artseek import __version__, config
from artseek.errors import ArtSeekError

Handler = Callable[[argparse.Namespace], int]


# --------------------------------------------------------------------- parser
def _common_options(suppress: bool) -> argparse.ArgumentParser:
    """Options accepted both before and after the command name."""
    default = argparse.SUPPRESS if suppress else None
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--library", default=default, metavar="DIR",
                   help=f"library folder (default: ${config.ENV_LIBRARY} or {config.default_library_dir()})")
    p.add_argument("--model", default=default, metavar="NAME",
                   help="model name (default: the library's model, else ViT-B-32; 'tiny-test' for tests)")
    p.add_argument("--weights", default=default, metavar="PATH",
                   help=f"weights file of the model (default: ${config.ENV_WEIGHTS}, then the model folders)")
    p.add_argument("--device", default=default, choices=["auto", "cpu", "cuda"],
                   help="where the torch model runs (default: auto)")
    p.add_argument("--backend", default=default, choices=["auto", "torch", "onnx"],
                   help="inference backend (default: auto = torch on CUDA, else ONNX Runtime when exported)")
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS if suppress else False,
                   help="print machine-readable JSON")
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="artseek", parents=[_common_options(suppress=False)],
        description="ArtSeek: offline image search for curators. Without a command, opens the window.")
    parser.add_argument("--version", action="version", version=f"ArtSeek {__version__}")
    parser.add_argument("--self-test", action="store_true", help=argparse.SUPPRESS)  # checks a (packaged) install
    common = _common_options(suppress=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("index", parents=[common], help="index image folders (incremental)")
    p.add_argument("folders", nargs="+", type=Path, metavar="FOLDER")
    _indexing_options(p)
    p.set_defaults(handler=cmd_index)

    p = sub.add_parser("rescan", parents=[common], help="re-index every imported folder")
    _indexing_options(p)
    p.set_defaults(handler=cmd_rescan)

    p = sub.add_parser("search", parents=[common], help="search by text or by example image")
    p.add_argument("text", nargs="?", help="what to look for, e.g. \"a harbour at night\"")
    p.add_argument("--image", type=Path, metavar="PATH", help="query by example: an image file")
    p.add_argument("--top", type=int, default=20, metavar="K", help="number of results (default 20)")
    from artseek.commands.search_query import add_query_options

    add_query_options(p)
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("status", parents=[common], help="counts, failures and model of the library")
    p.set_defaults(handler=cmd_status)

    p = sub.add_parser("remove-folder", parents=[common], help="forget an imported folder and its images")
    p.add_argument("folder", type=Path)
    p.set_defaults(handler=cmd_remove_folder)

    p = sub.add_parser("reindex", parents=[common],
                       help="rebuild the library with another model (--model), re-embedding every image")
    _indexing_options(p)
    p.set_defaults(handler=cmd_reindex)

    models = sub.add_parser("models", parents=[common], help="list or fetch model weights")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    p = msub.add_parser("list", parents=[common], help="known models and where their weights were found")
    p.set_defaults(handler=cmd_models_list)
    p = msub.add_parser("fetch", parents=[common],
                        help="download weights once, on a networked machine (the only command that uses the network)")
    p.add_argument("--dest", type=Path, help="folder to write the weights to (default: the user model folder)")
    p.set_defaults(handler=cmd_models_fetch)
    from artseek.commands.models_export import add_export_parser

    add_export_parser(msub, common)

    from artseek.commands import register_all

    register_all(sub, common)
    return parser


def _indexing_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--batch-size", type=int, default=None,
                   help="images per model batch (default: 32 on CPU, 256 on a GPU)")
    p.add_argument("--workers", type=int, default=None, help="decode threads (default: from the core count)")
    p.add_argument("--max-megapixels", type=float, default=250.0,
                   help="refuse larger images as possible decompression bombs (default 250)")
    p.add_argument("--save-interval", type=float, default=60.0, help=argparse.SUPPRESS)  # seconds; for crash tests


# ------------------------------------------------------------------- helpers
def _opt(args: argparse.Namespace, name: str, default=None):  # noqa: ANN001, ANN202
    return getattr(args, name, default) or default


def open_library(args: argparse.Namespace, read_only_ok: bool = False):  # noqa: ANN201
    """Open the library named by the options (read-only if another process writes to it)."""
    from artseek.errors import LibraryLockedError, LibraryReadOnlyError
    from artseek.library import Library

    folder = _opt(args, "library")
    device = _opt(args, "device")
    kwargs = dict(model=_opt(args, "model"), weights=_opt(args, "weights"),
                  device=None if device == "auto" else device, backend=_opt(args, "backend", "auto"))
    try:
        return Library(folder, **kwargs)
    except (LibraryLockedError, LibraryReadOnlyError):
        if not read_only_ok:
            raise
        return Library(folder, read_only=True, **kwargs)


def _emit_json(data: object) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


class _ProgressPrinter:
    """Prints indexing progress on stderr: one updating line on a terminal, else a line every few seconds."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, p) -> None:  # noqa: ANN001
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


def _index_options(args: argparse.Namespace):  # noqa: ANN202
    from artseek.ingest.indexer import IndexOptions

    return IndexOptions(batch_size=args.batch_size, decode_workers=args.workers,
                        max_pixels=int(args.max_megapixels * 1_000_000), save_interval_s=args.save_interval)


def _run_indexing(args: argparse.Namespace, run: Callable) -> int:  # noqa: ANN001
    from artseek.ingest.progress import JobControl

    control = JobControl()
    printer = _ProgressPrinter(quiet=bool(_opt(args, "json")))
    try:
        report = run(_index_options(args), printer, control)
    except KeyboardInterrupt:
        control.cancel()
        raise
    data = {k: v for k, v in vars(report).items() if k != "problems"}
    data["problems"] = [{"path": p.path, "reason": p.reason} for p in report.problems]
    if _opt(args, "json"):
        _emit_json(data)
    else:
        print(f"Indexed {report.indexed}, unchanged {report.skipped}, failed {report.failed}, "
              f"missing {report.missing}, moved {report.moved} in {report.elapsed_s:.1f}s.")
        for p in report.problems:
            print(f"  could not scan {p.path}: {p.reason}")
        if report.failed:
            print("Run 'status' to see why files failed.")
    return 0


# ------------------------------------------------------------------ commands
def cmd_index(args: argparse.Namespace) -> int:
    missing = [str(f) for f in args.folders if not f.is_dir()]
    if missing:
        raise ArtSeekError(f"Not a folder: {', '.join(missing)}.", "Give folders that contain images.")
    with open_library(args) as lib:
        return _run_indexing(args, lambda o, l, c: lib.index(args.folders, o, l, c))


def cmd_rescan(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        return _run_indexing(args, lambda o, l, c: lib.rescan(o, l, c))


def cmd_reindex(args: argparse.Namespace) -> int:
    model = _opt(args, "model")
    if not model:
        raise ArtSeekError("reindex needs the new model.", "Pass --model NAME (see 'models list').")
    from artseek.library import Library

    folder = _opt(args, "library")
    with Library(folder, weights=_opt(args, "weights"), backend=_opt(args, "backend", "auto")) as lib:
        if lib.model_name != model:
            lib.switch_model(model)
        return _run_indexing(args, lambda o, l, c: lib.rescan(o, l, c))


def cmd_search(args: argparse.Namespace) -> int:
    from artseek.commands.search_query import run_query_search, wants_query

    if wants_query(args):
        return run_query_search(args)
    if not args.text and not args.image:
        raise ArtSeekError("Nothing to search for.", 'Give a text (search "a red chair") or --image PATH.')
    if args.top < 1:
        raise ArtSeekError("--top must be at least 1.")
    with open_library(args, read_only_ok=True) as lib:
        if args.image:
            results = lib.search_image(args.image, args.top)
            query = {"image": str(args.image)}
        else:
            results = lib.search_text(args.text, args.top)
            query = {"text": args.text}
        print_results(args, lib, query, results)
    return 0


def print_results(args: argparse.Namespace, lib, query: dict, results: list, show_ids: bool = False) -> None:  # noqa: ANN001
    """Print ranked results: JSON with ``--json``, else one line per image."""
    if _opt(args, "json"):
        _emit_json({"query": query, "model": lib.model_name,
                    "results": [dict(rank=i + 1, **r.to_dict()) for i, r in enumerate(results)]})
    elif not results:
        print("No indexed images yet: index a folder first.")
    else:
        for i, r in enumerate(results, 1):
            print(f"{i:3d}  {r.score:.4f}  {r.path}" + (f"  (id {r.image_id})" if show_ids else ""))


def cmd_status(args: argparse.Namespace) -> int:
    with open_library(args, read_only_ok=True) as lib:
        st = lib.status()
    if _opt(args, "json"):
        _emit_json(st.to_dict())
        return 0
    print(f"Library: {st.library}{' (read-only: in use elsewhere)' if st.read_only else ''}")
    print(f"Model:   {st.model}")
    print(f"Images:  {st.indexed} indexed, {st.failed} failed, {st.pending} pending, {st.missing} missing")
    for root in st.roots:
        print(f"Folder:  {root}")
    if st.failures:
        print("Failed files:")
        for f in st.failures:
            print(f"  {f['path']}: {f['reason']}")
    return 0


def cmd_remove_folder(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        n = lib.remove_root(args.folder)
    print(f"Removed {n} images of {args.folder} from the library (the files themselves are untouched).")
    return 0


def cmd_models_list(args: argparse.Namespace) -> int:
    from artseek.embedding.registry import MODELS, candidate_paths

    rows = []
    for spec in MODELS.values():
        found = next((str(p) for p in candidate_paths(spec) if p.is_file()), None)
        rows.append({"name": spec.name, "architecture": spec.architecture, "file": spec.weights_filename,
                     "found": found, "description": spec.description})
    if _opt(args, "json"):
        _emit_json(rows)
    else:
        for r in rows:
            print(f"{r['name']:10s} {r['description']}\n           {r['found'] or 'weights not found: ' + r['file']}")
    return 0


def cmd_models_fetch(args: argparse.Namespace) -> int:
    from artseek.embedding.fetch import fetch_weights

    path = fetch_weights(_opt(args, "model", config.DEFAULT_MODEL), args.dest)
    print(f"Saved the weights to {path}")
    return 0


# ---------------------------------------------------------------------- main
def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; without one, open the desktop window."""
    logging.getLogger().setLevel(logging.ERROR)  # open_clip logs a warning for every pretrained=None model
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "self_test", False):
        from artseek.selftest import run as self_test

        return self_test(_opt(args, "model"), _opt(args, "weights"), _opt(args, "backend", "auto"))
    if not getattr(args, "command", None):
        return _launch_gui(args, parser)
    try:
        return args.handler(args)
    except ArtSeekError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nInterrupted: work done so far is kept; run the same command again to resume.", file=sys.stderr)
        return 130


def _launch_gui(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if sys.platform.startswith("linux") and not any(
            os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        print("error: no display found, so ArtSeek's window cannot open here.\n"
              "Start it from a desktop session, or use the command line (python main.py --help).",
              file=sys.stderr)
        return 2
    try:
        from artseek.ui.app import run_app
    except ImportError:
        parser.print_help()
        return 0
    return run_app(library=_opt(args, "library"), model=_opt(args, "model"), weights=_opt(args, "weights"))


if __name__ == "__main__":
    sys.exit(main())

