"""The service's filters and search history (part of the window's door to the core).

:class:`HistoryService` belongs to :class:`artseek.ui.service.LibraryService`
(its ``history``): what the filter dialog offers (the library's folders,
formats, tags and collections), the recent searches for Search → Recent
Searches, and one of them read back for restoring, all on the service's read
threads, answered with signals.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class HistoryService(QObject):
    """Filter choices and recent searches of the open library; answers with signals."""

    optionsReady = Signal(object)  # FilterOptions
    entriesListed = Signal(list)  # list[HistoryEntry], newest first
    entryReady = Signal(object, object)  # the HistoryEntry, the example image's current path (or None)
    failed = Signal(str, object)  # what was being done, the exception

    def __init__(self, service: QObject) -> None:
        """``service``: the LibraryService (its ``library``, ``run_background``; not imported: a cycle)."""
        super().__init__(service)
        self.service = service

    def _fail(self, title: str):  # noqa: ANN202
        return lambda exc: self.failed.emit(title, exc)

    def filter_options(self) -> None:
        lib = self.service.library
        if lib is not None:
            self.service.run_background(lib.filter_options, self.optionsReady.emit,
                                        self._fail("The filter choices could not be read"))

    def list_entries(self, limit: int = 30) -> None:
        lib = self.service.library
        if lib is not None:
            self.service.run_background(lambda: lib.history.entries(limit), self.entriesListed.emit,
                                        self._fail("The recent searches could not be read"))

    def restore(self, entry_id: int) -> None:
        lib = self.service.library
        if lib is None:
            return

        def work() -> tuple:
            entry = lib.history.get(entry_id)
            record = lib.image_record(entry.example_id) if entry.example_id is not None else None
            return entry, (record["path"] if record else entry.example_path)

        self.service.run_background(work, lambda answer: self.entryReady.emit(*answer),
                                    self._fail("The search could not be restored"))
