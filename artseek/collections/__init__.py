"""A curator's collections (``lib.collections``) and their exports (CSV, copied files; the PDF contact sheet is
drawn by :mod:`artseek.ui.contact_sheet`). Imports neither torch nor Qt."""

from artseek.collections.errors import CollectionError
from artseek.collections.export import CopyReport, ExportEntry, SheetEntry
from artseek.collections.service import CollectionInfo, CollectionService, ItemInfo

__all__ = ["CollectionError", "CollectionInfo", "CollectionService", "CopyReport", "ExportEntry", "ItemInfo",
           "SheetEntry"]
