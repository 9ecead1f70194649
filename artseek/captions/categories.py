"""The curator's categories and the tags of images: stored categories, incremental zero-shot classification,
curator tags that always win, and curator tags as JSON-able dicts (for a library-data export).

Plain functions over a :class:`artseek.storage.Database`; :class:`artseek.captions.service.TextService`
gives them the model (a :class:`PromptEmbedder`) and the stored image embeddings.

Tag sources: ``zero-shot`` (predicted; replaced by the next classification) and ``curator`` (set or
confirmed by a person; never overwritten by a classification). ``user`` is what libraries made before
``curator`` existed call a person's tag; it is read as ``curator``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from sqlalchemy import delete, select

from artseek.captions.descriptions import match_images
from artseek.captions.vocabulary import CLASSIFY_TEMPLATES, Category, ClassifyReport, classify_vectors
from artseek.errors import ArtSeekError
from artseek.storage import CategoryRow, Database, Embedding, Image, ImageStatus, Tag

PREDICTED = "zero-shot"
CURATOR = "curator"
CURATOR_SOURCES = (CURATOR, "user")
CHUNK = 2048  # images classified between progress reports (and pause/cancel checks)

# progress(category, done, total)
ClassifyProgress = Callable[[str, int, int], None]


class CategoryError(ArtSeekError):
    """A category or tag cannot be used as given."""


def set_by(source: str | None) -> str:
    """Who set a tag, in the curator's words: ``curator`` or ``model``."""
    return "curator" if source in CURATOR_SOURCES else "model"


# ------------------------------------------------------------ categories
def _row_to_category(row: CategoryRow) -> Category:
    templates = tuple(json.loads(row.templates)) if row.templates else CLASSIFY_TEMPLATES
    return Category(row.name, list(json.loads(row.values)), templates)


def list_categories(db: Database) -> list[Category]:
    with db.session() as s:
        return [_row_to_category(r) for r in s.scalars(select(CategoryRow).order_by(CategoryRow.name))]


def get_category(db: Database, name: str) -> Category | None:
    with db.session() as s:
        row = s.get(CategoryRow, name)
        return _row_to_category(row) if row is not None else None


def save_category(db: Database, category: Category) -> None:
    """Create or change a category (its values and templates); its tags are redone at the next classification."""
    values = [" ".join(v.split()) for v in category.values if v.strip()]
    name = " ".join(category.name.split())
    if not name or len(values) < 2:
        raise CategoryError(f"The category '{name or '?'}' needs a name and at least two values.",
                            "E.g. technique: photograph, engraving, drawing, painting, map.")
    if len({v.lower() for v in values}) != len(values):
        raise CategoryError(f"The category '{name}' lists a value twice.", "List each value once.")
    templates = None if tuple(category.templates) == CLASSIFY_TEMPLATES else json.dumps(list(category.templates))
    with db.session() as s:
        row = s.get(CategoryRow, name)
        if row is None:
            s.add(CategoryRow(name=name, values=json.dumps(values), templates=templates))
        elif json.loads(row.values) != values or row.templates != templates:
            row.values, row.templates = json.dumps(values), templates


def remove_category(db: Database, name: str, drop_tags: bool = True) -> bool:
    """Forget a category (and its predicted tags; the curator's tags stay unless ``drop_tags`` covers them:
    they never do). Returns whether it existed."""
    with db.session() as s:
        row = s.get(CategoryRow, name)
        if row is None:
            return False
        s.delete(row)
        if drop_tags:
            s.execute(delete(Tag).where(Tag.category == name, Tag.source == PREDICTED))
    return True


def category_key(category: Category, model: str) -> str:
    blob = json.dumps([category.values, list(category.templates), model])
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# -------------------------------------------------------- classification
def indexed_vectors(db: Database, only: Iterable[int] | None = None) -> tuple[list[int], np.ndarray]:
    q = (select(Embedding.image_id, Embedding.vector).join(Image, Image.id == Embedding.image_id)
         .where(Image.status == ImageStatus.INDEXED).order_by(Embedding.image_id))
    with db.session() as s:
        rows = s.execute(q).all()
    if only is not None:
        wanted = set(only)
        rows = [r for r in rows if r[0] in wanted]
    if not rows:
        return [], np.empty((0, 0), np.float32)
    return [r[0] for r in rows], np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows])


def classify(db: Database, categories: Sequence[Category], model: str,
             embed_values: Callable[[Category], np.ndarray], min_score: float = 0.0, incremental: bool = False,
             progress: ClassifyProgress | None = None, checkpoint: Callable[[], bool] | None = None
             ) -> list[ClassifyReport]:
    """Zero-shot classify the indexed images into each category; the best value becomes a ``zero-shot`` tag.

    A curator's tag is never overwritten. ``incremental``: only images without a tag of the category,
    unless the category (values, templates) or the model changed since its last classification. Each
    chunk of images is committed: a cancelled run keeps what it did (``checkpoint`` returns False to stop).
    """
    reports = []
    for cat in categories:
        key = category_key(cat, model)
        with db.session() as s:
            row = s.get(CategoryRow, cat.name)
            redo = not incremental or row is None or row.classified_key != key
            if redo:
                s.execute(delete(Tag).where(Tag.category == cat.name, Tag.source == PREDICTED))
            tagged = set(s.scalars(select(Tag.image_id).where(Tag.category == cat.name)))
        ids, vectors = indexed_vectors(db)
        todo = [i for i, image_id in enumerate(ids) if image_id not in tagged]
        report = ClassifyReport(cat.name, {v: 0 for v in cat.values}, len(ids))
        value_vectors = embed_values(cat) if todo else None
        stopped = False
        for start in range(0, len(todo), CHUNK):
            if progress is not None:
                progress(cat.name, start, len(todo))
            if checkpoint is not None and not checkpoint():
                stopped = True
                break
            rows = todo[start:start + CHUNK]
            best, probs = classify_vectors(vectors[rows], value_vectors)
            with db.session() as s:
                curator = set(s.scalars(select(Tag.image_id).where(Tag.category == cat.name,
                                                                   Tag.source.in_(CURATOR_SOURCES))))
                for r, b, p in zip(rows, best.tolist(), probs.tolist(), strict=True):
                    if p < min_score or ids[r] in curator:
                        continue
                    s.merge(Tag(image_id=ids[r], category=cat.name, value=cat.values[b], score=round(p, 6),
                                source=PREDICTED))
                    report.counts[cat.values[b]] += 1
        if progress is not None and not stopped:
            progress(cat.name, len(todo), len(todo))
        if not stopped:
            with db.session() as s:
                row = s.get(CategoryRow, cat.name)
                if row is not None:
                    row.classified_key = key
        reports.append(report)
        if stopped:
            break
    return reports


# ------------------------------------------------------------------ tags
def set_tag(db: Database, image_id: int, category: str, value: str) -> None:
    """The curator's tag (set, corrected or confirmed): it wins over any prediction, now and later."""
    value = " ".join(str(value).split())
    if not category.strip() or not value:
        raise CategoryError("A tag needs a category and a value.", "E.g. tags set IMAGE technique=engraving.")
    with db.session() as s:
        if s.get(Image, image_id) is None:
            raise CategoryError(f"There is no image {image_id} in this library.", "Check the image's id or path.")
        s.merge(Tag(image_id=image_id, category=category.strip(), value=value, score=None, source=CURATOR))


def clear_tag(db: Database, image_id: int, category: str) -> bool:
    """Remove the tag of ``category`` from an image (predicted or the curator's); the next classification
    predicts it again. Returns whether there was one."""
    with db.session() as s:
        return bool(s.execute(delete(Tag).where(Tag.image_id == image_id, Tag.category == category)).rowcount)


def tags_of(db: Database, image_ids: Iterable[int]) -> dict[int, list[dict]]:
    """Tags by image, for the window (the grid's badges, the detail view)."""
    ids = list(image_ids)
    out: dict[int, list[dict]] = {}
    with db.session() as s:
        for start in range(0, len(ids), 500):
            for r in s.execute(select(Tag.image_id, Tag.category, Tag.value, Tag.score, Tag.source)
                               .where(Tag.image_id.in_(ids[start:start + 500])).order_by(Tag.category)):
                out.setdefault(r[0], []).append(dict(category=r[1], value=r[2], score=r[3], source=r[4],
                                                     set_by=set_by(r[4])))
    return out


def export_curator_tags(db: Database) -> list[dict]:
    """The curator's tags as JSON-able dicts: the image by ``content_hash`` and ``path``, the category, the value."""
    with db.session() as s:
        rows = s.execute(select(Image.content_hash, Image.path, Tag.category, Tag.value)
                         .join(Image, Image.id == Tag.image_id).where(Tag.source.in_(CURATOR_SOURCES))
                         .order_by(Image.path, Tag.category)).all()
    return [dict(content_hash=r[0], path=r[1], category=r[2], value=r[3]) for r in rows]


def import_curator_tags(db: Database, items: Iterable[dict]) -> dict[str, int]:
    """Merge curator tags exported by :func:`export_curator_tags` (or another library): each finds its image
    by content hash, else by path; an equal tag is not duplicated, a different one replaces the image's tag of
    that category (the imported curator's word is the newer). Returns counts: set, unchanged, unmatched."""
    counts = {"set": 0, "unchanged": 0, "unmatched": 0}
    items = list(items)
    with db.session() as s:
        for item, image_id in zip(items, match_images(db, items), strict=True):
            category, value = str(item.get("category") or "").strip(), " ".join(str(item.get("value") or "").split())
            if image_id is None or not category or not value:
                counts["unmatched"] += 1
                continue
            old = s.get(Tag, (image_id, category))
            if old is not None and old.value == value and old.source in CURATOR_SOURCES:
                counts["unchanged"] += 1
                continue
            s.merge(Tag(image_id=image_id, category=category, value=value, score=None, source=CURATOR))
            counts["set"] += 1
    return counts
