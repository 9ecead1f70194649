"""What the service layer hands to the window: plain data, built on worker threads."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtGui import QImage


@dataclass
class SearchOutcome:
    token: int
    results: list  # list[artseek.search.results.SearchResult]
    description: str
    elapsed_s: float


@dataclass
class Captions:
    """Best-matching texts and suggested keywords for one image (from the caption engine)."""

    image_id: int
    texts: list[tuple[str, float, str, str]] = field(default_factory=list)  # text, score, source, kind
    keywords: list[tuple[str, float]] = field(default_factory=list)  # term, score
    available: bool = False  # False: this build has no caption engine
    error: str = ""


@dataclass
class ImageDetails:
    image_id: int
    record: dict | None
    image: QImage | None
    error: str = ""
