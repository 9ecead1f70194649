"""Import, indexing, every search kind, texts and the GUI start run with the network blocked."""

import json
import shutil
import subprocess
import sys

from tests.conftest import ROOT


def _unshare_available() -> bool:
    exe = shutil.which("unshare")
    return bool(exe) and subprocess.run([exe, "-n", "true"], capture_output=True).returncode == 0


def test_everything_works_offline_and_nothing_connects(tmp_path, shapes_200) -> None:
    folder = shapes_200[0][0].parent
    cmd = [sys.executable, "-m", "tests.reliability.no_network_scenario", str(tmp_path), str(folder)]
    if _unshare_available():
        cmd = ["unshare", "-n", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["attempts"] == [] and report["gui_search"] == "SearchOutcome"
