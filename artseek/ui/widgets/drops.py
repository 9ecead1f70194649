"""What a drag or the clipboard carries, sorted by what ArtSeek does with it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, Qt
from PySide6.QtGui import QImage

from artseek.ingest.scanner import is_image_name
from artseek.ui.widgets.results_view import IMAGE_ID_MIME

PASTE_MAX_SIDE = 1024


@dataclass
class DropContent:
    """What a drag carries, sorted by what ArtSeek does with it."""

    folders: list[str] = field(default_factory=list)
    image_files: list[str] = field(default_factory=list)
    image_ids: list[int] = field(default_factory=list)
    image: QImage | None = None

    def __bool__(self) -> bool:
        return bool(self.folders or self.image_files or self.image_ids or self.image is not None)


def read_mime(mime: QMimeData) -> DropContent:
    content = DropContent()
    if mime.hasFormat(IMAGE_ID_MIME):
        raw = bytes(mime.data(IMAGE_ID_MIME).data()).decode(errors="ignore")
        content.image_ids = [int(x) for x in raw.split(",") if x.strip().isdigit()]
        return content
    for url in mime.urls() if mime.hasUrls() else []:
        if not url.isLocalFile():
            continue
        path = url.toLocalFile()
        if os.path.isdir(path):
            content.folders.append(path)
        elif os.path.isfile(path) and is_image_name(path):
            content.image_files.append(path)
    if not content and mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QImage) and not image.isNull():
            content.image = image
    return content


def image_to_png(image: QImage, max_side: int = PASTE_MAX_SIDE) -> bytes:
    """PNG bytes of a (pasted) image, scaled down to ``max_side`` (the model needs far less)."""
    if max(image.width(), image.height()) > max_side:
        image = image.scaled(max_side, max_side, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())
