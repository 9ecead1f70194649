"""What the curator is asking for right now: text, an example image and +/- marks.

Plain Python (no Qt) so it is easy to test; :meth:`QueryState.to_query` turns it
into the core's :class:`artseek.search.query.Query`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

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


@dataclass
class QueryState:
    """The current query; marks accumulate over feedback rounds until cleared."""

    text: str = ""
    example: Example | None = None
    marks: dict[int, int] = field(default_factory=dict)  # image id -> RELEVANT / NOT_RELEVANT

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
        if self.example is not None:
            if self.example.image_id is not None:
                # An image of the library: use its stored embedding (no re-decoding).
                if self.example.image_id not in positives:
                    positives = [self.example.image_id, *positives]
            elif self.example.data is not None:
                images.append(self.example.data)
            elif self.example.path:
                images.append(self.example.path)
        return Query(text=self.text.strip() or None, images=images, positive_ids=positives,
                     negative_ids=[i for i in self.negatives if i not in positives])

    def describe(self) -> str:
        """A short human description, for the status bar."""
        parts = []
        if self.text.strip():
            parts.append(f"“{self.text.strip()}”")
        if self.example is not None:
            parts.append(f"like {self.example.label}")
        if self.marks:
            parts.append(f"{len(self.positives)} relevant, {len(self.negatives)} not relevant")
        return " + ".join(parts) or "nothing"
