"""The text features of a library, reached as :attr:`artseek.library.Library.texts`.

Importing texts, describing an image (ranked texts and keyword suggestions),
searching images through their descriptions, zero-shot classification into
tags and their CSV export. The service gets what it needs from the library
through its constructor (see :meth:`artseek.library.Library.texts`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import delete, func, select

from artseek.captions import corpus, importers
from artseek.captions.corpus import ImportReport, PartMatrix, TextMatch
from artseek.captions.vocabulary import (
    Category,
    ClassifyReport,
    KeywordMatch,
    PromptEmbedder,
    Term,
    classify_vectors,
    load_vocabulary,
    parse_category,
    suggest_keywords,
)
from artseek.csv_safe import write_csv
from artseek.embedding.encoder import Encoder
from artseek.errors import ArtSeekError, QueryError
from artseek.search.results import SearchResult
from artseek.storage import Database, Embedding, Image, ImageStatus, Tag, TextEntry, TextPart
from artseek.storage.errors import guarded
from artseek.storage.queries import search_results, stored_vector

RRF_K = 60  # reciprocal-rank fusion constant


@dataclass
class Description:
    """What :meth:`TextService.describe` returns: the best texts of the corpus and keyword suggestions."""

    image_id: int | None
    texts: list[TextMatch] = field(default_factory=list)
    keywords: list[KeywordMatch] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"image_id": self.image_id, "texts": [t.to_dict() for t in self.texts],
                "keywords": [k.to_dict() for k in self.keywords]}


class TextService:
    """Text corpus, vocabulary and tags of one opened library.

    ``encoder`` loads the model on first use; ``embed_text`` embeds a search text
    (refusing an empty one); ``search_images`` ranks the library's images for a
    vector; ``require_writable`` raises when the library is open read-only.
    """

    def __init__(self, db: Database, *, model_name: str, folder: Path, read_only: bool,
                 encoder: Callable[[], Encoder], embed_text: Callable[[str], np.ndarray],
                 search_images: Callable[[np.ndarray, int], list[SearchResult]],
                 require_writable: Callable[[], None]) -> None:
        self.db = db
        self.model_name = model_name
        self.folder = folder  # also what @guarded names in its messages
        self.read_only = read_only
        self._encoder = encoder
        self._embed_text = embed_text
        self._search_images = search_images
        self._require_writable = require_writable
        self._matrix: tuple[tuple, PartMatrix] | None = None
        self._prompts: PromptEmbedder | None = None
        self._vocab: tuple[tuple, list[Term], np.ndarray] | None = None

    # ---------------------------------------------------------------- import
    def _import(self, records: list[importers.TextRecord], progress: corpus.TextProgress | None = None
                ) -> ImportReport:
        """Store the texts (all or nothing), then embed them here, batch by batch (resumable: importing
        the same file again skips what is stored and embeds what is left)."""
        self._require_writable()
        encoder = self._encoder()
        report = corpus.import_records(self.db, records, corpus.count_counter(encoder), progress)
        corpus.relink(self.db)
        corpus.embed_pending(self.db, encoder, self.model_name, progress)
        return report

    @guarded
    def import_file(self, path: Path | str, kind: str | None = None, progress: corpus.TextProgress | None = None,
                    notes: list[str] | None = None, encoding: str | None = None) -> ImportReport:
        """Import a CSV or JSON (simple or Artpedia) file of texts; all or nothing (see :meth:`_import`)."""
        return self._import(importers.read_file(path, kind, notes, encoding), progress)

    @guarded
    def remove_texts(self, sources: Sequence[str] | None = None) -> int:
        """Forget the texts of these import sources (all when None); see :func:`corpus.sources_matching`."""
        self._require_writable()
        removed = corpus.remove_texts(self.db, sources)
        self._matrix = None
        return removed

    def text_sources(self) -> dict[str, int]:
        return corpus.text_sources(self.db)

    def sources_matching(self, name: str) -> list[str]:
        return corpus.sources_matching(self.db, name)

    def _indexed_paths(self) -> list[str]:
        with self.db.session() as s:
            return list(s.scalars(select(Image.path).where(Image.status == ImageStatus.INDEXED).order_by(Image.id)))

    @guarded
    def import_sidecars(self) -> ImportReport:
        """Import the ``.txt`` sidecar files next to the indexed images."""
        return self._import([r for p in self._indexed_paths() for r in importers.read_sidecar(Path(p))])

    @guarded
    def import_embedded(self) -> ImportReport:
        """Import XMP dc:description, IPTC captions and EXIF descriptions of the indexed images."""
        return self._import([r for p in self._indexed_paths() for r in importers.read_embedded(Path(p))])

    def import_records(self, records: Iterable[importers.TextRecord]) -> ImportReport:
        return self._import(list(records))

    # ---------------------------------------------------------------- corpus
    def ensure_embedded(self, progress: corpus.TextProgress | None = None) -> None:
        """Embed parts left unembedded (an import that was stopped, or a new model after ``reindex``)."""
        if not self.read_only and corpus.pending_count(self.db, self.model_name):
            corpus.embed_pending(self.db, self._encoder(), self.model_name, progress)

    def matrix(self) -> PartMatrix:
        self.ensure_embedded()
        with self.db.session() as s:
            key = tuple(s.execute(select(func.count(), func.max(TextPart.id)).where(
                TextPart.model == self.model_name)).one())
        if self._matrix is None or self._matrix[0] != key:
            self._matrix = (key, corpus.load_matrix(self.db, self.model_name))
        return self._matrix[1]

    def texts_for_vector(self, vector: np.ndarray, top_k: int = 10, how: str = "max") -> list[TextMatch]:
        return corpus.rank_texts(self.db, self.matrix(), vector, top_k, how)

    def texts_for_text(self, text: str, top_k: int = 10, how: str = "max") -> list[TextMatch]:
        return self.texts_for_vector(self._embed_text(text), top_k, how)

    def text_count(self) -> dict[str, int]:
        with self.db.session() as s:
            total = int(s.scalar(select(func.count()).select_from(TextEntry)))
            attached = int(s.scalar(select(func.count()).select_from(TextEntry).where(TextEntry.image_id.is_not(None))))
            parts = int(s.scalar(select(func.count()).select_from(TextPart)))
        return {"texts": total, "attached": attached, "free": total - attached, "parts": parts}

    # --------------------------------------------------------------- describe
    def describe_vector(self, vector: np.ndarray, image_id: int | None, top_k: int = 10,
                        vocabulary: str | os.PathLike[str] | None = None, how: str = "max") -> Description:
        return Description(image_id, self.texts_for_vector(vector, top_k, how),
                           self.keywords_for_vector(vector, top_k, vocabulary))

    def describe(self, image_id: int, top_k: int = 10, vocabulary: str | os.PathLike[str] | None = None,
                 how: str = "max") -> Description:
        """Texts of the corpus and vocabulary keywords ranked for an indexed image."""
        return self.describe_vector(stored_vector(self.db, image_id), image_id, top_k, vocabulary, how)

    # --------------------------------------------------------------- keywords
    def prompts(self) -> PromptEmbedder:
        if self._prompts is None or self._prompts.model != self.model_name:
            self._prompts = PromptEmbedder(self.db, self.model_name, lambda texts: self._encoder().encode_texts(texts))
        return self._prompts

    def vocabulary(self, path: str | os.PathLike[str] | None = None) -> tuple[list[Term], np.ndarray]:
        terms, found = load_vocabulary(path, self.folder)
        key = (str(found), found.stat().st_mtime_ns, self.model_name)
        if self._vocab is None or self._vocab[0] != key:
            vectors = self.prompts().ensemble([t.term for t in terms], [t.templates for t in terms])
            self._vocab = (key, terms, vectors)
        return self._vocab[1], self._vocab[2]

    def keywords_for_vector(self, vector: np.ndarray, top_k: int = 10,
                            vocabulary: str | os.PathLike[str] | None = None) -> list[KeywordMatch]:
        terms, vectors = self.vocabulary(vocabulary)
        return suggest_keywords(vector, terms, vectors, top_k)

    def suggest_keywords(self, image_id: int, top_k: int = 10,
                         vocabulary: str | os.PathLike[str] | None = None) -> list[KeywordMatch]:
        """Vocabulary terms ranked for an indexed image (``.term``, ``.score``)."""
        return self.keywords_for_vector(stored_vector(self.db, image_id), top_k, vocabulary)

    # ------------------------------------------------------ text -> images
    def search_by_descriptions(self, text: str, top_k: int = 20, via: str = "both",
                               pool: int = 200) -> list[SearchResult]:
        """Images for a text: through their embeddings (``images``), their attached descriptions
        (``descriptions``) or both, fused by reciprocal rank."""
        if via not in ("both", "images", "descriptions"):
            raise QueryError(f"Unknown ranking '{via}'.", "Use both, images or descriptions.")
        query = self._embed_text(text)
        rankings: list[list[int]] = []
        if via in ("both", "images"):
            rankings.append([r.image_id for r in self._search_images(query, pool)])
        if via in ("both", "descriptions"):
            by_desc = corpus.image_scores_by_descriptions(self.db, self.matrix(), query)
            rankings.append(sorted(by_desc, key=lambda i: -by_desc[i])[:pool])
        fused: dict[int, float] = {}
        for ranking in rankings:
            for rank, image_id in enumerate(ranking):
                fused[image_id] = fused.get(image_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = sorted(fused.items(), key=lambda kv: -kv[1])[:top_k]
        return search_results(self.db, best)

    # ------------------------------------------------------- classification
    def _all_vectors(self) -> tuple[list[int], np.ndarray]:
        with self.db.session() as s:
            rows = s.execute(select(Embedding.image_id, Embedding.vector).join(Image, Image.id == Embedding.image_id)
                             .where(Image.status == ImageStatus.INDEXED).order_by(Embedding.image_id)).all()
        if not rows:
            return [], np.empty((0, 0), np.float32)
        return [r[0] for r in rows], np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows])

    @guarded
    def classify(self, categories: Sequence[Category | str], min_score: float = 0.0) -> list[ClassifyReport]:
        """Zero-shot classify every indexed image into each category (a ``Category`` or ``"name=v1,v2"``);
        the best value becomes a tag (replacing earlier tags of that category). Images whose best
        probability is below ``min_score`` get no tag."""
        categories = [parse_category(c) if isinstance(c, str) else c for c in categories]
        self._require_writable()
        ids, vectors = self._all_vectors()
        reports = []
        for cat in categories:
            report = ClassifyReport(cat.name, {v: 0 for v in cat.values}, len(ids))
            value_vectors = self.prompts().ensemble(cat.values, cat.templates)
            best, probs = classify_vectors(vectors, value_vectors) if ids else (np.empty(0, int), np.empty(0))
            with self.db.session() as s:
                s.execute(delete(Tag).where(Tag.category == cat.name, Tag.source == "zero-shot"))
                by_user = set(s.scalars(select(Tag.image_id).where(Tag.category == cat.name)))
                for image_id, b, p in zip(ids, best.tolist(), probs.tolist(), strict=True):
                    if p < min_score or image_id in by_user:
                        continue
                    s.merge(Tag(image_id=image_id, category=cat.name, value=cat.values[b], score=round(p, 6),
                                source="zero-shot"))
                    report.counts[cat.values[b]] += 1
            reports.append(report)
        return reports

    def tags(self, image_id: int | None = None, category: str | None = None) -> list[dict]:
        q = select(Tag.image_id, Image.path, Tag.category, Tag.value, Tag.score, Tag.source).join(
            Image, Image.id == Tag.image_id)
        if image_id is not None:
            q = q.where(Tag.image_id == image_id)
        if category:
            q = q.where(Tag.category == category)
        with self.db.session() as s:
            return [dict(image_id=r[0], path=r[1], category=r[2], value=r[3], score=r[4], source=r[5])
                    for r in s.execute(q.order_by(Tag.image_id, Tag.category))]

    @guarded
    def set_tag(self, image_id: int, category: str, value: str) -> None:
        """A curator's own tag (kept when classification runs again)."""
        self._require_writable()
        with self.db.session() as s:
            if s.get(Image, image_id) is None:
                raise ArtSeekError(f"There is no image {image_id} in this library.")
            s.merge(Tag(image_id=image_id, category=category, value=value, score=None, source="user"))

    @guarded
    def export_tags(self, path: Path | str, category: str | None = None) -> int:
        """Write the tags as CSV (image_id, path, category, value, score, source); returns the row count."""
        return write_csv(path, ["image_id", "path", "category", "value", "score", "source"],
                         self.tags(category=category))
