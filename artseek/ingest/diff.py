"""What an indexing run has to do: the files of the scanned folders compared with the library.

A file is unchanged when its size, mtime and (where the platform gives them
cheaply, from the same ``stat``) ctime and inode are those recorded; one whose
size and mtime match but whose ctime or inode differ (replaced by another file
and given the old date back) is *checked*: its content hash is compared with
the stored one, and only a different content is decoded and embedded again.
``verify`` checks every unchanged file that way.

A registered folder that is absent, cannot be listed, or is empty while the
library holds images from it is *offline* (an unplugged drive, an unmounted
share, a folder moved away): its images are left as they are, searchable with
their thumbnails, and re-scanned normally when it is back.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, update

from artseek.ingest.scanner import FileEntry, ScanProblem, bad_name_reason, display_path, is_storable, scan_folder
from artseek.storage import Database, Image, ImageStatus, ImportRoot

CHUNK = 500
NOT_THERE = ("offline: the folder is not there (a drive or network share that is not connected, or a folder "
             "moved or renamed)")


@dataclass
class Work:
    """A file to read: ``known_hash`` set means "check the content first; same hash, no model work"."""

    entry: FileEntry
    image_id: int
    known_hash: str | None = None
    same_stat: bool = False  # size and mtime as recorded (a check by ctime/inode or --verify)


@dataclass
class Diff:
    """The outcome of scanning and comparing (written to the database already, except the work)."""

    work: list[Work] = field(default_factory=list)
    scanned: int = 0
    skipped: int = 0
    missing_ids: list[int] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason) recorded without reading
    offline: list[ScanProblem] = field(default_factory=list)
    offline_images: int = 0
    root_ids: dict[str, int] = field(default_factory=dict)
    movable: dict[str, list[int]] = field(default_factory=dict)  # content hash -> records a file may take over
    undated: list[tuple[int, str]] = field(default_factory=list)  # unchanged (id, path) without taken_at: read its date
    unhashed: list[Work] = field(default_factory=list)  # unchanged files without a perceptual hash (backfill)
    cancelled: bool = False

    def root_of(self, path: str) -> int | None:
        """The id of the registered folder holding ``path`` (the deepest one)."""
        for root, rid in sorted(self.root_ids.items(), key=lambda kv: -len(kv[0])):
            if path.startswith(root + os.sep):
                return rid
        return None


def folder_offline(path: str, holds_images: bool) -> bool:
    """Cheap check (a stat, and a listing of one entry) that a registered folder is offline now."""
    try:
        with os.scandir(path) as it:
            empty = next(it, None) is None
    except OSError:  # absent, not a folder, or not reachable
        return True
    return empty and holds_images


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return bool(prefixes) and path.startswith(prefixes)


def stat_changed(row_ctime: int | None, row_inode: int | None, entry: FileEntry) -> bool:
    """True when the recorded ctime or inode (where both sides know it) differs from the scan's."""
    return bool((row_ctime and entry.ctime_ns and row_ctime != entry.ctime_ns)
                or (row_inode and entry.inode and row_inode != entry.inode))


class FolderDiff:
    """Scan ``folders`` and compare them with the library; see the module docstring."""

    def __init__(self, db: Database, folders: Iterable[Path], problems: list[ScanProblem], verify: bool = False,
                 cancelled: Callable[[], bool] = lambda: False,
                 on_entry: Callable[[str], None] = lambda _path: None) -> None:
        self.db = db
        self.folders = [str(f) for f in folders]
        self.problems = problems
        self.verify = verify
        self.cancelled = cancelled
        self.on_entry = on_entry

    def run(self) -> Diff:
        diff = Diff()
        online = self._register_roots(diff)
        entries: dict[str, FileEntry] = {}
        per_root: dict[str, int] = {}
        for folder in online:
            before = len(entries)
            listing_failed = len(self.problems)
            for entry in scan_folder(Path(folder), self.problems):
                entries.setdefault(entry.path, entry)
                if len(entries) % 500 == 0:
                    self.on_entry(entry.path)
                if self.cancelled():
                    diff.cancelled = True
                    return diff
            per_root[folder] = len(entries) - before
            root_unlisted = any(p.path == folder for p in self.problems[listing_failed:])
            if root_unlisted:
                self.problems[:] = [p for p in self.problems if p.path != folder]
                per_root[folder] = -1
        diff.scanned = len(entries)
        with self.db.session() as s:
            rows = s.execute(select(Image.id, Image.path, Image.size, Image.mtime_ns, Image.ctime_ns, Image.inode,
                                    Image.status, Image.error, Image.content_hash, Image.taken_at, Image.phash,
                                    Image.phash_crop)).all()
            self._find_offline(diff, rows, online, per_root, entries)
            self._mark_missing(s, diff, rows, online, entries)
            self._compare(s, diff, rows, entries)
            self._find_movable(diff, rows)
        return diff

    def _find_movable(self, diff: Diff, rows: list) -> None:
        """Records a new file of the same content may take over (keeping their texts, tags and embedding):
        missing ones, and those of offline folders (a folder moved or renamed, then imported at its new place)."""
        offline = tuple(p.path + os.sep for p in diff.offline)
        gone = set(diff.missing_ids)
        for r in rows:
            if r.content_hash and (r.status == ImageStatus.MISSING or r.id in gone
                                   or (r.status == ImageStatus.INDEXED and _under(r.path, offline))):
                diff.movable.setdefault(r.content_hash, []).append(r.id)

    # ------------------------------------------------------------ roots
    def _register_roots(self, diff: Diff) -> list[str]:
        """Register new folders that exist; returns the folders to scan (registered ones that are there)."""
        online: list[str] = []
        with self.db.session() as s:
            registered = {p: i for i, p in s.execute(select(ImportRoot.id, ImportRoot.path))}
            for folder in self.folders:
                if not is_storable(folder):
                    self.problems.append(ScanProblem(display_path(folder), bad_name_reason(folder)))
                    continue
                present = os.path.isdir(folder)
                if folder in registered:
                    diff.root_ids[folder] = registered[folder]
                    if not present:
                        diff.offline.append(ScanProblem(folder, NOT_THERE))
                        continue
                elif not present:
                    self.problems.append(ScanProblem(folder, "not a folder, or it cannot be opened"))
                    continue
                else:
                    root = ImportRoot(path=folder)
                    s.add(root)
                    s.flush()
                    diff.root_ids[folder] = root.id
                online.append(folder)
            # Other registered folders that are not there: their records may be taken over by files of a
            # folder imported under a new name (moved, renamed) instead of being read and embedded again.
            for folder in registered:
                if folder not in self.folders and not os.path.isdir(folder):
                    diff.offline.append(ScanProblem(folder, NOT_THERE))
        return online

    def _find_offline(self, diff: Diff, rows: list, online: list[str], per_root: dict[str, int],
                      entries: dict[str, FileEntry]) -> None:
        """Registered folders that are there but unreadable, or empty while the library holds their images."""
        for folder in list(online):
            found = per_root.get(folder, 0)
            if found > 0:
                continue
            prefix = (folder + os.sep,)
            held = sum(1 for r in rows if r.status != ImageStatus.MISSING and r.path.startswith(prefix))
            if found < 0:
                reason = "offline: the folder cannot be listed (a network share or drive that is not reachable?)"
            elif held:
                reason = (f"offline: the folder is empty but the library holds {held} images from it (a drive "
                          "that is not mounted?). If its files were deleted on purpose, use remove-folder")
            else:
                continue
            online.remove(folder)
            diff.offline.append(ScanProblem(folder, reason))
        offline = tuple(p.path + os.sep for p in diff.offline)
        diff.offline_images = sum(1 for r in rows if _under(r.path, offline) and r.status == ImageStatus.INDEXED)

    def _mark_missing(self, s, diff: Diff, rows: list, online: list[str],  # noqa: ANN001
                      entries: dict[str, FileEntry]) -> None:
        """Files gone from the online folders become "missing" (their records and texts are kept)."""
        prefixes = tuple(f + os.sep for f in online)
        offline = tuple(p.path + os.sep for p in diff.offline)
        gone = [r.id for r in rows if _under(r.path, prefixes) and not _under(r.path, offline)
                and r.path not in entries and r.status != ImageStatus.MISSING]
        for start in range(0, len(gone), CHUNK):
            s.execute(update(Image).where(Image.id.in_(gone[start:start + CHUNK]))
                      .values(status=ImageStatus.MISSING, error=None))
        diff.missing_ids = gone

    def _compare(self, s, diff: Diff, rows: list, entries: dict[str, FileEntry]) -> None:  # noqa: ANN001
        by_path = {r.path: r for r in rows}
        backfill: list[dict] = []
        new_entries: list[FileEntry] = []
        for path, entry in entries.items():
            row = by_path.get(path)
            if entry.problem:
                diff.failed.append((path, entry.problem))
                if row is None:
                    new_entries.append(entry)
                else:
                    s.execute(update(Image).where(Image.id == row.id).values(
                        status=ImageStatus.FAILED, error=entry.problem, size=entry.size, mtime_ns=entry.mtime_ns))
                continue
            if row is None:
                new_entries.append(entry)
                continue
            indexed = row.status == ImageStatus.INDEXED
            if indexed and row.size == entry.size and row.mtime_ns == entry.mtime_ns:
                if not self.verify and not stat_changed(row.ctime_ns, row.inode, entry):
                    diff.skipped += 1
                    if row.ctime_ns is None or row.inode is None:  # recorded before schema 2
                        backfill.append(dict(id=row.id, ctime_ns=entry.ctime_ns, inode=entry.inode))
                    if row.taken_at is None:  # indexed before the date filter: its date only, no model work
                        diff.undated.append((row.id, path))
                    if row.phash is None or row.phash_crop is None:  # indexed before the duplicate finder:
                        diff.unhashed.append(Work(entry, row.id, row.content_hash))  # a small decode, no model
                    continue
                diff.work.append(Work(entry, row.id, row.content_hash, same_stat=True))
                continue
            diff.work.append(Work(entry, row.id, row.content_hash if indexed else None))
        for start in range(0, len(backfill), CHUNK):
            s.execute(update(Image), backfill[start:start + CHUNK])
        for entry in new_entries:
            image = Image(path=entry.path, size=entry.size, mtime_ns=entry.mtime_ns, ctime_ns=entry.ctime_ns,
                          inode=entry.inode, root_id=diff.root_of(entry.path),
                          status=ImageStatus.FAILED if entry.problem else ImageStatus.PENDING, error=entry.problem)
            s.add(image)
            s.flush()
            if not entry.problem:
                diff.work.append(Work(entry, image.id))
