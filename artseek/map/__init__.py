"""The collection map (issue 18): a 2D UMAP layout of the library's embeddings, HDBSCAN clusters with labels,
cached in the library; exported as CSV and PNG. No Qt; umap-learn and scikit-learn are imported on first use.

:func:`for_library` gives the :class:`CollectionMap` of an open library: the CLI and the window both use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from artseek.map.progress import MapOptions, MapProgress, MapReport

if TYPE_CHECKING:
    from artseek.map.collection_map import CollectionMap, MapError

if TYPE_CHECKING:
    from artseek.library import Library



def __getattr__(name: str) -> object:
    """``CollectionMap`` and ``MapError`` are imported on first use: the window imports this package (its
    ``spatial`` module) when it starts, before any map is asked for, and must not pay for SQLAlchemy here."""
    if name in ("CollectionMap", "MapError"):
        from artseek.map import collection_map

        return getattr(collection_map, name)
    raise AttributeError(name)


__all__ = ["CollectionMap", "MapError", "MapOptions", "MapProgress", "MapReport", "for_library"]


def for_library(lib: Library) -> CollectionMap:
    """The map of ``lib`` (labels from its tags, or zero-shot from its vocabulary)."""

    def vocabulary():  # noqa: ANN202
        terms, vectors = lib.texts.vocabulary()
        return [t.term for t in terms], vectors

    from artseek.map.collection_map import CollectionMap

    return CollectionMap(lib.db, lib.folder, lambda: lib.model_name, lib.require_writable, vocabulary)
