"""Queries over a library: text, example images, and their combinations. No Qt."""

from artseek.search.results import SearchResult

__all__ = ["SearchResult"]
