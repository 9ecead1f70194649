"""Detail indexing and reproductions, a mixin of :class:`artseek.library.Library`.

``lib.tiles`` is the library's :class:`~artseek.tiles.TileStore` (per-library
setting, tile vectors, their own index); :meth:`LibraryDetails.merge_tiles`
merges tile hits into a ranking by image (best of the image and its tiles);
:meth:`LibraryDetails.find_reproductions` runs *Find Reproductions* / *Find
the Source* (:mod:`artseek.reproductions`).
"""

from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
from PIL import Image as PILImage
from sqlalchemy import select

from artseek.errors import QueryError
from artseek.ingest.decode import DecodeError, open_image, read_file, to_rgb
from artseek.ingest.progress import JobControl
from artseek.reproductions import Reproduction, ReproductionFinder
from artseek.reproductions.features import MAX_SIDE
from artseek.reproductions.visual_words import VisualWordStore
from artseek.search.ranking import normalise, rank_by_vector
from artseek.search.results import SearchResult
from artseek.storage import Image, ImageStatus
from artseek.storage.errors import guarded
from artseek.tiles import Region, TileStore
from artseek.tiles.store import embed_crop


class LibraryDetails:
    """Tiles and reproductions of a library (mixed into ``Library``, which provides db, folder, encoder...)."""

    _tile_store: TileStore | None = None
    _finder: ReproductionFinder | None = None
    _word_store: VisualWordStore | None = None

    @property
    def tiles(self) -> TileStore:
        if self._tile_store is None:
            self._tile_store = TileStore(self.db, self.folder, self.library_id, lambda: self.encoder, self.read_only)
        return self._tile_store

    def set_detail_indexing(self, on: bool) -> None:
        """Turn detail indexing on (tiles are made by the next index/rescan or :meth:`update_tiles`) or off."""
        self.require_writable()
        self.tiles.set_enabled(on)

    @guarded
    def update_tiles(self, control: JobControl | None = None, progress=None) -> int:  # noqa: ANN001
        """Make the tiles of indexed images that have none (when detail indexing is on); returns the image count."""
        return self.tiles.update(control, progress) if self.tiles.enabled and not self.read_only else 0

    def merge_tiles(self, vector: np.ndarray | None, ranked: list[tuple[int, float]], top_k: int,
                    exclude: set[int] | None = None) -> tuple[list[tuple[int, float]], dict[int, Region]]:
        """``ranked`` merged with the tile hits of ``vector`` by image (best of), and the region of each image
        whose best match is one of its tiles."""
        if vector is None or not self.tiles.enabled:
            return ranked, {}
        best = dict(ranked)
        regions: dict[int, Region] = {}
        for hit in self.tiles.search(normalise(vector), top_k, exclude):
            if hit.score > best.get(hit.image_id, -2.0):
                best[hit.image_id] = hit.score
                regions[hit.image_id] = hit.region
        merged = sorted(best.items(), key=lambda kv: -kv[1])[:top_k]
        return merged, {i: regions[i] for i, _ in merged if i in regions}

    @staticmethod
    def with_regions(results: list[SearchResult], regions: dict[int, Region]) -> list[SearchResult]:
        return [replace(r, region=regions[r.image_id]) if r.image_id in regions else r for r in results]

    # ------------------------------------------------------- reproductions
    @property
    def visual_words(self) -> VisualWordStore:
        """Reproduction indexing: the library's visual words and their inverted index."""
        if self._word_store is None:
            self._word_store = VisualWordStore(self.db, self.read_only)
        return self._word_store

    def set_reproduction_indexing(self, on: bool) -> None:
        """Turn reproduction indexing on (words are made by the next index/rescan or
        :meth:`update_visual_words`) or off (the words and vocabulary are forgotten)."""
        self.require_writable()
        self.visual_words.set_enabled(on)

    @guarded
    def update_visual_words(self, control: JobControl | None = None, progress=None) -> int:  # noqa: ANN001
        """Make the visual words of indexed images that have none (when reproduction indexing is on)."""
        return self.visual_words.update(control, progress) if not self.read_only else 0

    @property
    def reproductions(self) -> ReproductionFinder:
        if self._finder is None:
            self._finder = ReproductionFinder(self._image_paths, self._indexed_ids, self._embed_pil,
                                              lambda v, k: rank_by_vector(self.vectors, normalise(v), k),
                                              lambda v, k: [(h.image_id, h.score) for h in self.tiles.search(v, k)],
                                              lambda f, k: self.visual_words.search(f, k),
                                              lambda: self.visual_words.enabled)
        return self._finder

    def _image_paths(self, ids: list[int]) -> dict[int, str]:
        with self.db.session() as s:
            return dict(s.execute(select(Image.id, Image.path).where(Image.id.in_(ids))).all())

    def _indexed_ids(self) -> list[int]:
        with self.db.session() as s:
            return list(s.scalars(select(Image.id).where(Image.status == ImageStatus.INDEXED).order_by(Image.id)))

    def _embed_pil(self, image: PILImage.Image) -> np.ndarray:
        return embed_crop(self.encoder, to_rgb(image))

    @guarded
    def find_reproductions(self, image: str | os.PathLike[str] | bytes | PILImage.Image, source: bool = False,
                           top_k: int = 10, pool: str = "auto", control: JobControl | None = None) -> list[Reproduction]:
        """Library images that contain ``image`` (or, with ``source``, that ``image`` contains), verified."""
        try:
            if isinstance(image, PILImage.Image):
                pil = to_rgb(image)
            else:
                data = image if isinstance(image, bytes) else read_file(os.fspath(image))
                pil, *_ = open_image(data, min_long_side=MAX_SIDE)
        except DecodeError as exc:
            raise QueryError(f"The image cannot be used to look for reproductions: {exc}.",
                             "Use a JPEG, PNG, TIFF or other common image file.") from None
        exclude = None
        if isinstance(image, (str, os.PathLike)):
            own = self.image_id_for_path(image)
            exclude = {own} if own is not None else None
        return self.reproductions.find(pil, source, top_k, pool, exclude, control=control)
