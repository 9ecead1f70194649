"""SQLite metadata of a library (SQLAlchemy 2.x). Imports neither torch nor Qt."""

from artseek.storage.database import Database
from artseek.storage.models import Embedding, Image, ImageStatus, ImportRoot, Meta, Thumbnail
from artseek.storage.text_models import PromptEmbedding, Tag, TextEntry, TextPart

__all__ = ["Database", "Embedding", "Image", "ImageStatus", "ImportRoot", "Meta", "Thumbnail",
           "PromptEmbedding", "Tag", "TextEntry", "TextPart"]
