"""User-facing errors: each says what happened and what to do about it."""

from __future__ import annotations


class ArtSeekError(Exception):
    """An error a curator can hit; ``str()`` is a complete, readable message."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class ModelNotFoundError(ArtSeekError):
    """The model's weights file is not where ArtSeek looks for it."""


class ModelLoadError(ArtSeekError):
    """A weights file exists but cannot be used (corrupt, wrong architecture, unsafe)."""


class ModelMismatchError(ArtSeekError):
    """A library was built with a different model than the one requested."""


class LibraryError(ArtSeekError):
    """The library folder cannot be opened or written."""


class LibraryLockedError(LibraryError):
    """Another ArtSeek process is writing to this library."""


class LibraryReadOnlyError(LibraryError):
    """The library is on read-only storage (or not writable for this user)."""


class QueryError(ArtSeekError):
    """A search request cannot be run (e.g. an unreadable query image)."""


class EmptyQueryError(QueryError):
    """There is nothing to search for: no text, no example image and no marks."""
