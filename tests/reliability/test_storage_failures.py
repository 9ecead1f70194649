"""Disk full, read-only storage and a locked database: clear errors, nothing corrupted, work resumes."""

import os
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest

from artseek.errors import LibraryError, LibraryReadOnlyError
from artseek.library import Library
from tests.conftest import run_cli


def _can_mount() -> bool:
    if os.name != "posix" or os.geteuid() != 0:
        return False
    probe = Path(f"/tmp/artseek-mount-probe-{uuid.uuid4().hex}")
    probe.mkdir()
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)],
                            capture_output=True).returncode == 0
        if ok:
            subprocess.run(["umount", str(probe)], check=False)
        return ok
    finally:
        probe.rmdir()


needs_mount = pytest.mark.skipif(not _can_mount(), reason="needs root and tmpfs mounts (small filesystems)")


@pytest.fixture
def small_fs(tmp_path):
    """A tiny tmpfs; yields (mount point, resize(size_str), remount_ro())."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1200k", "tmpfs", str(mnt)], check=True)

    def remount(opts: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{opts}", str(mnt)], check=True)

    yield mnt, remount
    subprocess.run(["umount", "-l", str(mnt)], check=False)


@needs_mount
def test_disk_full_during_indexing_is_clear_and_resumable(small_fs, shapes_200) -> None:
    mnt, remount = small_fs
    folder = shapes_200[0][0].parent
    library = mnt / "lib"
    r = run_cli("index", str(folder), "--library", str(library), "--model", "tiny-test", "--batch-size", "8")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "is full" in r.stderr and "Free some space" in r.stderr and "Traceback" not in r.stderr
    remount("size=50m")
    with Library(library) as lib:
        assert lib.db.integrity_check() == "ok"
        assert lib.vectors.ids == set(i for i in lib.vectors.ids)  # opens and reconciles
        partial = lib.status().indexed
        assert partial < 200
    r = run_cli("index", str(folder), "--library", str(library), "--json")
    assert r.returncode == 0, r.stderr
    with Library(library) as lib:
        st = lib.status()
        assert (st.indexed, st.pending, st.failed) == (200, 0, 0)
        assert len(lib.vectors) == 200


@needs_mount
def test_read_only_library_searches_but_refuses_to_index(small_fs, shapes_200) -> None:
    mnt, remount = small_fs
    remount("size=20m")
    folder = shapes_200[0][0].parent
    library = mnt / "lib"
    assert run_cli("index", str(folder), "--library", str(library), "--model", "tiny-test").returncode == 0
    remount("ro")
    with pytest.raises(LibraryReadOnlyError, match="read-only"):
        Library(library)
    r = run_cli("index", str(folder), "--library", str(library))
    assert r.returncode == 2 and "read-only" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("search", "a red circle", "--library", str(library), "--top", "3")
    assert r.returncode == 0 and "red_circle" in r.stdout, r.stderr
    remount("rw")
    with Library(library) as lib:
        assert lib.db.integrity_check() == "ok" and lib.status().indexed == 200


def test_locked_database_is_a_clear_error(tmp_path, shapes_200, monkeypatch) -> None:
    folder = shapes_200[0][0].parent
    library = tmp_path / "lib"
    with Library(library, model="tiny-test") as lib:
        lib.index([folder])
    monkeypatch.setenv("ARTSEEK_DB_TIMEOUT", "0.2")
    other = sqlite3.connect(library / "library.sqlite", timeout=0.2)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(LibraryError, match="locked by another program"):
            with Library(library) as lib:
                lib.remove_root(folder)
    finally:
        other.rollback()
        other.close()
    with Library(library) as lib:
        assert lib.db.integrity_check() == "ok" and lib.status().indexed == 200


def test_index_save_failure_keeps_previous_index(tmp_path, shapes_200, monkeypatch) -> None:
    import errno

    from artseek.vectors import hnsw_index

    folder = shapes_200[0][0].parent
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        lib.index([folder])
    before = (tmp_path / "lib" / "vectors.hnsw").read_bytes()

    def full(self, synced_seq):  # noqa: ANN001
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(hnsw_index.VectorIndex, "save", full)
    with Library(tmp_path / "lib") as lib:
        with pytest.raises(LibraryError, match="is full"):
            lib.remove_root(folder)
    monkeypatch.undo()
    assert (tmp_path / "lib" / "vectors.hnsw").read_bytes() == before
    with Library(tmp_path / "lib") as lib:  # database says: folder removed; the index follows on open
        assert lib.status().indexed == 0 and len(lib.vectors) == 0
