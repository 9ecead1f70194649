"""What the service layer hands to the window: plain data, built on worker threads."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageReader


@dataclass
class SearchOutcome:
    token: int
    results: list  # list[artseek.search.results.SearchResult]
    description: str
    elapsed_s: float
    text_read: str | None = None  # the words of the query text the model read, when it had to cut the text
    composed: str | None = None  # "pic2word" or "average" when the query was image + text


@dataclass
class Captions:
    """Best-matching texts and suggested keywords for one image (from the caption engine)."""

    image_id: int
    texts: list[tuple[str, float, str, str]] = field(default_factory=list)  # text, score, source, kind
    keywords: list[tuple[str, float]] = field(default_factory=list)  # term, score
    available: bool = False  # False: this build has no caption engine
    error: str = ""
    parts: list[str] = field(default_factory=list)  # the best sentence of each of ``texts``
    own: list[tuple[str, str, str]] = field(default_factory=list)  # the image's own texts: text, source, kind

    @classmethod
    def of(cls, description: object, image_id: int) -> Captions:
        """From the text service's Description (``.texts`` with text/score/source/kind/best_part, ``.keywords``,
        ``.own``: the image's own texts, the curator's first)."""
        found = getattr(description, "texts", None) or []
        texts = [(str(t.text), float(getattr(t, "score", 0.0)), str(getattr(t, "source", "") or ""),
                  str(getattr(t, "kind", "") or "")) for t in found]
        keywords = [(str(k.term), float(getattr(k, "score", 0.0)))
                    for k in (getattr(description, "keywords", None) or [])]
        own = sorted(((str(o["text"]), str(o.get("source") or ""), str(o.get("kind") or ""))
                      for o in (getattr(description, "own", None) or [])), key=lambda o: o[1] != "curator")
        parts = [str(getattr(t, "best_part", None) or "") for t in found]
        return cls(image_id, texts, keywords, available=True, parts=parts, own=own)


@dataclass
class ImageDetails:
    image_id: int
    record: dict | None
    image: QImage | None
    error: str = ""

    @classmethod
    def load(cls, lib: object, image_id: int, max_side: int) -> ImageDetails:
        """The image's record and the image itself, at most ``max_side`` pixels (worker thread)."""
        record = lib.image_record(image_id)
        image, error = None, ""
        if record and record.get("path"):
            reader = QImageReader(record["path"])
            # By the file's suffix only: probing every plugin on a worker thread can deadlock with the main
            # thread (see artseek.ui.thumbnails.decode_thumbnail); files Qt cannot read go to the core's reader.
            reader.setAutoDetectImageFormat(False)
            reader.setAutoTransform(True)
            size = reader.size()
            if size.isValid() and max(size.width(), size.height()) > max_side:
                reader.setScaledSize(size.scaled(QSize(max_side, max_side), Qt.AspectRatioMode.KeepAspectRatio))
            loaded = reader.read()
            if loaded.isNull():  # a format Qt has no reader for (HEIC, camera RAW, 16-bit PSD...): the core's
                image, error = _core_preview(lib, image_id, max_side, reader.errorString())
            else:
                image = loaded
        return cls(image_id, record, image, error)


def _core_preview(lib: object, image_id: int, max_side: int, qt_error: str) -> tuple[QImage | None, str]:
    """The image decoded by the core (as indexing decodes it), as a QImage; or None and the reason."""
    from artseek.ingest.decode import DecodeError

    try:
        pil = lib.image_preview(image_id, max_side)
    except DecodeError as exc:
        return None, f"The image cannot be shown: {exc} ({qt_error})."
    data = pil.tobytes("raw", "RGB")
    image = QImage(data, pil.width, pil.height, 3 * pil.width, QImage.Format.Format_RGB888)
    return image.copy(), ""  # copy: the QImage must own its pixels once ``data`` is gone
