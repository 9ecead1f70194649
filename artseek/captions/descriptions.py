"""The descriptions of one image: the curator's own text, and the sentence of an image's texts that matched a search.

A curator's description is a :class:`TextEntry` of source ``curator`` attached to the image: one per image
(editing replaces it), split and embedded like any imported text so searches in descriptions find it. It is
never removed by a re-import, a re-scan or ``texts remove --all`` (only by naming the ``curator`` source), and a
re-index with another model re-embeds its parts on next use like every text part.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from artseek.captions.corpus import PartMatrix
from artseek.captions.splitting import split_text
from artseek.errors import ArtSeekError
from artseek.search.results import SearchResult
from artseek.storage import Database, Image, TextEntry, TextPart

CURATOR_SOURCE = "curator"
MAX_DESCRIPTION_CHARS = 20_000


@dataclass(frozen=True)
class DescribedResult(SearchResult):
    """A result of a search in descriptions: ``sentence`` is the part of the image's texts that matched best
    (``None`` when the image was found through its picture alone)."""

    sentence: str | None = None
    text_id: int | None = None


def curator_description(db: Database, image_id: int) -> str | None:
    with db.session() as s:
        return s.scalar(select(TextEntry.text).where(TextEntry.image_id == image_id,
                                                     TextEntry.source == CURATOR_SOURCE).order_by(TextEntry.id.desc()))


def set_curator_description(db: Database, image_id: int, text: str,
                            count_tokens: Callable[[str], int] | None = None) -> bool:
    """Store (or replace; an empty text removes) the curator's description of an image, unembedded.
    Returns whether a text is stored now."""
    with db.session() as s:
        return replace_curator_description(s, image_id, text, count_tokens)


def replace_curator_description(s: Session, image_id: int, text: str,
                                count_tokens: Callable[[str], int] | None = None) -> bool:
    """:func:`set_curator_description` inside the caller's session (one transaction with the caller's other
    writes, e.g. a library-data import). Returns whether a text is stored now."""
    text = "\n".join(" ".join(line.split()) for line in str(text).strip().splitlines()).strip()
    if len(text) > MAX_DESCRIPTION_CHARS:
        raise ArtSeekError(f"The description is {len(text):,} characters long; at most "
                           f"{MAX_DESCRIPTION_CHARS:,} are kept.", "Shorten it, or import long texts from a file.")
    image = s.get(Image, image_id)
    if image is None:
        raise ArtSeekError(f"There is no image {image_id} in this library.", "Check the image's id or path.")
    old = list(s.scalars(select(TextEntry.id).where(TextEntry.image_id == image_id,
                                                    TextEntry.source == CURATOR_SOURCE)))
    if old:
        s.execute(delete(TextPart).where(TextPart.text_id.in_(old)))
        s.execute(delete(TextEntry).where(TextEntry.id.in_(old)))
    if not text:
        return False
    key = hashlib.sha256(f"{CURATOR_SOURCE}\x1f{image_id}\x1f{text}".encode()).hexdigest()
    entry = TextEntry(image_id=image_id, ref=image.path, text=text, source=CURATOR_SOURCE, kind=CURATOR_SOURCE,
                      content_hash=key)
    s.add(entry)
    s.flush()
    kwargs = {"count": count_tokens} if count_tokens else {}
    parts = split_text(text, **kwargs) or [text]
    s.add_all(TextPart(text_id=entry.id, position=i, content=p) for i, p in enumerate(parts))
    return True


def image_matches(db: Database, matrix: PartMatrix, query: np.ndarray) -> dict[int, tuple[float, str, int]]:
    """For each image with texts: its best text's score, that text's best sentence, and the text's id."""
    scores, best = matrix.text_scores(query)
    if len(scores) == 0:
        return {}
    with db.session() as s:
        owner = dict(s.execute(select(TextEntry.id, TextEntry.image_id).where(TextEntry.image_id.is_not(None))).all())
    out: dict[int, tuple[float, str, int]] = {}
    for i, (tid, score) in enumerate(zip(matrix.unique_ids.tolist(), scores.tolist(), strict=True)):
        image = owner.get(tid)
        if image is not None and (image not in out or score > out[image][0]):
            out[image] = (score, matrix.contents[int(best[i])], tid)
    return out


def export_curator_descriptions(db: Database) -> list[dict]:
    """The curator's descriptions as JSON-able dicts: the image by ``content_hash`` and ``path``, the text."""
    with db.session() as s:
        rows = s.execute(select(Image.content_hash, Image.path, TextEntry.text)
                         .join(Image, Image.id == TextEntry.image_id).where(TextEntry.source == CURATOR_SOURCE)
                         .order_by(Image.path)).all()
    return [dict(content_hash=r[0], path=r[1], text=r[2]) for r in rows]


def match_images(db: Database, items: list[dict]) -> list[int | None]:
    """The image each exported item names: by content hash, else by path (None: no such image here)."""
    with db.session() as s:
        by_hash: dict[str, int] = {}
        by_path: dict[str, int] = {}
        for image_id, h, p in s.execute(select(Image.id, Image.content_hash, Image.path)):
            if h:
                by_hash.setdefault(h, image_id)
            by_path[p] = image_id
    return [by_hash.get(i.get("content_hash") or "") or by_path.get(i.get("path") or "") for i in items]
