"""Pool the per-repeat speed ratios of several ``bench indexing`` runs into one estimate (issue 15).

One run of ``bench indexing --backends onnx-int8-conv,onnx-int8`` prints the median of its
per-repeat end-to-end ratios (new path over the baseline, each repeat measured back to back).
On a shared 2-core VM a single run's median moves by about +-10 % with the machine's state (the
sixth and seventh sessions saw 1.21 to 1.47 for the same code), more than the effects being
measured. This script reads the saved text output of any number of runs, pools every per-repeat
ratio, grouped by folder size, and prints the pooled median and mean with a bootstrap 95 %
interval of the median, and how many repeats reached a target.

    python main.py bench indexing --model ViT-B-32 --backends onnx-int8-conv,onnx-int8 \\
        --count 120 --repeats 15 > run1.log
    .venv/bin/python scripts/pool_ratios.py run1.log run2.log ... [--target 1.3] [--path openvino_int8s]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
from pathlib import Path

IMAGES = re.compile(r"images: (\d+) JPEGs")


def ratio_pattern(path_name: str) -> re.Pattern[str]:
    """The benchmark's line for one path over the baseline (``onnx_int8``, ``openvino_int8s``, ...)."""
    return re.compile(re.escape(f"{path_name}_end_to_end/onnx_int8_conv_end_to_end = ") +
                      r"[0-9.]+ \(median of the per-repeat ratios ([0-9., ]+)\)")


def read_run(path: Path, path_name: str = "onnx_int8") -> tuple[str, list[float]]:
    """``(number of images, per-repeat ratios)`` of one saved run; raises ValueError if it has none."""
    text = path.read_text(errors="replace")
    ratios = ratio_pattern(path_name).search(text)
    if ratios is None:
        backend = path_name.replace("_", "-")
        raise ValueError(f"{path}: no '{path_name}_end_to_end/onnx_int8_conv_end_to_end' line (was the run "
                         f"made with --backends onnx-int8-conv,{backend}, and did it finish?)")
    images = IMAGES.search(text)
    return (images.group(1) if images else "?"), [float(v) for v in ratios.group(1).split(",")]


def bootstrap_interval(values: list[float], rounds: int = 4000, seed: int = 0) -> tuple[float, float]:
    """95 % bootstrap interval of the median of ``values``."""
    rng = random.Random(seed)
    medians = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(rounds))
    return medians[int(0.025 * rounds)], medians[int(0.975 * rounds) - 1]


def summary(label: str, values: list[float], target: float) -> str:
    low, high = bootstrap_interval(values)
    reached = sum(v >= target for v in values)
    return (f"{label}: {len(values)} repeats, median {statistics.median(values):.2f} (95 % interval {low:.2f}-"
            f"{high:.2f}), mean {statistics.mean(values):.2f}, {reached} of {len(values)} at {target} or more")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("logs", nargs="+", type=Path, help="saved text output of bench indexing runs")
    parser.add_argument("--target", type=float, default=1.3, help="the ratio to count repeats against (default 1.3)")
    parser.add_argument("--path", default="onnx_int8",
                        help="which path's ratio to the baseline: onnx_int8 (default), onnx_int8s, openvino_int8s")
    args = parser.parse_args()
    by_size: dict[str, list[float]] = {}
    for path in args.logs:
        images, ratios = read_run(path, args.path)
        print(f"{path}: {images} images, run median {statistics.median(ratios):.2f} over {len(ratios)} repeats")
        by_size.setdefault(images, []).extend(ratios)
    for images, values in sorted(by_size.items()):
        print(summary(f"{images} images", values, args.target))
    if len(by_size) > 1:
        print(summary("all", [v for values in by_size.values() for v in values], args.target))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
