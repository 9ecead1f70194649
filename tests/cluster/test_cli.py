"""``main.py cluster index`` end to end: a local Ray started by the command, then an ordinary library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli


@pytest.mark.slow
def test_cluster_index_command_builds_a_library_the_desktop_commands_search(tmp_path: Path) -> None:
    """Slow (69 s here under load): the command starts its own Ray instance and loads the model in its actors."""
    from tests.fixtures.shapes import generate_folder

    generate_folder(tmp_path / "images", 24)
    (tmp_path / "images" / "broken.jpg").write_bytes(b"not a jpeg")
    library = tmp_path / "library"
    r = run_cli("--json", "cluster", "index", str(tmp_path / "images"), "--library", str(library),
                "--model", "tiny-test", "--backend", "torch", "--num-cpus", "2", timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    report = json.loads(r.stdout[r.stdout.index("{"):])
    assert (report["indexed"], report["failed"], report["processed"], report["pending"]) == (24, 1, 25, 0)
    status = json.loads(run_cli("--json", "status", "--library", str(library)).stdout)
    assert status["indexed"] == 24 and status["failures"][0]["path"].endswith("broken.jpg")
    found = run_cli("--json", "search", "a red circle", "--library", str(library), "--top", "3")
    assert found.returncode == 0 and len(json.loads(found.stdout)["results"]) == 3


def test_without_the_cluster_extra_the_command_says_what_to_install(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['ray'] = None; sys.modules['pyarrow'] = None; "
            "from artseek.cli import main; sys.exit(main(sys.argv[1:]))")
    import subprocess
    import sys

    from tests.conftest import ROOT

    (tmp_path / "images").mkdir()
    r = subprocess.run([sys.executable, "-c", code, "cluster", "index", str(tmp_path / "images"),
                        "--library", str(tmp_path / "lib")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 2 and "requirements-cluster.txt" in r.stderr, r.stderr
