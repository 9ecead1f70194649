"""CPU-seconds per image of each model, load-independent: the default-model criterion (issue 15).

``bench models`` measures images/s, which on a shared machine is the share of
the CPU a run gets as much as the model's cost. This measures the *CPU time*
(``time.process_time``: every thread of the process) that encoding one
image costs, per ONNX variant, on pre-decoded inputs of the benchmark's
pictures (random weights in ``.bench/``, made by ``bench models``), with the
models alternating in every round; plus the decode path's CPU time per image
(read, hash, draft decode, resize, thumbnail: ``bench indexing``'s
measure). Quality per CPU-second = published 38-dataset average / (model +
decode CPU-seconds per image). ONNX Runtime's idle threads do not spin
(docs/backends.md), so waiting is not counted as work.

    .venv/bin/python scripts/model_cpu_cost.py [--models ViT-B-32,ViT-B-32-256,MobileCLIP2-S0] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from artseek.bench.indexing import decode_path_cpu_rate, prepare_images, random_weights  # noqa: E402
from artseek.embedding.catalogue import entry  # noqa: E402
from artseek.embedding.loader import load_encoder  # noqa: E402
from artseek.ingest.decode import decode_for_index  # noqa: E402

VARIANTS = {"onnx int8 (dyn)": {"backend": "onnx", "int8": True}, "auto (static int8 if it passed)": {"backend": "auto"}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="ViT-B-32,ViT-B-32-256,MobileCLIP2-S0")
    ap.add_argument("--count", type=int, default=32, help="images encoded per model, variant and round")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    names = args.models.split(",")
    paths = prepare_images(None, None, 48)
    encoders, inputs, decode_cpu = {}, {}, {}
    for name in names:
        weights = random_weights(name)
        for label, kw in VARIANTS.items():
            encoders[name, label] = load_encoder(name, weights=weights, **kw)
        cfg = encoders[name, label].preprocess_cfg
        inputs[name] = np.stack([decode_for_index(str(p), cfg).model_input for p in paths[:args.count]])
        decode_cpu[name] = 1 / decode_path_cpu_rate(paths[:16], cfg)
        for enc in list(encoders.values())[-len(VARIANTS):]:
            enc.encode_images(inputs[name][:8])  # warm-up
    runs: dict[tuple[str, str], list[float]] = {k: [] for k in encoders}
    for r in range(args.rounds):
        for name in (names if r % 2 == 0 else names[::-1]):
            for label in VARIANTS:
                enc = encoders[name, label]
                start = time.process_time()
                for i in range(0, args.count, 16):
                    enc.encode_images(inputs[name][i:i + 16])
                runs[name, label].append((time.process_time() - start) / args.count)
    print(f"CPU-seconds per image (median of {args.rounds} alternating rounds, {args.count} images, batches of 16)")
    print("| model | variant used | model CPU ms/image | decode CPU ms/image | total | 38-avg | quality per CPU-s | vs first |")
    print("|---|---|---|---|---|---|---|---|")
    first = None
    for name in names:
        e = entry(name)
        best = min(VARIANTS, key=lambda label: statistics.median(runs[name, label]))
        model_s = statistics.median(runs[name, best])
        total = model_s + decode_cpu[name]
        q = e.published.average_38 / total
        first = first or q
        print(f"| {name} | {best} [{encoders[name, best].precision}] | {model_s * 1000:.0f} "
              f"({', '.join(f'{x * 1000:.0f}' for x in runs[name, best])}) | {decode_cpu[name] * 1000:.0f} | "
              f"{total * 1000:.0f} | {e.published.average_38:.3f} | {q:.2f} | {q / first:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
