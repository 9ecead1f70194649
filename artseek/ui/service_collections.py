"""The service's collections: the window's door to ``lib.collections``, exports and library data files.

:class:`CollectionsService` belongs to :class:`artseek.ui.service.LibraryService`
(its ``collections``) and runs everything on the service's worker threads: writes
(create, add, reorder, notes, imports) on the write thread so they are serialised
with indexing, reads and exports on a read thread. Answers arrive as signals on
the UI thread. Export progress comes from the worker through a queued signal.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from artseek.ingest.progress import JobControl


@dataclass(frozen=True)
class OpenedCollection:
    """A collection opened as a view: its facts, its items, and its indexed images as results, in order."""

    info: object  # CollectionInfo
    items: list  # ItemInfo
    results: list  # SearchResult (score 0) of the indexed items, in the collection's order

    @property
    def image_ids(self) -> list[int]:
        return [r.image_id for r in self.results]


class CollectionsService(QObject):
    """Collections of the open library; every call returns at once and answers with a signal."""

    listed = Signal(list)  # list[CollectionInfo]
    opened = Signal(object)  # OpenedCollection
    changed = Signal(int, str)  # the collection id changed (-1: several or a deleted one), a status message
    exportProgress = Signal(int, int)  # done, total
    exported = Signal(str)  # what was written, for the status bar and a message box
    dataImported = Signal(object)  # ImportReport
    failed = Signal(str, object)  # what was being done, the exception

    def __init__(self, service: QObject) -> None:
        """``service``: the LibraryService (its ``library``, ``need_library``, ``run_background``)."""
        super().__init__(service)
        self.service = service
        self._control: JobControl | None = None

    def _fail(self, title: str) -> Callable[[BaseException], None]:
        return lambda exc: self.failed.emit(title, exc)

    def _write(self, title: str, fn: Callable, done: Callable) -> None:
        if not self.service.need_library(write=True):
            return
        lib = self.service.library
        self.service.run_background(lambda: fn(lib), done, self._fail(title), write=True)

    # ------------------------------------------------------------- reading
    def refresh(self) -> None:
        lib = self.service.library
        if lib is not None:
            self.service.run_background(lambda: lib.collections.list(), self.listed.emit,
                                        self._fail("The collections could not be listed"))

    def open(self, collection_id: int) -> None:
        lib = self.service.library
        if lib is None:
            return

        def work() -> OpenedCollection:
            return OpenedCollection(lib.collections.get(collection_id), lib.collections.items(collection_id),
                                    lib.collections.results(collection_id))

        self.service.run_background(work, self.opened.emit, self._fail("The collection could not be opened"))

    def removal_impact(self, folder: str) -> dict | None:
        """What removing ``folder`` touches (images, collected, tagged): a quick read for the confirmation."""
        lib = self.service.library
        try:
            return lib.root_removal_impact(folder) if lib is not None else None
        except Exception:  # noqa: BLE001 - the confirmation then just does not give the numbers
            return None

    # ------------------------------------------------------------- writing
    def create(self, name: str, image_ids: list[int] | None = None) -> None:
        def work(lib) -> tuple:  # noqa: ANN001
            info = lib.collections.create(name)
            added = lib.collections.add(info.id, image_ids) if image_ids else 0
            return info, added, lib.collections.list()

        def done(result: tuple) -> None:
            info, added, listing = result
            self.listed.emit(listing)
            extra = f" with {added} image{'s' if added != 1 else ''}" if image_ids else ""
            self.changed.emit(info.id, f"Created the collection '{info.name}'{extra}.")

        self._write("The collection could not be created", work, done)

    def rename(self, collection_id: int, name: str) -> None:
        self._simple("The collection could not be renamed", collection_id,
                     lambda lib: f"Renamed to '{lib.collections.rename(collection_id, name).name}'.")

    def delete(self, collection_id: int) -> None:
        def work(lib) -> tuple:  # noqa: ANN001
            n = lib.collections.delete(collection_id)
            return n, lib.collections.list()

        def done(result: tuple) -> None:
            n, listing = result
            self.listed.emit(listing)
            self.changed.emit(-1, f"Deleted the collection ({n} items; the images stay in the library).")

        self._write("The collection could not be deleted", work, done)

    def add(self, collection_id: int, image_ids: list[int]) -> None:
        def work(lib) -> str:  # noqa: ANN001
            n = lib.collections.add(collection_id, image_ids)
            info = lib.collections.get(collection_id)
            skipped = len(set(image_ids)) - n
            again = f" ({skipped} already in it)" if skipped else ""
            return f"Added {n} image{'s' if n != 1 else ''} to '{info.name}'{again}; it holds {info.items}."

        self._simple("The images could not be added", collection_id, work)

    def remove(self, collection_id: int, image_ids: list[int]) -> None:
        self._simple("The images could not be taken out", collection_id,
                     lambda lib: f"Took {lib.collections.remove(collection_id, image_ids=image_ids)} image(s) out "
                                 "of the collection (they stay in the library).")

    def reorder(self, collection_id: int, item_ids: list[int]) -> None:
        self._simple("The new order could not be saved", collection_id,
                     lambda lib: lib.collections.reorder(collection_id, item_ids) or "New order saved.")

    def set_note(self, collection_id: int, note: str) -> None:
        self._simple("The note could not be saved", collection_id,
                     lambda lib: lib.collections.set_note(collection_id, note) or "Collection note saved.")

    def set_item_note(self, collection_id: int, item_id: int, note: str) -> None:
        self._simple("The note could not be saved", collection_id,
                     lambda lib: lib.collections.set_item_note(collection_id, item_id=item_id, note=note)
                     or "Note saved.")

    def _simple(self, title: str, collection_id: int, fn: Callable) -> None:
        def work(lib) -> tuple:  # noqa: ANN001
            message = fn(lib)
            return message, lib.collections.list()

        def done(result: tuple) -> None:
            message, listing = result
            self.listed.emit(listing)
            self.changed.emit(collection_id, message)

        self._write(title, work, done)

    # ------------------------------------------------------------- exports
    def export(self, what: str, target: str, collection_id: int | None = None, image_ids: list[int] | None = None,
               scores: dict[int, float] | None = None, title: str = "", paper: str = "a4") -> None:
        """Export a collection (``collection_id``) or a selection (``image_ids``): ``what`` is "csv", "copy" or
        "pdf"; ``target`` the file or folder. Runs on a read thread with :attr:`exportProgress`."""
        if not self.service.need_library():
            return
        lib, control = self.service.library, JobControl()
        self._control = control
        progress = self.exportProgress.emit

        def work() -> str:
            c = lib.collections
            entries = c.entries(collection_id) if collection_id is not None else c.selection_entries(image_ids or [],
                                                                                                  scores)
            if what == "csv":
                return f"Wrote {c.export_csv(entries, target):,} rows to {target}."
            if what == "pdf":
                from artseek.ui.contact_sheet import ContactSheet

                sheet = ContactSheet(title or "ArtSeek", c.sheet_entries(entries), paper)
                pages = sheet.write_pdf(target, progress)
                return f"Wrote a {pages}-page contact sheet ({paper.upper()}) to {target}."
            report = c.copy_files(entries, target, lambda n, total, _p: progress(n, total),
                                  lambda: control.cancelled)
            text = f"Copied {len(report.copied):,} file{'s' if len(report.copied) != 1 else ''} to {target}"
            text += f" ({report.renamed} renamed: the name was taken)." if report.renamed else "."
            if report.cancelled:
                text += " Stopped before the end."
            if report.failed:
                text += f"\nNot copied ({len(report.failed)}):\n" + "\n".join(
                    f"{os.path.basename(p)}: {why}" for p, why in report.failed[:20])
            return text

        def finish(signal: Signal, value: object) -> None:
            self._control = None
            signal.emit(value)

        self.service.run_background(work, lambda text: finish(self.exported, text),
                                    lambda exc: (setattr(self, "_control", None),
                                                 self.failed.emit("The export failed", exc)))

    def cancel_export(self) -> None:
        if self._control is not None:
            self._control.cancel()

    # ---------------------------------------------------------- user data
    def export_data(self, path: str) -> None:
        lib = self.service.library
        if not self.service.need_library():
            return
        self.service.run_background(
            lambda: lib.export_user_data(path),
            lambda counts: self.exported.emit(f"Wrote {path}: " + ", ".join(f"{n} {k}" for k, n in counts.items())
                                              + "."), self._fail("The library data could not be exported"))

    def import_data(self, path: str) -> None:
        def work(lib) -> tuple:  # noqa: ANN001
            return lib.import_user_data(path), lib.collections.list()

        def done(result: tuple) -> None:
            report, listing = result
            self.listed.emit(listing)
            self.dataImported.emit(report)

        self._write("The library data could not be imported", work, done)
