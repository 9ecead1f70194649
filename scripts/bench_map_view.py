"""Frame time of the map view while panning, at 100k points (and a 1k-point baseline in the same run).

Runs the real :class:`artseek.ui.widgets.map_view.MapView` on Qt's offscreen
platform (software rendering, as under Xvfb) with synthetic clustered points
and a stand-in thumbnail; each frame is one pan step and a synchronous repaint.

    .venv/bin/python scripts/bench_map_view.py [--points 100000] [--frames 60]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def points(n: int, clusters: int = 50, seed: int = 0):  # noqa: ANN201
    import numpy as np

    from artseek.map.clusters import ClusterInfo
    from artseek.map.store import MapPoints

    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 30, (clusters, 2))
    truth = rng.integers(0, clusters, n)
    xy = (centres[truth] + rng.normal(0, 0.8, (n, 2))).astype(np.float32)
    infos = [ClusterInfo(c, f"cluster {c}", "number", *centres[c], int((truth == c).sum())) for c in range(clusters)]
    return MapPoints(np.arange(1, n + 1, dtype=np.int64), xy, truth.astype(np.int32),
                     [f"/collection/{i:07d}.jpg" for i in range(n)]), infos


def frames(view, count: int, step: float) -> list[float]:  # noqa: ANN001
    out = []
    for i in range(count):
        view.pan_by(step if (i // 10) % 2 == 0 else -step, step / 3)
        start = time.perf_counter()
        view.viewport().grab()  # paints the viewport now (a repaint() of an unexposed offscreen window does not)
        out.append((time.perf_counter() - start) * 1000)
    return out


def measure(n: int, count: int) -> dict:
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QColor, QPixmap

    from artseek.ui.widgets.map_view import MapView

    pixmap = QPixmap(96, 96)
    pixmap.fill(QColor(120, 140, 200))
    view = MapView(lambda _id: pixmap)
    view.resize(1000, 750)
    view.show()
    data, infos = points(n)
    start = time.perf_counter()
    view.set_map(data, infos)
    load_ms = (time.perf_counter() - start) * 1000
    view.set_results(list(range(1, 101)))
    view.viewport().grab()
    far = frames(view, count, 20)
    far_mode = view.item.last_mode
    view.centerOn(view.item.scene_pos(1))
    for _ in range(60):  # zoom in on one point until thumbnails show
        view.zoom_by(1.25)
        view.centerOn(view.item.scene_pos(1))
        view.viewport().grab()
        if view.item.last_mode == "thumbnails":
            break
    near = frames(view, count, 20)
    near_mode = view.item.last_mode
    start = time.perf_counter()
    for i in range(20):
        view.image_at(QPointF(500 + i, 370 + i))
    pick_ms = (time.perf_counter() - start) * 1000 / 20
    view.close()
    return {"points": n, "load_ms": round(load_ms), "far_mode": far_mode,
            "far_median_ms": round(statistics.median(far), 1),
            "far_p95_ms": round(sorted(far)[int(0.95 * len(far))], 1),
            "near_mode": near_mode, "near_median_ms": round(statistics.median(near), 1),
            "near_p95_ms": round(sorted(near)[int(0.95 * len(near))], 1), "hover_pick_ms": round(pick_ms, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--frames", type=int, default=60)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["bench"])  # noqa: F841 - kept alive
    base = measure(1_000, args.frames)
    big = measure(args.points, args.frames)
    big["far_ratio_to_1k"] = round(big["far_median_ms"] / max(base["far_median_ms"], 1e-3), 1)
    big["near_ratio_to_1k"] = round(big["near_median_ms"] / max(base["near_median_ms"], 1e-3), 1)
    print(json.dumps({"baseline": base, "measured": big}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
