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
