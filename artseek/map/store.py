"""The map's cache in the library: points and clusters in the database, the fitted layout model beside it.

The fitted UMAP model is saved with joblib (a pickle) as
``map_layout-<hash>.joblib`` in the library folder. A pickle can run code when
loaded, so only the library's own file is ever loaded: its SHA-256 is recorded
in the library database when it is written, and a file whose content does not
match (replaced, damaged, copied in from elsewhere) is refused: the next build
then fits the layout again. The file is written under a temporary name and
renamed, and the database switches to it in one transaction with the points,
so a crash or a cancelled build leaves the previous map whole.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import delete, select

from artseek.map.clusters import ClusterInfo
from artseek.storage import Database, Embedding, Image, ImageStatus, MapCluster, MapPoint, Meta, Tag

META_FILE, META_SHA, META_MODEL = "map_layout_file", "map_layout_sha256", "map_layout_model"
PREFIX = "map_layout-"


@dataclass
class MapPoints:
    """Every point of the map, as arrays (row i is one image)."""

    ids: np.ndarray  # int64
    xy: np.ndarray  # float32, (n, 2)
    cluster: np.ndarray  # int32 (-1: no cluster)
    paths: list[str]

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def empty(cls) -> MapPoints:
        return cls(np.zeros(0, np.int64), np.zeros((0, 2), np.float32), np.zeros(0, np.int32), [])


class MapStore:
    def __init__(self, db: Database, folder: Path) -> None:
        self.db, self.folder = db, Path(folder)

    # ------------------------------------------------------------ reading
    def points(self) -> MapPoints:
        with self.db.session() as s:
            rows = s.execute(select(MapPoint.image_id, MapPoint.x, MapPoint.y, MapPoint.cluster, Image.path)
                             .join(Image, Image.id == MapPoint.image_id).order_by(MapPoint.image_id)).all()
        if not rows:
            return MapPoints.empty()
        return MapPoints(np.fromiter((r[0] for r in rows), np.int64, len(rows)),
                         np.array([(r[1], r[2]) for r in rows], dtype=np.float32),
                         np.fromiter((r[3] for r in rows), np.int32, len(rows)), [r[4] for r in rows])

    def indexed_ids(self) -> np.ndarray:
        """The ids of the indexed images (those with an embedding), sorted."""
        with self.db.session() as s:
            ids = s.scalars(select(Embedding.image_id).join(Image, Image.id == Embedding.image_id)
                            .where(Image.status == ImageStatus.INDEXED).order_by(Embedding.image_id)).all()
        return np.asarray(ids, dtype=np.int64)

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """The stored embeddings of ``ids``, in that order (filled chunk by chunk: one copy in memory)."""
        if not len(ids):
            return np.zeros((0, 0), np.float32)
        position = {int(i): n for n, i in enumerate(ids.tolist())}
        out: np.ndarray | None = None
        with self.db.session() as s:
            for start in range(0, len(ids), 900):
                chunk = [int(i) for i in ids[start:start + 900]]
                for image_id, blob in s.execute(select(Embedding.image_id, Embedding.vector)
                                                .where(Embedding.image_id.in_(chunk))):
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if out is None:
                        out = np.empty((len(ids), len(vector)), dtype=np.float32)
                    out[position[image_id]] = vector
        assert out is not None
        return out

    def tags(self) -> dict[int, dict[str, str]]:
        """image id -> {category: value} of every tagged image."""
        out: dict[int, dict[str, str]] = {}
        with self.db.session() as s:
            for image_id, category, value in s.execute(select(Tag.image_id, Tag.category, Tag.value)):
                out.setdefault(image_id, {})[category] = value
        return out

    def placed_ids(self) -> set[int]:
        with self.db.session() as s:
            return set(s.scalars(select(MapPoint.image_id)))

    def clusters(self) -> list[ClusterInfo]:
        with self.db.session() as s:
            return [ClusterInfo(r.id, r.label, r.label_source or "", r.x, r.y, r.size)
                    for r in s.scalars(select(MapCluster).order_by(MapCluster.id))]

    # ------------------------------------------------------------ writing
    def save(self, ids: np.ndarray, xy: np.ndarray, labels: np.ndarray, placed_by: list[str] | str,
             clusters: list[ClusterInfo] | None, replace: bool, removed: list[int] = (),
             layout: tuple[str, str, str] | None = None) -> None:
        """Write points (all of them with ``replace``, else added to the others), the clusters (None: unchanged),
        and switch to a new layout file ``(name, sha256, embedding model)``: one transaction."""
        kinds = [placed_by] * len(ids) if isinstance(placed_by, str) else placed_by
        rows = [dict(image_id=int(i), x=float(p[0]), y=float(p[1]), cluster=int(c), placed_by=k)
                for i, p, c, k in zip(ids.tolist(), xy.tolist(), labels.tolist(), kinds, strict=True)]
        with self.db.session() as s:
            if replace:
                s.execute(delete(MapPoint))
            elif removed:
                for start in range(0, len(removed), 500):
                    s.execute(delete(MapPoint).where(MapPoint.image_id.in_(list(removed)[start:start + 500])))
            existing = set() if replace else set(s.scalars(select(MapPoint.image_id)))
            new = [r for r in rows if r["image_id"] not in existing]
            if new:
                s.execute(MapPoint.__table__.insert(), new)
            if clusters is not None:
                s.execute(delete(MapCluster))
                if clusters:
                    s.execute(MapCluster.__table__.insert(), [
                        dict(id=c.id, label=c.label, label_source=c.source, x=c.x, y=c.y, size=c.size)
                        for c in clusters])
            if layout is not None:
                for key, value in zip((META_FILE, META_SHA, META_MODEL), layout, strict=True):
                    s.merge(Meta(key=key, value=value))
        if layout is not None:
            self._remove_old_layouts(keep=layout[0])

    def write_layout(self, model: object) -> tuple[str, str]:
        """Write the fitted model under a new name; returns (file name, sha256). Not yet the library's layout:
        :meth:`save` switches to it."""
        import joblib

        tmp = self.folder / f"{PREFIX}writing.tmp"
        try:
            with tmp.open("wb") as f:
                joblib.dump(model, f, protocol=4)
                f.flush()
                os.fsync(f.fileno())
            sha = _sha256(tmp)
            name = f"{PREFIX}{sha[:16]}.joblib"
            os.replace(tmp, self.folder / name)
        finally:
            tmp.unlink(missing_ok=True)
        return name, sha

    def _remove_old_layouts(self, keep: str) -> None:
        for old in self.folder.glob(f"{PREFIX}*.joblib"):
            if old.name != keep:
                old.unlink(missing_ok=True)

    # ------------------------------------------------------------ the layout model
    def load_layout(self, model_name: str) -> tuple[object | None, str]:
        """The saved fitted model, or (None, why it cannot be used)."""
        name, sha, made_with = (self.db.get_meta(k) for k in (META_FILE, META_SHA, META_MODEL))
        if not name or not sha:
            return None, "the library has no saved layout yet"
        if made_with != model_name:
            return None, f"the layout was made with the model '{made_with}', the library now uses '{model_name}'"
        path = self.folder / name
        if Path(name).name != name or not path.is_file():
            return None, f"the layout file '{name}' is missing"
        if _sha256(path) != sha:
            return None, f"the layout file '{name}' is not the one this library wrote (it was changed or damaged)"
        import joblib

        from artseek.map.jit import umap_class

        umap_class()  # umap imported with numba's cache on before the pickle imports it
        try:
            return joblib.load(path), ""
        except Exception as exc:  # noqa: BLE001 - any unreadable file means: fit again
            return None, f"the layout file '{name}' cannot be read ({type(exc).__name__})"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
