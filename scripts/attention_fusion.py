"""What the image tower's export forms save: CPU per image of the plain and the current export (issue 15).

For each model, the benchmark's random weights (``.bench/``, made by ``bench models``) are exported twice
into a temporary folder, with and without ``fuse_attention`` (fused attention, ``fused_attention.py``, and
the patch embedding as a MatMul, ``patch_embedding.py``), each with its dynamic int8 towers; then the image
towers run through the app's ONNX encoder on the same random batch of 32, the two forms alternating in every round, and the CPU time
(``time.process_time``, every thread) per image is compared, fp32 and int8. Run it on an idle machine: on
a shared one CPU-seconds grow too. ONNX Runtime's threads do not spin.

    .venv/bin/python scripts/attention_fusion.py [--models ViT-B-32,ViT-B-16] [--rounds 8]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from artseek.bench.indexing import random_weights  # noqa: E402
from artseek.embedding.export import export_model  # noqa: E402
from artseek.embedding.onnx_backend import OnnxEncoder, read_export  # noqa: E402
from artseek.embedding.registry import get_spec  # noqa: E402


def measure(model: str, rounds: int) -> dict[str, float]:
    spec = get_spec(model)
    weights = random_weights(model)
    with tempfile.TemporaryDirectory(prefix="artseek-fusion-") as tmp:
        exports = {fused: read_export(export_model(model, weights=weights, int8=True, fuse_attention=fused,
                                                   out_dir=Path(tmp) / ("fused" if fused else "plain")),
                                      spec, weights)[0] for fused in (False, True)}
        # the app's own encoder (its session options: threads, no spinning), one per form and variant
        encoders = {(fused, v): OnnxEncoder(spec, export, variant=v)
                    for fused, export in exports.items() for v in ("fp32", "int8")}
        size = encoders[(True, "fp32")].preprocess_cfg.image_size
        batch = np.random.default_rng(0).standard_normal((32, 3, size, size)).astype(np.float32)
        cpu: dict[tuple[bool, str], list[float]] = {k: [] for k in encoders}
        for enc in encoders.values():  # warm-up (opens the image tower)
            enc.encode_images(batch)
        for _ in range(rounds):
            for k, enc in encoders.items():
                start = time.process_time()
                enc.encode_images(batch)
                cpu[k].append(1000 * (time.process_time() - start) / len(batch))
    return {f"{'fused' if f else 'plain'}.{v}": statistics.median(x) for (f, v), x in cpu.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="ViT-B-32,ViT-B-16")
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    print("| model | fp32 CPU ms per image, plain / current forms | saved | int8 plain / current | saved |")
    print("|---|---|---|---|---|")
    for model in args.models.split(","):
        m = measure(model, args.rounds)
        print(f"| {model} | {m['plain.fp32']:.1f} / {m['fused.fp32']:.1f} | "
              f"{1 - m['fused.fp32'] / m['plain.fp32']:.0%} | {m['plain.int8']:.1f} / {m['fused.int8']:.1f} | "
              f"{1 - m['fused.int8'] / m['plain.int8']:.0%} |", flush=True)


if __name__ == "__main__":
    main()
