"""The rest of ArtSeek does not know which backend ran: same library results on onnx as on torch."""

from __future__ import annotations

import json

import numpy as np

from artseek.library import Library
from tests.conftest import run_cli


def test_library_on_onnx_ranks_like_torch(tiny_export, shapes_200, tmp_path, monkeypatch) -> None:
    # Parity of the fp32 paths: keep torch from choosing bf16 on a CPU with native bf16
    # (that choice is measured and allowed to differ by ~1e-3; see test_bf16_calibration).
    monkeypatch.setenv("ARTSEEK_BF16", "0")
    weights, _ = tiny_export
    folder = shapes_200[0][0].parent
    with Library(tmp_path / "onnx-lib", model="tiny-test", weights=weights, backend="onnx") as onnx_lib, \
            Library(tmp_path / "torch-lib", model="tiny-test", weights=weights, backend="torch") as torch_lib:
        assert onnx_lib.index([folder]).indexed == 200
        assert torch_lib.index([folder]).indexed == 200
        assert onnx_lib.encoder.backend == "onnx" and torch_lib.encoder.backend == "torch"
        for text in ("a red circle", "a blue star", "a yellow triangle on a striped background"):
            a, b = onnx_lib.search_text(text, 10), torch_lib.search_text(text, 10)
            assert [r.path for r in a[:5]] == [r.path for r in b[:5]], text
            assert np.allclose([r.score for r in a], [r.score for r in b], atol=2e-4)
        query = shapes_200[7][0]
        assert onnx_lib.search_image(query, 1)[0].path == str(query)


def test_cli_models_export(tiny_export, tmp_path) -> None:
    weights, _ = tiny_export
    dest = tmp_path / "exports"
    r = run_cli("models", "export", "--model", "tiny-test", "--weights", str(weights), "--dest", str(dest), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["folder"] == str(dest / "artseek-tiny.onnx") and out["quantisation"] == "none"
    assert out["default_variant"] == "fp32" and set(out["variants"]) == {"fp32"}
    assert out["variants"]["fp32"]["agreement"]["image_cosine_min"] >= 0.9999
    r = run_cli("models", "export", "--help")
    assert "--int8" in r.stdout and "--dest" in r.stdout
