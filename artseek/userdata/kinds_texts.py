"""The curator's own descriptions as a user-data kind (see :mod:`artseek.userdata.registry`).

A description written in the window (*Image → Edit Description…*) or by
``texts`` is stored with source ``curator``. Exported with its image (content
hash and path); importing matches the image by content, then path: the same
text is left alone, another text replaces this library's curator description of
that image (the file's is the curator's newer word), and a description of an
image not in this library is counted ``unmatched``. Imported texts are stored
unembedded and embedded on the next search in descriptions, like an import
that was stopped. Imports neither torch nor Qt.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from artseek.captions.descriptions import CURATOR_SOURCE, replace_curator_description
from artseek.collections.errors import UserDataError
from artseek.storage import TextEntry
from artseek.userdata.registry import ImageRefs


class DescriptionsKind:
    name = "descriptions"
    version = 1
    description = "descriptions written by the curator (not imported catalogue texts)"

    def export(self, s: Session, images: ImageRefs) -> list[dict]:
        rows = s.execute(select(TextEntry.image_id, TextEntry.text).where(TextEntry.source == CURATOR_SOURCE,
                                                                         TextEntry.image_id.is_not(None))
                         .order_by(TextEntry.image_id)).all()
        return [{"image": images.ref(i), "text": t} for i, t in rows]

    def validate(self, data: Any, version: int) -> None:
        if not isinstance(data, list):
            raise UserDataError("The descriptions part of the file is not a list.",
                                "Use a file written by File → Export Library Data….")
        for n, d in enumerate(data, 1):
            if not (isinstance(d, dict) and isinstance(d.get("text"), str) and isinstance(d.get("image"), dict)):
                raise UserDataError(f"Description {n} of the file has no text or no image.",
                                    "Use a file written by File → Export Library Data….")

    def import_(self, s: Session, data: list, version: int, images: ImageRefs) -> dict[str, int]:
        counts = {"descriptions_set": 0, "unchanged": 0, "unmatched": 0}
        for d in data:
            image_id = images.resolve(d["image"])
            text = d["text"].strip()
            if image_id is None or not text:
                counts["unmatched"] += 1
                continue
            now = s.scalar(select(TextEntry.text).where(TextEntry.image_id == image_id,
                                                        TextEntry.source == CURATOR_SOURCE))
            if now is not None and " ".join(now.split()) == " ".join(text.split()):
                counts["unchanged"] += 1
                continue
            replace_curator_description(s, image_id, text)
            counts["descriptions_set"] += 1
        return counts
