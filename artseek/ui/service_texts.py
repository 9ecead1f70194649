"""The service's texts and tags: importing descriptions, the curator's description, searching in descriptions,
categories, zero-shot classification and tags (part of the window's door to the core).

:class:`TextsService` belongs to :class:`artseek.ui.service.LibraryService` (its ``texts``) and runs
everything on the service's worker threads: writes (imports, descriptions, tags, categories,
classification) on the write thread, reads (previews, tags for the grid) on a read thread. It answers
with signals, delivered on the UI thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from artseek.errors import LibraryError
from artseek.ingest.progress import JobControl


PREVIEW_FAILED = "The file cannot be read"
IMPORT_FAILED = "The descriptions could not be imported"
NOT_UTF8_HINT = ("Choose its encoding under Encoding above (Latin-1 or Mac Roman are the usual others), or save it "
                 "as UTF-8 ('CSV UTF-8' in a spreadsheet program) and choose it again. Nothing was imported.")
IMPORT_FAILURES = (PREVIEW_FAILED, IMPORT_FAILED)  # what the import dialog shows itself (the line to fix)


def category(name: str, values: list[str]) -> object:
    """The core's Category for a name and its values (what the Categories dialog saves)."""
    from artseek.captions.vocabulary import Category

    return Category(name, list(values))


class TextsService(QObject):
    """Texts, categories and tags of the open library; answers with signals."""

    previewReady = Signal(object)  # FilePreview
    importProgress = Signal(str, int, int)  # phase ("storing" | "embedding"), done, total
    imported = Signal(str, object)  # what was imported, its ImportReport
    descriptionLoaded = Signal(int, object)  # image id, the curator's text or None
    descriptionSaved = Signal(int, bool)  # image id, whether a text is stored now
    categoriesListed = Signal(object)  # list[Category]
    classifyProgress = Signal(str, int, int)  # category, done, total
    classified = Signal(object, bool)  # list[ClassifyReport], cancelled
    tagsReady = Signal(object, object)  # the image ids asked for, {image id: [tag dicts]} (untagged ones absent)
    tagChanged = Signal(int)  # image id whose tags the curator changed
    tagsExported = Signal(str, int)  # file, rows
    failed = Signal(str, object)  # what was being done, the exception

    def __init__(self, service: QObject) -> None:
        """``service``: the LibraryService (its ``library``, ``need_library``, ``run_background``; not
        imported here, which would be a cycle)."""
        super().__init__(service)
        self.service = service
        self.in_descriptions = False  # text searches go through the images' descriptions too
        self.classify_control: JobControl | None = None

    def _fail(self, title: str) -> Callable[[BaseException], None]:
        return lambda exc: self.failed.emit(title, exc)

    def _write(self, fn: Callable, on_done: Callable, title: str) -> bool:
        if not self.service.need_library(write=True):
            return False
        lib = self.service.library
        self.service.run_background(lambda: fn(lib), on_done, self._fail(title), write=True)
        return True

    # ------------------------------------------------------------ import
    def preview(self, path: str, encoding: str | None = None) -> None:
        """The file's first rows; one that is not UTF-8 is shown as Windows-1252 (its ``guessed_encoding``) for
        the curator to check, and one that is neither is refused with what to choose in the dialog."""
        def work():  # noqa: ANN202
            from artseek.captions.preview import preview_text_file
            from artseek.captions.text_encoding import NotUtf8Error, TextImportError

            try:
                return preview_text_file(path, encoding, guess_8bit=True)
            except NotUtf8Error as exc:  # its hint names the CLI's --encoding: the window has a list instead
                raise TextImportError(exc.message, NOT_UTF8_HINT) from None

        self.service.run_background(work, self.previewReady.emit, self._fail(PREVIEW_FAILED))

    def import_file(self, path: str, columns: dict | None = None, kind: str | None = None,
                    encoding: str | None = None) -> bool:
        """Import a CSV/JSON/Artpedia file (``columns``: role -> column of a CSV, the roles of
        :class:`artseek.captions.importers.ColumnMapping`); all or nothing."""
        def work(lib):  # noqa: ANN001, ANN202
            from artseek.captions.importers import ColumnMapping

            mapping = ColumnMapping(**columns) if columns else None
            return lib.texts.import_file(path, kind, self.importProgress.emit, encoding=encoding, columns=mapping)

        return self._write(work,
                           lambda report: self.imported.emit(os.path.basename(path), report),
                           IMPORT_FAILED)

    def import_sidecars(self) -> bool:
        return self._write(lambda lib: lib.texts.import_sidecars(self.importProgress.emit),
                           lambda report: self.imported.emit(".txt files next to the images", report),
                           IMPORT_FAILED)

    def import_embedded(self) -> bool:
        return self._write(lambda lib: lib.texts.import_embedded(self.importProgress.emit),
                           lambda report: self.imported.emit("the images' embedded descriptions", report),
                           IMPORT_FAILED)

    # ---------------------------------------------------- the curator's text
    def load_description(self, image_id: int) -> None:
        lib = self.service.library
        if lib is not None:
            self.service.run_background(lambda: lib.texts.description(image_id),
                                        lambda text: self.descriptionLoaded.emit(image_id, text),
                                        self._fail("The description could not be read"))

    def save_description(self, image_id: int, text: str) -> bool:
        return self._write(lambda lib: lib.texts.set_description(image_id, text),
                           lambda stored: self.descriptionSaved.emit(image_id, stored),
                           "The description could not be saved")

    def description_search(self, query: object, top_k: int) -> Callable | None:
        """When searching in descriptions and ``query`` is a text alone: the search to run (given the Library)
        instead of the image search; else None (examples and marks search the images as usual)."""
        text = getattr(query, "text", None)
        if not self.in_descriptions or not text or query.images or query.example_ids or query.positive_ids \
                or query.negative_ids:
            return None

        def run(lib):  # noqa: ANN001, ANN202 - the same filters and collection as every other search
            allowed = lib.allowed(query.filter)
            if query.within_ids is not None:
                allowed = lib.allowed_within(query.within_ids, allowed)
            return lib.texts.search_by_descriptions(text, top_k, "both", allowed=allowed)

        return run

    # ------------------------------------------------------- categories
    def list_categories(self) -> None:
        lib = self.service.library
        if lib is not None:
            self.service.run_background(lib.texts.categories, self.categoriesListed.emit,
                                        self._fail("The categories could not be read"))

    def save_category(self, category: object) -> bool:
        return self._write(lambda lib: (lib.texts.save_category(category), lib.texts.categories())[1],
                           self.categoriesListed.emit, "The category could not be saved")

    def remove_category(self, name: str) -> bool:
        return self._write(lambda lib: (lib.texts.remove_category(name), lib.texts.categories())[1],
                           self.categoriesListed.emit, "The category could not be removed")

    def classify(self, incremental: bool = True) -> JobControl | None:
        """Classify the library into its saved categories in the background; returns the pause/cancel control."""
        if self.classify_control is not None and not self.classify_control.cancelled:
            return self.classify_control  # one at a time (a cancelled one may not have reported back: closed)
        if not self.service.need_library(write=True, idle=True):
            return None
        lib, control = self.service.library, JobControl()
        self.classify_control = control

        def work() -> tuple:
            reports = lib.texts.classify(None, incremental=incremental, progress=self.classifyProgress.emit,
                                         checkpoint=control.checkpoint)
            return reports, control.cancelled

        def done(result: tuple) -> None:
            self.classify_control = None
            self.classified.emit(*result)

        def failed(exc: BaseException) -> None:
            self.classify_control = None
            self.failed.emit("The library could not be classified", exc)

        self.service.run_background(work, done, failed, write=True)
        return control

    # ------------------------------------------------------------- tags
    def load_tags(self, image_ids: list[int]) -> None:
        lib = self.service.library
        if lib is not None and image_ids:
            self.service.run_background(lambda: lib.texts.tags_of(image_ids),
                                        lambda tags: self.tagsReady.emit(list(image_ids), tags),
                                        self._fail("The tags could not be read"))

    def set_tag(self, image_id: int, category: str, value: str) -> bool:
        return self._write(lambda lib: lib.texts.set_tag(image_id, category, value),
                           lambda _: self.tagChanged.emit(image_id), "The tag could not be saved")

    def clear_tag(self, image_id: int, category: str) -> bool:
        return self._write(lambda lib: lib.texts.clear_tag(image_id, category),
                           lambda _: self.tagChanged.emit(image_id), "The tag could not be removed")

    def export_tags(self, path: str) -> None:
        lib = self.service.library
        if lib is None:
            self.failed.emit("No library", LibraryError("No library is open.", "Use File → Open library… first."))
            return
        self.service.run_background(lambda: lib.texts.export_tags(path),
                                    lambda rows: self.tagsExported.emit(path, rows),
                                    self._fail("The tags could not be exported"))
