"""The text corpus of a library: storing imported texts, embedding their parts, ranking them.

Plain functions over a :class:`artseek.storage.Database` and an
:class:`artseek.embedding.encoder.Encoder`; :class:`artseek.captions.service.TextService`
wires them to a library's model.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from sqlalchemy import delete, func, select, update

from artseek.captions.importers import TextRecord
from artseek.captions.splitting import split_text, tokenizer_counter
from artseek.embedding.encoder import Encoder
from artseek.storage import Database, Image, ImageStatus, TextEntry, TextPart

EMBED_BATCH = 64
PROGRESS_EVERY = 1000  # records between progress calls while storing

# progress(phase, done, total): phase "storing" (texts split and stored, one transaction: all or nothing)
# or "embedding" (parts embedded, committed batch by batch: an interrupted import resumes where it stopped).
TextProgress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class TextMatch:
    """A ranked text: ``image_id`` is the image it describes (``None`` for a free corpus text)."""

    text_id: int
    text: str
    score: float
    source: str
    kind: str | None
    image_id: int | None
    best_part: str | None = None
    title: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ImportReport:
    """What a text import did."""

    read: int = 0
    added: int = 0
    duplicates: int = 0
    attached: int = 0  # texts linked to an indexed image
    unmatched: list[str] = field(default_factory=list)  # refs naming no indexed image
    ambiguous: list[str] = field(default_factory=list)  # refs naming several images
    parts: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


# ------------------------------------------------------------- resolving refs
class ImageResolver:
    """Finds the indexed image a reference names: an id, an absolute/relative path, a file name or a stem."""

    def __init__(self, db: Database) -> None:
        with db.session() as s:
            rows = s.execute(select(Image.id, Image.path).where(Image.status != ImageStatus.MISSING)).all()
        self.ids = {i for i, _ in rows}
        self.by_path = {os.path.normcase(p): i for i, p in rows}
        self.by_name: dict[str, set[int]] = {}
        self.by_stem: dict[str, set[int]] = {}
        for i, p in rows:
            name = os.path.basename(p)
            self.by_name.setdefault(name.lower(), set()).add(i)
            self.by_stem.setdefault(os.path.splitext(name)[0].lower(), set()).add(i)

    def resolve(self, refs: Sequence[str]) -> tuple[int | None, bool]:
        """``(image_id, ambiguous)`` for the first ref that names something."""
        ambiguous = False
        for ref in refs:
            ref = ref.strip()
            if not ref:
                continue
            hit = self.by_path.get(os.path.normcase(os.path.abspath(ref)))
            if hit is not None:
                return hit, False
            tail = ref.replace("\\", "/").rsplit("/", 1)[-1].lower()
            for table, key in ((self.by_name, tail), (self.by_stem, tail), (self.by_stem, os.path.splitext(tail)[0])):
                found = table.get(key)
                if found and len(found) == 1:
                    return next(iter(found)), False
                if found:
                    ambiguous = True
                    # a relative path ("prints/a.jpg") can still pick one of several same-named files
                    suffix = os.path.normcase(os.sep + ref.replace("/", os.sep))
                    matches = [i for p, i in self.by_path.items() if p.endswith(suffix)]
                    if len(matches) == 1:
                        return matches[0], False
            if ref.isdigit() and int(ref) in self.ids:
                return int(ref), False
        return None, ambiguous


def _hash(record: TextRecord) -> str:
    key = "\x1f".join([record.source, record.kind or "", "|".join(record.refs), record.text])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def import_records(db: Database, records: Iterable[TextRecord],
                   count_tokens: Callable[[str], int] | None = None,
                   progress: TextProgress | None = None) -> ImportReport:
    """Store ``records`` (skipping ones already imported) with their parts, in one transaction."""
    records = list(records)
    report = ImportReport(read=len(records))
    resolver = ImageResolver(db)
    kwargs = {"count": count_tokens} if count_tokens else {}
    with db.session() as s:
        existing = set(s.scalars(select(TextEntry.content_hash)))
        for n, record in enumerate(records):
            if progress is not None and n % PROGRESS_EVERY == 0:
                progress("storing", n, len(records))
            h = _hash(record)
            if h in existing:
                report.duplicates += 1
                continue
            existing.add(h)
            image_id, ambiguous = resolver.resolve(record.refs)
            if image_id is not None:
                report.attached += 1
            elif record.refs:
                (report.ambiguous if ambiguous else report.unmatched).append(record.refs[0])
            entry = TextEntry(image_id=image_id, ref=record.refs[0] if record.refs else None, text=record.text,
                              title=record.title, source=record.source, kind=record.kind, content_hash=h)
            s.add(entry)
            s.flush()
            parts = split_text(record.text, **kwargs) or [record.text]
            s.add_all(TextPart(text_id=entry.id, position=i, content=p) for i, p in enumerate(parts))
            report.parts += len(parts)
            report.added += 1
    if progress is not None:
        progress("storing", len(records), len(records))
    report.unmatched = sorted(set(report.unmatched))
    report.ambiguous = sorted(set(report.ambiguous))
    return report


def relink(db: Database) -> int:
    """Attach free texts whose ref now names an indexed image; returns how many were attached."""
    resolver = ImageResolver(db)
    linked = 0
    with db.session() as s:
        for entry in s.scalars(select(TextEntry).where(TextEntry.image_id.is_(None), TextEntry.ref.is_not(None))):
            image_id, _ = resolver.resolve([entry.ref])
            if image_id is not None:
                entry.image_id = image_id
                linked += 1
    return linked


def embed_pending(db: Database, encoder: Encoder, model: str, progress: TextProgress | None = None) -> int:
    """Embed the parts not yet embedded by ``model``; returns how many.

    Each batch is committed, so an interrupted run loses at most one batch and the next call goes on.
    """
    done = 0
    total = pending_count(db, model) if progress is not None else 0
    while True:
        with db.session() as s:
            rows = s.execute(select(TextPart.id, TextPart.content).where(
                (TextPart.model.is_(None)) | (TextPart.model != model)).limit(EMBED_BATCH * 8)).all()
        if not rows:
            return done
        for start in range(0, len(rows), EMBED_BATCH):
            if progress is not None:
                progress("embedding", done, max(total, done))
            chunk = rows[start:start + EMBED_BATCH]
            vectors = encoder.encode_texts([c for _, c in chunk]).astype(np.float32)
            with db.session() as s:
                s.execute(update(TextPart), [dict(id=part_id, vector=v.tobytes(), model=model)
                                             for (part_id, _), v in zip(chunk, vectors, strict=True)])
            done += len(chunk)
        if progress is not None:
            progress("embedding", done, max(total, done))


def pending_count(db: Database, model: str) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(TextPart).where(
            (TextPart.model.is_(None)) | (TextPart.model != model))))


# ----------------------------------------------------------------- the matrix
@dataclass
class PartMatrix:
    """All embedded parts of the corpus: ``vectors[i]`` belongs to text ``text_ids[i]`` (grouped by text)."""

    text_ids: np.ndarray
    vectors: np.ndarray
    contents: list[str]
    starts: np.ndarray  # index of each text's first part in the arrays
    unique_ids: np.ndarray

    def text_scores(self, query: np.ndarray, how: str = "max") -> tuple[np.ndarray, np.ndarray]:
        """Per text (``unique_ids`` order): the aggregated score and the index of its best part."""
        if len(self.text_ids) == 0:
            return np.empty(0, np.float32), np.empty(0, np.int64)
        part_scores = self.vectors @ np.asarray(query, dtype=np.float32)
        best = np.maximum.reduceat(part_scores, self.starts)
        counts = np.diff(np.append(self.starts, len(part_scores)))
        if how == "max":
            scores = best
        else:
            means = np.add.reduceat(part_scores, self.starts) / counts
            scores = means if how == "mean" else 0.7 * best + 0.3 * means
        ends = self.starts + counts
        best_idx = np.array([s + int(np.argmax(part_scores[s:e])) for s, e in zip(self.starts, ends, strict=True)])
        return scores.astype(np.float32), best_idx


def load_matrix(db: Database, model: str, kinds: Sequence[str] | None = None) -> PartMatrix:
    """The embedded parts of ``model`` (optionally of some text kinds only)."""
    q = select(TextPart.text_id, TextPart.vector, TextPart.content).where(TextPart.model == model,
                                                                         TextPart.vector.is_not(None))
    if kinds:
        q = q.join(TextEntry, TextEntry.id == TextPart.text_id).where(TextEntry.kind.in_(list(kinds)))
    with db.session() as s:
        rows = s.execute(q.order_by(TextPart.text_id, TextPart.position)).all()
    if not rows:
        return PartMatrix(np.empty(0, np.int64), np.empty((0, 0), np.float32), [], np.empty(0, np.int64),
                          np.empty(0, np.int64))
    text_ids = np.array([r[0] for r in rows], dtype=np.int64)
    vectors = np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
    starts = np.flatnonzero(np.r_[True, text_ids[1:] != text_ids[:-1]])
    return PartMatrix(text_ids, vectors, [r[2] for r in rows], starts, text_ids[starts])


def rank_texts(db: Database, matrix: PartMatrix, query: np.ndarray, top_k: int = 10, how: str = "max",
               exclude_image: int | None = None) -> list[TextMatch]:
    """The ``top_k`` texts of the corpus for an (image or text) embedding."""
    scores, best = matrix.text_scores(query, how)
    if len(scores) == 0:
        return []
    order = np.argsort(-scores, kind="stable")[: top_k + 50]
    ids = [int(matrix.unique_ids[i]) for i in order]
    with db.session() as s:
        rows = {r.id: r for r in s.execute(select(TextEntry.id, TextEntry.text, TextEntry.source, TextEntry.kind,
                                                  TextEntry.image_id, TextEntry.title)
                                           .where(TextEntry.id.in_(ids)))}
    out = []
    for i in order:
        row = rows.get(int(matrix.unique_ids[i]))
        if row is None or (exclude_image is not None and row.image_id == exclude_image):
            continue
        out.append(TextMatch(row.id, row.text, round(float(scores[i]), 6), row.source, row.kind, row.image_id,
                             matrix.contents[int(best[i])], row.title))
        if len(out) == top_k:
            break
    return out


def image_scores_by_descriptions(db: Database, matrix: PartMatrix, query: np.ndarray, how: str = "max"
                                 ) -> dict[int, float]:
    """For each image with texts: the best score of its texts against a text embedding."""
    scores, _ = matrix.text_scores(query, how)
    if len(scores) == 0:
        return {}
    with db.session() as s:
        owner = dict(s.execute(select(TextEntry.id, TextEntry.image_id).where(TextEntry.image_id.is_not(None))).all())
    out: dict[int, float] = {}
    for tid, score in zip(matrix.unique_ids.tolist(), scores.tolist(), strict=True):
        image = owner.get(tid)
        if image is not None and score > out.get(image, -np.inf):
            out[image] = score
    return out


def texts_of_image(db: Database, image_id: int) -> list[dict]:
    with db.session() as s:
        rows = s.execute(select(TextEntry).where(TextEntry.image_id == image_id).order_by(TextEntry.id)).scalars()
        return [{"text_id": r.id, "text": r.text, "source": r.source, "kind": r.kind, "title": r.title} for r in rows]


def delete_texts(db: Database, source: str | None = None) -> int:
    """Forget the texts of one source (or all); returns how many."""
    return remove_texts(db, [source] if source else None)


def text_sources(db: Database) -> dict[str, int]:
    """How many texts each import source holds (``csv:catalogue.csv``, ``sidecar``, ``xmp`` ...)."""
    with db.session() as s:
        return dict(s.execute(select(TextEntry.source, func.count()).group_by(TextEntry.source)
                              .order_by(TextEntry.source)).all())


def sources_matching(db: Database, name: str) -> list[str]:
    """The sources a curator's name designates: the source itself (``csv:a.csv``), or a file name
    (``a.csv`` or its path) whatever the format it was read as."""
    known = text_sources(db)
    if name in known:
        return [name]
    base = os.path.basename(name.rstrip("/\\"))
    return [src for src in known if src.split(":", 1)[-1] == base]


def remove_texts(db: Database, sources: Sequence[str] | None = None) -> int:
    """Forget the texts of ``sources`` (all texts when None) with their parts; returns how many.

    Texts only: images, embeddings and tags are untouched; a later import of the same file adds them again.
    """
    with db.session() as s:
        q = delete(TextEntry)
        if sources is not None:
            q = q.where(TextEntry.source.in_(list(sources)))
        ids_q = select(TextEntry.id) if sources is None else select(TextEntry.id).where(
            TextEntry.source.in_(list(sources)))
        s.execute(delete(TextPart).where(TextPart.text_id.in_(ids_q)))  # also without foreign-key cascades
        return int(s.execute(q).rowcount or 0)


def count_counter(encoder: Encoder) -> Callable[[str], int]:
    """Token counter of the encoder's tokenizer (how texts are split into parts)."""
    return tokenizer_counter(encoder.tokenizer)
