"""The imported folders of a library: list them, remove one, and whether each is offline.

A mixin of :class:`artseek.library.Library` (it uses the library's ``db``, its vector index
and its automatic backups), kept apart so that the library module holds one job.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import delete, func, select, update

from artseek.errors import LibraryError
from artseek.ingest.diff import folder_offline
from artseek.storage import Database, Image, ImageStatus, ImportRoot, Tag
from artseek.storage.errors import guarded


class LibraryFolders:
    """Mixin of :class:`artseek.library.Library`: its imported folders (roots)."""

    db: Database

    def roots(self) -> list[str]:
        with self.db.session() as s:
            return list(s.scalars(select(ImportRoot.path).order_by(ImportRoot.path)))

    @guarded
    def remove_root(self, folder: Path | str) -> int:
        """Forget an imported folder and its images; returns how many images were removed.

        Images that another imported folder still covers (``A/nested`` imported on its own, or ``A``
        when ``A/nested`` is removed) stay in the library and pass to the closest such folder.
        """
        self.require_writable()
        self.count_root_removal(folder)  # raises LibraryError for a folder that is not imported
        self._auto_backup("before remove folder")
        with self.db.session() as s:
            root, ids, keep = self._root_removal(s, folder)
            for other_id, image_ids in keep.items():
                for start in range(0, len(image_ids), 500):
                    s.execute(update(Image).where(Image.id.in_(image_ids[start:start + 500]))
                              .values(root_id=other_id))
            for start in range(0, len(ids), 500):
                s.execute(delete(Image).where(Image.id.in_(ids[start:start + 500])))
            s.delete(root)
        if self._vectors is not None:
            self._vectors.remove(ids)
            self._vectors.save(self.db.max_seq())
        return len(ids)

    @guarded
    def count_root_removal(self, folder: Path | str) -> int:
        """How many images :meth:`remove_root` would remove for ``folder`` (for a confirmation)."""
        with self.db.session() as s:
            return len(self._root_removal(s, folder)[1])

    @guarded
    def root_removal_impact(self, folder: Path | str) -> dict[str, int]:
        """What removing ``folder`` touches: ``images`` removed, of them ``collected`` (in a collection: the
        items are kept and re-linked if the files come back) and ``tagged`` (with a tag set by hand, which goes)."""
        with self.db.session() as s:
            ids = self._root_removal(s, folder)[1]
            tagged = 0
            for start in range(0, len(ids), 500):
                tagged += int(s.scalar(select(func.count(func.distinct(Tag.image_id))).where(
                    Tag.image_id.in_(ids[start:start + 500]), Tag.source != "zero-shot")) or 0)
        return {"images": len(ids), "collected": self.collections.touched_by(ids), "tagged": tagged}

    @staticmethod
    def _root_removal(s, folder: Path | str) -> tuple[ImportRoot, list[int], dict[int, list[int]]]:  # noqa: ANN001
        """The root of ``folder``, the ids of its images to delete, and those another root keeps (by root id)."""
        path = os.path.abspath(folder)
        root = s.scalar(select(ImportRoot).where(ImportRoot.path == path))
        if root is None:
            raise LibraryError(f"'{path}' is not an imported folder of this library.",
                               "See 'status' for the imported folders.")
        others = sorted(((r.path, r.id) for r in s.scalars(select(ImportRoot)) if r.id != root.id),
                        key=lambda pr: -len(pr[0]))
        ids: list[int] = []
        keep: dict[int, list[int]] = {}
        for image_id, image_path in s.execute(select(Image.id, Image.path).where(Image.root_id == root.id)):
            other = next((rid for p, rid in others if image_path.startswith(p.rstrip(os.sep) + os.sep)), None)
            if other is None:
                ids.append(image_id)
            else:
                keep.setdefault(other, []).append(image_id)
        return root, ids, keep

    def folders(self) -> list[dict]:
        """The imported folders with their indexed image counts and whether each is offline.

        Offline means the folder itself is not there (one ``stat`` each): see :mod:`artseek.ingest.diff`.
        """
        with self.db.session() as s:
            rows = s.execute(select(ImportRoot.id, ImportRoot.path).order_by(ImportRoot.path)).all()
            counts = dict(s.execute(select(Image.root_id, func.count()).where(Image.status == ImageStatus.INDEXED)
                                    .group_by(Image.root_id)).all())
        return [{"path": path, "offline": folder_offline(path, counts.get(rid, 0) > 0),
                 "images": counts.get(rid, 0)} for rid, path in rows]
