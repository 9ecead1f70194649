"""Recursive folder scanning that survives symlink loops, odd names and unreadable folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".jp2", ".j2k", ".jpf", ".jpx",
     ".ppm", ".pgm", ".pbm", ".pnm", ".tga", ".ico", ".psd", ".dib", ".jfif"}
)


@dataclass(frozen=True)
class FileEntry:
    """A candidate image file as seen by the scan (``stat`` taken then)."""

    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class ScanProblem:
    """A folder or file the scan could not look into, with a readable reason."""

    path: str
    reason: str


def is_image_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS


def scan_folder(root: Path, problems: list[ScanProblem] | None = None) -> Iterator[FileEntry]:
    """Yield image files below ``root`` (following symlinks, each real folder once).

    Hidden files and folders (names starting with '.') are skipped. Folders
    that cannot be listed are reported in ``problems`` and skipped.
    """
    seen: set[tuple[int, int]] = set()
    stack = [os.path.abspath(root)]
    while stack:
        folder = stack.pop()
        try:
            st = os.stat(folder)
        except OSError as exc:
            _report(problems, folder, f"cannot open folder: {exc.strerror or exc}")
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            continue  # symlink loop or the same folder reached twice
        seen.add(key)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            _report(problems, folder, f"cannot list folder: {exc.strerror or exc}")
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=True):
                    subfolders.append(entry.path)
                elif is_image_name(entry.name) and entry.is_file(follow_symlinks=True):
                    est = entry.stat(follow_symlinks=True)
                    yield FileEntry(entry.path, est.st_size, est.st_mtime_ns)
            except OSError as exc:
                _report(problems, entry.path, f"cannot read file information: {exc.strerror or exc}")
        stack.extend(reversed(subfolders))


def _report(problems: list[ScanProblem] | None, path: str, reason: str) -> None:
    if problems is not None:
        problems.append(ScanProblem(path, reason))
