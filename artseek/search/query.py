"""A search request combining text, example images and relevance feedback.

This is the contract between the GUI/CLI and the search core: every kind of
query (text, example image, "more like this", feedback rounds with positives
and negatives, composed image+text) is one :class:`Query` passed to
:meth:`artseek.library.Library.search_query`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from artseek.search.filters import SearchFilter

ImageRef = str | os.PathLike[str] | bytes  # a file path or encoded image bytes


@dataclass
class Query:
    """What the curator asks for; every part is optional but at least one must be set."""

    text: str | None = None
    images: list[ImageRef] = field(default_factory=list)  # example images not in the library
    example_ids: list[int] = field(default_factory=list)  # library images used as examples ("more like this")
    positive_ids: list[int] = field(default_factory=list)  # library images marked relevant (+)
    negative_ids: list[int] = field(default_factory=list)  # library images marked not relevant (-)
    negative_images: list[ImageRef] = field(default_factory=list)
    negative_texts: list[str] = field(default_factory=list)  # e.g. "a photograph"
    text_weight: float = 0.5  # weight of the text against the image part in composed queries
    method: str = "auto"  # relevance-feedback method: "auto", "rocchio", "classifier"
    exclude_marked: bool = False  # hide already-marked images from the results
    composed: str = "auto"  # image+text method: "auto", "pic2word", "average" (artseek.composed)
    within_ids: list[int] | None = None  # search only these images (a collection opened as a view); None: all
    filter: SearchFilter | None = None  # only images passing it are results (artseek.search.filters)

    def is_empty(self) -> bool:
        return not ((self.text and self.text.strip()) or self.images or self.example_ids or self.positive_ids
                    or self.negative_ids
                    or self.negative_images or self.negative_texts)
