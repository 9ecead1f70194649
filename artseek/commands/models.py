"""``models list|fetch|add|export``: where the weights are, getting them once, adding a file, exporting ONNX towers."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from artseek import config
from artseek.commands.common import emit_json, opt


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    models = sub.add_parser("models", parents=[common], help="list or fetch model weights")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    p = msub.add_parser("list", parents=[common], help="known models and where their weights were found")
    p.set_defaults(handler=cmd_models_list)
    p = msub.add_parser("fetch", parents=[common],
                        help="download weights once, on a networked machine (the only command that uses the network)")
    p.add_argument("--dest", type=Path, help="folder to write the weights to (default: the user model folder)")
    p.set_defaults(handler=cmd_models_fetch)
    p = msub.add_parser("add", parents=[common],
                        help="check a weights file (or ONNX export folder) and copy it into the user model folder",
                        description="Recognises the model from the file's tensors (a .safetensors file, a torch "
                                    "checkpoint read with weights_only, or an ONNX export folder), checks its "
                                    "sha256 when it is published, and copies it under the name ArtSeek looks for.")
    p.add_argument("file", type=Path, metavar="FILE", help="the weights file or ONNX export folder")
    p.add_argument("--dest", type=Path, help="folder to copy it into (default: the user model folder)")
    p.set_defaults(handler=cmd_models_add)

    p = msub.add_parser(
        "export", parents=[common],
        help="export the model's image and text towers to ONNX for the fast CPU backend (needs torch)",
        description="Writes <weights-stem>.onnx/ (image and text towers, tokenizer vocabulary, manifest.json) "
                    "into --dest (default: the user model folder). --backend auto then uses it on CPUs.")
    p.add_argument("--int8", action="store_true",
                   help="also write dynamically quantised int8 towers; they become the default of --backend auto "
                        "if their measured agreement with torch passes the thresholds (docs/backends.md)")
    p.add_argument("--static-int8", action="store_true",
                   help="also write a statically quantised int8 image tower (the fastest indexing path); it becomes "
                        "the default of --backend auto if its measured agreement with torch passes the thresholds")
    p.add_argument("--calibrate", type=Path, metavar="FOLDER",
                   help="pictures to calibrate the static int8 tower on (best: the library's own images; default: "
                        "a synthetic set)")
    p.add_argument("--dest", type=Path, default=None,
                   help="folder to write the export folder into (default: the user model folder; "
                        "resources/models before packaging)")
    p.set_defaults(handler=cmd_models_export)


def cmd_models_list(args: argparse.Namespace) -> int:
    from artseek.embedding.catalogue import LEFT_OUT
    from artseek.embedding.model_listing import installed_models

    rows = installed_models()
    if opt(args, "json"):
        emit_json({"models": rows, "left_out": LEFT_OUT, "default": config.DEFAULT_MODEL})
        return 0
    print(f"{'NAME':18s} {'ARCHITECTURE / WEIGHTS':42s} {'DIM':>4s} {'PX':>4s} {'IN-1k':>6s} {'38-AVG':>6s}  INSTALLED")
    for r in rows:
        pub = r["published"] or {}
        top1 = f"{pub['imagenet_top1'] * 100:.1f}" if pub else "-"
        avg = f"{pub['average_38']:.3f}" if pub else "-"
        state = "weights + ONNX export" if r["found"] and r["export"] else (
            "weights" if r["found"] else ("ONNX export only" if r["export"] else "no"))
        mark = "*" if r["name"] == config.DEFAULT_MODEL else " "
        arch = f"{r['architecture']} {r['pretrained'] or ''}".strip()
        print(f"{r['name'] + mark:18s} {arch:42s} {r['embed_dim'] or '-':>4} {r['image_size'] or '-':>4} "
              f"{top1:>6s} {avg:>6s}  {state}")
        if r["found"]:
            print(f"{'':18s} {r['found']}")
    print(f"\n* the default model. Missing weights: 'models fetch --model NAME' on a networked machine, or bring the "
          f"file and 'models add FILE'. Quality figures: {', '.join(sorted({r['published']['source'] for r in rows if r['published']}))}.")
    for name, why in LEFT_OUT.items():
        print(f"Not in the catalogue: {name} (it cannot run offline here; models list --json says why).")
    return 0


def cmd_models_fetch(args: argparse.Namespace) -> int:
    from artseek.embedding.fetch import fetch_weights

    shown = [-1]

    def progress(done: int, total: int) -> None:
        step = done * 20 // total if total else done >> 26
        if step != shown[0] and not opt(args, "json"):
            shown[0] = step
            of = f" of {total / 1e6:,.0f}" if total else ""
            print(f"\r  {done / 1e6:,.0f}{of} MB", end="", file=sys.stderr, flush=True)

    try:
        path = fetch_weights(opt(args, "model", config.DEFAULT_MODEL), args.dest, progress=progress)
    finally:
        if shown[0] >= 0 and not opt(args, "json"):
            print(file=sys.stderr)
    print(f"Saved the weights to {path}")
    return 0


def cmd_models_add(args: argparse.Namespace) -> int:
    from artseek.embedding.model_files import add_model_file

    quiet = bool(opt(args, "json"))
    found, target = add_model_file(args.file, args.dest, opt(args, "model"),
                                   log=None if quiet else (lambda msg: print(msg, file=sys.stderr)))
    if quiet:
        emit_json({"file": str(target), "kind": found.kind, "architecture": found.architecture,
                   "models": list(found.models), "pretrained": found.pretrained_tag, "sha256": found.sha256})
        return 0
    origin = f", pretrained {found.pretrained_tag} (checksum matches)" if found.pretrained_tag else ""
    print(f"Added {found.path.name}: model {', '.join(found.models)} ({found.architecture}{origin})\n  -> {target}")
    if found.kind != "onnx":
        print(f"  For the fast CPU backend, export it once: python main.py models export --model {found.models[0]}")
    return 0


def cmd_models_export(args: argparse.Namespace) -> int:
    from artseek.embedding.export import export_model

    quiet = bool(opt(args, "json"))
    log = None if quiet else (lambda msg: print(msg, file=sys.stderr))
    folder = export_model(opt(args, "model", config.DEFAULT_MODEL), opt(args, "weights"),
                          int8=args.int8, out_dir=args.dest, log=log,
                          static_int8=args.static_int8 or bool(args.calibrate), calibrate=args.calibrate)
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
    static = manifest["variants"].get("int8-static", {})
    if "openvino" in static:
        ov, a = static["openvino"], static["openvino"]["agreement"]
        print(f"  int8-static on OpenVINO {ov['version']} ({ov['inference_precision']}): cosine to torch min "
              f"{min(a['image_cosine_min'], a['text_cosine_min']):.6f} (images {a['image_cosine_mean']:.6f} mean), "
              f"top-10 overlap {a['top10_overlap']:.3f}")
    from artseek.embedding.openvino_backend import openvino_ready

    if openvino_ready(manifest):
        print("  --backend auto will run the int8-static image tower on OpenVINO where it passes a one-time check "
              f"on the CPU, else the {manifest['default_variant']} towers on ONNX Runtime.")
    else:
        print(f"  --backend auto will use the {manifest['default_variant']} towers on this CPU.")
    return 0
