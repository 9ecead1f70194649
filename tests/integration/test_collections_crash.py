"""kill -9 while collections and notes are written: every write the writer reported done is there afterwards,
the database is intact, and each collection's order is whole (positions 0..n-1, no duplicates)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from artseek.library import Library
from artseek.storage import CollectionItem, Image, ImageStatus
from tests.conftest import ROOT

# One operation per step, each its own transaction; "ack k" is printed only after it committed.
WRITER = """
import sys
from sqlalchemy import select
from artseek.storage import Image
from artseek.library import Library

library, start = sys.argv[1], int(sys.argv[2])
with Library(library) as lib:
    c = lib.collections
    with lib.db.session() as s:
        ids = sorted(s.scalars(select(Image.id)))
    k = start
    while True:
        name = f"C{k // 10}"
        if k % 10 == 0:
            c.create(name, note=f"note of {name}")
        c.add(name, [ids[k % len(ids)]])
        c.set_item_note(name, ids[k % len(ids)], f"n{k}")
        if k % 10 == 5:
            items = c.items(name)
            c.reorder(name, [i.id for i in reversed(items)])
        if k % 7 == 3:
            c.set_note(name, f"edited {k}")
        print(f"ack {k}", flush=True)
        k += 1
"""


@pytest.fixture(scope="module")
def crash_library(tmp_path_factory):
    """A library with 12 image records (collections need the records, not the model: no indexing run)."""
    base = tmp_path_factory.mktemp("coll-crash")
    with Library(base / "lib", model="tiny-test") as lib, lib.db.session() as s:
        for n in range(12):
            s.add(Image(path=str(base / f"img{n:02d}.png"), content_hash=f"{n:064x}", status=ImageStatus.INDEXED))
    return base / "lib"


def check(library, acked: list[int]) -> int:
    """The library after a kill: intact, every acked write there, whole orders. Returns the next step."""
    with Library(library) as lib:
        assert lib.db.integrity_check() == "ok"
        names = {c.name: c for c in lib.collections.list()}
        for k in acked:
            items = lib.collections.items(f"C{k // 10}")
            assert f"n{k}" in {i.note for i in items}, (k, items)
        for name in names:
            positions = [i.position for i in lib.collections.items(name)]
            assert sorted(positions) == list(range(len(positions))), (name, positions)
        with lib.db.session() as s:
            pairs = s.execute(select(CollectionItem.collection_id, CollectionItem.image_id)).all()
        assert len(pairs) == len(set(pairs))
        # Continue from the next whole group of ten, after whatever was written last.
        return (max([int(n[1:]) for n in names] or [-1]) + 1) * 10


def run_trials(library, trials: int, seed: int) -> None:
    rng = random.Random(seed)
    start = check(library, [])
    for _trial in range(trials):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(library), str(start)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        acked: list[int] = []
        deadline = time.monotonic() + 60
        wanted = rng.randint(3, 25)
        while len(acked) < wanted and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            acked.append(int(line.split()[1]))
        time.sleep(rng.uniform(0, 0.05))  # land anywhere inside the next write
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        assert acked, proc.stderr.read()[-2000:]
        start = check(library, acked)


def test_kill_9_during_collection_writes(crash_library) -> None:
    run_trials(crash_library, 4, seed=4)


@pytest.mark.slow
def test_kill_9_during_collection_writes_20_trials(crash_library) -> None:
    run_trials(crash_library, 20, seed=5)


def _run_killed(args: list[str], rng: random.Random) -> None:
    """Start ``main.py ARGS`` and kill -9 it at a random moment (or let it finish, if it is quicker)."""
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), *args, "--batch-size", "4", "--save-interval",
                             "0.3"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    time.sleep(rng.uniform(0.5, 6.0))
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(60)


@pytest.mark.slow
def test_collection_survives_kill_9_during_rescan_of_moved_files_and_reindex(tmp_path) -> None:
    """Collected files are moved, then a re-scan is killed, then a re-index with another model is killed: after
    each resumes, the collection holds the same images (at their new paths), notes and order."""
    from tests.fixtures.shapes import generate_folder

    images = tmp_path / "images"
    generate_folder(images, 60, seed=21, size=64)
    library = tmp_path / "lib"
    with Library(library, model="tiny-test") as lib:
        lib.index([images])
        ids = sorted(lib.vectors.ids)[:10]
        lib.collections.create("Kept")
        lib.collections.add("Kept", ids)
        for n, i in enumerate(ids):
            lib.collections.set_item_note("Kept", i, f"note {n}")
        before = [os.path.basename(i.path) for i in lib.collections.items("Kept")]
    (images / "moved").mkdir()
    for name in before[::2]:
        os.rename(images / name, images / "moved" / name)
    rng = random.Random(8)
    lib_args = ["--library", str(library)]
    for command in (["rescan"], ["reindex", "--model", "tiny-test"]):
        for _ in range(2):
            _run_killed([*command, *lib_args], rng)
        assert subprocess.run([sys.executable, str(ROOT / "main.py"), "rescan", *lib_args], cwd=ROOT,
                              capture_output=True, timeout=600).returncode == 0
        with Library(library) as lib:
            items = lib.collections.items("Kept")
            assert [os.path.basename(i.path) for i in items] == before
            assert [i.note for i in items] == [f"note {n}" for n in range(10)]
            assert all(i.indexed for i in items)
            assert all(("/moved/" in i.path) == (n % 2 == 0) for n, i in enumerate(items))
