"""The service's map part: build, update and read the collection map on the service's worker threads.

:class:`MapService` belongs to :class:`artseek.ui.service.LibraryService` (its
``map``). A build writes to the library, so it runs on the write thread, like
indexing, with a :class:`JobControl` to cancel it (between steps: UMAP's fit
itself runs to its end); reading the map runs on a read thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from artseek.ingest.progress import JobControl


@dataclass
class MapData:
    """What the map view shows: the points (ids, xy, cluster, paths), the clusters, and how many images wait."""

    points: object  # artseek.map.store.MapPoints
    clusters: list = field(default_factory=list)  # ClusterInfo
    pending: int = 0


class MapService(QObject):
    """The map of the open library; answers with signals (delivered on the UI thread)."""

    loaded = Signal(object)  # MapData
    progress = Signal(object)  # MapProgress
    built = Signal(object)  # MapReport
    failed = Signal(str, object)  # what was being done, the exception

    def __init__(self, service: QObject) -> None:
        """``service``: the LibraryService (its ``library``, ``need_library``, ``run_background``)."""
        super().__init__(service)
        self.service = service
        self.options = None  # MapOptions (None: the defaults)
        self._control: JobControl | None = None

    @property
    def building(self) -> bool:
        return self._control is not None

    def load(self) -> None:
        lib = self.service.library
        if lib is None:
            return

        def work() -> MapData:
            from artseek.map import for_library

            collection_map = for_library(lib)
            return MapData(collection_map.points(), collection_map.clusters(), collection_map.pending())

        self.service.run_background(work, self._loaded_if(lib), lambda exc: self.failed.emit("The map could not be "
                                                                                              "read", exc))

    def _loaded_if(self, lib: object):  # noqa: ANN202
        return lambda data: self.loaded.emit(data) if lib is self.service.library else None

    def build(self, refit: bool = False) -> bool:
        """Update the map (new images placed, gone ones removed) or, with ``refit``, lay it out again."""
        if self._control is not None or not self.service.need_library(write=True, idle=True):
            return False
        lib, control, options = self.service.library, JobControl(), self.options
        self._control = control

        def work() -> tuple:
            from artseek.map import for_library

            collection_map = for_library(lib)
            report = collection_map.build(refit, options, self.progress.emit, control)
            return report, MapData(collection_map.points(), collection_map.clusters(), collection_map.pending())

        def done(result: tuple) -> None:
            self._control = None
            report, data = result
            self.built.emit(report)
            self._loaded_if(lib)(data)

        def fail(exc: BaseException) -> None:
            self._control = None
            self.failed.emit("The map could not be built", exc)

        self.service.run_background(work, done, fail, write=True)
        return True

    def cancel(self) -> None:
        """Stop a running build after its current step (the map saved before stays as it was)."""
        if self._control is not None:
            self._control.cancel()
