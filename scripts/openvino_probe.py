"""A measured lead, not a backend: OpenVINO running ArtSeek's ONNX image towers, against today's ONNX Runtime int8.

OpenVINO is not a dependency of ArtSeek. To run this, install it into a side environment that also
sees the project's packages (the probe reads the benchmark's exports, made by ``bench models`` or
``bench indexing``):

    python -m venv --system-site-packages /tmp/ovenv
    echo "$PWD/.venv/lib/python3.11/site-packages" > /tmp/ovenv/lib/python3.11/site-packages/artseek.pth
    /tmp/ovenv/bin/pip install openvino==2026.4.1
    /tmp/ovenv/bin/python scripts/openvino_probe.py [--model ViT-B-32] [--rounds 6]

For each variant it prints the lowest cosine to ONNX Runtime's fp32 tower over a batch of 32 random
inputs, and the CPU-milliseconds per image and images/s on 2 threads, batch 32, the variants
alternating in every round (medians). OpenVINO runs an fp32 model in bf16 on CPUs with AMX unless
told otherwise (its "inference precision" is printed), and executes a static QDQ int8 model in int8.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / ".bench"


def ort_session(path: Path):  # noqa: ANN201 - onnxruntime.InferenceSession
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")  # as the app runs it
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def lowest_cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(((a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)).min())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="ViT-B-32", help="a model the benchmark exported into .bench/")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    try:
        import openvino as ov
    except ImportError:
        print("OpenVINO is not installed here; see this script's docstring for the side environment.")
        return 1
    export = BENCH / f"{args.model}-random.onnx"
    if not (export / "image.onnx").is_file():
        print(f"No benchmark export in {export}: run 'python main.py bench models --models {args.model}' first.")
        return 1
    x = np.random.default_rng(0).standard_normal((32, 3, 224, 224)).astype(np.float32)
    reference = ort_session(export / "image.onnx")
    ref = reference.run(None, {reference.get_inputs()[0].name: x})[0]
    runs: dict[str, Callable[[], object]] = {}
    current = ort_session(export / "image.int8.onnx")
    name = current.get_inputs()[0].name
    runs["onnxruntime dynamic int8 (the app today)"] = lambda: current.run(None, {name: x})
    print(f"onnxruntime dynamic int8 (the app today): lowest cosine to fp32 "
          f"{lowest_cosine(current.run(None, {name: x})[0], ref):.7f}")
    core = ov.Core()
    variants = [("openvino, fp32 export", export / "image.onnx", {}),
                ("openvino, fp32 export, f32 forced", export / "image.onnx", {"INFERENCE_PRECISION_HINT": "f32"}),
                ("openvino, static QDQ int8 export", export / "image.int8s.onnx", {})]
    for label, path, extra in variants:
        if not path.is_file():
            print(f"{label}: no {path.name} in the export (static int8 comes from 'models export --static-int8')")
            continue
        compiled = core.compile_model(core.read_model(str(path)), "CPU",
                                      dict(extra, INFERENCE_NUM_THREADS=2, PERFORMANCE_HINT="LATENCY"))
        request = compiled.create_infer_request()
        out = request.infer({0: x})[compiled.output(0)]
        print(f"{label}: lowest cosine to fp32 {lowest_cosine(out, ref):.7f}, inference precision "
              f"{compiled.get_property('INFERENCE_PRECISION_HINT')}")
        runs[label] = lambda request=request: request.infer({0: x})
    figures: dict[str, list[tuple[float, float]]] = {label: [] for label in runs}
    for r in range(args.rounds):
        for label in (list(runs) if r % 2 == 0 else list(runs)[::-1]):
            run = runs[label]
            run()
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(3):
                run()
            figures[label].append(((time.process_time() - cpu) / 96 * 1000, 96 / (time.perf_counter() - wall)))
    for label, values in figures.items():
        print(f"{label}: {statistics.median(c for c, _ in values):.1f} CPU ms per image, "
              f"{statistics.median(r for _, r in values):.1f} images/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
