"""Small file-system helpers shared by the storage layers (no ArtSeek imports)."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path


def fsync_file(path: Path) -> None:
    """Flush ``path``'s data to disk (before an atomic rename makes it the real file)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_folder(work: Path, target: Path) -> None:
    """Put the finished folder ``work`` at ``target`` by renames; a folder already at ``target`` is moved aside
    first and deleted only once the new one is in place (a crash leaves the old or the new one, never half)."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
    work.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def sha256_file(path: Path, chunk: int = 4 << 20) -> str:
    """The SHA-256 of a file's content, read in chunks (model weights are hundreds of MB)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()
