"""``bench models``: the catalogue side by side on this machine (speed, memory, size) next to published quality.

Each model runs ``bench indexing`` in its own process (so its peak RSS is its
own) with random weights of its architecture: model-only images/s for torch
fp32, ONNX fp32, dynamic int8 and static int8 (calibrated on the benchmark's
pictures), end-to-end indexing images/s of the same folder of large JPEGs,
and the export's size per variant. Quality per CPU-second is the published
38-dataset average times the best end-to-end rate (the same 2 cores for all).

Load drift on a shared machine must not decide the comparison, so the exports
are made first (each in its own process, untimed), then every repeat measures
every model once, in alternating order (forward, then backward, ...), and
each model's best end-to-end rate is also divided by the baseline's (ViT-B-32
when it is measured, else the first model) *in the same repeat*: the table
gives the medians of the rates and of those per-repeat ratios. The table and
the figures are also written to ``.bench/bench-models.md`` and ``.json``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from artseek import config
from artseek.embedding.catalogue import CatalogueEntry, entries, entry

BACKENDS = "torch,onnx,onnx-int8,onnx-int8s"
BASELINE = "ViT-B-32"
CHILD_TIMEOUT_S = 3 * 3600  # one model's export or one repeat; ViT-L-14 takes long on 2 cores

_PREPARE = """
import sys
from pathlib import Path
from artseek.bench.indexing import ensure_export, prepare_images, random_weights
name, count, images = sys.argv[1], int(sys.argv[2]), (Path(sys.argv[3]) if sys.argv[3] else None)
weights = random_weights(name)
folder = prepare_images(images, None, count)[0].parent
ensure_export(name, weights, int8=True, static=True, calibrate=folder, out=lambda line: print(line, file=sys.stderr))
"""


def _child(cmd: list[str]) -> subprocess.CompletedProcess | str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=CHILD_TIMEOUT_S,
                              cwd=config.project_root())
    except subprocess.TimeoutExpired:
        return f"gave up after {CHILD_TIMEOUT_S} s"


def _last_line(done: subprocess.CompletedProcess) -> str:
    return (done.stderr.strip().splitlines() or ["failed"])[-1]


def prepare(name: str, count: int, images: Path | None, out=print) -> str | None:  # noqa: ANN001
    """Random weights, the pictures and the exports of ``name`` (dynamic and static int8), in a child process.

    Returns ``None``, or why it failed.
    """
    out(f"[{name}] preparing random weights and ONNX exports (once, untimed)...")
    done = _child([sys.executable, "-c", _PREPARE, name, str(count), str(images or "")])
    if isinstance(done, str):
        return done
    return None if done.returncode == 0 else _last_line(done)


def measure(name: str, count: int, repeats: int, images: Path | None, out=print) -> dict:  # noqa: ANN001
    """``bench indexing --json`` of one model in a child process; its figures, or ``{"error": ...}``."""
    cmd = [sys.executable, str(config.project_root() / "main.py"), "bench", "indexing", "--model", name,
           "--backends", BACKENDS, "--count", str(count), "--repeats", str(repeats), "--json"]
    if images:
        cmd += ["--images", str(images)]
    load = os.getloadavg()[0]
    out(f"[{name}] {' '.join(cmd[1:])} (load average {load:.1f})")
    done = _child(cmd)
    if isinstance(done, str):
        return {"error": done}
    if done.returncode != 0:
        return {"error": _last_line(done)}
    fig = json.loads(done.stdout)
    fig["load_before"], fig["load_after"] = load, os.getloadavg()[0]
    return fig


def best_end_to_end(fig: dict) -> float:
    """The fastest end-to-end rate of any backend (0 when the model failed)."""
    return max((v["end_to_end"] for v in fig.get("backends", {}).values()), default=0.0)


def combine(runs: list[dict]) -> dict:
    """One model's figures over its repeats: medians of each backend's rates, peak RSS, loads."""
    good = [r for r in runs if "error" not in r]
    if not good:
        return {"error": runs[-1]["error"] if runs else "not measured"}
    backends: dict[str, dict] = {}
    for name in good[0]["backends"]:
        per = [r["backends"][name] for r in good if name in r["backends"]]
        backends[name] = {"model_only": statistics.median(p["model_only"] for p in per),
                          "end_to_end": statistics.median(p["end_to_end"] for p in per),
                          "model_only_runs": [p["model_only"] for p in per],
                          "end_to_end_runs": [p["end_to_end"] for p in per],
                          "variant": per[-1].get("variant"), "precision": per[-1].get("precision")}
    return {"backends": backends, "repeats": len(good), "failed_repeats": len(runs) - len(good),
            "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in good),
            "loads": [(r["load_before"], r["load_after"]) for r in good if "load_before" in r]}


def _manifest(name: str) -> dict:
    """The manifest of the benchmark's export of ``name`` ({} when there is none)."""
    from artseek.bench.indexing import BENCH_DIR
    from artseek.embedding.onnx_backend import export_folder_name

    manifest = BENCH_DIR / export_folder_name(f"{name}-random.safetensors") / "manifest.json"
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def export_sizes(name: str) -> dict[str, int]:
    """Bytes of each variant (image + text tower) of the benchmark's export of ``name``."""
    try:
        return {v: sum(d["sizes"].values()) for v, d in _manifest(name)["variants"].items()}
    except (KeyError, TypeError, AttributeError):
        return {}


HEADER = ("| model | IN-1k % | 38-avg | torch fp32 | onnx fp32 | onnx int8 (dyn) | onnx int8 static | "
          "e2e int8 (dyn) | e2e int8 static | best e2e vs baseline | peak RSS MB | export MB fp32/int8/static | "
          "quality x e2e img/s | quality x e2e vs baseline |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def row(e: CatalogueEntry, fig: dict, sizes: dict[str, int], base_avg: float) -> str:
    """One line of the table (rates are medians over the repeats; ratios medians of per-repeat ratios)."""
    head = f"| {e.name} | {e.published.imagenet_top1 * 100:.1f} | {e.published.average_38:.3f} |"
    if "error" in fig:
        return f"{head} not measured: {fig['error'][:80]} |" + " |" * 10
    b = fig["backends"]

    def mo(k: str) -> str:
        return f"{b[k]['model_only']:.1f}" if k in b else "-"

    def e2e(k: str) -> str:
        return f"{b[k]['end_to_end']:.1f}" if k in b else "-"

    best = best_end_to_end(fig)
    ratio = fig.get("vs_baseline")
    mb = {k: f"{v / 1e6:.0f}" for k, v in sizes.items()}
    quality_ratio = f"{ratio * e.published.average_38 / base_avg:.2f}" if ratio and base_avg else "-"
    return (f"{head} {mo('torch')} | {mo('onnx')} | {mo('onnx-int8')} | {mo('onnx-int8s')} | {e2e('onnx-int8')} | "
            f"{e2e('onnx-int8s')} | {f'{ratio:.2f}' if ratio else '-'} | {fig.get('peak_rss_mb', 0):.0f} | "
            f"{mb.get('fp32', '-')} / {mb.get('int8', '-')} / {mb.get('int8-static', '-')} | "
            f"{e.published.average_38 * best:.1f} | {quality_ratio} |")


def _prepared(name: str) -> bool:
    """The random weights and every variant of their export are already there (a rerun skips the export)."""
    from artseek.bench.indexing import BENCH_DIR, current_forms

    return (BENCH_DIR / f"{name}-random.safetensors").is_file() and \
        {"fp32", "int8", "int8-static"} <= set(export_sizes(name)) and current_forms(_manifest(name))


def run(names: list[str] | None, count: int = 48, repeats: int = 1, images: Path | None = None,
        out=print) -> dict:  # noqa: ANN001
    """Measure ``names`` (default: the whole catalogue), interleaved per repeat, and print the table.

    The table so far is written after every repeat (a long run that is stopped keeps its finished repeats).
    """
    chosen = [e for e in (entry(n) for n in names) if e is not None] if names else entries()
    if not chosen:
        return {}
    baseline = next((e for e in chosen if e.name == BASELINE), chosen[0])
    started, load_start = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.getloadavg()
    out(f"bench models: {len(chosen)} models x {max(1, repeats)} repeats, {count} JPEGs; baseline {baseline.name}; "
        f"load average at start {load_start[0]:.1f} / {load_start[1]:.1f} / {load_start[2]:.1f}")
    failed = {e.name: why for e in chosen if not _prepared(e.name) and (why := prepare(e.name, count, images, out))}
    runs: dict[str, list[dict]] = {e.name: [] for e in chosen}
    ratios: dict[str, list[float]] = {e.name: [] for e in chosen}
    results: dict[str, dict] = {}
    for repeat in range(max(1, repeats)):
        order = chosen if repeat % 2 == 0 else chosen[::-1]  # alternate, so load drift hits all alike
        for e in order:
            fig = {"error": f"export failed: {failed[e.name]}"} if e.name in failed else \
                measure(e.name, count, 1, images, out)
            runs[e.name].append(fig)
            if "error" in fig:
                out(f"[{e.name}] repeat {repeat + 1}: {fig['error']}")
            else:
                out(f"[{e.name}] repeat {repeat + 1}: best end to end {best_end_to_end(fig):.1f} images/s, "
                    f"peak RSS {fig['peak_rss_mb']:.0f} MB")
        base_rate = best_end_to_end(runs[baseline.name][-1])
        for e in chosen:
            if base_rate and best_end_to_end(runs[e.name][-1]):
                ratios[e.name].append(best_end_to_end(runs[e.name][-1]) / base_rate)
        last = repeat + 1 == max(1, repeats)
        results, summary, lines = _summarise(chosen, baseline, runs, ratios, count, repeat + 1, started,
                                             load_start[0], out if last else (lambda _line: None))
        _record(summary, lines, {"models": results, "runs": runs}, out if last else (lambda _line: None))
    return results


def _summarise(chosen: list[CatalogueEntry], baseline: CatalogueEntry, runs: dict, ratios: dict, count: int,
               repeats: int, started: str, load_start: float, out) -> tuple[dict, str, list[str]]:  # noqa: ANN001
    """The figures by model, the summary line and the table's rows, from the repeats so far."""
    results: dict[str, dict] = {}
    lines = []
    for e in chosen:
        fig = combine(runs[e.name])
        if ratios[e.name]:
            fig["vs_baseline"] = statistics.median(ratios[e.name])
            fig["vs_baseline_runs"] = ratios[e.name]
        results[e.name] = {**fig, "export_bytes": export_sizes(e.name)}
        lines.append(row(e, fig, results[e.name]["export_bytes"], baseline.published.average_38))
        if ratios[e.name] and e is not baseline:
            out(f"[{e.name}] best_end_to_end/{baseline.name}_best_end_to_end = {fig['vs_baseline']:.2f} "
                f"(median of the per-repeat ratios {', '.join(f'{r:.2f}' for r in ratios[e.name])})")
    summary = (f"bench models, {started} to {time.strftime('%H:%M UTC', time.gmtime())}: {count} JPEGs, "
               f"{repeats} repeats (medians), baseline {baseline.name}; load average at start "
               f"{load_start:.1f}, at end {os.getloadavg()[0]:.1f}")
    out(summary)
    out(HEADER)
    for line in lines:
        out(line)
    return results, summary, lines


def _record(summary: str, lines: list[str], results: dict, out) -> None:  # noqa: ANN001
    """Write the table and the figures to ``.bench/bench-models.md`` / ``.json`` (the last run's)."""
    from artseek.bench.indexing import BENCH_DIR

    try:
        BENCH_DIR.mkdir(exist_ok=True)
        (BENCH_DIR / "bench-models.md").write_text("\n".join([summary, "", HEADER, *lines, ""]), encoding="utf-8")
        (BENCH_DIR / "bench-models.json").write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
        out(f"table written to {BENCH_DIR / 'bench-models.md'}")
    except OSError as exc:
        out(f"(the table could not be written to {BENCH_DIR}: {exc})")
