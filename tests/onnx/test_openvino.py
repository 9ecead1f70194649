"""The OpenVINO backend: an export's image tower on OpenVINO agrees with ONNX Runtime and torch, indexes and
searches torch-free, and refuses what it does not run with a reason."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from artseek.embedding.export import export_model
from artseek.embedding.loader import load_encoder
from artseek.errors import ModelLoadError
from tests.conftest import TINY_WEIGHTS
from tests.onnx.test_torch_free import index_and_search


@pytest.fixture(scope="module")
def static_export(tmp_path_factory: pytest.TempPathFactory, shapes_200) -> Path:
    """The tiny model's weights beside an export with its static int8 towers (calibrated on the shapes)."""
    folder = tmp_path_factory.mktemp("openvino")
    weights = folder / TINY_WEIGHTS.name
    shutil.copy2(TINY_WEIGHTS, weights)
    export_model("tiny-test", weights=weights, int8=True, out_dir=folder, static_int8=True,
                 calibrate=shapes_200[0][0].parent)
    return weights


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_static_int8_tower_agrees_with_onnx_runtime_and_torch(static_export: Path, tiny_torch, shape_batch) -> None:
    ov = load_encoder("tiny-test", weights=static_export, backend="openvino")
    assert ov.backend == "openvino" and ov.precision == "int8-static"  # its default where the export has it
    ort = load_encoder("tiny-test", weights=static_export, backend="onnx", variant="int8-static")
    got = ov.encode_images(shape_batch)
    assert got.shape == (len(shape_batch), ov.embed_dim) and got.dtype == np.float32
    assert _cosines(got, ort.encode_images(shape_batch)).min() > 0.99
    to_torch = _cosines(got, tiny_torch.encode_images(shape_batch))
    assert to_torch.min() > 0.97 and to_torch.mean() > 0.99  # the static int8 export's own thresholds
    texts = ["a red circle", "a blue star"]
    assert np.array_equal(ov.encode_texts(texts), ort.encode_texts(texts))  # the text tower stays on ONNX Runtime
    assert ov.encode_images(shape_batch[:0]).shape == (0, ov.embed_dim)


def test_fp32_tower_agrees_with_onnx_runtime(static_export: Path, shape_batch) -> None:
    ov = load_encoder("tiny-test", weights=static_export, backend="openvino", variant="fp32")
    ort = load_encoder("tiny-test", weights=static_export, backend="onnx", variant="fp32")
    assert ov.precision == "fp32"
    assert _cosines(ov.encode_images(shape_batch), ort.encode_images(shape_batch)).min() > 0.999  # bf16 on AMX


def test_dynamic_int8_is_refused_with_the_way_out(static_export: Path) -> None:
    with pytest.raises(ModelLoadError) as info:
        load_encoder("tiny-test", weights=static_export, backend="openvino", variant="int8")
    assert "--static-int8" in info.value.hint and "--backend onnx" in info.value.hint


def test_without_openvino_the_error_comes_at_load_and_says_what_to_do(static_export: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "openvino", None)  # as where the extra is not installed (the packaged app)
    with pytest.raises(ModelLoadError) as info:
        load_encoder("tiny-test", weights=static_export, backend="openvino")
    assert "--backend onnx" in info.value.hint and "requirements-openvino.txt" in info.value.hint


def test_index_and_search_on_openvino_without_torch(static_export: Path, shapes_200, tmp_path: Path) -> None:
    index_and_search("openvino", static_export, shapes_200, tmp_path / "lib", image_backend=("--backend", "openvino"))


def test_without_an_export_the_error_says_how_to_make_the_static_one(tmp_path: Path) -> None:
    from artseek.errors import ArtSeekError

    weights = tmp_path / TINY_WEIGHTS.name
    shutil.copy2(TINY_WEIGHTS, weights)  # weights, no export beside them
    with pytest.raises(ArtSeekError) as info:
        load_encoder("tiny-test", weights=weights, backend="openvino")
    assert "no usable ONNX export" in info.value.message
    assert "models export --model tiny-test --int8 --static-int8" in info.value.hint


def test_static_int8_runs_by_default_only_where_its_agreement_passed(static_export: Path) -> None:
    from artseek.embedding.onnx_backend import OnnxExport
    from artseek.embedding.openvino_backend import preferred_variant

    good = {"image_cosine_min": 0.999, "text_cosine_min": 1.0, "image_cosine_mean": 0.9995,
            "text_cosine_mean": 1.0, "top10_overlap": 0.95}
    bad = dict(good, top10_overlap=0.2)  # as MobileCLIP2-S0's static tower with random weights
    fp32 = {"image": "image.onnx", "text": "text.onnx"}

    def export(variants: dict) -> OnnxExport:
        return OnnxExport(static_export.parent, {"variants": variants})

    assert preferred_variant(export({"fp32": fp32, "int8-static": {**fp32, "agreement": good}})) == "int8-static"
    assert preferred_variant(export({"fp32": fp32, "int8-static": {**fp32, "agreement": bad}})) == "fp32"
    assert preferred_variant(export({"fp32": fp32})) == "fp32"
