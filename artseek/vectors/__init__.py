"""The approximate-nearest-neighbour index (hnswlib). Imports neither torch nor Qt."""

from artseek.vectors.hnsw_index import VectorIndex

__all__ = ["VectorIndex"]
