"""Index and search on the onnx backend with ``import torch`` (and open_clip) made to fail, as in the packaged app."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

# Runs main.py with torch, torchvision and open_clip blocked; fails if any of them got imported anyway.
_RUNNER = """
import json, runpy, sys
for name in ("torch", "torchvision", "open_clip", "open_clip_torch"):
    sys.modules[name] = None
sys.argv = ["main.py", *sys.argv[1:]]
code = 0
try:
    runpy.run_path("main.py", run_name="__main__")
except SystemExit as exc:
    code = exc.code or 0
leaked = sorted(m for m, v in sys.modules.items() if v is not None and m.split(".")[0] in ("torch", "open_clip"))
print("LEAKED=" + json.dumps(leaked), file=sys.stderr)
sys.exit(code)
"""


def _run(*args: str) -> subprocess.CompletedProcess:
    r = subprocess.run([sys.executable, "-c", _RUNNER, *args], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert "LEAKED=[]" in r.stderr, r.stderr[-2000:]
    return r


def index_and_search(backend: str, weights: Path, shapes, library: Path,  # noqa: ANN001 - the shapes fixture
                     image_backend: tuple[str, ...] = ()) -> list[str]:
    """Index the shapes with ``backend``, then search by text and by image, torch blocked; returns the common
    options. ``image_backend``: the search by image's backend options (none: ``--backend auto``)."""
    folder = str(shapes[0][0].parent)
    common = ["--library", str(library), "--model", "tiny-test", "--weights", str(weights), "--json"]
    r = _run("--backend", backend, "index", folder, *common)
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads(r.stdout)["indexed"] == 200
    r = _run("search", "a red circle", "--top", "5", "--backend", backend, *common)
    assert r.returncode == 0, r.stderr[-2000:]
    paths = [x["path"] for x in json.loads(r.stdout)["results"]]
    assert sum("red_circle" in p for p in paths) >= 4, paths
    query = str(shapes[5][0])
    r = _run("search", "--image", query, "--top", "3", *image_backend, *common)
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads(r.stdout)["results"][0]["path"] == query
    return common


def test_index_and_search_without_torch(tiny_export, shapes_200, tmp_path: Path) -> None:
    weights, _ = tiny_export
    common = index_and_search("onnx", weights, shapes_200, tmp_path / "lib")  # by image: auto, the export, no torch
    r = _run("status", *common)
    assert r.returncode == 0 and json.loads(r.stdout)["indexed"] == 200


def test_without_torch_and_without_export_the_error_is_clear(tmp_path: Path) -> None:
    from tests.conftest import TINY_WEIGHTS

    r = _run("--library", str(tmp_path / "lib"), "--backend", "onnx", "search", "a red star",
             "--model", "tiny-test", "--weights", str(TINY_WEIGHTS))
    assert r.returncode == 2
    assert "no usable ONNX export" in r.stderr and "models export" in r.stderr
