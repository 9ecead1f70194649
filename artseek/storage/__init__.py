"""SQLite metadata of a library (SQLAlchemy 2.x). Imports neither torch nor Qt."""

from artseek.storage.database import Database
from artseek.storage.models import Embedding, Image, ImageStatus, ImportRoot, Meta, Thumbnail
from artseek.storage.collection_models import Collection, CollectionItem
from artseek.storage.category_models import CategoryRow
from artseek.storage.duplicate_models import (DuplicateCheck, DuplicateDismissal, DuplicateDismissalMember,
                                              DuplicatePair)
from artseek.storage.history_models import SearchHistoryEntry
from artseek.storage.map_models import MapCluster, MapPoint
from artseek.storage.text_models import PromptEmbedding, Tag, TextEntry, TextPart
from artseek.storage.tile_models import Tile

__all__ = ["CategoryRow", "Collection", "CollectionItem", "Database", "Embedding", "Image", "ImageStatus", "ImportRoot",
           "MapCluster", "MapPoint", "Meta", "Thumbnail", "SearchHistoryEntry",
           "PromptEmbedding", "Tag", "TextEntry", "TextPart", "Tile",
           "DuplicateCheck", "DuplicateDismissal", "DuplicateDismissalMember", "DuplicatePair"]
