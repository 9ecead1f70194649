"""The collection map of one library: build or update it, read it, export it.

:class:`CollectionMap` gets the database, the library folder and callables
(the model's name, the writable check, the vocabulary's terms and vectors)
through its constructor; :func:`artseek.map.for_library` wires them from a
:class:`artseek.library.Library`, for the CLI and the window alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import artseek.map.clusters as clustering
import artseek.map.layout as layout
from artseek.errors import ArtSeekError
from artseek.ingest.progress import JobControl
from artseek.map.clusters import ClusterInfo
from artseek.map.progress import MapListener, MapOptions, MapProgress, MapReport
from artseek.map.store import MapPoints, MapStore
from artseek.storage import Database

Vocabulary = Callable[[], tuple[list[str], np.ndarray]]


class MapError(ArtSeekError):
    """The map cannot be made or read."""


class CollectionMap:
    """The map: :meth:`build` (update, or refit), :meth:`points`, :meth:`clusters`, :meth:`export_csv`,
    :meth:`render_png`."""

    def __init__(self, db: Database, folder: Path, model_name: Callable[[], str],
                 require_writable: Callable[[], None], vocabulary: Vocabulary | None = None) -> None:
        self.store = MapStore(db, folder)
        self.model_name, self.require_writable, self.vocabulary = model_name, require_writable, vocabulary

    # ------------------------------------------------------------ reading
    def points(self) -> MapPoints:
        return self.store.points()

    def clusters(self) -> list[ClusterInfo]:
        return self.store.clusters()

    def pending(self) -> int:
        """Indexed images not on the map yet (0: the map is up to date, or there is none)."""
        return len(set(self.store.indexed_ids().tolist()) - self.store.placed_ids())

    # ------------------------------------------------------------ building
    def build(self, refit: bool = False, options: MapOptions | None = None, listener: MapListener | None = None,
              control: JobControl | None = None) -> MapReport:
        """Bring the map up to date: new images placed with the saved layout model (no refit), images gone taken
        off; the whole layout fitted again with ``refit`` or when there is no usable saved model."""
        self.require_writable()
        options = options or MapOptions()
        start = time.perf_counter()
        tell = listener or (lambda _p: None)
        control = control or JobControl()
        tell(MapProgress("reading", message="Reading the embeddings…"))
        ids = self.store.indexed_ids()
        if not len(ids):
            raise MapError("The library has no indexed images to map.", "Import a folder first, then build the map.")
        model, why = (None, "a full refit was asked for") if refit else self.store.load_layout(self.model_name())
        placed = self.store.placed_ids()
        if model is None or not placed:
            report = self._refit(ids, options, tell, control)
            report.note = "" if refit else why
        else:
            report = self._update(model, ids, placed, options, tell, control)
        report.seconds = round(time.perf_counter() - start, 2)
        tell(MapProgress("cancelled" if report.cancelled else "done", report.points, report.points))
        return report

    def _refit(self, ids: np.ndarray, options: MapOptions, tell: MapListener, control: JobControl) -> MapReport:
        vectors = self.store.vectors(ids)
        sample = layout.choose_sample(len(ids), options.sample, options.seed)
        tell(MapProgress("fitting", 0, len(ids), f"Fitting the layout on {len(sample):,} images…"))
        if not control.checkpoint():
            return MapReport(cancelled=True, refit=True)
        model, sample_xy = layout.fit(vectors[sample], options)
        xy = np.empty((len(ids), 2), dtype=np.float32)
        xy[sample] = sample_xy
        placed_by = np.full(len(ids), "transform", dtype=object)
        placed_by[sample] = "fit"
        rest = np.setdiff1d(np.arange(len(ids)), sample, assume_unique=True)
        if len(rest):
            placed = self._place(model, vectors[rest], options, tell, control, offset=len(sample), total=len(ids))
            if placed is None:
                return MapReport(cancelled=True, refit=True)
            xy[rest] = placed
        if not control.checkpoint():
            return MapReport(cancelled=True, refit=True)
        tell(MapProgress("clustering", len(ids), len(ids), "Finding clusters…"))
        labels = clustering.cluster(xy, options.min_cluster_size, options.seed)
        labels = _by_size(labels)
        tell(MapProgress("labelling", len(ids), len(ids), "Naming the clusters…"))
        infos = self._label(ids, vectors, xy, labels)
        if not control.checkpoint():
            return MapReport(cancelled=True, refit=True)
        tell(MapProgress("saving", len(ids), len(ids), "Saving the map…"))
        layout_file = None
        if model is not None:
            name, sha = self.store.write_layout(model)
            layout_file = (name, sha, self.model_name())
        self.store.save(ids, xy, labels, list(placed_by), infos, replace=True, layout=layout_file)
        return MapReport(points=len(ids), fitted=len(sample), placed=len(rest), clusters=len(infos), refit=True)

    def _update(self, model: object, ids: np.ndarray, placed: set[int], options: MapOptions, tell: MapListener,
                control: JobControl) -> MapReport:
        current = set(ids.tolist())
        new = np.array(sorted(current - placed), dtype=np.int64)
        removed = sorted(placed - current)
        old = self.store.points()
        keep = np.isin(old.ids, np.array(removed, dtype=np.int64), invert=True)
        xy = np.zeros((0, 2), np.float32)
        labels = np.zeros(0, np.int32)
        if len(new):
            xy = self._place(model, self.store.vectors(new), options, tell, control, 0, len(new))
            if xy is None:
                return MapReport(cancelled=True)
            labels = clustering.assign(old.xy[keep & (old.cluster >= 0)], old.cluster[keep & (old.cluster >= 0)], xy)
        tell(MapProgress("saving", len(new), len(new), "Saving the map…"))
        sizes = np.bincount(np.concatenate([old.cluster[keep], labels]) + 1)
        infos = [ClusterInfo(c.id, c.label, c.source, c.x, c.y, int(sizes[c.id + 1]) if c.id + 1 < len(sizes) else 0)
                 for c in self.store.clusters()]
        self.store.save(new, xy, labels, "transform", infos, replace=False, removed=removed)
        return MapReport(points=len(ids), placed=len(new), removed=len(removed), clusters=len(infos))

    def _place(self, model: object | None, vectors: np.ndarray, options: MapOptions, tell: MapListener,
               control: JobControl, offset: int, total: int) -> np.ndarray | None:
        if model is None:  # a tiny library: no model, every image on the circle
            return layout.circle(len(vectors))
        tell(MapProgress("placing", offset, total, f"Placing {len(vectors):,} images on the layout…"))

        def step(done: int) -> bool:
            tell(MapProgress("placing", offset + done, total, f"Placed {offset + done:,} of {total:,} images…"))
            return control.checkpoint()

        return layout.transform(model, vectors, options, step)

    def _label(self, ids: np.ndarray, vectors: np.ndarray, xy: np.ndarray, labels: np.ndarray) -> list[ClusterInfo]:
        numbers = sorted(set(labels.tolist()) - {-1})
        if not numbers:
            return []
        members = {c: ids[labels == c].tolist() for c in numbers}
        names = clustering.tag_labels(members, self.store.tags())
        sources = {c: "tags" for c in names}
        missing = [c for c in numbers if c not in names]
        if missing and self.vocabulary is not None:
            try:
                terms, term_vectors = self.vocabulary()
            except ArtSeekError:
                terms, term_vectors = [], np.zeros((0, 0), np.float32)
            centres = clustering.centres(layout.normalised(vectors), labels)
            found = clustering.vocabulary_labels({c: centres[c] for c in missing}, terms, term_vectors)
            names.update(found)
            sources.update({c: "vocabulary" for c in found})
        return [ClusterInfo(c, names.get(c, f"Cluster {c + 1}"), sources.get(c, "number"),
                            *clustering.label_position(xy, labels, c), size=len(members[c])) for c in numbers]

    # ------------------------------------------------------------ exports
    def export_csv(self, path: Path | str) -> int:
        """Write the map as CSV (id, path, x, y, cluster, label); returns the row count."""
        from artseek.csv_safe import write_csv

        points, names = self.points(), {c.id: c.label for c in self.clusters()}
        if not len(points):
            raise MapError("The library has no map yet.", "Build it first: 'python main.py map build'.")
        rows = ({"id": int(i), "path": p, "x": round(float(x), 4), "y": round(float(y), 4), "cluster": int(c),
                 "label": names.get(int(c), "")}
                for i, p, (x, y), c in zip(points.ids, points.paths, points.xy, points.cluster, strict=True))
        return write_csv(path, ["id", "path", "x", "y", "cluster", "label"], rows)

    def render_png(self, path: Path | str, size: int = 1600, thumbnails: Callable[[int], bytes | None] | None = None,
                   highlight: list[int] | None = None) -> Path:
        """A rendered overview (dots coloured by cluster, cluster labels; thumbnails for small maps)."""
        from artseek.map.render import render

        points = self.points()
        if not len(points):
            raise MapError("The library has no map yet.", "Build it first: 'python main.py map build'.")
        return render(points, self.clusters(), Path(path), size, thumbnails, highlight or [])


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber clusters so that 0 is the largest (noise stays -1)."""
    numbers = [c for c in set(labels.tolist()) if c >= 0]
    order = sorted(numbers, key=lambda c: (-int((labels == c).sum()), c))
    mapping = {old: new for new, old in enumerate(order)}
    return np.array([mapping.get(int(c), -1) for c in labels], dtype=np.int32)
