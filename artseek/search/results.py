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

    def to_dict(self) -> dict:
        return asdict(self)
