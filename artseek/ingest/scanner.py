"""Recursive folder scanning that survives symlink loops, odd names and unreadable folders.

A name that is not valid UTF-8 (possible on Linux and on some network shares)
cannot be stored in the library's database or printed as it is; such files
are still listed, under a readable stand-in path (:func:`display_path`, the
bad bytes written as ``\\xe9``) and with a reason, and become failed records.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from artseek.ingest.formats import EXTENSIONS as READER_EXTENSIONS

# Pillow's formats, and those of the readers in artseek.ingest.formats (AVIF, HEIC/HEIF, camera RAW/DNG, PSD/PSB)
IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".jp2", ".j2k", ".jpf", ".jpx",
     ".ppm", ".pgm", ".pbm", ".pnm", ".tga", ".ico", ".psd", ".dib", ".jfif"}
) | READER_EXTENSIONS


@dataclass(frozen=True)
class FileEntry:
    """A candidate image file as seen by the scan (``stat`` taken then)."""

    path: str
    size: int
    mtime_ns: int
    ctime_ns: int = 0  # 0: unknown
    inode: int = 0  # 0: unknown (e.g. os.scandir on Windows)
    problem: str | None = None  # set when the file cannot be indexed at all (e.g. its name is not UTF-8)


@dataclass(frozen=True)
class ScanProblem:
    """A folder or file the scan could not look into, with a readable reason."""

    path: str
    reason: str


NOT_UTF8 = "file name is not valid UTF-8"


def is_storable(path: str) -> bool:
    """True when ``path`` is valid Unicode (no undecodable bytes from the file system)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def display_path(path: str) -> str:
    """``path`` as printable, storable text: undecodable bytes become ``\\xNN`` (unchanged when valid)."""
    if is_storable(path):
        return path
    try:
        return os.fsencode(path).decode("utf-8", errors="backslashreplace")
    except UnicodeError:  # a lone surrogate that is no escaped byte (Windows names)
        return path.encode("utf-8", errors="backslashreplace").decode("utf-8")


def bad_name_reason(path: str) -> str:
    """The readable reason a file with an undecodable name (its own or a folder's) is not indexed."""
    name = os.path.basename(path)
    where = "file name" if not is_storable(name) else "name of a folder above it"
    return (f"{NOT_UTF8}: the {where} holds bytes that are not UTF-8 text; rename it (for example with "
            "'convmv' or the file manager) and re-scan")


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
                    ctime_ns = getattr(est, "st_ctime_ns", 0)
                    if is_storable(entry.path):
                        yield FileEntry(entry.path, est.st_size, est.st_mtime_ns, ctime_ns, est.st_ino)
                    else:
                        yield FileEntry(display_path(entry.path), est.st_size, est.st_mtime_ns, ctime_ns,
                                        est.st_ino, bad_name_reason(entry.path))
            except OSError as exc:
                _report(problems, entry.path, f"cannot read file information: {exc.strerror or exc}")
        stack.extend(reversed(subfolders))


def _report(problems: list[ScanProblem] | None, path: str, reason: str) -> None:
    if problems is not None:
        problems.append(ScanProblem(display_path(path), reason))
