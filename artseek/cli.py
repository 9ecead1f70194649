"""Command-line interface: the root parser and :func:`main`.

The commands live in :mod:`artseek.commands`, one module per topic; each adds
its sub-commands to the parser built here. Without a command, the window opens.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from artseek import __version__, config
from artseek.commands import register_all
from artseek.commands.common import opt
from artseek.errors import ArtSeekError


# --------------------------------------------------------------------- parser
def _common_options(suppress: bool) -> argparse.ArgumentParser:
    """Options accepted both before and after the command name."""
    default = argparse.SUPPRESS if suppress else None
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--library", default=default, metavar="DIR",
                   help=f"library folder (default: ${config.ENV_LIBRARY} or {config.default_library_dir()})")
    p.add_argument("--model", default=default, metavar="NAME",
                   help=f"model name (default: the library's model, else {config.DEFAULT_MODEL}; 'tiny-test' for tests)")
    p.add_argument("--weights", default=default, metavar="PATH",
                   help=f"weights file of the model (default: ${config.ENV_WEIGHTS}, then the model folders)")
    p.add_argument("--device", default=default, choices=["auto", "cpu", "cuda"],
                   help="where the torch model runs (default: auto)")
    p.add_argument("--backend", default=default, choices=["auto", "torch", "onnx", "openvino"],
                   help="inference backend (default: auto = torch on CUDA, else, when exported, OpenVINO where it "
                        "passed its one-time check on this CPU, else ONNX Runtime)")
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS if suppress else False,
                   help="print machine-readable JSON")
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="artseek", parents=[_common_options(suppress=False)],
        description="ArtSeek: offline image search for curators. Without a command, opens the window.")
    parser.add_argument("--version", action="version", version=f"ArtSeek {__version__}")
    parser.add_argument("--self-test", action="store_true", help=argparse.SUPPRESS)  # checks a (packaged) install
    parser.add_argument("--demo", action="store_true",
                        help="open the window on a demo: the tiny test model and generated sample pictures in a "
                             "temporary library (a source checkout only; also: make demo)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    register_all(sub, _common_options(suppress=True))
    return parser


# ---------------------------------------------------------------------- main
def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; without one, open the desktop window."""
    logging.getLogger().setLevel(logging.ERROR)  # open_clip logs a warning for every pretrained=None model
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "self_test", False):
        from artseek.selftest import run as self_test

        return self_test(opt(args, "model"), opt(args, "weights"), opt(args, "backend", "auto"))
    if not getattr(args, "command", None):
        return _launch_gui(args, parser)
    from artseek import stop_signals

    try:
        with stop_signals.installed():  # SIGTERM/SIGHUP stop a command like Ctrl+C: library closed, index saved
            return args.handler(args)
    except ArtSeekError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        how = str(exc) if isinstance(exc, stop_signals.StopRequested) else "Ctrl+C"
        print(f"\nStopped ({how}): work done so far is kept; run the same command again to resume.",
              file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - no traceback ever reaches a user: one line, details in the log
        from artseek import crash_log

        print(f"error: {crash_log.report(exc)}", file=sys.stderr)
        return 1


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
    try:
        return run_app(library=opt(args, "library"), model=opt(args, "model"), weights=opt(args, "weights"),
                       backend=opt(args, "backend"), demo=bool(getattr(args, "demo", False)))
    except ArtSeekError as exc:  # e.g. --demo where there is no demo (the packaged app)
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

