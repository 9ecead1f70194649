"""The static int8 image tower (calibrated on the library's pictures) agrees with torch and is auto's choice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from artseek.embedding.export import export_model
from artseek.embedding.loader import load_encoder
from artseek.embedding.onnx_backend import int8_passes
from tests.conftest import TINY_WEIGHTS


def test_static_int8_calibrated_on_a_folder(tmp_path: Path, shapes_200, tiny_torch, shape_batch, monkeypatch) -> None:
    monkeypatch.setenv("ARTSEEK_OPENVINO", "0")  # ONNX Runtime's choice (auto's OpenVINO path: test_openvino.py)
    weights = tmp_path / TINY_WEIGHTS.name
    shutil.copy2(TINY_WEIGHTS, weights)
    pictures = shapes_200[0][0].parent
    folder = export_model("tiny-test", weights=weights, int8=True, out_dir=tmp_path, static_int8=True,
                          calibrate=pictures)
    manifest = json.loads((folder / "manifest.json").read_text())
    static = manifest["variants"]["int8-static"]
    # The text tower of the dynamic int8 variant: a query is one text, and the bundle is 190 MB smaller for ViT-B-32.
    assert static["image"] == "image.int8s.onnx" and static["text"] == "text.int8.onnx"
    assert "pictures from" in static["quantisation"]
    assert (folder / "image.int8s.onnx").stat().st_size < (folder / "image.onnx").stat().st_size
    assert int8_passes(static["agreement"]), static["agreement"]
    # Both int8 variants pass; the default is dynamic int8 (fp32 convolutions), measured the faster one.
    assert int8_passes(manifest["variants"]["int8"]["agreement"]) and manifest["default_variant"] == "int8"
    assert load_encoder("tiny-test", weights=weights, backend="auto", device="cpu").precision == "int8"
    auto = load_encoder("tiny-test", weights=weights, backend="auto", device="cpu", variant="int8-static")
    assert auto.backend == "onnx" and auto.precision == "int8-static"
    dynamic = load_encoder("tiny-test", weights=weights, backend="onnx", int8=True)
    assert dynamic.precision == "int8"
    ref = tiny_torch.encode_images(shape_batch)
    got = auto.encode_images(shape_batch)
    cos = np.sum(ref * got, axis=1)
    assert cos.min() > 0.97 and cos.mean() > 0.99
    texts = ["a red circle", "a blue star"]
    assert np.array_equal(auto.encode_texts(texts), dynamic.encode_texts(texts))  # the same int8 text tower
