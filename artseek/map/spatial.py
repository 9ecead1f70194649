"""Finding map points by position: the nearest to a place, those in a rectangle or a lasso (numpy, no Qt)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def nearest(xy: np.ndarray, x: float, y: float, radius: float) -> int | None:
    """The row of the point nearest (x, y) within ``radius``, or None."""
    if not len(xy):
        return None
    d = (xy[:, 0] - x) ** 2 + (xy[:, 1] - y) ** 2
    row = int(np.argmin(d))
    return row if d[row] <= radius * radius else None


def in_rect(xy: np.ndarray, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    """Rows of the points inside the rectangle (corners in any order)."""
    lo_x, hi_x, lo_y, hi_y = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
    return np.flatnonzero((xy[:, 0] >= lo_x) & (xy[:, 0] <= hi_x) & (xy[:, 1] >= lo_y) & (xy[:, 1] <= hi_y))


def in_polygon(xy: np.ndarray, polygon: Sequence[tuple[float, float]]) -> np.ndarray:
    """Rows of the points inside ``polygon`` (a lasso: closed implicitly; even-odd rule)."""
    poly = np.asarray(polygon, dtype=np.float64)
    if len(poly) < 3 or not len(xy):
        return np.zeros(0, dtype=np.int64)
    candidates = in_rect(xy, *poly.min(axis=0), *poly.max(axis=0))
    px, py = xy[candidates, 0].astype(np.float64), xy[candidates, 1].astype(np.float64)
    inside = np.zeros(len(candidates), dtype=bool)
    for (ax, ay), (bx, by) in zip(poly, np.roll(poly, -1, axis=0), strict=True):
        crosses = (ay > py) != (by > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = ax + (py - ay) * (bx - ax) / (by - ay)
        inside ^= crosses & (px < at)
    return candidates[inside]
