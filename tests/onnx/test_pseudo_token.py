"""The ONNX export's pseudo-token text tower (Pic2Word): agrees with torch, and composed search runs without torch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT

_NO_TORCH = """
import json, runpy, sys
for name in ("torch", "torchvision", "open_clip", "open_clip_torch"):
    sys.modules[name] = None
sys.argv = ["main.py", *sys.argv[1:]]
try:
    runpy.run_path("main.py", run_name="__main__")
finally:
    leaked = sorted(m for m, v in sys.modules.items() if v is not None and m.split(".")[0] in ("torch", "open_clip"))
    print("LEAKED=" + json.dumps(leaked), file=sys.stderr)
"""


def test_the_export_has_a_pseudo_token_tower_that_agrees_with_torch(tiny_export, tiny_torch) -> None:
    from artseek.embedding.onnx_backend import OnnxEncoder, read_export
    from artseek.embedding.registry import get_spec

    weights, folder = tiny_export
    manifest = json.loads((folder / "manifest.json").read_text())
    entry = manifest["pseudo_text"]
    assert entry["token_id"] == 265 and entry["token_width"] == 64 and entry["cosine_min"] >= 0.9999
    export, reason = read_export(folder, get_spec("tiny-test"), weights)
    assert export is not None, reason
    prompts = ["a blue *", "a * on a striped background", "an engraving of *", "a photo of *"]
    tokens = np.random.default_rng(3).normal(0, 0.05, (4, 64)).astype(np.float32)
    for int8 in (False, True):  # the pseudo-token tower is fp32 in both variants
        onnx = OnnxEncoder(get_spec("tiny-test"), export, int8=int8)
        assert onnx.token_width == 64
        out = onnx.encode_texts_with_tokens(prompts, tokens)
        ref = tiny_torch.encode_texts_with_tokens(prompts, tokens)
        assert np.min(np.sum(out * ref, axis=1)) > 0.9999


def test_an_export_without_the_tower_says_so_and_composed_search_averages(tiny_export, tmp_path: Path) -> None:
    import shutil

    from artseek.embedding.onnx_backend import OnnxEncoder, OnnxExport
    from artseek.embedding.pseudo_token import PseudoTokenError
    from artseek.embedding.registry import get_spec

    _, folder = tiny_export
    old = tmp_path / "old.onnx"
    shutil.copytree(folder, old)
    (old / "text_pseudo.onnx").unlink()
    manifest = json.loads((old / "manifest.json").read_text())
    del manifest["pseudo_text"]
    encoder = OnnxEncoder(get_spec("tiny-test"), OnnxExport(old, manifest))
    assert encoder.token_width == 0
    with pytest.raises(PseudoTokenError, match="re-export"):
        encoder.encode_texts_with_tokens(["a *"], np.zeros((1, 64), np.float32))


def test_composed_search_with_the_mapper_runs_without_torch(tiny_export, shapes_200, tmp_path: Path) -> None:
    from artseek.composed.training import TrainingOptions
    from artseek.library import Library
    from artseek.search.query import Query

    weights, _ = tiny_export
    lib_dir = tmp_path / "lib"
    image = str(shapes_200[4][0])
    with Library(lib_dir, model="tiny-test", weights=weights, backend="torch") as lib:
        lib.index([shapes_200[0][0].parent])
        assert lib.train_mapper(TrainingOptions(steps=10, threads=1)) is not None
        expected = [r.path for r in lib.search_query(Query(text="blue", images=[image], composed="pic2word"), 5)]
    r = subprocess.run([sys.executable, "-c", _NO_TORCH, "search", "blue", "--image", image, "--composed",
                        "pic2word", "--top", "5", "--json", "--backend", "onnx", "--library", str(lib_dir),
                        "--model", "tiny-test", "--weights", str(weights)],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "LEAKED=[]" in r.stderr, r.stderr[-2000:]
    out = json.loads(r.stdout)
    assert out["query"]["composed_with"] == "pic2word"
    assert [x["path"] for x in out["results"]][:3] == expected[:3]


def test_training_without_torch_says_it_needs_torch(tiny_export, tmp_path: Path) -> None:
    weights, _ = tiny_export
    r = subprocess.run([sys.executable, "-c", _NO_TORCH, "train", "mapper", "--backend", "onnx", "--library",
                        str(tmp_path / "lib"), "--model", "tiny-test", "--weights", str(weights)],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 2, r.stderr[-2000:]
    assert "needs torch" in r.stderr and "LEAKED=[]" in r.stderr
