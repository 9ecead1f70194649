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
from sqlalchemy import func, select

from artseek.captions import categories as tagging
from artseek.captions import corpus, descriptions, importers
from artseek.captions.corpus import ImportReport, PartMatrix, TextMatch
from artseek.captions.vocabulary import (
    Category,
    ClassifyReport,
    KeywordMatch,
    PromptEmbedder,
    Term,
    load_vocabulary,
    parse_category,
    suggest_keywords,
)
from artseek.csv_safe import write_csv
from artseek.embedding.encoder import Encoder
from artseek.errors import ArtSeekError, QueryError
from artseek.search.ranking import Allowed
from artseek.search.results import SearchResult
from artseek.storage import Database, Image, ImageStatus, Tag, TextEntry, TextPart
from artseek.storage.errors import guarded
from artseek.storage.queries import search_results, stored_vector

RRF_K = 60  # reciprocal-rank fusion constant


@dataclass
class Description:
    """What :meth:`TextService.describe` returns: the best texts of the corpus and keyword suggestions."""

    image_id: int | None
    texts: list[TextMatch] = field(default_factory=list)
    keywords: list[KeywordMatch] = field(default_factory=list)

    own: list[dict] = field(default_factory=list)  # the image's own texts (imported and the curator's)

    def to_dict(self) -> dict:
        return {"image_id": self.image_id, "texts": [t.to_dict() for t in self.texts],
                "keywords": [k.to_dict() for k in self.keywords], "own": self.own}


class TextService:
    """Text corpus, vocabulary and tags of one opened library.

    ``encoder`` loads the model on first use; ``embed_text`` embeds a search text
    (refusing an empty one); ``search_images(vector, top_k, allowed=None)`` ranks
    the library's images (those ``allowed``) for a vector; ``require_writable`` raises when the library is open read-only.
    """

    def __init__(self, db: Database, *, model_name: str, folder: Path, read_only: bool,
                 encoder: Callable[[], Encoder], embed_text: Callable[[str], np.ndarray],
                 search_images: Callable[..., list[SearchResult]],
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
                    notes: list[str] | None = None, encoding: str | None = None,
                    columns: importers.ColumnMapping | None = None) -> ImportReport:
        """Import a CSV or JSON (simple or Artpedia) file of texts; all or nothing (see :meth:`_import`).
        ``columns``: the CSV's columns as the curator mapped them (else recognised by their names)."""
        return self._import(importers.read_file(path, kind, notes, encoding, columns), progress)

    @guarded
    def remove_texts(self, sources: Sequence[str] | None = None) -> int:
        """Forget the texts of these import sources (all imported ones when None: the curator's own
        descriptions go only when ``curator`` is named); see :func:`corpus.sources_matching`."""
        self._require_writable()
        if sources is None:
            sources = [s for s in corpus.text_sources(self.db) if s != descriptions.CURATOR_SOURCE]
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
    def import_sidecars(self, progress: corpus.TextProgress | None = None) -> ImportReport:
        """Import the ``.txt`` sidecar files next to the indexed images."""
        return self._import([r for p in self._indexed_paths() for r in importers.read_sidecar(Path(p))], progress)

    @guarded
    def import_embedded(self, progress: corpus.TextProgress | None = None) -> ImportReport:
        """Import XMP dc:description, IPTC captions and EXIF descriptions of the indexed images."""
        return self._import([r for p in self._indexed_paths() for r in importers.read_embedded(Path(p))], progress)

    # ------------------------------------------------------ the curator's text
    def description(self, image_id: int) -> str | None:
        """The curator's own description of an image (``None``: none written)."""
        return descriptions.curator_description(self.db, image_id)

    @guarded
    def set_description(self, image_id: int, text: str) -> bool:
        """Write (or replace; empty removes) the curator's description of an image, embedded for searches at once."""
        self._require_writable()
        encoder = self._encoder()
        stored = descriptions.set_curator_description(self.db, image_id, text, corpus.count_counter(encoder))
        corpus.embed_pending(self.db, encoder, self.model_name)
        return stored

    def import_records(self, records: Iterable[importers.TextRecord]) -> ImportReport:
        return self._import(list(records))

    def export_curator_descriptions(self) -> list[dict]:
        """The curator's descriptions as JSON-able dicts (image by content_hash and path), for a library-data export."""
        return descriptions.export_curator_descriptions(self.db)

    @guarded
    def import_curator_descriptions(self, items: Iterable[dict]) -> dict[str, int]:
        """Merge exported curator descriptions: each finds its image by content hash, else path; an equal text is
        left alone, another replaces the image's curator description. Returns counts: set, unchanged, unmatched."""
        self._require_writable()
        items = list(items)
        counts = {"set": 0, "unchanged": 0, "unmatched": 0}
        for item, image_id in zip(items, descriptions.match_images(self.db, items), strict=True):
            text = str(item.get("text") or "").strip()
            if image_id is None or not text:
                counts["unmatched"] += 1
            elif descriptions.curator_description(self.db, image_id) == text:
                counts["unchanged"] += 1
            else:
                descriptions.set_curator_description(self.db, image_id, text)
                counts["set"] += 1
        if counts["set"]:
            corpus.embed_pending(self.db, self._encoder(), self.model_name)
        return counts

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
        """Texts of the corpus and vocabulary keywords ranked for an indexed image, and its own texts."""
        d = self.describe_vector(stored_vector(self.db, image_id), image_id, top_k, vocabulary, how)
        d.own = corpus.texts_of_image(self.db, image_id)
        return d

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
                               pool: int = 200, allowed: Allowed | None = None) -> list[descriptions.DescribedResult]:
        """Images for a text: through their embeddings (``images``), their attached descriptions
        (``descriptions``) or both, fused by reciprocal rank. Each result carries the sentence of its
        texts that matched best (``sentence``; ``None`` for an image without texts).

        ``allowed`` (``Library.allowed`` of a search's filter, or a collection's images): only those
        images are ranked, by their embeddings and by their descriptions alike (None: every image)."""
        if via not in ("both", "images", "descriptions"):
            raise QueryError(f"Unknown ranking '{via}'.", "Use both, images or descriptions.")
        query = self._embed_text(text)
        rankings: list[list[int]] = []
        if via in ("both", "images"):
            rankings.append([r.image_id for r in self._search_images(query, max(pool, top_k), allowed=allowed)])
        matches = descriptions.image_matches(self.db, self.matrix(), query)
        if allowed is not None:
            members = set(allowed.ids.tolist())
            matches = {i: m for i, m in matches.items() if i in members}
        if via in ("both", "descriptions"):
            rankings.append(sorted(matches, key=lambda i: -matches[i][0])[:max(pool, top_k)])
        fused: dict[int, float] = {}
        for ranking in rankings:
            for rank, image_id in enumerate(ranking):
                fused[image_id] = fused.get(image_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = sorted(fused.items(), key=lambda kv: -kv[1])[:top_k]
        return [descriptions.DescribedResult(**r.to_dict(), sentence=matches.get(r.image_id, (0, None, None))[1],
                                             text_id=matches.get(r.image_id, (0, None, None))[2])
                for r in search_results(self.db, best)]

    # ------------------------------------------------------- classification
    def categories(self) -> list[Category]:
        """The categories saved in the library (``categories set``, the window's Categories dialog)."""
        return tagging.list_categories(self.db)

    @guarded
    def save_category(self, category: Category | str) -> Category:
        self._require_writable()
        category = parse_category(category) if isinstance(category, str) else category
        tagging.save_category(self.db, category)
        return tagging.get_category(self.db, " ".join(category.name.split()))

    @guarded
    def remove_category(self, name: str) -> bool:
        """Forget a saved category and its predicted tags (the curator's tags of it stay)."""
        self._require_writable()
        return tagging.remove_category(self.db, name)

    def _embed_values(self, cat: Category) -> np.ndarray:
        return self.prompts().ensemble(cat.values, cat.templates)

    @guarded
    def classify(self, categories: Sequence[Category | str] | None = None, min_score: float = 0.0,
                 incremental: bool = False, progress: tagging.ClassifyProgress | None = None,
                 checkpoint: Callable[[], bool] | None = None) -> list[ClassifyReport]:
        """Zero-shot classify every indexed image into each category (a ``Category``, ``"name=v1,v2"``, or
        None: the saved categories); the best value becomes a ``zero-shot`` tag, replacing earlier predictions.
        A curator's tag is never overwritten. Images whose best probability is below ``min_score`` get no tag.
        ``incremental``: only images without a tag of the category, unless it changed since it was last run."""
        if categories is None:
            cats = self.categories()
            if not cats:
                raise ArtSeekError("No categories are defined in this library.",
                                   "Define one first (categories set technique=photograph,engraving,drawing), "
                                   "or give --category.")
        else:
            cats = [parse_category(c) if isinstance(c, str) else c for c in categories]
        self._require_writable()
        return tagging.classify(self.db, cats, self.model_name, self._embed_values, min_score, incremental,
                                   progress, checkpoint)

    def tags(self, image_id: int | None = None, category: str | None = None) -> list[dict]:
        q = select(Tag.image_id, Image.path, Tag.category, Tag.value, Tag.score, Tag.source).join(
            Image, Image.id == Tag.image_id)
        if image_id is not None:
            q = q.where(Tag.image_id == image_id)
        if category:
            q = q.where(Tag.category == category)
        with self.db.session() as s:
            return [dict(image_id=r[0], path=r[1], category=r[2], value=r[3], score=r[4], source=r[5],
                         set_by=tagging.set_by(r[5]))
                    for r in s.execute(q.order_by(Tag.image_id, Tag.category))]

    def tags_of(self, image_ids: Iterable[int]) -> dict[int, list[dict]]:
        return tagging.tags_of(self.db, image_ids)

    @guarded
    def set_tag(self, image_id: int, category: str, value: str) -> None:
        """A curator's own tag (set, corrected or confirmed; kept when classification runs again)."""
        self._require_writable()
        tagging.set_tag(self.db, image_id, category, value)

    @guarded
    def clear_tag(self, image_id: int, category: str) -> bool:
        """Remove an image's tag of ``category`` (the next classification predicts it again)."""
        self._require_writable()
        return tagging.clear_tag(self.db, image_id, category)

    @guarded
    def export_tags(self, path: Path | str, category: str | None = None) -> int:
        """Write the tags as CSV (image_id, path, category, value, score, source, set_by); returns the row count.
        ``score`` is the model's confidence (empty for a curator's tag), ``set_by`` model or curator."""
        return write_csv(path, ["image_id", "path", "category", "value", "score", "source", "set_by"],
                         self.tags(category=category))

    def export_curator_tags(self) -> list[dict]:
        """The curator's tags as JSON-able dicts (image by content_hash and path), for a library-data export."""
        return tagging.export_curator_tags(self.db)

    @guarded
    def import_curator_tags(self, items: Iterable[dict]) -> dict[str, int]:
        """Merge exported curator tags without duplicates (see :func:`artseek.captions.categories.import_curator_tags`)."""
        self._require_writable()
        return tagging.import_curator_tags(self.db, items)
