"""Find Reproductions / Find the Source: candidates from the indexes, then local features and RANSAC.

*Find Reproductions* (``source=False``): the query is a photograph; which
library images contain it? Candidates are the nearest images to its embedding
and the images owning the nearest tiles (detail indexing), each verified with
the photograph as the thing to find. *Find the Source* (``source=True``): the
query is a page; which library image appears inside it? The query's own tiles
(and the whole page) are embedded and searched in the image index, and each
candidate is verified as the thing to find inside the query. With reproduction
indexing on, the candidates are the images sharing most rare visual words with
the query (:mod:`.visual_words`), in both directions. A small library (up to
``exhaustive_below`` images) is verified whole. Features are computed on
demand, for candidates only, and kept in a small in-memory cache.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
from PIL import Image

from artseek.errors import QueryError
from artseek.ingest.decode import DecodeError, open_image, read_file
from artseek.ingest.progress import JobControl
from artseek.reproductions.features import MAX_SIDE, Features, extract
from artseek.reproductions.matching import MIN_INLIERS, verify
from artseek.tiles.grid import crops

CANDIDATES = 50
WORD_CANDIDATES = 20  # the visual words' shortlist is sharper: its top 10 held what verifying all 50 found
EXHAUSTIVE_BELOW = 200
CACHE = 256


class WordsOffError(QueryError):
    """Visual-word candidates were asked for in a library without reproduction indexing."""


@dataclass(frozen=True)
class Reproduction:
    """One verified match. ``quad`` outlines the found photograph in the page: in the result image when
    looking for reproductions (``quad_in == "result"``), in the query when looking for the source."""

    image_id: int
    path: str
    inliers: int
    matches: int
    quad: tuple[tuple[float, float], ...]
    quad_in: str

    def to_dict(self) -> dict:
        return asdict(self)


class ReproductionFinder:
    """Verifies candidates with local features; the library passes in how to find and read them."""

    def __init__(self, paths: Callable[[list[int]], dict[int, str]], all_ids: Callable[[], list[int]],
                 embed: Callable[[Image.Image], np.ndarray],
                 search_images: Callable[[np.ndarray, int], list[tuple[int, float]]],
                 search_tiles: Callable[[np.ndarray, int], list[tuple[int, float]]],
                 search_words: Callable[[Features, int], list[tuple[int, float]]] | None = None,
                 words_on: Callable[[], bool] = lambda: False) -> None:
        self._paths = paths
        self._all_ids = all_ids
        self._embed = embed
        self._search_images = search_images
        self._search_tiles = search_tiles
        self._search_words = search_words
        self._words_on = words_on  # whether reproduction indexing is on (its words are the auto candidates)
        self._cache: OrderedDict[int, Features | None] = OrderedDict()

    # ---------------------------------------------------------- candidates
    def candidates(self, image: Image.Image, source: bool, pool: str = "auto", count: int | None = None,
                   features: Features | None = None) -> list[int]:
        """Library images worth verifying. ``pool``: "auto" (all of a small library, else "words" when
        reproduction indexing is on, else "both"), "all", "images" (whole-image vectors only), "tiles" (the tile
        index, or the query's tiles for a source search), "both" (the union of images and tiles, best ``count``
        by similarity), "words" (the inverted index of visual words; ``features``: the query's)."""
        ids = self._all_ids()
        if pool == "all" or (pool == "auto" and len(ids) <= EXHAUSTIVE_BELOW):
            return ids
        if pool == "words" or (pool == "auto" and self._search_words is not None and self._words_on()):
            if self._search_words is None or not self._words_on():
                raise WordsOffError("Reproduction indexing is off for this library: there are no visual words "
                                    "to search.", "Turn it on with 'main.py library words on --now', or choose "
                                    "another --pool.")
            query = features if features is not None else extract(image)
            shortlist = [i for i, _ in self._search_words(query, count or WORD_CANDIDATES)]
            if shortlist or pool == "words":  # auto: no words made yet (or none shared) -> the vector indexes
                return shortlist
        count = count or CANDIDATES
        scores: dict[int, float] = {}

        def take(ranked: list[tuple[int, float]]) -> None:
            for i, s in ranked:
                scores[i] = max(scores.get(i, -2.0), s)

        if pool in ("auto", "images", "both"):
            take(self._search_images(self._embed(image), count))
        if pool in ("auto", "tiles", "both"):
            if source:  # the photograph is a part of the query page: its tiles are searched among whole images
                for _, _, crop in crops(image):
                    take(self._search_images(self._embed(crop), count))
            else:
                take(self._search_tiles(self._embed(image), count))
        return [i for i, _ in sorted(scores.items(), key=lambda kv: -kv[1])[:count]]

    # -------------------------------------------------------------- verify
    def features_of(self, image_id: int, path: str) -> Features | None:
        if image_id in self._cache:
            self._cache.move_to_end(image_id)
            return self._cache[image_id]
        try:
            pil, *_ = open_image(read_file(path), min_long_side=MAX_SIDE)
            features = extract(pil)
        except DecodeError:
            features = None
        self._cache[image_id] = features
        if len(self._cache) > CACHE:
            self._cache.popitem(last=False)
        return features

    def find(self, image: Image.Image, source: bool = False, top_k: int = 10, pool: str = "auto",
             exclude: set[int] | None = None, min_inliers: int = MIN_INLIERS,
             control: JobControl | None = None, candidates: int | None = None) -> list[Reproduction]:
        """Verified matches of ``image`` among the candidates, most verified matches first."""
        query = extract(image)
        ids = [i for i in self.candidates(image, source, pool, candidates, query) if not exclude or i not in exclude]
        paths = self._paths(ids)
        found: list[Reproduction] = []
        for i in ids:
            if control is not None and control.cancelled:
                break
            if i not in paths:
                continue
            other = self.features_of(i, paths[i])
            if other is None:
                continue
            photo, page = (other, query) if source else (query, other)
            v = verify(photo, page, min_inliers)
            if v is not None:
                found.append(Reproduction(i, paths[i], v.inliers, v.matches, v.quad, "query" if source else "result"))
        found.sort(key=lambda r: -r.inliers)
        return found[:top_k]
