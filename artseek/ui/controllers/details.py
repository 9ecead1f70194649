"""Detail and reproduction indexing on/off, and Find Reproductions / Find the Source for the current result."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from artseek.search.results import SearchResult
from artseek.ui import errors
from artseek.ui.query_state import QueryModel


def as_results(found: list) -> list[SearchResult]:  # noqa: ANN001 - list[Reproduction]
    """Reproductions as grid results: score = verified matches; ``quad`` (where the photograph lies in the
    result) is outlined by the detail view."""
    out = []
    for r in found:
        out.append(SearchResult(r.image_id, r.path, float(r.inliers), quad=r.quad if r.quad_in == "result" else None))
    return out


class DetailsController(QObject):
    """Flows of detail indexing and reproductions; results go to the grid through the query model."""

    def __init__(self, service, state: QueryModel, current: Callable, window: QWidget,  # noqa: ANN001
                 status: Callable[[str, int], None]) -> None:
        super().__init__(window)
        self.service, self.details, self.state = service, service.details, state
        self.current, self.window, self.status = current, window, status
        self.details.tilesSet.connect(self._tiles_set)
        self.details.wordsSet.connect(self._words_set)
        self.details.reproductionsFound.connect(self._found)
        self.details.failed.connect(lambda title, exc: errors.report(self.window, title, exc, self.status))

    def toggle_detail_indexing(self) -> None:
        on = not self.details.detail_indexing()
        self.status("Making the tiles of every image…" if on else "Turning detail indexing off…", 0)
        self.details.set_detail_indexing(on)

    def _tiles_set(self, on: bool, images: int) -> None:
        self.status(f"Detail indexing is on: tiles made for {images} images; a small motif is now found."
                    if on else "Detail indexing is off: its tiles were removed.", 10000)

    def toggle_reproduction_indexing(self) -> None:
        on = not self.details.reproduction_indexing()
        self.status("Finding the visual words of every image…" if on else "Turning reproduction indexing off…", 0)
        self.details.set_reproduction_indexing(on)

    def _words_set(self, on: bool, images: int) -> None:
        self.status(f"Reproduction indexing is on: visual words made for {images} images; Find Reproductions and "
                    "Find the Source now search the whole library quickly." if on else
                    "Reproduction indexing is off: the visual words were removed.", 10000)

    def find(self, source: bool) -> None:
        result = self.current()
        if result is None:
            self.status("Select an image first.", 5000)
            return
        self.status(f"Looking for {'the source of' if source else 'reproductions of'} "
                    f"{os.path.basename(result.path)}…", 0)
        self.details.find_reproductions(result.path, source)

    def _found(self, path: str, source: bool, found: list) -> None:
        name = os.path.basename(path)
        if not found:
            self.status(f"No library image {'appears inside' if source else 'contains'} {name}.", 10000)
            return
        self.state.set_results(as_results(found))
        self.status(f"{len(found)} {'sources found inside' if source else 'reproductions found of'} {name} "
                    f"(score = verified matches; the outline shows where).", 15000)
