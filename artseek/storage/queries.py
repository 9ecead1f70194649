"""Read queries shared by the library and the text service: ranked ids to result rows, stored vectors."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select

from artseek.errors import QueryError
from artseek.search.results import SearchResult
from artseek.storage.database import Database
from artseek.storage.models import Embedding, Image, ImageStatus


def search_results(db: Database, ranked: list[tuple[int, float]]) -> list[SearchResult]:
    """The result rows of ranked ``(image_id, score)`` pairs, in that order; images no longer indexed are left out."""
    if not ranked:
        return []
    with db.session() as s:
        rows = {r.id: r for r in s.execute(select(Image.id, Image.path, Image.width, Image.height, Image.status)
                                           .where(Image.id.in_([i for i, _ in ranked])))}
    return [SearchResult(i, rows[i].path, round(score, 6), rows[i].width, rows[i].height)
            for i, score in ranked if i in rows and rows[i].status == ImageStatus.INDEXED]


def stored_vector(db: Database, image_id: int) -> np.ndarray:
    """The stored embedding of an indexed image."""
    with db.session() as s:
        blob = s.scalar(select(Embedding.vector).where(Embedding.image_id == image_id))
    if blob is None:
        raise QueryError(f"Image {image_id} has no embedding (it is not indexed).", "Re-scan the library.")
    return np.frombuffer(blob, dtype=np.float32)
