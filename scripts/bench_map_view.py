"""Frame time of the map view while panning, at 100k points (and a 1k-point baseline in the same run).

Runs the real :class:`artseek.ui.widgets.map_view.MapView` on Qt's offscreen
platform (software rendering, as under Xvfb) with synthetic clustered points
and stand-in thumbnails loaded lazily (as in the window: the first paint misses them, they arrive and the
view repaints; the close-in frames are timed once they are loaded); each frame is one pan step and a
synchronous repaint. Close in, both maps are measured at the deepest zoom with about the same number of
thumbnails in view (a spot found for each), so the ratio shows what the map's size costs.

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


class LazyThumbnails:
    """The map's thumbnail source as the window has it: a cache that answers None for a thumbnail not loaded yet
    and loads it afterwards (here: at once, between frames, as the window's loader delivers and repaints)."""

    def __init__(self) -> None:
        from PySide6.QtGui import QColor, QPixmap

        self.pixmap = QPixmap(96, 96)
        self.pixmap.fill(QColor(120, 140, 200))
        self.cache: dict[int, object] = {}
        self.pending: set[int] = set()
        self.calls = 0  # thumbnails asked for (one per point drawn as a thumbnail)

    def __call__(self, image_id: int):  # noqa: ANN204
        self.calls += 1
        found = self.cache.get(image_id)
        if found is None:
            self.pending.add(image_id)
        return found

    def load_pending(self) -> int:
        loaded = len(self.pending)
        for image_id in self.pending:
            self.cache[image_id] = self.pixmap
        self.pending.clear()
        return loaded


def pan_step(i: int, step: float) -> tuple[float, float]:
    """Frame ``i``'s pan: right and down for 10 frames, then back (the view returns to its start every 20)."""
    sign = 1 if (i // 10) % 2 == 0 else -1
    return sign * step, sign * step / 3


def frames(view, count: int, step: float, thumbs: LazyThumbnails) -> tuple[list[float], list[str], list[int]]:  # noqa: ANN001
    """Time ``count`` pan frames; thumbnails missing after a frame are loaded before the next (not timed)."""
    times, modes, drawn = [], [], []
    for i in range(count):
        view.pan_by(*pan_step(i, step))
        thumbs.calls = 0
        start = time.perf_counter()
        view.viewport().grab()  # paints the viewport now (a repaint() of an unexposed offscreen window does not)
        times.append((time.perf_counter() - start) * 1000)
        modes.append(view.item.last_mode)
        drawn.append(thumbs.calls)
        thumbs.load_pending()
    return times, modes, drawn


def in_view(view) -> int:  # noqa: ANN001
    """How many points lie in the view now."""
    import numpy as np

    rect = view.mapToScene(view.viewport().rect()).boundingRect()
    x, y = view.item.xy[:, 0], view.item.xy[:, 1]
    return int(np.count_nonzero((x >= rect.left()) & (x <= rect.right()) & (y >= rect.top()) & (y <= rect.bottom())))


def zoom_close_in(view, image_id: int, target: int) -> None:  # noqa: ANN001
    """Zoom in on ``image_id`` until at most ``target`` points are in view (as a curator zooms into a cluster).

    Both maps are then measured with about the same number of thumbnails on screen: close in, the cost of a
    frame differs only by what the map's size adds (finding the visible points), not by how many thumbnails
    happen to be drawn.
    """
    centre = view.item.scene_pos(image_id)
    view.centerOn(centre)
    for _ in range(80):
        if in_view(view) <= target or view.zoom >= 40.0:
            break
        view.zoom_by(1.1)
        view.centerOn(centre)


def stats(times: list[float]) -> tuple[float, float]:
    return round(statistics.median(times), 1), round(sorted(times)[int(0.95 * len(times))], 1)


def measure(n: int, count: int, target_thumbnails: int = 50) -> dict:
    from PySide6.QtCore import QPointF

    from artseek.ui.widgets.map_view import MapView

    thumbs = LazyThumbnails()
    view = MapView(thumbs)
    view.resize(1000, 750)
    view.show()
    data, infos = points(n)
    start = time.perf_counter()
    view.set_map(data, infos)
    load_ms = (time.perf_counter() - start) * 1000
    view.set_results(list(range(1, 101)))
    view.viewport().grab()
    far, far_modes, _ = frames(view, count, 20, thumbs)
    zoom_close_in(view, 1, target_thumbnails)
    for _ in range(20):  # wait for the lazy thumbnail loads: grab and load until a frame misses none
        view.viewport().grab()
        if not thumbs.load_pending():
            break
    frames(view, 20, 20, thumbs)  # one pan cycle untimed: every thumbnail on its path is loaded
    near, near_modes, drawn = frames(view, count, 20, thumbs)
    start = time.perf_counter()
    for i in range(20):
        view.image_at(QPointF(500 + i, 370 + i))
    pick_ms = (time.perf_counter() - start) * 1000 / 20
    view.close()
    far_median, far_p95 = stats(far)
    near_median, near_p95 = stats(near)
    return {"points": n, "load_ms": round(load_ms),
            "far_frames_in_dots": f"{far_modes.count('dots')}/{count}",
            "far_median_ms": far_median, "far_p95_ms": far_p95,
            "near_frames_in_thumbnails": f"{near_modes.count('thumbnails')}/{count}",
            "near_thumbnails_per_frame": round(statistics.mean(drawn), 1), "near_zoom": round(view.zoom, 2),
            "near_median_ms": near_median, "near_p95_ms": near_p95, "hover_pick_ms": round(pick_ms, 2)}


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
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(json.dumps({"baseline": base, "measured": big, "load_average_1min": round(load, 1)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
