"""kill -9 during indexing leaves a library that opens, is intact, agrees with its index, and resumes."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from artseek.library import Library
from artseek.storage import Image, ImageStatus
from tests.conftest import ROOT
from tests.fixtures.shapes import generate_folder


@pytest.fixture(scope="module")
def crash_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("crash") / "images"
    generate_folder(folder, 400, seed=77, size=80)
    return folder


def _start_indexing(folder: Path, library: Path, stderr: object = subprocess.DEVNULL) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "index", str(folder), "--library", str(library),
         "--model", "tiny-test", "--batch-size", "8", "--save-interval", "0.3"],
        stdout=subprocess.DEVNULL, stderr=stderr, cwd=ROOT)


def check_library_consistent(library: Path) -> int:
    """Open after a crash: integrity ok, index == database; returns the number indexed."""
    if not (library / "library.sqlite").exists():
        return 0
    with Library(library) as lib:
        assert lib.db.integrity_check() == "ok"
        with lib.db.session() as s:
            indexed = set(s.scalars(select(Image.id).where(Image.status == ImageStatus.INDEXED)))
            paths = s.scalar(select(func.count(Image.path)))
            distinct = s.scalar(select(func.count(func.distinct(Image.path))))
        assert paths == distinct
        if lib.db.get_meta("embed_dim"):
            assert lib.vectors.ids == indexed
        return len(indexed)


def _wait_until_embedding(library: Path, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until the run has scanned and started embedding (pending rows exist)."""
    db = library / "library.sqlite"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
                    if conn.execute("SELECT count(*) FROM images WHERE status='pending'").fetchone()[0]:
                        return
            except sqlite3.Error:
                pass
        time.sleep(0.05)


def run_kill_trials(folder: Path, library: Path, trials: int, seed: int) -> None:
    """Kill indexing at random moments: half anywhere from start-up on, half while embedding."""
    rng = random.Random(seed)
    for trial in range(trials):
        proc = _start_indexing(folder, library)
        if trial % 2:
            _wait_until_embedding(library, proc)
            time.sleep(rng.uniform(0.0, 1.5))
        else:
            time.sleep(rng.uniform(0.3, 5.0))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        check_library_consistent(library)
    # Resume to completion: every file exactly once, all searchable.
    with open(library.parent / "resume.stderr", "w+b") as err:  # a file, not a pipe: progress lines never block
        proc = _start_indexing(folder, library, err)
        code = proc.wait(300)
        err.seek(0)
        assert code == 0, err.read().decode(errors="replace")
    total = len(list(folder.glob("*.png")))
    assert check_library_consistent(library) == total
    with Library(library) as lib:
        st = lib.status()
        assert (st.indexed, st.failed, st.pending, st.missing) == (total, 0, 0, 0)
        assert len(lib.vectors) == total
        assert len(lib.search_text("a green triangle", top_k=total)) == total


def test_kill_9_during_indexing_default(tmp_path, crash_folder) -> None:
    run_kill_trials(crash_folder, tmp_path / "lib", trials=3, seed=1)


@pytest.mark.slow
def test_kill_9_during_indexing_20_trials(tmp_path, crash_folder) -> None:
    run_kill_trials(crash_folder, tmp_path / "lib", trials=20, seed=2)
