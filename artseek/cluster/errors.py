"""Errors of cluster indexing."""

from __future__ import annotations

from artseek.errors import ArtSeekError


class ClusterError(ArtSeekError):
    """Ray is missing, the cluster cannot be reached, or a cluster run stopped (its finished shards are kept)."""
