"""ArtSeek: offline image search for museum and library curators."""

__version__ = "0.1.0"
