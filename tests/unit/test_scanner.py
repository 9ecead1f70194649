"""Folder scanning: recursion, symlink loops, hidden files, unicode names."""

import os

import pytest

from artseek.ingest.scanner import scan_folder


def test_scan_recurses_and_filters(tmp_path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    for rel in ["x.jpg", "a/y.PNG", "a/b/z.tiff", "a/notes.txt", ".hidden.jpg", "a/b/Å ñ 漢字.jpeg"]:
        (tmp_path / rel).write_bytes(b"data")
    names = sorted(os.path.basename(e.path) for e in scan_folder(tmp_path))
    assert names == ["x.jpg", "y.PNG", "z.tiff", "Å ñ 漢字.jpeg"] or names == sorted(
        ["x.jpg", "y.PNG", "z.tiff", "Å ñ 漢字.jpeg"])


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_symlink_loop_terminates(tmp_path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "img.jpg").write_bytes(b"x")
    os.symlink(tmp_path, tmp_path / "sub" / "loop")
    entries = list(scan_folder(tmp_path))
    assert len(entries) == 1


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_folder_is_reported(tmp_path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.jpg").write_bytes(b"x")
    locked.chmod(0)
    problems = []
    try:
        assert list(scan_folder(tmp_path, problems)) == []
    finally:
        locked.chmod(0o755)
    assert problems and "cannot list" in problems[0].reason
