"""Two ArtSeek processes on one library: the second is refused for writing or opens read-only."""

import subprocess
import sys

import pytest

from artseek.errors import LibraryLockedError
from artseek.library import Library
from tests.conftest import ROOT, run_cli

HOLDER = ("import sys, time; from artseek.library import Library; lib = Library(sys.argv[1]); "
          "print('ready', flush=True); time.sleep(120)")


def test_second_instance_is_refused_or_read_only(tmp_path, shapes_200) -> None:
    folder = shapes_200[0][0].parent
    library = tmp_path / "lib"
    with Library(library, model="tiny-test") as lib:
        lib.index([folder])
        with pytest.raises(LibraryLockedError, match="already open in another"):
            Library(library)
        ro = Library(library, read_only=True)
        assert ro.search_text("a red circle", 3)[0].path.endswith("red_circle.png")
        ro.close()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(library)], stdout=subprocess.PIPE, text=True,
                              cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "ready"
        r = run_cli("index", str(folder), "--library", str(library))
        assert r.returncode == 2 and "already open in another ArtSeek" in r.stderr and "Traceback" not in r.stderr
        r = run_cli("search", "a blue star", "--library", str(library), "--json", "--top", "3")
        assert r.returncode == 0 and "blue_star" in r.stdout
        r = run_cli("status", "--library", str(library))
        assert "read-only" in r.stdout
    finally:
        holder.kill()  # a crashed holder frees its lock
        holder.wait()
    r = run_cli("index", str(folder), "--library", str(library), "--json")
    assert r.returncode == 0, r.stderr
    with Library(library) as lib:
        assert lib.db.integrity_check() == "ok" and lib.status().indexed == 200 and len(lib.vectors) == 200
