"""``bench models``: the catalogue side by side on this machine (speed, memory, size) next to published quality.

Each model runs ``bench indexing`` in its own process (so its peak RSS is its
own) with random weights of its architecture: model-only images/s for torch
fp32, ONNX fp32, dynamic int8 and static int8 (calibrated on the benchmark's
pictures), end-to-end indexing images/s of the same folder of large JPEGs,
and the export's size per variant. Quality per CPU-second is the published
38-dataset average times the best end-to-end rate (the same 2 cores for all).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from artseek import config
from artseek.embedding.catalogue import CatalogueEntry, entries, entry

BACKENDS = "torch,onnx,onnx-int8,onnx-int8s"


def measure(name: str, count: int, repeats: int, images: Path | None, out=print) -> dict:  # noqa: ANN001
    """``bench indexing --json`` of one model in a child process; its figures, or ``{"error": ...}``."""
    cmd = [sys.executable, str(config.project_root() / "main.py"), "bench", "indexing", "--model", name,
           "--backends", BACKENDS, "--count", str(count), "--repeats", str(repeats), "--json"]
    if images:
        cmd += ["--images", str(images)]
    out(f"[{name}] {' '.join(cmd[1:])}")
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout)


def export_sizes(name: str) -> dict[str, int]:
    """Bytes of each variant (image + text tower) of the benchmark's export of ``name``."""
    from artseek.bench.indexing import BENCH_DIR
    from artseek.embedding.onnx_backend import export_folder_name

    manifest = BENCH_DIR / export_folder_name(f"{name}-random.safetensors") / "manifest.json"
    try:
        variants = json.loads(manifest.read_text(encoding="utf-8"))["variants"]
    except (OSError, ValueError, KeyError):
        return {}
    return {v: sum(d["sizes"].values()) for v, d in variants.items()}


def row(e: CatalogueEntry, fig: dict, sizes: dict[str, int]) -> str:
    if "error" in fig:
        return f"| {e.name} | {e.published.imagenet_top1 * 100:.1f} | {e.published.average_38:.3f} | " \
               f"not measured: {fig['error'][:80]} |" + " |" * 9
    b = fig["backends"]

    def mo(k: str) -> str:
        return f"{b[k]['model_only']:.1f}" if k in b else "-"

    def e2e(k: str) -> str:
        return f"{b[k]['end_to_end']:.1f}" if k in b else "-"

    best = max((v["end_to_end"] for v in b.values()), default=0.0)
    mb = {k: f"{v / 1e6:.0f}" for k, v in sizes.items()}
    return (f"| {e.name} | {e.published.imagenet_top1 * 100:.1f} | {e.published.average_38:.3f} | {mo('torch')} | "
            f"{mo('onnx')} | {mo('onnx-int8')} | {mo('onnx-int8s')} | {e2e('onnx-int8')} | {e2e('onnx-int8s')} | "
            f"{fig.get('peak_rss_mb', 0):.0f} | {mb.get('fp32', '-')} / {mb.get('int8', '-')} / "
            f"{mb.get('int8-static', '-')} | {e.published.average_38 * best:.1f} |")


HEADER = ("| model | IN-1k % | 38-avg | torch fp32 | onnx fp32 | onnx int8 (dyn) | onnx int8 static | "
          "e2e int8 (dyn) | e2e int8 static | peak RSS MB | export MB fp32/int8/static | quality x e2e img/s |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|")


def run(names: list[str] | None, count: int = 48, repeats: int = 1, images: Path | None = None,
        out=print) -> dict:  # noqa: ANN001
    """Measure ``names`` (default: the whole catalogue) and print the table; returns the figures by model."""
    chosen = [entry(n) for n in names] if names else entries()
    results: dict[str, dict] = {}
    lines = []
    for e in chosen:
        if e is None:
            continue
        fig = measure(e.name, count, repeats, images, out)
        results[e.name] = {**fig, "export_bytes": export_sizes(e.name)}
        lines.append(row(e, fig, results[e.name]["export_bytes"]))
        if "static_vs_dynamic_end_to_end" in fig:
            out(f"[{e.name}] onnx_int8s_end_to_end/onnx_int8_end_to_end = {fig['static_vs_dynamic_end_to_end']:.2f}")
    out(HEADER)
    for line in lines:
        out(line)
    return results
