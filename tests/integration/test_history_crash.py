"""kill -9 while searches are being remembered: the history keeps every search recorded before the kill,
each one whole, and the library opens intact."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from artseek.library import Library
from tests.conftest import ROOT

WRITER = """
import sys
from artseek.library import Library
from artseek.search.filters import SearchFilter
from artseek.search.query import Query
lib = Library(sys.argv[1], model="tiny-test")
n = int(sys.argv[2])
while True:
    lib.history.record(Query(text=f"search {n}", filter=SearchFilter.build(formats=["png"], taken_after="1990")))
    print(n, flush=True)  # printed only after its transaction committed
    n += 1
"""


def test_history_survives_kill_9(tmp_path: Path) -> None:
    library = tmp_path / "library"
    Library(library, model="tiny-test").close()
    rng = random.Random(5)
    committed = -1
    for _trial in range(3):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(library), str(committed + 1)], cwd=ROOT,
                                stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        lines = []
        while time.monotonic() < deadline:  # let it write a few, then kill it mid-stream
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(int(line))
            if len(lines) >= 5 and rng.random() < 0.3:
                break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        assert lines, "the writer recorded nothing"
        committed = lines[-1]
        with Library(library) as lib:
            assert lib.db.integrity_check() == "ok"
            texts = [e.text for e in lib.history.entries(1000)]
            assert f"search {committed}" in texts  # every search printed (committed) is there
            entry = lib.history.entries(1)[0]
            assert entry.filter == entry.filter.from_dict({"formats": ["PNG"], "taken_after": "1990"})
            assert len(texts) == len(set(texts)) and len(texts) <= 200
