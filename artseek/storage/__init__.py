"""SQLite metadata of a library (SQLAlchemy 2.x). Imports neither torch nor Qt."""

from artseek.storage.database import Database
from artseek.storage.models import Embedding, Image, ImageStatus, ImportRoot, Meta, Thumbnail
from artseek.storage.collection_models import Collection, CollectionItem
from artseek.storage.text_models import PromptEmbedding, Tag, TextEntry, TextPart
from artseek.storage.tile_models import Tile

__all__ = ["Collection", "CollectionItem", "Database", "Embedding", "Image", "ImageStatus", "ImportRoot", "Meta", "Thumbnail",
           "PromptEmbedding", "Tag", "TextEntry", "TextPart", "Tile"]
