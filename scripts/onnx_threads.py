"""Measure how ONNX Runtime threads and decode workers should share the cores (issue 9, item 5).

For every (intra-op threads, decode workers, spinning) combination up to the
core count, runs the indexing pipeline's shape on a folder of large JPEGs:
decode_for_index in a thread pool a few batches ahead, batches of 32 through
the ONNX image tower; prints images/s, plus model-only images/s per thread
count. Uses the benchmark's random ViT-B-32 and synthetic photos in .bench/
(exported once). On a shared machine the figures are noisy: compare within one run.

    .venv/bin/python scripts/onnx_threads.py [--count 64] [--int8]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from artseek.bench.indexing import BENCH_DIR, prepare_images, random_weights  # noqa: E402
from artseek.embedding.onnx_backend import OnnxEncoder, available_cores, find_export  # noqa: E402
from artseek.embedding.registry import get_spec  # noqa: E402
from artseek.ingest.decode import decode_for_index  # noqa: E402


def pipeline_rate(encoder: OnnxEncoder, paths: list[Path], workers: int, batch: int) -> float:
    cfg = encoder.preprocess_cfg
    start = time.perf_counter()
    done = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        queue: deque = deque()
        pending = iter(paths)
        window = max(2, workers) * batch

        def refill() -> None:
            while len(queue) < window and (p := next(pending, None)) is not None:
                queue.append(pool.submit(decode_for_index, str(p), cfg))

        refill()
        items = []
        while queue:
            items.append(queue.popleft().result().model_input)
            refill()
            if len(items) == batch or not queue:
                done += len(encoder.encode_images(np.stack(items)))
                items = []
    return done / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=64)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--int8", action="store_true")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved repetitions of every configuration")
    args = ap.parse_args()
    spec = get_spec("ViT-B-32")
    weights = random_weights("ViT-B-32")
    export, _ = find_export(spec, weights)
    if export is None:
        from artseek.embedding.export import export_model

        print("exporting the random ViT-B-32 once ...", flush=True)
        export_model("ViT-B-32", weights=weights, int8=True, out_dir=BENCH_DIR)
        export, _ = find_export(spec, weights)
    paths = prepare_images(None, None, args.count)
    cores = available_cores()
    print(f"cores {cores}; {len(paths)} JPEGs like {paths[0].name}; batch {args.batch}; "
          f"{'int8' if args.int8 else 'fp32'}")
    probe = OnnxEncoder(spec, export, int8=args.int8, threads=cores)
    inputs = np.stack([decode_for_index(str(p), probe.preprocess_cfg).model_input for p in paths[: args.batch * 2]])
    configs = [("model", t, 0, False) for t in range(1, cores + 1)]
    configs += [("e2e", t, w, s) for t, w, s in itertools.product(range(1, cores + 1), range(1, cores + 1),
                                                                  (False, True))]
    rates: dict[tuple, list[float]] = {c: [] for c in configs}
    for _ in range(args.rounds):  # interleaved, so that load from other processes spreads over all configurations
        for config in configs:
            kind, threads, workers, spinning = config
            enc = OnnxEncoder(spec, export, int8=args.int8, threads=threads, spinning=spinning)
            enc.encode_images(inputs[:2])
            if kind == "model":
                t = time.perf_counter()
                for i in range(0, len(inputs), args.batch):
                    enc.encode_images(inputs[i:i + args.batch])
                rates[config].append(len(inputs) / (time.perf_counter() - t))
            else:
                rates[config].append(pipeline_rate(enc, paths, workers, args.batch))
    for (kind, threads, workers, spinning), values in rates.items():
        label = (f"model only  threads={threads}" if kind == "model" else
                 f"end to end  threads={threads} decode_workers={workers} spinning={int(spinning)}")
        print(f"{label:55s} median {statistics.median(values):6.1f}  best {max(values):6.1f} images/s")

if __name__ == "__main__":
    main()
