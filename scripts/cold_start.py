"""Cold start: seconds from launching ``main.py search`` to its first text-search result, torch vs onnx.

Prepares (once) a library of a few images indexed with the model, then, for
each backend, launches ``python main.py --backend B search "..."`` as a fresh
process several times and times it from launch to the line of the first
result. Also prints how many modules of torch/open_clip the onnx run imported
(should be 0). Default model: the benchmark's random-weight ViT-B-32 (in
.bench/, exported once); ``--model tiny-test`` uses the test model.

    .venv/bin/python scripts/cold_start.py [--model tiny-test] [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from artseek.bench.indexing import BENCH_DIR, random_weights  # noqa: E402


def first_result_seconds(args: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.lstrip().startswith("1 "):
            elapsed = time.perf_counter() - start
            proc.wait()
            return elapsed
    proc.wait()
    raise RuntimeError(f"no result from {' '.join(args)}: {proc.stderr.read() if proc.stderr else ''}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="ViT-B-32")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--query", default="an engraving of a ship in a storm")
    args = ap.parse_args()

    from artseek.bench.photos import generate_photos
    from artseek.embedding.export import export_model
    from artseek.embedding.onnx_backend import find_export
    from artseek.embedding.registry import get_spec, locate_weights
    from tests.conftest import TINY_WEIGHTS

    if args.model == "tiny-test":
        weights = BENCH_DIR / "cold-start" / TINY_WEIGHTS.name
        weights.parent.mkdir(parents=True, exist_ok=True)
        if not weights.exists():
            shutil.copy2(TINY_WEIGHTS, weights)
    elif args.model == "ViT-B-32":
        weights = random_weights("ViT-B-32")
    else:
        weights = locate_weights(get_spec(args.model))
    if find_export(get_spec(args.model), weights)[0] is None:
        print("exporting once ...", flush=True)
        export_model(args.model, weights=weights, out_dir=weights.parent)
    library = BENCH_DIR / f"cold-start-library-{args.model}"
    if not (library / "library.sqlite").exists():
        photos = generate_photos(BENCH_DIR / "cold-start-photos", 8, size=(640, 480))
        subprocess.run([sys.executable, str(ROOT / "main.py"), "--library", str(library), "--model", args.model,
                        "--weights", str(weights), "--backend", "onnx", "index", str(photos[0].parent)],
                       check=True, cwd=ROOT, capture_output=True)
    common = ["--library", str(library), "--weights", str(weights), "search", args.query, "--top", "3"]
    print(f"model {args.model} ({weights.stat().st_size / 1e6:.0f} MB weights); {args.runs} runs each, "
          f"alternating; median and min seconds from launch to the first result")
    times: dict[str, list[float]] = {"torch": [], "onnx": [], "auto": []}
    for name in times:  # warm the OS file cache once per backend
        first_result_seconds(["--backend", name, *common])
    for _ in range(args.runs):
        for name in times:
            times[name].append(first_result_seconds(["--backend", name, *common]))
    for name, values in times.items():
        print(f"{name:6s} median {statistics.median(values):5.2f} s   min {min(values):5.2f} s")
    ratio = statistics.median(times["torch"]) / statistics.median(times["onnx"])
    print(f"torch/onnx cold start = {ratio:.2f}x")


if __name__ == "__main__":
    main()
