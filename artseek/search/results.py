"""What a search returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class SearchResult:
    """One ranked image: its library id, file path and similarity score."""

    image_id: int
    path: str
    score: float
    width: int | None = None
    height: int | None = None
    # The part of the image that matched best (x0, y0, x1, y1 as fractions), when it was one of its tiles
    # (detail indexing); None: the whole image.
    region: tuple[float, float, float, float] | None = None
    quad: tuple[tuple[float, float], ...] | None = None  # a reproduction: where the photograph lies in this image
    # A refined ranking's score (relevance feedback with the classifier): how many standard deviations the image
    # lies above the average candidate, relative to this search (it can exceed 1); False: a cosine similarity.
    relative: bool = False

    def to_dict(self) -> dict:
        return asdict(self)
