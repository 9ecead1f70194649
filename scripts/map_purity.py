"""Cluster purity of the collection map on generated shapes with the tiny model (issue 18; docs/evaluation.md).

Generates N shape images (tests/fixtures/shapes.py knows each one's colour and
shape), indexes them with the tiny test model, builds the map as ``main.py map
build`` does, and reports the purity of the HDBSCAN clusters against the
colour, the shape and the colour+shape labels, next to the purity of random
clusters of the same sizes (chance, averaged over 200 draws), and how often an
image's nearest neighbour on the map shares its label.

    .venv/bin/python scripts/map_purity.py [--count 320] [--sample 10000] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def purity(clusters: np.ndarray, truth: np.ndarray) -> float:
    """Share of the clustered images whose label is their cluster's most common one."""
    hits = total = 0
    for c in set(clusters.tolist()) - {-1}:
        _, counts = np.unique(truth[clusters == c], return_counts=True)
        hits += int(counts.max())
        total += int(counts.sum())
    return hits / total if total else 0.0


def chance(clusters: np.ndarray, truth: np.ndarray, draws: int = 200, seed: int = 0) -> float:
    rng = np.random.default_rng(seed)
    return float(np.mean([purity(clusters, rng.permutation(truth)) for _ in range(draws)]))


def neighbour_agreement(xy: np.ndarray, truth: np.ndarray) -> float:
    d = ((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    return float((truth[d.argmin(axis=1)] == truth).mean())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=320)
    parser.add_argument("--sample", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from artseek.library import Library
    from artseek.map import MapOptions, for_library
    from tests.fixtures.shapes import generate_folder

    with tempfile.TemporaryDirectory(prefix="artseek-map-purity-") as tmp:
        shapes = generate_folder(Path(tmp) / "shapes", args.count, seed=2024)
        spec = {p.name: s for p, s in shapes}
        with Library(Path(tmp) / "library", model="tiny-test") as lib:
            lib.index([Path(tmp) / "shapes"])
            start = time.perf_counter()
            report = for_library(lib).build(options=MapOptions(sample=args.sample))
            seconds = time.perf_counter() - start
            points = for_library(lib).points()
    names = [Path(p).name for p in points.paths]
    out: dict = {"images": len(points), "clusters": report.clusters, "build_s": round(seconds, 1),
                 "clustered_share": round(float((points.cluster >= 0).mean()), 3)}
    for label in ("colour", "shape", "colour+shape"):
        truth = np.array([f"{spec[n].colour} {spec[n].shape}" if label == "colour+shape" else getattr(spec[n], label)
                          for n in names])
        out[label] = {"purity": round(purity(points.cluster, truth), 3),
                      "chance": round(chance(points.cluster, truth), 3),
                      "nearest_neighbour_same": round(neighbour_agreement(points.xy, truth), 3)}
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(f"{out['images']} images, {out['clusters']} clusters ({out['clustered_share']:.0%} of the images in one),"
              f" built in {out['build_s']} s")
        for label in ("colour", "shape", "colour+shape"):
            f = out[label]
            print(f"{label:>13}: purity {f['purity']:.3f} (chance {f['chance']:.3f}); nearest map neighbour shares it "
                  f"{f['nearest_neighbour_same']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
