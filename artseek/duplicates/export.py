"""CSV of every duplicate group: one row per image, in the groups' order."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from artseek.duplicates.report import DuplicateReport
from artseek.errors import ArtSeekError

COLUMNS = ("group", "tier", "image_id", "path", "size_bytes", "width", "height", "format", "modified",
           "content_hash", "copies", "similarity", "hash_bits", "stands_for_near_group")


def write_csv(report: DuplicateReport, path: str | os.PathLike[str]) -> int:
    """Write ``report`` to ``path`` (UTF-8, with a header); returns the rows written.

    Written to a temporary file first, then moved into place: a failure never leaves half a file.
    """
    target = Path(path)
    tmp = target.with_name(target.name + ".part")
    rows = 0
    try:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            for g in report.groups:
                for m in g.members:
                    writer.writerow([g.key, g.tier, m.image_id, m.path, m.size, m.width or "", m.height or "",
                                     m.format or "", m.modified, m.content_hash or "", m.copies,
                                     "" if m.similarity is None else f"{m.similarity:.4f}",
                                     "" if m.hash_bits is None else m.hash_bits, "yes" if m.stands_for else ""])
                    rows += 1
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ArtSeekError(f"The duplicate list could not be written to '{target}': {exc.strerror or exc}.",
                           "Choose a folder you can write to, with free space.") from None
    return rows
