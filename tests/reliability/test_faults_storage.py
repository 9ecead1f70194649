"""Fault injection, storage (issue #20): damaged, zeroed, truncated or swapped vector index files, a wrong-shape
vectors.json, damaged SQLite pages, read-only media during and after a run; backups, restore and checks.

Every test injects the fault into a copy of a library of 200 indexed shapes and asserts that the library either
repairs itself (search returns every indexed image) or says plainly how to restore it; crash-prone cases run
the command in a subprocess, so a segmentation fault would show as a failed return code.
"""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from artseek.errors import LibraryDamagedError, LibraryError, LibraryLockedError, LibraryReadOnlyError
from artseek.library import Library, open_library
from artseek.maintenance import check_library, list_backups, restore_backup
from artseek.storage import database
from artseek.storage.backups import KEEP
from artseek.vectors import VectorIndex
from artseek.vectors.state import StateError, verify
from tests.conftest import ROOT, run_cli
from tests.fixtures.damage import zero_page
from tests.reliability.test_storage_failures import needs_mount

QUERY = "a red circle"


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def pristine(tmp_path_factory, shapes_200) -> Path:
    """A library of the 200 shapes, closed; tests work on copies."""
    folder = tmp_path_factory.mktemp("pristine") / "lib"
    with Library(folder, model="tiny-test") as lib:
        lib.index([shapes_200[0][0].parent])
    return folder


@pytest.fixture(scope="module")
def other(tmp_path_factory, shapes_200) -> Path:
    """Another library: 80 of the shapes, indexed separately."""
    images = tmp_path_factory.mktemp("other-images")
    for path, _ in shapes_200[:80]:
        shutil.copy(path, images / path.name)
    folder = tmp_path_factory.mktemp("other") / "lib"
    with Library(folder, model="tiny-test") as lib:
        lib.index([images])
    return folder


@pytest.fixture
def lib_copy(pristine, tmp_path) -> Path:
    target = tmp_path / "lib"
    shutil.copytree(pristine, target)
    return target


def _searchable(folder: Path, read_only: bool = False) -> tuple[int, int]:
    """(indexed images, results of a text search asking for all of them)."""
    with Library(folder, read_only=read_only) as lib:
        indexed = lib.status().indexed
        return indexed, len(lib.search_text(QUERY, top_k=1000))


def _cli_results(folder: Path, *extra: str) -> list[dict]:
    r = run_cli("search", QUERY, "--top", "1000", "--json", "--library", str(folder), *extra)
    assert r.returncode == 0, f"rc={r.returncode} (a negative rc is a signal, e.g. -11 SIGSEGV)\n{r.stderr}"
    assert "Traceback" not in r.stderr
    return json.loads(r.stdout)["results"]


def _damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    if how == "random":
        data[mid:mid + 4096] = np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    elif how == "zeros":
        data[mid:mid + 4096] = bytes(4096)
    elif how == "truncated":
        data = data[:mid]
    elif how == "empty":
        data = bytearray()
    elif how == "garbage":
        data = bytearray(b"not an hnsw index" * 100)
    path.write_bytes(bytes(data))


# ------------------------------------------- 3, 4: the vector index damaged
@pytest.mark.parametrize("how", ["random", "zeros"])
def test_index_damaged_in_place_is_rebuilt_without_crash(lib_copy, how) -> None:
    """Issue #20 items 3/4: 4 KB of random bytes or zeros inside vectors.hnsw (same size)."""
    _damage(lib_copy / "vectors.hnsw", how)
    with Library(lib_copy, read_only=True) as lib:  # repaired in memory, the file left as it is
        assert lib.index_repair and "checksum" in lib.index_repair
        assert len(lib.search_text(QUERY, 1000)) == 200
    results = _cli_results(lib_copy)  # a subprocess: a segfault would be rc -11
    assert len(results) == 200
    r = run_cli("search", QUERY, "--positive", str(results[0]["image_id"]), "--top", "200", "--json",
                "--library", str(lib_copy))
    assert r.returncode == 0 and len(json.loads(r.stdout)["results"]) >= 199, r.stderr
    # The writable opens above saved a rebuilt file that verifies; the next open uses it as it is.
    verify(lib_copy / "vectors.hnsw", lib_copy / "vectors.json", 64, "")
    with Library(lib_copy) as lib:
        assert lib.index_repair is None and len(lib.vectors) == 200


@pytest.mark.parametrize("how", ["truncated", "empty", "garbage"])
def test_index_truncated_or_replaced_is_rebuilt(lib_copy, how) -> None:
    _damage(lib_copy / "vectors.hnsw", how)
    assert _searchable(lib_copy) == (200, 200)


def test_hnswlib_never_sees_an_unverified_file(lib_copy) -> None:
    _damage(lib_copy / "vectors.hnsw", "random")
    with pytest.raises(StateError, match="checksum"):
        verify(lib_copy / "vectors.hnsw", lib_copy / "vectors.json", 64, "")
    index = VectorIndex(lib_copy, 64)
    assert not index.loaded_from_disk and "checksum" in index.load_problem


def test_index_file_from_another_library_is_rebuilt(lib_copy, other) -> None:
    """Item 4: vectors.hnsw alone, then with its vectors.json, from another library."""
    shutil.copy(other / "vectors.hnsw", lib_copy / "vectors.hnsw")
    assert _searchable(lib_copy) == (200, 200)
    shutil.copy(other / "vectors.hnsw", lib_copy / "vectors.hnsw")
    shutil.copy(other / "vectors.json", lib_copy / "vectors.json")
    with Library(lib_copy) as lib:
        assert "another library" in lib.index_repair
    assert len(_cli_results(lib_copy)) == 200


def test_index_from_a_copy_of_the_same_library_is_rebuilt(lib_copy, tmp_path, shapes_200) -> None:
    """Same library identity (a copied folder), but the copy moved on: its index holds other images."""
    copy = tmp_path / "copy"
    shutil.copytree(lib_copy, copy)
    extra = tmp_path / "extra"
    extra.mkdir()
    for path, _ in shapes_200[:30]:
        shutil.copy(path, extra / f"x{path.name}")
    with Library(copy) as lib:
        lib.index([extra])
        lib.remove_root(shapes_200[0][0].parent)
    shutil.copy(copy / "vectors.hnsw", lib_copy / "vectors.hnsw")
    shutil.copy(copy / "vectors.json", lib_copy / "vectors.json")
    assert _searchable(lib_copy) == (200, 200)


# ----------------------------------------------- 5: vectors.json wrong shape
@pytest.mark.parametrize("content", [
    "[1,2,3]", '"live"', "null", "{}", "{not json", "\xff\xfe{", "LIVE_NULL", "LIVE_STRINGS", "DIM_WRONG", "SEQ_STRING",
])
def test_wrong_shape_state_file_is_repaired(lib_copy, content) -> None:
    state = json.loads((lib_copy / "vectors.json").read_text())
    edits = {"LIVE_NULL": ("live", None), "LIVE_STRINGS": ("live", ["1", "2"]), "DIM_WRONG": ("dim", 512),
             "SEQ_STRING": ("synced_seq", "200")}
    if content in edits:
        key, value = edits[content]
        state[key] = value
        content = json.dumps(state)
    (lib_copy / "vectors.json").write_text(content, encoding="latin-1")
    r = run_cli("status", "--json", "--library", str(lib_copy))
    assert r.returncode == 0 and json.loads(r.stdout)["indexed"] == 200, r.stderr
    assert _searchable(lib_copy) == (200, 200)


def test_missing_state_file_is_repaired(lib_copy) -> None:
    (lib_copy / "vectors.json").unlink()
    r = run_cli("status", "--library", str(lib_copy))  # the plain status says what was repaired on open
    assert r.returncode == 0 and "Note:" in r.stdout and "rebuilt from the stored embeddings" in r.stdout, r.stdout
    assert _searchable(lib_copy) == (200, 200)


def test_search_never_returns_fewer_than_the_index_holds(tmp_path) -> None:
    """Tombstones can leave hnswlib unable to return k results: the index then searches exactly."""
    rng = np.random.default_rng(5)
    vecs = rng.normal(size=(2000, 16)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    index = VectorIndex(tmp_path, 16)
    index.add(np.arange(2000), vecs)
    index.remove(list(range(1950)))
    ids, scores = index.search(vecs[1990], 50)
    assert len(ids) == 50 and set(ids.tolist()) == set(range(1950, 2000))
    assert ids[0] == 1990 and np.all(np.diff(scores) <= 1e-6)


# ----------------------------------------------- 6: damaged SQLite pages
def test_damaged_images_page_is_detected_with_backups_and_restored(lib_copy) -> None:
    zero_page(lib_copy / "library.sqlite", "images")
    with pytest.raises(LibraryDamagedError) as info:
        Library(lib_copy)
    backups = info.value.backups
    assert backups and backups[0].indexed == 200
    for command in (("status",), ("search", QUERY), ("describe", "1")):
        r = run_cli(*command, "--library", str(lib_copy))
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        assert "damaged" in r.stderr and backups[0].name in r.stderr and "library restore" in r.stderr
    r = run_cli("library", "check", "--library", str(lib_copy))
    assert r.returncode == 1 and "DAMAGED" in r.stdout and backups[0].name in r.stdout, r.stdout + r.stderr
    r = run_cli("library", "restore", backups[0].name, "--library", str(lib_copy))
    assert r.returncode == 0 and "Restored" in r.stdout, r.stderr
    kept = list((lib_copy / "damaged").glob("library-*.sqlite"))
    assert len(kept) == 1  # the damaged database is set aside, never deleted
    assert _searchable(lib_copy) == (200, 200)
    with Library(lib_copy) as lib:
        assert lib.check(full=True).ok


def test_damaged_embeddings_page_is_detected_on_open(lib_copy) -> None:
    zero_page(lib_copy / "library.sqlite", "embeddings")
    with pytest.raises(LibraryDamagedError, match="library restore"):
        Library(lib_copy)
    report = check_library(lib_copy)
    assert not report.ok and report.backups


def test_big_library_open_checks_small_tables_and_full_check_finds_the_rest(lib_copy, monkeypatch) -> None:
    """Above WHOLE_CHECK_BYTES the open checks only the small tables; `check --full` reads every page."""
    monkeypatch.setattr(database, "WHOLE_CHECK_BYTES", 0)
    zero_page(lib_copy / "library.sqlite", "thumbnails")
    with Library(lib_copy) as lib:  # thumbnails are not read by the open check
        assert lib.check().ok
        assert not lib.check(full=True).ok
    r = run_cli("library", "check", "--full", "--json", "--library", str(lib_copy))
    assert r.returncode == 1 and json.loads(r.stdout)["problems"], r.stderr
    zero_page(lib_copy / "library.sqlite", "images")
    with pytest.raises(LibraryDamagedError):
        Library(lib_copy)


def test_backup_refuses_to_copy_a_damaged_database(lib_copy, monkeypatch) -> None:
    monkeypatch.setattr(database, "WHOLE_CHECK_BYTES", 0)
    before = [b.name for b in list_backups(lib_copy)]
    zero_page(lib_copy / "library.sqlite", "thumbnails")
    with Library(lib_copy) as lib:
        with pytest.raises(LibraryDamagedError):
            lib.backup()
    assert [b.name for b in list_backups(lib_copy)] == before


# --------------------------------------------------------------- backups
def test_backups_after_indexing_before_removal_and_rotation(tmp_path, shapes_200) -> None:
    folder = tmp_path / "images"
    folder.mkdir()
    for path, _ in shapes_200[:20]:
        shutil.copy(path, folder / path.name)
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        lib.index([folder])
        first = lib.backups()
        assert [b.reason for b in first] == ["after index"] and first[0].indexed == 20
        lib.index([folder])  # nothing changed: no new backup
        assert len(lib.backups()) == 1
        lib.remove_root(folder)
        assert lib.backups()[0].reason == "before remove folder" and lib.backups()[0].indexed == 20
        for _ in range(KEEP + 1):
            lib.index([folder])
            lib.remove_root(folder)
        backups = lib.backups()
        assert len(backups) == KEEP
        assert all(b.images is not None for b in backups)
        with sqlite3.connect(backups[0].path) as con:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_backup_before_schema_change(lib_copy) -> None:
    with sqlite3.connect(lib_copy / "library.sqlite") as con:
        con.execute("DROP TABLE tags")
    con.close()
    with Library(lib_copy) as lib:
        assert lib.backups()[0].reason == "before schema change"
        assert lib.backups()[0].images == 200


def test_restore_of_an_open_library_and_wrong_names(lib_copy, shapes_200) -> None:
    with Library(lib_copy) as lib:
        name = lib.backups()[0].name
        lib.remove_root(shapes_200[0][0].parent)
        assert lib.status().indexed == 0
        with pytest.raises(LibraryError, match="no backup named"):
            lib.restore_backup("library-nope.sqlite")
        assert lib.status().indexed == 0
        lib.restore_backup(name)
        assert lib.status().indexed == 200 and len(lib.search_text(QUERY, 500)) == 200
    with pytest.raises(LibraryError, match="no backup named"):
        restore_backup(lib_copy, "nope")


def test_restore_refused_while_another_process_holds_the_library(lib_copy) -> None:
    name = list_backups(lib_copy)[0].name
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from artseek.library import Library; lib = Library(sys.argv[1]); "
        "print('ready', flush=True); time.sleep(60)"), str(lib_copy)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(LibraryLockedError):
            restore_backup(lib_copy, name)
        r = run_cli("library", "restore", name, "--library", str(lib_copy))
        assert r.returncode == 2 and "already open" in r.stderr and "Traceback" not in r.stderr
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert not (lib_copy / "damaged").exists()


def test_backups_command_lists_dates_sizes_counts(lib_copy) -> None:
    r = run_cli("library", "backups", "--json", "--library", str(lib_copy))
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert rows and {"name", "created", "size", "images", "indexed", "reason"} <= set(rows[0])
    assert rows[0]["indexed"] == 200 and rows[0]["size"] > 0


# ---------------------------------------------- 2: read-only library folder
@needs_mount
def test_library_turns_read_only_during_a_run(tmp_path, shapes_200, monkeypatch) -> None:
    """Item 2: mid-run the folder stops taking new files (what chmod a-w does to a running process: its open
    files stay writable, new ones are refused), then stays read-only (remounted ro once the run has ended)."""
    import errno

    from artseek.ingest.indexer import IndexOptions
    from artseek.vectors import hnsw_index

    mnt = tmp_path / "media"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=30m", "tmpfs", str(mnt)], check=True)
    try:
        folder = shapes_200[0][0].parent
        library = mnt / "lib"

        def refuse(path, *_args, **_kwargs):  # noqa: ANN001, ANN002, ANN003
            raise PermissionError(errno.EACCES, "Permission denied", str(path))

        def chmod_when_half_done(progress) -> None:  # noqa: ANN001
            if progress.indexed >= 64:
                monkeypatch.setattr(hnsw_index, "open", refuse, raising=False)

        with Library(library, model="tiny-test") as lib:
            with pytest.raises(LibraryReadOnlyError, match="read-only"):
                lib.index([folder], IndexOptions(batch_size=16, save_interval_s=0.0), chmod_when_half_done)
        monkeypatch.undo()
        assert not list(library.glob("*.tmp"))
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        # While it stays read-only: status and search work, and search finds every indexed image.
        with open_library(library) as lib:
            assert lib.read_only
            indexed = lib.status().indexed
            assert 64 <= indexed < 200 and len(lib.search_text(QUERY, 500)) == indexed
        for command in (("status",), ("search", QUERY)):
            r = run_cli(*command, "--library", str(library))
            assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
            if command == ("status",):
                assert "read-only: another ArtSeek is writing to it, or its folder cannot be written" in r.stdout
        r = run_cli("rescan", "--library", str(library))
        assert r.returncode == 2 and "read-only" in r.stderr and "Traceback" not in r.stderr
        subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
        r = run_cli("rescan", "--library", str(library))
        assert r.returncode == 0, r.stderr
        assert _searchable(library) == (200, 200)
        with Library(library) as lib:
            assert lib.check(full=True).ok
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


@needs_mount
def test_read_only_after_kill_sees_the_last_committed_work(tmp_path, shapes_200) -> None:
    """A run killed with its changes still in the write-ahead log, then the media turns read-only."""
    mnt = tmp_path / "media"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=30m", "tmpfs", str(mnt)], check=True)
    try:
        library = mnt / "lib"
        code = ("import os, sys; from artseek.library import Library; "
                "lib = Library(sys.argv[1], model='tiny-test'); lib.index([sys.argv[2]]); "
                "os.kill(os.getpid(), 9)")
        r = subprocess.run([sys.executable, "-c", code, str(library), str(shapes_200[0][0].parent)], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == -9, r.stderr
        assert (library / "library.sqlite-wal").stat().st_size > 0
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        assert _searchable(library, read_only=True) == (200, 200)
        r = run_cli("status", "--json", "--library", str(library))
        assert r.returncode == 0 and json.loads(r.stdout)["indexed"] == 200, r.stderr
        r = run_cli("index", str(shapes_200[0][0].parent), "--library", str(library))
        assert r.returncode == 2 and "read-only" in r.stderr and "Traceback" not in r.stderr
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_a_failed_automatic_backup_never_fails_the_run(tmp_path, shapes_200, monkeypatch) -> None:
    """Disk full while writing the backup: the indexing run succeeds and status notes the missing backup."""
    import errno

    from artseek.storage.backups import BackupStore

    def full(self, db_path, reason):  # noqa: ANN001
        raise OSError(errno.ENOSPC, "No space left on device")

    folder = tmp_path / "images"
    folder.mkdir()
    for path, _ in shapes_200[:10]:
        shutil.copy(path, folder / path.name)
    monkeypatch.setattr(BackupStore, "create", full)
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        assert lib.index([folder]).indexed == 10
        assert lib.backups() == [] and "is full" in lib.backup_problem
        assert any("backup failed" in note for note in lib.status().notes)
        with pytest.raises(LibraryError, match="is full"):
            lib.backup()
