"""The tile vectors of a library: made after indexing, kept in step with the images, searched.

Tiles live in the ``tiles`` table (their vectors kept there, so the index can
always be rebuilt) and in a separate hnswlib index in ``<library>/tiles/``
(the same :class:`VectorIndex` as the images', verified by size and checksum
before it is read). A tile's label is its row id; ids are never reused and
only grow, so the id serves as the ``seq`` the index was saved at: a reopen
re-applies the tiles written after the last save and drops the ones whose
image went. :meth:`TileStore.sync` deletes the tiles of images that are no
longer indexed (removed, missing, re-indexed) and reconciles the index;
:meth:`TileStore.update` embeds the tiles of indexed images that have none.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image as PILImage
from sqlalchemy import delete, func, select

from artseek.embedding.encoder import Encoder
from artseek.embedding.preprocess import to_model_input
from artseek.ingest.decode import DecodeError, open_image, read_file
from artseek.ingest.progress import JobControl
from artseek.storage import Database, Embedding, Image, ImageStatus, Tile
from artseek.tiles.grid import LEVELS, Region, crops
from artseek.vectors import VectorIndex

META_TILES = "tiles"  # "on" when detail indexing is on for this library
FOLDER = "tiles"
BATCH_IMAGES = 8


@dataclass(frozen=True)
class TileHit:
    """The best tile of an image for a query."""

    image_id: int
    score: float
    region: Region


class TileStore:
    """Detail indexing of one library: its setting, its tile vectors and their index."""

    def __init__(self, db: Database, folder: os.PathLike[str] | str, library_id: str,
                 encoder: Callable[[], Encoder], read_only: bool = False) -> None:
        self.db = db
        self.folder = os.fspath(folder)
        self.library_id = library_id
        self._encoder = encoder
        self.read_only = read_only
        self._index: VectorIndex | None = None
        #: What was wrong with the saved tile index when it was opened (None: nothing).
        self.repair_note: str | None = None

    # ------------------------------------------------------------ setting
    @property
    def enabled(self) -> bool:
        return self.db.get_meta(META_TILES) == "on"

    def set_enabled(self, on: bool) -> None:
        """Turn detail indexing on or off; off forgets the tiles (they are remade when turned on again)."""
        self.db.set_meta(META_TILES, "on" if on else "off")
        if not on:
            with self.db.session() as s:
                s.execute(delete(Tile))
            if self._index is not None:
                self._index.reset("detail indexing was turned off")
                self._save()

    # -------------------------------------------------------------- index
    @property
    def index(self) -> VectorIndex:
        if self._index is None:
            dim = self._encoder().embed_dim
            path = os.path.join(self.folder, FOLDER)
            if not self.read_only:
                os.makedirs(path, exist_ok=True)
            from pathlib import Path

            self._index = VectorIndex(Path(path), dim, self.library_id)
            self.sync()
        return self._index

    def _valid(self) -> dict[int, int]:
        with self.db.session() as s:
            return {i: i for i in s.scalars(select(Tile.id))}

    def sync(self) -> tuple[int, int]:
        """Drop the tiles of images no longer indexed (or re-indexed), then make the index hold exactly the rest."""
        index = self.index if self._index is None else self._index
        if not self.read_only:
            with self.db.session() as s:
                current = (select(Embedding.image_id).join(Image, Image.id == Embedding.image_id)
                           .where(Image.status == ImageStatus.INDEXED, Embedding.seq == Tile.source_seq,
                                  Embedding.image_id == Tile.image_id))
                s.execute(delete(Tile).where(~current.exists()))
        valid = self._valid()
        added, removed = index.reconcile(valid, self._fetch)
        if len(index) != len(valid):
            index.reset("The saved tile index did not hold the library's tiles.")
            added, removed = index.reconcile(valid, self._fetch)
        self.repair_note = index.load_problem
        if added or removed or index.load_problem:
            self._save()
        return added, removed

    def _fetch(self, ids: list[int]) -> np.ndarray:
        with self.db.session() as s:
            rows = dict(s.execute(select(Tile.id, Tile.vector).where(Tile.id.in_(ids))).all())
        return np.stack([np.frombuffer(rows[i], dtype=np.float32) for i in ids])

    def _save(self) -> None:
        if self._index is None or self.read_only:
            return
        with self.db.session() as s:
            newest = s.scalar(select(func.max(Tile.id))) or 0
        try:
            self._index.save(newest)
        except OSError:
            pass  # the index in memory is right; the next open repairs the file

    def close(self) -> None:
        self._save()

    # ------------------------------------------------------------- update
    def pending(self) -> list[tuple[int, str, int]]:
        """``(image_id, path, embedding seq)`` of indexed images without tiles."""
        with self.db.session() as s:
            return [tuple(r) for r in s.execute(
                select(Image.id, Image.path, Embedding.seq).join(Embedding, Embedding.image_id == Image.id)
                .where(Image.status == ImageStatus.INDEXED, ~select(Tile.id).where(Tile.image_id == Image.id).exists())
                .order_by(Image.id))]

    def update(self, control: JobControl | None = None,
               progress: Callable[[int, int], None] | None = None) -> int:
        """Embed the tiles of every indexed image that has none; returns how many images got tiles.

        An image that cannot be read now is skipped (it keeps its whole-image vector; the next run tries again).
        """
        if not self.enabled or self.read_only:
            return 0
        self.sync()
        todo = self.pending()
        done = 0
        for start in range(0, len(todo), BATCH_IMAGES):
            if control is not None and control.cancelled:
                break
            done += self._embed_batch(todo[start:start + BATCH_IMAGES])
            if progress is not None:
                progress(min(start + BATCH_IMAGES, len(todo)), len(todo))
        self._save()
        return done

    def _embed_batch(self, batch: list[tuple[int, str, int]]) -> int:
        encoder = self._encoder()
        cfg = encoder.preprocess_cfg
        meta: list[tuple[int, int, int, Region]] = []
        arrays: list[np.ndarray] = []
        for image_id, path, seq in batch:
            try:
                pil, *_ = open_image(read_file(path), min_short_side=cfg.image_size * 2)
            except DecodeError:
                continue
            for level, region, crop in crops(pil, LEVELS):
                meta.append((image_id, seq, level, region))
                arrays.append(to_model_input(crop, cfg))
        if not arrays:
            return 0
        vectors = encoder.encode_images(np.stack(arrays))
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        rows = [Tile(image_id=i, source_seq=seq, level=level, x0=r[0], y0=r[1], x1=r[2], y1=r[3],
                     vector=np.asarray(v, np.float32).tobytes()) for (i, seq, level, r), v in zip(meta, vectors)]
        with self.db.session() as s:
            s.add_all(rows)
            s.flush()
            ids = np.array([t.id for t in rows], dtype=np.int64)
        self.index.add(ids, vectors.astype(np.float32))
        return len({m[0] for m in meta})

    # ------------------------------------------------------------- search
    def search(self, vector: np.ndarray, top_k: int, exclude: set[int] | None = None) -> list[TileHit]:
        """The best tile per image for ``vector`` (normalised), best first, up to ``top_k`` images."""
        if not self.enabled:
            return []
        index = self.index
        if len(index) == 0:
            return []
        ids, scores = index.search(vector, min(len(index), top_k * 8 + 16))
        with self.db.session() as s:
            rows = {r.id: r for r in s.execute(select(Tile.id, Tile.image_id, Tile.x0, Tile.y0, Tile.x1, Tile.y1)
                                               .where(Tile.id.in_([int(i) for i in ids])))}
        best: dict[int, TileHit] = {}
        for tid, score in zip(ids, scores):
            r = rows.get(int(tid))
            if r is None or (exclude and r.image_id in exclude) or r.image_id in best:
                continue
            best[r.image_id] = TileHit(r.image_id, float(score), (r.x0, r.y0, r.x1, r.y1))
        return sorted(best.values(), key=lambda h: -h.score)[:top_k]

    def regions_of(self, image_id: int) -> list[tuple[int, Region]]:
        """``(tile id, region)`` of one image's tiles."""
        with self.db.session() as s:
            return [(r.id, (r.x0, r.y0, r.x1, r.y1)) for r in s.execute(
                select(Tile.id, Tile.x0, Tile.y0, Tile.x1, Tile.y1).where(Tile.image_id == image_id))]

    def stats(self) -> dict:
        with self.db.session() as s:
            count = s.scalar(select(func.count()).select_from(Tile)) or 0
            images = s.scalar(select(func.count(func.distinct(Tile.image_id)))) or 0
        return {"enabled": self.enabled, "tiles": int(count), "images": int(images)}


def embed_crop(encoder: Encoder, image: PILImage.Image) -> np.ndarray:
    """The embedding of one decoded image or crop."""
    return encoder.encode_images(to_model_input(image, encoder.preprocess_cfg)[None])[0]
