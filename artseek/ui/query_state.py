"""What the curator is asking for right now: text, an example image, +/- marks, and the results.

:class:`QueryState` is plain Python (no Qt) so it is easy to test;
:meth:`QueryState.to_query` turns it into the core's :class:`artseek.search.query.Query`.
:class:`QueryModel` is its observable face for the window (as napari's evented
models): every change goes through it and emits a signal, and the grid, the
feedback bar, the inspector, the detail view and the actions' enablement update
themselves from those signals. A signal fires only when something changed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from PySide6.QtCore import QObject, Signal

from artseek.search.filters import SearchFilter
from artseek.search.query import Query

RELEVANT = 1
NOT_RELEVANT = -1


@dataclass(frozen=True)
class Example:
    """A query-by-example image: a file, pasted image bytes, or an image of the library."""

    label: str
    path: str | None = None
    data: bytes | None = None
    image_id: int | None = None

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Example:
        return cls(label=os.path.basename(os.fspath(path)), path=os.fspath(path))

    @classmethod
    def from_bytes(cls, data: bytes, label: str = "pasted image") -> Example:
        return cls(label=label, data=data)

    @classmethod
    def from_library(cls, image_id: int, path: str) -> Example:
        return cls(label=os.path.basename(path), path=path, image_id=image_id)


@dataclass(frozen=True)
class Scope:
    """A collection opened as the result view: searches, feedback and "more like this" run within its images."""

    collection_id: int
    name: str
    image_ids: tuple[int, ...]


@dataclass
class QueryState:
    """The current query; marks accumulate over feedback rounds until cleared."""

    text: str = ""
    example: Example | None = None
    marks: dict[int, int] = field(default_factory=dict)  # image id -> RELEVANT / NOT_RELEVANT
    scope: Scope | None = None  # search within a collection (None: the whole library)
    filters: SearchFilter = field(default_factory=SearchFilter)  # which images may be results (the chips)

    def mark(self, image_ids: list[int], value: int) -> None:
        """Mark images relevant (1), not relevant (-1) or clear their mark (0)."""
        for i in image_ids:
            if value:
                self.marks[i] = value
            else:
                self.marks.pop(i, None)

    def clear_marks(self) -> None:
        self.marks.clear()

    @property
    def positives(self) -> list[int]:
        return sorted(i for i, v in self.marks.items() if v == RELEVANT)

    @property
    def negatives(self) -> list[int]:
        return sorted(i for i, v in self.marks.items() if v == NOT_RELEVANT)

    def is_empty(self) -> bool:
        return not (self.text.strip() or self.example or self.marks)

    def to_query(self) -> Query:
        """The core Query: the text, the example image, and the accumulated marks."""
        positives = self.positives
        images: list = []
        example_ids: list[int] = []
        if self.example is not None:
            if self.example.image_id is not None:
                # An image of the library: the same query as its file dropped in, from its stored embedding.
                example_ids.append(self.example.image_id)
            elif self.example.data is not None:
                images.append(self.example.data)
            elif self.example.path:
                images.append(self.example.path)
        return Query(text=self.text.strip() or None, images=images, example_ids=example_ids, positive_ids=positives,
                     negative_ids=[i for i in self.negatives if i not in positives],
                     within_ids=list(self.scope.image_ids) if self.scope is not None else None,
                     filter=None if self.filters.is_empty() else self.filters)

    def describe(self) -> str:
        """A short human description, for the status bar."""
        parts = []
        if self.text.strip():
            parts.append(f"“{self.text.strip()}”")
        if self.example is not None:
            parts.append(f"like {self.example.label}")
        if self.marks:
            parts.append(f"{len(self.positives)} relevant, {len(self.negatives)} not relevant")
        where = f" in the collection '{self.scope.name}'" if self.scope is not None else ""
        text = (" + ".join(parts) or "nothing") + where
        return f"{text} ({self.filters.describe()})" if not self.filters.is_empty() else text


class QueryModel(QObject):
    """The observable query state: change it only through these methods, listen to its signals."""

    textChanged = Signal(str)
    exampleChanged = Signal(object, object)  # Example | None, a preview QPixmap | None
    marksChanged = Signal(list)  # the image ids whose mark changed
    resultsChanged = Signal(list)  # the new results (SearchResult list; empty when cleared)
    scopeChanged = Signal(object)  # Scope | None: a collection opened as the view, or the whole library
    filtersChanged = Signal(object)  # the new SearchFilter (the chips under the search field)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._state = QueryState()
        self._results: list = []

    # ------------------------------------------------------------ reading
    @property
    def query(self) -> QueryState:
        """The plain state, for :meth:`LibraryService.search` (do not change it directly)."""
        return self._state

    @property
    def text(self) -> str:
        return self._state.text

    @property
    def example(self) -> Example | None:
        return self._state.example

    @property
    def marks(self) -> Mapping[int, int]:
        """Image id -> RELEVANT / NOT_RELEVANT (a live, read-only view)."""
        return MappingProxyType(self._state.marks)

    @property
    def positives(self) -> list[int]:
        return self._state.positives

    @property
    def negatives(self) -> list[int]:
        return self._state.negatives

    @property
    def results(self) -> list:
        return list(self._results)

    @property
    def scope(self) -> Scope | None:
        return self._state.scope

    @property
    def filters(self) -> SearchFilter:
        return self._state.filters

    def mark_of(self, image_id: int | None) -> int:
        return self._state.marks.get(image_id, 0) if image_id is not None else 0

    def is_empty(self) -> bool:
        return self._state.is_empty()

    def describe(self) -> str:
        return self._state.describe()

    # ------------------------------------------------------------ changing
    def set_text(self, text: str) -> None:
        if text != self._state.text:
            self._state.text = text
            self.textChanged.emit(text)

    def set_example(self, example: Example | None, preview: object = None) -> None:
        if example != self._state.example:
            self._state.example = example
            self.exampleChanged.emit(example, preview)

    def mark(self, image_ids: list[int], value: int) -> None:
        """Mark images relevant (1), not relevant (-1) or clear their mark (0)."""
        changed = [i for i in dict.fromkeys(image_ids) if self._state.marks.get(i, 0) != value]
        if changed:
            self._state.mark(changed, value)
            self.marksChanged.emit(changed)

    def clear_marks(self) -> None:
        changed = list(self._state.marks)
        if changed:
            self._state.clear_marks()
            self.marksChanged.emit(changed)

    def set_scope(self, scope: Scope | None) -> None:
        if scope != self._state.scope:
            self._state.scope = scope
            self.scopeChanged.emit(scope)

    def set_filters(self, filters: SearchFilter) -> None:
        if filters != self._state.filters:
            self._state.filters = filters
            self.filtersChanged.emit(filters)

    def set_results(self, results: list) -> None:
        """New results (a search answered): always a change, even when the list is equal."""
        self._results = list(results)
        self.resultsChanged.emit(self.results)

    def clear_results(self) -> None:
        if self._results:
            self.set_results([])

    def reset(self) -> None:
        """A new library: no results, marks or example (the text stays)."""
        self.clear_results()
        self.clear_marks()
        self.set_example(None)
        self.set_scope(None)
        self.set_filters(SearchFilter())  # folders, tags and collections are the old library's
