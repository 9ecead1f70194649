"""Searching a library, a mixin of :class:`artseek.library.Library`: embedding query texts and images, text,
image, "more like this", combined queries with feedback and composed image+text, the mapper's training, and
``lib.texts`` (descriptions, keywords and tags).

Kept apart so that the library module holds one job (opening, lifetime and wiring). The ranking itself lives in
:mod:`artseek.search`; the filters in :mod:`artseek.library_filters`, the tiles in :mod:`artseek.library_details`.
"""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image as PILImage
from sqlalchemy.exc import DBAPIError

from artseek.captions.service import TextService
from artseek.composed import Composer, MapperInfo
from artseek.embedding.encoder import Encoder
from artseek.errors import EmptyQueryError, QueryError
from artseek.ingest.decode import DecodeError, open_image, read_file
from artseek.ingest.progress import JobControl
from artseek.library_care import META_DIM
from artseek.search.feedback import QueryEmbeddings, rank_feedback, uses_classifier
from artseek.search.filters import SearchFilter
from artseek.search.query import Query
from artseek.search.ranking import Allowed, normalise, rank_by_vector
from artseek.search.results import SearchResult
from artseek.storage import Database
from artseek.storage.errors import guarded
from artseek.storage.queries import search_results, stored_vector
from artseek.vectors import VectorIndex

if TYPE_CHECKING:
    from artseek.composed.training import TrainingListener, TrainingOptions


class LibrarySearch:
    """Search of a library (mixed into ``Library``, which provides db, encoder, vectors, composer, filters, tiles)."""

    db: Database
    folder: Path
    model_name: str
    weights: str | os.PathLike[str] | None
    read_only: bool
    composer: Composer
    encoder: Encoder
    vectors: VectorIndex
    _vectors: VectorIndex | None
    _texts: TextService | None
    _texts_lock: threading.Lock

    # -------------------------------------------------------------- search
    def embed_text(self, text: str) -> np.ndarray:
        if not text or not text.strip():
            raise EmptyQueryError("The search text is empty.", "Type a few words describing what you look for.")
        return self.encoder.encode_texts([text.strip()])[0]

    def text_read(self, text: str) -> str:
        """The part of a query text the model reads (all of it unless it is longer than the model's context)."""
        from artseek.embedding.context import part_read

        return part_read(self.encoder, text.strip())

    def embed_image(self, image: str | os.PathLike[str] | bytes | PILImage.Image) -> np.ndarray:
        """Embed a query image given as a path, encoded bytes or a PIL image."""
        from artseek.embedding.preprocess import to_model_input

        cfg = self.encoder.preprocess_cfg
        try:
            if isinstance(image, PILImage.Image):
                from artseek.ingest.decode import to_rgb

                pil = to_rgb(image)
            else:
                path = None if isinstance(image, bytes) else os.fspath(image)
                data = image if path is None else read_file(path)
                pil, *_ = open_image(data, cfg.image_size, extension=os.path.splitext(path)[1] if path else "")
        except DecodeError as exc:
            name = "" if isinstance(image, (bytes, PILImage.Image)) else f" '{os.fspath(image)}'"
            raise QueryError(f"The query image{name} cannot be used: {exc}.",
                             "Use a JPEG, PNG, TIFF or other common image file.") from None
        return self.encoder.encode_images(to_model_input(pil, cfg)[None])[0]

    @guarded
    def stored_vector(self, image_id: int) -> np.ndarray:
        """The stored embedding of an indexed image."""
        return stored_vector(self.db, image_id)

    @guarded
    def search_vector(self, query: np.ndarray, top_k: int = 20, exclude: set[int] | None = None,
                      filter: SearchFilter | None = None) -> list[SearchResult]:  # noqa: A002
        """Rank indexed images (those passing ``filter``) by cosine similarity to ``query``."""
        if self._vectors is None and self.db.get_meta(META_DIM) is None:
            return []
        return self.search_among(query, top_k, exclude, self.allowed(filter))

    def search_among(self, query: np.ndarray, top_k: int = 20, exclude: set[int] | None = None,
                     allowed: Allowed | None = None) -> list[SearchResult]:
        """Rank indexed images (those in ``allowed``, see :meth:`allowed`; None: all) by cosine to ``query``."""
        if self._vectors is None and self.db.get_meta(META_DIM) is None:
            return []
        ranked = rank_by_vector(self.vectors, normalise(query), top_k, exclude, allowed=allowed)
        if allowed is not None:  # tiles are merged in unfiltered searches only (their images are not filtered)
            return search_results(self.db, ranked)
        ranked, regions = self.merge_tiles(query, ranked, top_k, exclude)
        return self.with_regions(search_results(self.db, ranked), regions)

    def search_text(self, text: str, top_k: int = 20, filter: SearchFilter | None = None) -> list[SearchResult]:  # noqa: A002
        """Text-to-image search."""
        return self.search_vector(self.embed_text(text), top_k, filter=filter)

    def search_image(self, image: str | os.PathLike[str] | bytes | PILImage.Image, top_k: int = 20,
                     filter: SearchFilter | None = None) -> list[SearchResult]:  # noqa: A002
        """Query by example: images most similar to ``image``."""
        return self.search_vector(self.embed_image(image), top_k, filter=filter)

    def more_like(self, image_id: int, top_k: int = 20, filter: SearchFilter | None = None) -> list[SearchResult]:  # noqa: A002
        """"More like this" for an indexed image (the image itself comes first, when it passes ``filter``)."""
        return self.search_vector(self.stored_vector(image_id), top_k, filter=filter)

    @guarded
    def search_query(self, query: Query, top_k: int = 20, remember: bool = False) -> list[SearchResult]:
        """Run a combined query: text, example images, +/- marked images, negative texts, within its filter.

        ``remember``: record it in :attr:`history` (the CLI and the window do; evaluations do not)."""
        if query.is_empty():
            raise EmptyQueryError("The query is empty.", "Type a text, drop an image, or mark results with + or -.")
        text = self.embed_text(query.text) if query.text and query.text.strip() else None
        # A library image as the example is the same query as its file dropped in: its stored embedding
        # joins the example images (it is not a relevance mark, which would switch to the classifier).
        images = [self.embed_image(x) for x in query.images] + [self.stored_vector(i) for i in query.example_ids]
        q = QueryEmbeddings(
            base=self.composer.compose(query, text, images),
            positives=[self.stored_vector(i) for i in query.positive_ids],
            negatives=[self.stored_vector(i) for i in query.negative_ids]
            + [self.embed_image(x) for x in query.negative_images]
            + [self.embed_text(t) for t in query.negative_texts],
        )
        exclude = set(query.positive_ids) | set(query.negative_ids) if query.exclude_marked else set()
        marked = set(query.positive_ids) | set(query.negative_ids)
        allowed = self.allowed(query.filter)
        if query.within_ids is not None:  # a collection opened as the view: exact over its images that pass
            allowed = self.allowed_within(query.within_ids, allowed)
        ranked = rank_feedback(self.vectors, q, top_k, exclude, query.method, marked, allowed)
        regions: dict = {}
        if allowed is None:  # tiles: in unfiltered searches without marks
            ranked, regions = self.merge_tiles(None if marked else q.base, ranked, top_k, exclude)
        results = self.with_regions(search_results(self.db, ranked), regions)
        if uses_classifier(q, query.method):  # a refined ranking: its scores are relative to this search
            results = [replace(r, relative=True) for r in results]
        if remember:
            try:
                self.history.record(query)
            except (DBAPIError, OSError):  # a full disk or a busy database: the results still come back
                pass
        return results

    @guarded
    def train_mapper(self, options: TrainingOptions | None = None, listener: TrainingListener | None = None,
                     control: JobControl | None = None) -> MapperInfo | None:
        """Train (or retrain) the Pic2Word mapper on the indexed images (None: cancelled); see
        :mod:`artseek.composed.training`."""
        from artseek.composed.training import torch_encoder, train_mapper

        self.require_writable()
        ids = sorted(self.vectors.ids)
        vectors = self.vectors.get_vectors(ids) if ids else np.zeros((0, 1), np.float32)
        return train_mapper(vectors, torch_encoder(self.encoder, self.weights), self.folder, self.model_name,
                            options, listener, control)

    # --------------------------------------------------------------- texts
    @property
    def texts(self) -> TextService:
        """Descriptions, keywords and tags of this library (see :mod:`artseek.captions.service`)."""
        with self._texts_lock:
            if self._texts is None:
                self._texts = TextService(self.db, model_name=self.model_name, folder=self.folder,
                                          read_only=self.read_only, encoder=lambda: self.encoder,
                                          embed_text=self.embed_text, search_images=self.search_among,
                                          require_writable=self.require_writable)
            return self._texts
