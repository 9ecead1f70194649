"""Searching and relevance feedback: the curator's gestures become QueryModel changes and searches."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import QWidget

from artseek.errors import ModelLoadError, ModelNotFoundError
from artseek.ui import errors
from artseek.ui.query_state import NOT_RELEVANT, RELEVANT, Example, QueryModel
from artseek.ui.service import LibraryService
from artseek.ui.view_data import SearchOutcome
from artseek.ui.widgets.drops import DropContent, image_to_png, read_mime
from artseek.ui.widgets.search_area import SearchArea

Status = Callable[[str, int], None]  # a status-bar message and how long it stays (ms)


def count_text(n: int, noun: str) -> str:
    """``1 result``, ``1,000 results``: numbers grouped by thousands, the noun in the right number."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def mark_message(count: int, value: int, marks_left: bool) -> str:
    """What the status bar says after marking ``count`` results ``value`` (1, -1 or 0: cleared)."""
    results = count_text(count, "result")
    if value == RELEVANT:
        text = f"{results} marked relevant (+)."
    elif value == NOT_RELEVANT:
        text = f"{results} marked not relevant (−)."
    else:
        text = f"Mark cleared on {results}."
    return text + (" Press Refine (Ctrl+Enter) to re-rank." if marks_left else "")


class SearchController(QObject):
    """Runs searches for the query state and puts their results into it."""

    busyChanged = Signal(bool)  # a search is running (or not)
    importRequested = Signal(list)  # folders dropped on the window

    def __init__(self, service: LibraryService, state: QueryModel, search_area: SearchArea, status: Status,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.service, self.state, self.search_area, self.status = service, state, search_area, status
        self._parent = parent
        service.searchStarted.connect(self._started)
        service.searchFinished.connect(self._finished)
        service.searchFailed.connect(self._failed)
        search_area.searchRequested.connect(self.run_search)
        search_area.contentDropped.connect(self.handle_drop)
        search_area.exampleCleared.connect(self.clear_example)
        search_area.field.imagePasted.connect(self.handle_drop)
        search_area.topKChanged.connect(self._top_k_changed)
        service.libraryOpened.connect(self._library_opened)
        state.textChanged.connect(self._text_changed)
        state.exampleChanged.connect(search_area.show_example)
        # A file Qt cannot read (HEIC, RAW, PSD...): the core decodes the chip's picture, off the UI thread.
        search_area.exampleUnreadable.connect(service.previews.request)
        service.previews.ready.connect(self._preview_ready)

    # ------------------------------------------------------------- search
    def run_search(self) -> None:
        self.state.set_text(self.search_area.field.text())
        if self.state.is_empty():
            self.status("Type a description, drop or paste an image, or mark results.", 5000)
            return
        if self.service.model_state == "failed":  # the model's dialog said why; no second one
            self.status("No model is available to search this library: Library → Re-index with Another "
                        "Model… rebuilds it with one that is.", 10000)
            return
        if self.service.opening and not self.service.is_open:
            self.status(f"Will search for {self.state.describe()} when the library is open…", 0)
            return
        self.service.search(self.state.query, self.search_area.top_k_value())

    def _library_opened(self, _status: object) -> None:
        """The query asked for while the library opened (or kept from the last library) runs now."""
        if not self.state.is_empty():
            self.run_search()

    def _top_k_changed(self, _k: int) -> None:
        """A different number of results: the shown search runs again."""
        if self.state.results and not self.state.is_empty():
            self.run_search()

    def refine(self) -> None:
        if not self.state.marks:
            self.status("Nothing to refine: mark some results relevant (+) or not relevant (−) first.", 6000)
            return
        self.run_search()

    def search_keyword(self, keyword: str) -> None:
        """A suggested keyword is a new search for that keyword alone (no example image, no marks)."""
        self.state.set_example(None)
        self.state.clear_marks()
        self.search_area.field.setText(keyword)
        self.run_search()

    def set_example(self, example: Example, pixmap: QPixmap | None = None) -> None:
        self.state.set_example(example, pixmap)
        self.run_search()

    def _preview_ready(self, path: str, image: QImage | None) -> None:
        example = self.state.example
        if image is not None and not image.isNull() and example is not None and example.path == path:
            self.search_area.show_example(example, QPixmap.fromImage(image))

    def clear_example(self) -> None:
        if self.state.example is None:
            return
        self.state.set_example(None)
        if not self.state.is_empty():
            self.run_search()

    def search_like(self, image_id: int, path: str) -> None:
        """"More like this": an image of the library becomes the query (the text is cleared)."""
        self.search_area.field.clear()
        self.state.set_text("")
        self.set_example(Example.from_library(image_id, path), self.service.thumbnails.pixmap(image_id))

    def search_region(self, data: bytes, label: str) -> None:
        """A region dragged in the detail view becomes the example image (text and marks are kept)."""
        pixmap = QPixmap()
        pixmap.loadFromData(data)
        self.set_example(Example.from_bytes(data, label), pixmap)

    def paste_image(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        content = read_mime(mime) if mime is not None else DropContent()
        if content.image is None and not content.image_files:
            self.status("The clipboard holds no image.", 5000)
            return
        self.handle_drop(content)

    def handle_drop(self, content: DropContent) -> None:
        """Folders are imported; an image (file, pasted, or a result) becomes the query."""
        if content.folders:
            self.importRequested.emit(content.folders)
            return
        if content.image_ids:
            image_id = content.image_ids[0]
            path = next((r.path for r in self.state.results if r.image_id == image_id), f"image {image_id}")
            self.search_like(image_id, path)
        elif content.image_files:
            self.set_example(Example.from_file(content.image_files[0]))
        elif content.image is not None:
            self.set_example(Example.from_bytes(image_to_png(content.image)), QPixmap.fromImage(content.image))

    # ------------------------------------------------------------- marks
    def mark(self, image_ids: list[int], value: int) -> None:
        if not image_ids:
            self.status("Select one or more results first.", 4000)
            return
        self.state.mark(image_ids, value)
        self.status(mark_message(len(image_ids), value, bool(self.state.marks)), 6000)

    def clear_marks(self) -> None:
        had = len(self.state.marks)
        self.state.clear_marks()
        if had:
            self.status(f"All marks cleared ({had:,} {'result' if had == 1 else 'results'}).", 6000)

    # ------------------------------------------------------------- answers
    def _text_changed(self, text: str) -> None:
        if self.search_area.field.text() != text:
            self.search_area.field.setText(text)

    def _started(self, description: str) -> None:
        self.busyChanged.emit(True)
        loading = " (loading the model first)" if self.service.model_state == "loading" else ""
        self.status(f"Searching for {description}{loading}…", 0)

    def _finished(self, outcome: SearchOutcome) -> None:
        self.busyChanged.emit(self.service.searching)
        self.state.set_results(outcome.results)
        composed = {"pic2word": " · composed with Pic2Word", "average": " · composed by averaging"}
        message = (f"{count_text(len(outcome.results), 'result')} for {outcome.description} "
                   f"in {outcome.elapsed_s * 1000:.0f} ms{composed.get(outcome.composed or '', '')}")
        if outcome.text_read is not None:  # the model's context cut the text: say where
            words = len(outcome.text_read.split())
            message = (f"The text is longer than the model reads: only its first {count_text(words, 'word')} "
                       f"(up to “{' '.join(outcome.text_read.split()[-3:])}”) were used. " + message)
        self.status(message, 20000 if outcome.text_read is not None else 10000)

    def _failed(self, exc: BaseException) -> None:
        self.busyChanged.emit(self.service.searching)
        if isinstance(exc, (ModelNotFoundError, ModelLoadError)):  # loading the model says so, in its dialog
            self.status(errors.describe_error(exc).partition("\n")[0], 10000)
            return
        errors.report(self._parent, "Search failed", exc, self.status)
