"""CPU time of training the Pic2Word mapper: a few measured steps, extrapolated to the default schedule.

ViT-B-32 runs with random weights (``pretrained=None``, the benchmark's seeded
checkpoint in .bench/): the cost of a step does not depend on the weights'
values, so the time is the real one, the mapper's quality is not. The library
is stood in for by random unit vectors (the text tower never sees the images).

    .venv/bin/python scripts/pic2word_cpu_time.py [--model ViT-B-32] [--steps 5] [--threads 2] [--images 10000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="ViT-B-32")
    parser.add_argument("--steps", type=int, default=5, help="steps measured (the first is a warm-up)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--images", type=int, nargs="*", default=[1000, 10000, 100000],
                        help="library sizes to extrapolate to")
    args = parser.parse_args()

    import numpy as np

    from artseek.composed.training import TrainingOptions, default_steps, train_mapper
    from artseek.embedding.loader import load_encoder

    if args.model == "tiny-test":
        from tests.conftest import TINY_WEIGHTS as weights
    else:
        from artseek.bench.indexing import random_weights

        weights = random_weights(args.model)
    encoder = load_encoder(args.model, weights, "cpu", "torch")
    vectors = np.random.default_rng(0).normal(size=(max(args.batch, 64), encoder.embed_dim)).astype(np.float32)
    seen = []
    with tempfile.TemporaryDirectory() as tmp:
        info = train_mapper(vectors, encoder, Path(tmp), args.model,
                            TrainingOptions(steps=args.steps + 1, batch=args.batch, threads=args.threads),
                            listener=lambda p: seen.append((p.step, p.elapsed_s)) if p.phase == "training" else None)
    assert info is not None
    # seconds per step after the warm-up step
    (s1, t1), (s2, t2) = next(x for x in seen if x[0] >= 1), seen[-1]
    per_step = (t2 - t1) / max(1, s2 - s1)
    print(f"{args.model}: {per_step:.3f} s a step (batch {args.batch}, {info.stats['threads']} threads, "
          f"measured over {s2 - s1} steps after a warm-up)")
    for n in args.images:
        steps = default_steps(n, args.batch)
        print(f"  library of {n:>7} images: {steps} steps (default) -> about {steps * per_step / 60:.1f} min")


if __name__ == "__main__":
    main()
