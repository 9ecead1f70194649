"""Composed queries (an example image plus text): Pic2Word when the library has a mapper, else averaging.

Averaging (:func:`artseek.search.feedback.compose`) mixes the two embeddings.
Pic2Word maps the example image to a pseudo-word and encodes the text with the
image standing in it: "blue" becomes ``"a blue *"``, "on a striped background"
becomes ``"a * on a striped background"``, and a text that already contains
``*`` is taken as written ("an engraving of *").

``Query.composed`` picks the method: ``"average"``, ``"pic2word"`` (an error
when the library has no mapper for its model) or ``"auto"``: Pic2Word when
:data:`AUTO_USES_MAPPER` and the library has a usable mapper, else averaging
(see docs/evaluation.md for the measurement that chose averaging for now).
The window's "Compose Image + Text with Pic2Word" asks for ``"pic2word"``
when the library has a mapper (:meth:`Composer.method_to_use`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from artseek.composed.mapper import Mapper, MapperError, MapperInfo, load_mapper, mapper_paths, read_info
from artseek.config import is_frozen
from artseek.embedding.encoder import Encoder
from artseek.embedding.pseudo_token import PSEUDO_TOKEN, PseudoTokenError
from artseek.search.feedback import compose
from artseek.search.query import Query
from artseek.search.ranking import normalise

COMPOSED_METHODS = ("auto", "pic2word", "average")
# Whether "auto" uses a trained mapper. False: on the tiny model Pic2Word beat averaging on colour changes but
# lost on background changes and on mean R@5/10 (docs/evaluation.md, "Composed queries"), so averaging stays the
# default; rerun `eval composed` with real weights before turning this on.
AUTO_USES_MAPPER = False


def prompt_for(text: str) -> str:
    """The Pic2Word prompt for a curator's modifier text (``*`` is where the image stands)."""
    t = " ".join(text.split())
    if PSEUDO_TOKEN in t:
        return t
    if len(t.split()) == 1:
        return f"a {t} {PSEUDO_TOKEN}"
    return f"a {PSEUDO_TOKEN} {t}"


def pic2word_advice(frozen: bool) -> str:
    """What to do when the encoder has no Pic2Word text tower: the packaged app leaves it out to stay small."""
    if frozen:
        return ("Use averaging: this installation of ArtSeek does not include the Pic2Word text tower "
                "(ask whoever built it for a build with ARTSEEK_BUNDLE_PIC2WORD=1).")
    return "Re-export the model ('python main.py models export'), or use averaging."


def is_composed(query: Query) -> bool:
    """Whether ``query`` has both an example image and a text (the only queries a method applies to)."""
    return bool(query.images) and bool(query.text and query.text.strip())


class Composer:
    """Composes the image+text part of queries for one library.

    Gets the library folder, the current model name and the encoder through
    its constructor (callables, so a model change is seen at once). The mapper
    file is read on first use and again when it changes on disk.
    """

    def __init__(self, folder: Path, model_name: Callable[[], str], encoder: Callable[[], Encoder]) -> None:
        self.folder = Path(folder)
        self._model_name = model_name
        self._encoder = encoder
        self._lock = threading.Lock()
        self._cached: tuple[tuple, Mapper | None] | None = None

    # ------------------------------------------------------------- mapper
    def info(self) -> MapperInfo | None:
        """The mapper's description if the library has one for its current model (else None)."""
        try:
            info = read_info(self.folder)
        except MapperError:
            return None
        return info if info is not None and info.model == self._model_name() else None

    def has_mapper(self) -> bool:
        return self.info() is not None

    def mapper(self) -> Mapper | None:
        """The usable mapper, or None; raises :class:`MapperError` for a stale or damaged one."""
        weights, meta = mapper_paths(self.folder)
        try:
            key = (self._model_name(), meta.stat().st_mtime_ns, weights.stat().st_mtime_ns)
        except OSError:
            return None
        with self._lock:
            if self._cached is None or self._cached[0] != key:
                encoder = self._encoder()
                self._cached = (key, load_mapper(self.folder, key[0], encoder.embed_dim, encoder.token_width))
            return self._cached[1]

    # ------------------------------------------------------------ queries
    def method_to_use(self, wanted: str) -> str:
        """``wanted``, except that ``"pic2word"`` becomes ``"average"`` when the library has no mapper for its model."""
        return "average" if wanted == "pic2word" and not self.has_mapper() else wanted

    def method_for(self, query: Query) -> str | None:
        """``"pic2word"`` or ``"average"`` for a composed query (None when it is not one)."""
        if not is_composed(query):
            return None
        choice = query.composed
        if choice not in COMPOSED_METHODS:
            raise MapperError(f"Unknown composed-query method '{choice}'.",
                              f"Use one of: {', '.join(COMPOSED_METHODS)}.")
        if choice == "average":
            return "average"
        if choice == "pic2word":
            if self.mapper() is None:
                raise MapperError("This library has no composed-query mapper (Pic2Word) yet.",
                                  "Train one: 'python main.py train mapper', or use averaging.")
            if self._encoder().token_width == 0:
                raise PseudoTokenError("This model's encoder cannot take a pseudo-word (no Pic2Word text tower).",
                                       pic2word_advice(is_frozen()))
            return "pic2word"
        if not AUTO_USES_MAPPER or self._encoder().token_width == 0:
            return "average"
        try:
            return "pic2word" if self.mapper() is not None else "average"
        except MapperError:
            return "average"  # a stale mapper (the model changed) does not break searching: retrain it

    def compose(self, query: Query, text: np.ndarray | None, images: list[np.ndarray]) -> np.ndarray | None:
        """The base query vector: Pic2Word or averaging as :meth:`method_for` decides."""
        if self.method_for(query) != "pic2word":
            return compose(text, images, query.text_weight)
        mapper = self.mapper()
        assert mapper is not None and query.text is not None
        return self.pic2word(mapper, query.text, images)

    def pic2word(self, mapper: Mapper, text: str, images: list[np.ndarray]) -> np.ndarray:
        """Encode ``prompt_for(text)`` with the mean example image as its pseudo-word."""
        image = normalise(np.mean(images, axis=0))
        token = mapper(image[None])
        return normalise(self._encoder().encode_texts_with_tokens([prompt_for(text)], token)[0])
