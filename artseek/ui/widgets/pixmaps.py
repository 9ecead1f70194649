"""Fitting an image into a box: smooth scaling, and small images not blown up past a sensible factor."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap

MAX_ENLARGE = 2.0  # small images are shown at most twice their size (beyond that they only get blurry)


def fit_pixmap(pixmap: QPixmap, box: QSize, max_enlarge: float = MAX_ENLARGE) -> QPixmap:
    """``pixmap`` scaled smoothly to fit ``box`` (aspect kept), enlarged at most ``max_enlarge`` times."""
    if pixmap.isNull() or box.width() <= 0 or box.height() <= 0:
        return pixmap
    limit = QSize(int(pixmap.width() * max_enlarge), int(pixmap.height() * max_enlarge))
    target = box.boundedTo(limit)
    if target == pixmap.size():
        return pixmap
    return pixmap.scaled(target, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
