"""The service's duplicate finder (part of the window's door to the core): find, mark, collect, export.

:class:`DuplicatesService` belongs to :class:`artseek.ui.service.LibraryService`
(its ``duplicates``) and runs everything on the service's worker threads: finding
(it stores candidate pairs) and the curator's marks on the write thread, the CSV
on a read thread. Progress arrives as a signal, on the UI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class DuplicatesService(QObject):
    """Duplicate groups of the open library; answers with signals."""

    progress = Signal(str, int, int)  # "checking" | "grouping", done, total
    found = Signal(object)  # DuplicateReport
    marked = Signal(str)  # the key of the group remembered as not duplicates
    collected = Signal(str, int)  # the collection's name, images added
    exported = Signal(str, int)  # the CSV's path, rows written
    failed = Signal(str, object)  # what was being done, the exception

    def __init__(self, service: QObject) -> None:
        """``service``: the LibraryService (its ``library``, ``need_library``, ``run_background``)."""
        super().__init__(service)
        self.service = service
        self.report = None  # the last DuplicateReport
        self.running = False

    def _fail(self, title: str):  # noqa: ANN202
        def fail(exc: BaseException) -> None:
            self.running = False
            self.failed.emit(title, exc)
        return fail

    def find(self, similar_threshold: float | None = None, tiers: tuple[str, ...] | None = None) -> bool:
        """Check new images against the library and group everything (on the write thread)."""
        if self.running or not self.service.need_library():
            return False
        from artseek.duplicates import TIERS, Thresholds

        lib = self.service.library
        thresholds = Thresholds() if similar_threshold is None else Thresholds(similar_threshold=similar_threshold)

        def done(report: object) -> None:
            self.running = False
            self.report = report
            self.found.emit(report)

        self.running = True
        def work() -> object:
            return lib.duplicates.find(thresholds, tiers or TIERS, progress=self.progress.emit)

        self.service.run_background(work, done, self._fail("Duplicates could not be found"), write=True)
        return True

    def not_duplicates(self, group: object) -> None:
        """Remember that ``group`` (a DuplicateGroup) is not duplicates."""
        if not self.service.need_library(write=True):
            return
        lib = self.service.library

        def work() -> str:
            lib.duplicates.not_duplicates(group)
            return group.key

        self.service.run_background(work, self.marked.emit, self._fail("The mark could not be saved"), write=True)

    def to_collection(self, group: object, name: str) -> None:
        """Append ``group``'s images to the collection ``name`` (created when new)."""
        if not self.service.need_library(write=True):
            return
        lib = self.service.library

        def work() -> tuple[str, int]:
            from artseek.collections import CollectionError

            try:
                lib.collections.get(name)
            except CollectionError:  # a new name: the collection is made
                lib.collections.create(name)
            return name, lib.collections.add(name, group.image_ids)

        self.service.run_background(work, lambda r: self.collected.emit(*r),
                                    self._fail("The images could not be added to the collection"), write=True)

    def export_csv(self, path: str) -> None:
        """Write every group of the last report to ``path``."""
        report = self.report
        if report is None:
            return

        def work() -> tuple[str, int]:
            from artseek.duplicates.export import write_csv

            return path, write_csv(report, path)

        self.service.run_background(work, lambda r: self.exported.emit(*r), self._fail("The CSV could not be written"))
