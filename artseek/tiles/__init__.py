"""Detail indexing: every image also embedded as overlapping tiles, so a small motif is found.

:mod:`.grid` says where the tiles lie; :mod:`.store` keeps their vectors (the
``tiles`` table and a separate hnswlib index, ``tiles/vectors.hnsw``), makes
them for newly indexed images, removes them with their image, rebuilds the
index when it is damaged, and searches them. Imports no Qt.
"""

from artseek.tiles.grid import LEVELS, Region, crops, tile_regions
from artseek.tiles.store import META_TILES, TileHit, TileStore

__all__ = ["LEVELS", "META_TILES", "Region", "TileHit", "TileStore", "crops", "tile_regions"]
