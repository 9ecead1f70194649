"""Matching two images' features and verifying them geometrically (RANSAC homography).

``verify(photo, page)`` asks whether ``photo`` appears inside ``page``: the
descriptors are matched (two nearest neighbours, Lowe's ratio test), a
homography photo → page is fitted with RANSAC, and the match counts only when
enough matches agree with it and the photo's outline, projected into the page,
is a plausible convex quadrilateral. The outline is returned in page
coordinates normalised to 0..1.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from artseek.reproductions.features import Features

RATIO = 0.8
MIN_INLIERS = 10  # unrelated pages got at most 4, halftoned prints 8-13 (scripts/eval_details.py inliers)
RANSAC_PX = 6.0


@dataclass(frozen=True)
class Verified:
    """A verified match: how many matches agree with the homography, and the outline in the page."""

    inliers: int
    matches: int
    quad: tuple[tuple[float, float], ...]  # four corners of the photo in the page, 0..1, clockwise from top-left


def _ratio_matches(a: Features, b: Features) -> tuple[np.ndarray, np.ndarray]:
    if len(a) < 2 or len(b) < 2:
        return np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32)
    matcher = cv2.FlannBasedMatcher({"algorithm": 1, "trees": 4}, {"checks": 64})
    pairs = matcher.knnMatch(a.descriptors, b.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    src = np.array([a.points[m.queryIdx] for m in good], dtype=np.float32).reshape(-1, 2)
    dst = np.array([b.points[m.trainIdx] for m in good], dtype=np.float32).reshape(-1, 2)
    return src, dst


def _plausible(quad: np.ndarray, page: Features) -> bool:
    """Convex, not folded, of a sensible size inside the page (a degenerate homography is not a match)."""
    if not np.all(np.isfinite(quad)) or not cv2.isContourConvex(quad.reshape(-1, 1, 2).astype(np.float32)):
        return False
    area = abs(cv2.contourArea(quad.astype(np.float32)))
    page_area = page.width * page.height
    return page_area * 0.002 < area < page_area * 4


def verify(photo: Features, page: Features, min_inliers: int = MIN_INLIERS) -> Verified | None:
    """The verified placement of ``photo`` inside ``page``, or None when it does not appear there."""
    src, dst = _ratio_matches(photo, page)
    if len(src) < max(4, min_inliers):
        return None
    homography, mask = cv2.findHomography(src, dst, cv2.RANSAC, RANSAC_PX, maxIters=2000, confidence=0.995)
    if homography is None or mask is None:
        return None
    inliers = int(mask.sum())
    if inliers < min_inliers:
        return None
    w, h = photo.width, photo.height
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32).reshape(-1, 1, 2)
    quad = cv2.perspectiveTransform(corners, homography).reshape(-1, 2)
    if not _plausible(quad, page):
        return None
    norm = tuple((round(float(x) / page.width, 4), round(float(y) / page.height, 4)) for x, y in quad)
    return Verified(inliers, len(src), norm)
