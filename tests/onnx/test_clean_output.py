"""No library warning leaks into the CLI's output (open_clip's 'No pretrained weights loaded', torch's tracer)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, TINY_WEIGHTS


@pytest.mark.slow
def test_models_export_prints_only_its_own_lines(tmp_path: Path) -> None:
    weights = tmp_path / TINY_WEIGHTS.name
    shutil.copy2(TINY_WEIGHTS, weights)
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "models", "export", "--model", "tiny-test",
                           "--weights", str(weights), "--dest", str(tmp_path / "out")],
                          capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    lines = (done.stdout + done.stderr).splitlines()
    ours = ("Loading ", "Exporting ", "Quantising ", "Measuring ", "Exported ", "  ")
    assert all(line.startswith(ours) for line in lines), lines
    assert "warn" not in (done.stdout + done.stderr).lower()
    assert done.stdout.rstrip().endswith("towers on this CPU.")
