"""Catalogue texts, categories and tags in the window: importing descriptions, searching in descriptions, the
curator's description of an image, categories and classifying the library, tags in the detail view and the grid,
and exporting them. Every core call goes through ``service.texts`` (ui/service_texts.py)."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMainWindow

from artseek.ui import errors
from artseek.ui.query_state import QueryModel
from artseek.ui.service_texts import IMPORT_FAILURES, category
from artseek.ui.widgets.categories_dialog import CategoriesDialog
from artseek.ui.widgets.classify_dialog import ClassifyDialog
from artseek.ui.widgets.description_editor import DescriptionEditor
from artseek.ui.widgets.descriptions_import_dialog import DescriptionsImportDialog
from artseek.ui.widgets.results_view import ResultsModel

Status = Callable[[str, int], None]


def import_message(name: str, r) -> str:  # noqa: ANN001 - ImportReport
    text = (f"Imported {r.added:,} descriptions from {name} ({r.attached:,} attached to images"
            + (f", {r.duplicates:,} already there" if r.duplicates else "") + ").")
    if r.unmatched:
        text += f" {len(r.unmatched):,} name no image of the library yet (kept; attached when it is indexed)."
    if r.ambiguous:
        text += f" {len(r.ambiguous):,} name several images (give a path)."
    return text


class TextsController(QObject):
    """The texts, categories and tags flows; ``results`` is the ResultsController (current result, detail view)."""

    def __init__(self, service, state: QueryModel, model: ResultsModel, results, actions: dict[str, QAction],  # noqa: ANN001
                 status: Status, window: QMainWindow) -> None:
        super().__init__(window)
        self.service, self.texts, self.state, self.model, self.results = service, service.texts, state, model, results
        self.actions, self.status, self.window = actions, status, window
        self.import_dialog: DescriptionsImportDialog | None = None
        self.categories_dialog: CategoriesDialog | None = None
        self.classify_dialog: ClassifyDialog | None = None
        self.editor: DescriptionEditor | None = None
        self.categories: list = []
        self.grid_tags: dict[int, list[str]] = {}
        self._wired_detail = None
        self._placeholder = window.search_area.field.placeholderText()
        actions["search_descriptions"].setChecked(False)
        actions["tag_badges"].setChecked(False)
        t = self.texts
        t.previewReady.connect(self._preview_ready)
        t.importProgress.connect(self._import_progress)
        t.imported.connect(self._imported)
        t.descriptionLoaded.connect(self._description_loaded)
        t.descriptionSaved.connect(self._description_saved)
        t.categoriesListed.connect(self._categories_listed)
        t.classifyProgress.connect(self._classify_progress)
        t.classified.connect(self._classified)
        t.tagsReady.connect(self._tags_ready)
        t.tagChanged.connect(lambda image_id: t.load_tags([image_id]))
        t.tagsExported.connect(lambda path, n: self._say(f"Exported {n:,} tags to {path}."))
        t.failed.connect(self._failed)
        service.libraryOpened.connect(lambda _s: t.list_categories())
        service.detailsReady.connect(self._detail_shown)
        state.resultsChanged.connect(self._results_changed)

    def _say(self, text: str, ms: int = 10000) -> None:
        self.status(text, ms)
        if self.categories_dialog is not None and self.categories_dialog.isVisible():
            self.categories_dialog.show_message(text)

    def _failed(self, title: str, exc: BaseException) -> None:
        if self.import_dialog is not None and self.import_dialog.isVisible() and title in IMPORT_FAILURES:
            self.import_dialog.show_error(errors.describe_error(exc))  # the line to fix; nothing imported
            return
        if self.classify_dialog is not None:
            self._close_classify()
        errors.report(self.window, title, exc, self.status)

    # ------------------------------------------------------------ import
    def import_descriptions(self) -> DescriptionsImportDialog | None:
        """File → Import Descriptions…: the dialog (its preview and column mapping), not modal."""
        if not self.service.need_library(write=True):
            return None
        if self.import_dialog is None:
            self.import_dialog = DescriptionsImportDialog(self.window)
            self.import_dialog.browseRequested.connect(self._browse)
            self.import_dialog.fileChanged.connect(self.texts.preview)
            self.import_dialog.importRequested.connect(self._start_import)
        self.import_dialog.show()
        self.import_dialog.raise_()
        return self.import_dialog

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Choose a file of descriptions", "",
                                              "Descriptions (*.csv *.tsv *.txt *.json);;All files (*)")
        if path and self.import_dialog is not None:
            self.import_dialog.set_file(path)

    def _preview_ready(self, preview) -> None:  # noqa: ANN001
        if self.import_dialog is not None:
            self.import_dialog.show_preview(preview)

    def _start_import(self) -> None:
        d = self.import_dialog
        if d is None:
            return
        source = d.source_key()
        if source == "sidecars":
            started = self.texts.import_sidecars()
        elif source == "embedded":
            started = self.texts.import_embedded()
        else:
            started = self.texts.import_file(d.file_path(), d.mapping(), d.kind_value(), d.encoding_value())
        if started:
            d.show_progress("storing", 0, 0)
            self.status("Importing descriptions in the background…", 0)

    def _import_progress(self, phase: str, done: int, total: int) -> None:
        if self.import_dialog is not None:
            self.import_dialog.show_progress(phase, done, total)

    def _imported(self, name: str, report) -> None:  # noqa: ANN001
        if self.import_dialog is not None:
            self.import_dialog.progress.hide()
            self.import_dialog.accept()
        self._say(import_message(name, report), 15000)
        self._refresh_current()

    def _refresh_current(self) -> None:
        result = self.results.current_result()
        if result is not None:
            self.service.describe(result.image_id)

    # ------------------------------------------------------------ search
    def set_search_in_descriptions(self, on: bool) -> None:
        """Search → Search in Descriptions: text searches go through the images' texts too."""
        self.actions["search_descriptions"].setChecked(on)
        self.texts.in_descriptions = on
        self.window.search_area.field.setPlaceholderText(
            "Describe what you are looking for: searched in the images and their descriptions" if on else
            self._placeholder)
        self.status("Text searches now look in the descriptions too (the matching sentence is shown under each "
                    "result)." if on else "Text searches look at the images only.", 8000)
        if self.state.text.strip() and self.state.results:
            self.window.run_search()

    # ------------------------------------------------------- description
    def edit_description(self) -> DescriptionEditor | None:
        result = self.results.current_result()
        if result is None or not self.service.need_library(write=True):
            return None
        if self.editor is not None:
            self.editor.close()
        self.editor = DescriptionEditor(result.image_id, os.path.basename(result.path), self.window)
        self.editor.saved.connect(self.texts.save_description)
        self.editor.show()
        self.texts.load_description(result.image_id)
        return self.editor

    def _description_loaded(self, image_id: int, text: str | None) -> None:
        if self.editor is not None and self.editor.image_id == image_id:
            self.editor.set_text(text)

    def _description_saved(self, image_id: int, stored: bool) -> None:
        self._say("Your description is saved (and searchable in descriptions)." if stored
                  else "Your description is removed.", 8000)
        self.service.describe(image_id)

    # ------------------------------------------------------- categories
    def show_categories(self) -> CategoriesDialog | None:
        if not self.service.need_library():
            return None
        if self.categories_dialog is None:
            d = self.categories_dialog = CategoriesDialog(self.window)
            d.saveRequested.connect(self._save_category)
            d.removeRequested.connect(self.texts.remove_category)
            d.classifyRequested.connect(self.classify)
            d.exportRequested.connect(self.choose_export_file)
        self.categories_dialog.show_categories(self.categories)
        self.categories_dialog.show()
        self.categories_dialog.raise_()
        self.texts.list_categories()
        return self.categories_dialog

    def _save_category(self, name: str, values: list) -> None:
        self.texts.save_category(category(name, values))

    def _categories_listed(self, categories: list) -> None:
        self.categories = list(categories)
        if self.categories_dialog is not None:
            self.categories_dialog.show_categories(self.categories)

    def classify(self, incremental: bool = True) -> None:
        control = self.texts.classify(incremental)
        if control is None or self.classify_dialog is not None:
            return
        d = self.classify_dialog = ClassifyDialog(self.window)
        d.pauseToggled.connect(lambda on: control.pause() if on else control.resume())
        d.cancelled.connect(control.cancel)
        d.show()
        self.status("Classifying the library in the background…", 0)

    def _classify_progress(self, category: str, done: int, total: int) -> None:
        if self.classify_dialog is not None:
            self.classify_dialog.show_progress(category, done, total)

    def _close_classify(self) -> None:
        if self.classify_dialog is not None:
            self.classify_dialog.hide()
            self.classify_dialog.deleteLater()
            self.classify_dialog = None

    def _classified(self, reports: list, cancelled: bool) -> None:
        self._close_classify()
        counts = "; ".join(f"{r.category}: " + ", ".join(f"{v} {n}" for v, n in r.counts.items() if n) for r in reports)
        if cancelled:
            self._say("Classification cancelled; the tags made so far are kept. " + counts, 10000)
        else:
            tagged = sum(sum(r.counts.values()) for r in reports)
            self._say(f"Classified: {tagged:,} new tags. {counts}".strip(), 10000)
        self._reload_tags()

    # ------------------------------------------------------------- tags
    def set_badges(self, on: bool) -> None:
        """View → Tag Badges: the grid shows each image's tag values."""
        self.actions["tag_badges"].setChecked(on)
        if on:
            self.texts.load_tags([r.image_id for r in self.state.results])
        else:
            self.grid_tags = {}
            self.model.set_tags({})

    def _results_changed(self, results: list) -> None:
        if self.actions["tag_badges"].isChecked() and results:
            self.texts.load_tags([r.image_id for r in results])

    def _reload_tags(self) -> None:
        ids = [r.image_id for r in self.state.results] if self.actions["tag_badges"].isChecked() else []
        detail = self.results.detail
        if detail is not None and detail.image_id is not None and detail.image_id not in ids:
            ids.append(detail.image_id)
        self.texts.load_tags(ids)

    def _detail(self):  # noqa: ANN202 - the DetailDialog (made on first use by the results controller), wired
        detail = self.results.detail
        if detail is not None and self._wired_detail is not detail:
            detail.tags.tagSet.connect(self.texts.set_tag)
            detail.tags.tagCleared.connect(self.texts.clear_tag)
            self._wired_detail = detail
        return detail

    def _detail_shown(self, details) -> None:  # noqa: ANN001 - ImageDetails
        detail = self._detail()
        if detail is not None and details.image_id == detail.image_id:
            self.texts.load_tags([details.image_id])

    def _tags_ready(self, image_ids: list, tags: dict) -> None:
        detail = self._detail()
        if detail is not None and detail.image_id in image_ids:
            detail.tags.show_tags(detail.image_id, tags.get(detail.image_id, []), self.categories)
        if self.actions["tag_badges"].isChecked():
            for image_id in image_ids:
                self.grid_tags[image_id] = [("✓ " if t["set_by"] == "curator" else "") + t["value"]
                                            for t in tags.get(image_id, [])]
            self.model.set_tags(self.grid_tags)

    def choose_export_file(self) -> None:
        if not self.service.need_library():
            return
        path, _ = QFileDialog.getSaveFileName(self.window, "Export tags", "tags.csv", "CSV files (*.csv)")
        if path:
            self.texts.export_tags(path)

