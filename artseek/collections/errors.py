"""Errors of collections and their exports: each says what happened and what to do."""

from __future__ import annotations

from artseek.errors import ArtSeekError


class CollectionError(ArtSeekError):
    """A collection request cannot be done (no such collection, a name taken, an image not in the library)."""


class UserDataError(ArtSeekError):
    """A library data file cannot be read or imported (not ArtSeek's, damaged, or from another version)."""
