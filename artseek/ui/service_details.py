"""The service's detail indexing and reproductions (part of the window's door to the core).

:class:`DetailsService` belongs to :class:`artseek.ui.service.LibraryService`
(its ``details``): turning detail indexing on (and making the tiles) runs on
the write thread, as does turning reproduction indexing on (and making the
visual words); *Find Reproductions* / *Find the Source* run on a read thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class DetailsService(QObject):
    """Detail indexing and reproductions of the open library; answers with signals."""

    tilesSet = Signal(bool, int)  # on, images that got tiles now
    wordsSet = Signal(bool, int)  # on, images whose visual words were made now
    reproductionsFound = Signal(str, bool, object)  # the query's path, source?, list[Reproduction]
    failed = Signal(str, object)  # what was being done, the exception

    def __init__(self, service: QObject) -> None:
        """``service``: the LibraryService (its ``library``, ``need_library``, ``run_background``)."""
        super().__init__(service)
        self.service = service

    def detail_indexing(self) -> bool:
        lib = self.service.library
        return bool(lib is not None and lib.tiles.enabled)

    def set_detail_indexing(self, on: bool) -> None:
        self._switch(on, lambda lib: lib.set_detail_indexing(on), lambda lib: lib.update_tiles(), self.tilesSet,
                     "Detail indexing could not be changed")

    def reproduction_indexing(self) -> bool:
        lib = self.service.library
        return bool(lib is not None and lib.visual_words.enabled)

    def set_reproduction_indexing(self, on: bool) -> None:
        self._switch(on, lambda lib: lib.set_reproduction_indexing(on), lambda lib: lib.update_visual_words(),
                     self.wordsSet, "Reproduction indexing could not be changed")

    def _switch(self, on: bool, turn, make, done, failure: str) -> None:  # noqa: ANN001
        """Turn an optional index on or off on the write thread; when on, make it for the indexed images too;
        ``done`` gets (on, images made now)."""
        if not self.service.need_library(write=True, idle=True):
            return
        lib = self.service.library

        def work() -> tuple[bool, int]:
            turn(lib)
            return on, (make(lib) if on else 0)

        self.service.run_background(work, lambda r: done.emit(*r), lambda exc: self.failed.emit(failure, exc),
                                    write=True)

    def find_reproductions(self, path: str, source: bool) -> None:
        if not self.service.need_library():
            return
        lib = self.service.library
        self.service.run_background(lambda: lib.find_reproductions(path, source=source),
                                    lambda found: self.reproductionsFound.emit(path, source, found),
                                    lambda exc: self.failed.emit("Reproductions could not be searched", exc))
