"""The service's small previews of image files Qt cannot read (HEIC/HEIF, camera RAW and DNG, PSD/PSB, ...).

:class:`PreviewService` belongs to :class:`artseek.ui.service.LibraryService`
(its ``previews``): the file is decoded by the core's readers (as indexing
decodes it, reduced to the size asked for) on a read thread, and the picture
arrives on the UI thread as a QImage. Used by the search-by-example chip when
the dropped or pasted file is in a format Qt has no reader for.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

PREVIEW_SIDE = 96  # the chip shows 32 px; enough for a 3x screen


def _decode(path: str, max_side: int) -> tuple[bytes, int, int]:
    """The file's RGB pixels at most ``max_side`` on a side (plain data: the QImage is made on the UI thread)."""
    from artseek.ingest.decode import open_for_display

    image = open_for_display(path, max_side)
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    return rgb.tobytes("raw", "RGB"), rgb.width, rgb.height


def to_qimage(pixels: tuple[bytes, int, int]) -> QImage:
    """A QImage that owns its pixels, from ``(rgb bytes, width, height)``."""
    data, width, height = pixels
    return QImage(data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


class PreviewService(QObject):
    """Decodes image files for small previews off the UI thread; answers with ``ready``."""

    ready = Signal(str, object)  # the file's path, its QImage (None when the file cannot be decoded: the reason
    #                              is the search's to tell; a preview only stays blank)

    def __init__(self, service: QObject, decode=_decode) -> None:  # noqa: ANN001 - injectable (tests)
        """``service``: the LibraryService (its ``run_background``)."""
        super().__init__(service)
        self.service, self.decode = service, decode

    def request(self, path: str, max_side: int = PREVIEW_SIDE) -> None:
        self.service.run_background(lambda: self.decode(path, max_side),
                                    lambda pixels: self.ready.emit(path, to_qimage(pixels)),
                                    lambda _exc: self.ready.emit(path, None))
