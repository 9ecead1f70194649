"""Reproduction indexing: every image's visual words, kept in step with the library, searched by tf-idf.

The candidates of *Find Reproductions* / *Find the Source* in a library too
large to verify whole, independent of the embedding model: the images sharing
most (rare) local-feature words with the query. Per library and optional (a
setting, like detail indexing), because making the words reads every image
again and runs SIFT on it.

* Vocabulary: a tree of k-means centres (:mod:`.vocabulary`) trained on a
  sample of the library's own RootSIFT descriptors (up to ``TRAIN_IMAGES``
  images) the first time words are made; kept in ``visual_codebooks``. Images
  added later are quantised with it: nothing is recomputed.
* Per image: its distinct words as sorted uint16 in ``visual_words``, with the
  embedding ``seq`` they were made for (a re-indexed image gets new words;
  a removed one loses them with its row, ON DELETE CASCADE).
* Search: an :class:`~.inverted.InvertedIndex` built in memory on the first
  query and brought up to date (rows added or gone) before each.

:class:`VisualWordStore` gets the database and the read-only flag through its
constructor; it never sees the ``Library``.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np
from PIL import Image as PILImage
from sqlalchemy import delete, func, select

from artseek.ingest.decode import DecodeError, open_image, read_file
from artseek.ingest.progress import JobControl
from artseek.reproductions.features import MAX_SIDE, Features, extract
from artseek.reproductions.inverted import InvertedIndex
from artseek.reproductions.vocabulary import Vocabulary, rootsift, train
from artseek.storage import Database, Embedding, Image, ImageStatus
from artseek.storage.models import VisualCodebook, VisualWords

META_WORDS = "visual_words"  # "on" when reproduction indexing is on for this library
TRAIN_IMAGES = 200  # images whose descriptors train the vocabulary
TRAIN_PER_IMAGE = 3000  # descriptors kept per training image (all of them, at the default 3000 keypoints)
WORD_FEATURES = 3000  # SIFT keypoints per image (as many as verification uses)
BATCH = 16


def words_of(vocabulary: Vocabulary, features: Features) -> np.ndarray:
    """The distinct words of ``features``, sorted (uint16)."""
    if not len(features):
        return np.zeros(0, np.uint16)
    return np.unique(vocabulary.quantise(rootsift(features.descriptors))).astype(np.uint16)


class VisualWordStore:
    """Reproduction indexing of one library: its setting, vocabulary, words and inverted index."""

    def __init__(self, db: Database, read_only: bool = False) -> None:
        self.db = db
        self.read_only = read_only
        self._vocabulary: tuple[int, Vocabulary] | None = None
        self._index: InvertedIndex | None = None
        self._seen: dict[int, int] = {}  # image id -> the embedding seq of the words the index holds for it

    # ------------------------------------------------------------ setting
    @property
    def enabled(self) -> bool:
        return self.db.get_meta(META_WORDS) == "on"

    def set_enabled(self, on: bool) -> None:
        """Turn reproduction indexing on (words are made by the next index/rescan or :meth:`update`) or off;
        off forgets the words and the vocabulary (remade when it is turned on again)."""
        self.db.set_meta(META_WORDS, "on" if on else "off")
        if not on:
            with self.db.session() as s:
                s.execute(delete(VisualWords))
                s.execute(delete(VisualCodebook))
            self._vocabulary, self._index, self._seen = None, None, {}

    # --------------------------------------------------------- vocabulary
    def vocabulary(self) -> tuple[int, Vocabulary] | None:
        """``(codebook id, vocabulary)`` of the library (None before the first :meth:`update`)."""
        with self.db.session() as s:
            newest = s.scalar(select(func.max(VisualCodebook.id)))
            if newest is None:
                return None
            if self._vocabulary is None or self._vocabulary[0] != newest:
                self._vocabulary = (newest, Vocabulary.from_bytes(s.get(VisualCodebook, newest).tree))
        return self._vocabulary

    def _train(self, todo: list[tuple[int, str, int]], features: dict[int, Features]) -> tuple[int, Vocabulary]:
        sample = random.Random(0).sample(todo, min(TRAIN_IMAGES, len(todo)))
        rng = np.random.default_rng(0)
        parts = []
        for image_id, path, _ in sample:
            f = features.setdefault(image_id, self._extract(path))
            if f is not None and len(f):
                d = f.descriptors
                parts.append(d[rng.choice(len(d), min(TRAIN_PER_IMAGE, len(d)), replace=False)])
        data = rootsift(np.concatenate(parts)) if parts else np.zeros((0, 128), np.float32)
        vocabulary = train(data)
        with self.db.session() as s:
            row = VisualCodebook(words=vocabulary.size, trained_on=len(sample), tree=vocabulary.to_bytes())
            s.add(row)
            s.flush()
            codebook = row.id
        self._vocabulary = (codebook, vocabulary)
        return codebook, vocabulary

    # ------------------------------------------------------------- update
    @staticmethod
    def _extract(path: str) -> Features | None:
        try:
            pil, *_ = open_image(read_file(path), min_long_side=MAX_SIDE)
        except DecodeError:
            return None
        return extract(pil, WORD_FEATURES)

    def pending(self) -> list[tuple[int, str, int]]:
        """``(image id, path, embedding seq)`` of indexed images whose words are missing or stale."""
        current = self.vocabulary()
        with self.db.session() as s:
            done = (select(VisualWords.image_id).where(VisualWords.image_id == Image.id,
                                                       VisualWords.source_seq == Embedding.seq,
                                                       VisualWords.codebook_id == (current[0] if current else -1)))
            return [tuple(r) for r in s.execute(
                select(Image.id, Image.path, Embedding.seq).join(Embedding, Embedding.image_id == Image.id)
                .where(Image.status == ImageStatus.INDEXED, ~done.exists()).order_by(Image.id))]

    def update(self, control: JobControl | None = None,
               progress: Callable[[int, int], None] | None = None) -> int:
        """Make the words of every indexed image that has none (or stale ones); returns how many images.

        The first run also trains the vocabulary on a sample of the images. An image that cannot be read gets
        an empty set of words (it is not read again until it changes)."""
        if not self.enabled or self.read_only:
            return 0
        todo = self.pending()
        if not todo:
            return 0
        features: dict[int, Features | None] = {}
        current = self.vocabulary()
        codebook, vocabulary = current if current is not None else self._train(todo, features)
        done = 0
        for start in range(0, len(todo), BATCH):
            if control is not None and control.cancelled:
                break
            rows = []
            for image_id, path, seq in todo[start:start + BATCH]:
                f = features.pop(image_id) if image_id in features else self._extract(path)
                words = words_of(vocabulary, f) if f is not None else np.zeros(0, np.uint16)
                rows.append(dict(image_id=image_id, codebook_id=codebook, source_seq=seq,
                                 keypoints=len(f) if f is not None else 0, words=words.tobytes()))
            with self.db.session() as s:
                s.execute(delete(VisualWords).where(VisualWords.image_id.in_([r["image_id"] for r in rows])))
                s.execute(VisualWords.__table__.insert(), rows)
            done += len(rows)
            if progress is not None:
                progress(done, len(todo))
        return done

    # ------------------------------------------------------------- search
    def index(self) -> InvertedIndex | None:
        """The inverted index, brought up to date with the stored words (None: no vocabulary yet)."""
        current = self.vocabulary()
        if current is None:
            return None
        codebook, vocabulary = current
        with self.db.session() as s:
            rows = dict(s.execute(select(VisualWords.image_id, VisualWords.source_seq)
                                  .join(Image, Image.id == VisualWords.image_id)
                                  .where(VisualWords.codebook_id == codebook,
                                         Image.status == ImageStatus.INDEXED)).all())
        if self._index is None or self._index.vocabulary_size != vocabulary.size:
            self._index, self._seen = InvertedIndex(vocabulary.size), {}
        index = self._index
        for image_id in [i for i in self._seen if self._seen[i] != rows.get(i)]:
            index.remove(image_id)
            del self._seen[image_id]
        new = [i for i, seq in rows.items() if self._seen.get(i) != seq]
        bulk = len(new) > 1000 or len(index) == 0
        with self.db.session() as s:
            for start in range(0, len(new), 2000):
                chunk = new[start:start + 2000]
                for image_id, seq, words in s.execute(select(VisualWords.image_id, VisualWords.source_seq,
                                                             VisualWords.words)
                                                      .where(VisualWords.image_id.in_(chunk))):
                    index.add(image_id, np.frombuffer(words, dtype=np.uint16), bulk)
                    self._seen[image_id] = seq
        if bulk:
            index.compact()
        return index

    def search(self, features: Features, top_k: int, exclude: set[int] | None = None) -> list[tuple[int, float]]:
        """Library images sharing most rare words with ``features``, best first: (image id, tf-idf score)."""
        if not self.enabled:
            return []
        index = self.index()
        if index is None:
            return []
        return index.query(words_of(self.vocabulary()[1], features), top_k, exclude)

    def stats(self) -> dict:
        current = self.vocabulary()
        with self.db.session() as s:
            images = s.scalar(select(func.count()).select_from(VisualWords)) or 0
            stored = s.scalar(select(func.sum(func.length(VisualWords.words)))) or 0
        return {"enabled": self.enabled, "images": int(images), "words": current[1].size if current else 0,
                "bytes_per_image": round(stored / images, 1) if images else 0.0}


def extract_query(image: PILImage.Image) -> Features:
    """The features of a query image, as the words of library images are made."""
    return extract(image, WORD_FEATURES)
