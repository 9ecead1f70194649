"""``models export``: write a model's towers as ONNX files for the CPU backend (needs torch).

Added to the ``models`` action group by :func:`artseek.cli.build_parser`; this
module has no ``register`` of its own, so :func:`artseek.commands.register_all`
leaves it alone.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from artseek import config


def add_export_parser(msub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = msub.add_parser(
        "export", parents=[common],
        help="export the model's image and text towers to ONNX for the fast CPU backend (needs torch)",
        description="Writes <weights-stem>.onnx/ (image and text towers, tokenizer vocabulary, manifest.json) "
                    "into --dest (default: the user model folder). --backend auto then uses it on CPUs.")
    p.add_argument("--int8", action="store_true",
                   help="also write dynamically quantised int8 towers; they become the default of --backend auto "
                        "if their measured agreement with torch passes the thresholds (docs/backends.md)")
    p.add_argument("--dest", type=Path, default=None,
                   help="folder to write the export folder into (default: the user model folder; "
                        "resources/models before packaging)")
    p.set_defaults(handler=cmd_models_export)


def cmd_models_export(args: argparse.Namespace) -> int:
    from artseek.embedding.export import export_model

    quiet = bool(getattr(args, "json", False))
    log = None if quiet else (lambda msg: print(msg, file=sys.stderr))
    folder = export_model(getattr(args, "model", None) or config.DEFAULT_MODEL, getattr(args, "weights", None),
                          int8=args.int8, out_dir=args.dest, log=log)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if quiet:
        print(json.dumps({"folder": str(folder), **manifest}, indent=2, ensure_ascii=False))
        return 0
    print(f"Exported {manifest['model']} to {folder}")
    for name, variant in manifest["variants"].items():
        a = variant["agreement"]
        print(f"  {name}: cosine to torch min {min(a['image_cosine_min'], a['text_cosine_min']):.6f} "
              f"(images {a['image_cosine_mean']:.6f}, texts {a['text_cosine_mean']:.6f} mean), "
              f"top-10 overlap {a['top10_overlap']:.3f}")
    print(f"  --backend auto will use the {manifest['default_variant']} towers on this CPU.")
    return 0
