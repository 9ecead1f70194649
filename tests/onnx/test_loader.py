"""Backend selection in load_encoder: onnx / torch / auto, the export check, int8 policy, threads."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from artseek.embedding import loader, onnx_backend
from artseek.embedding.loader import load_encoder
from artseek.errors import ArtSeekError


@pytest.fixture
def private_copy(tiny_export, tmp_path) -> tuple[Path, Path]:
    """A copy of the weights and export that a test may damage."""
    weights, folder = tiny_export
    w = tmp_path / weights.name
    shutil.copy2(weights, w)
    shutil.copytree(folder, tmp_path / folder.name)
    return w, tmp_path / folder.name


def test_onnx_encoder_has_the_torch_encoder_interface(tiny_export, tiny_torch) -> None:
    enc = load_encoder("tiny-test", weights=tiny_export[0], backend="onnx")
    assert type(enc).__name__ == "OnnxEncoder" and enc.backend == "onnx" and enc.device == "cpu"
    assert enc.spec == tiny_torch.spec
    assert enc.preprocess_cfg == tiny_torch.preprocess_cfg
    assert enc.embed_dim == tiny_torch.embed_dim and enc.context_length == tiny_torch.context_length
    for name in ("encode_images", "encode_texts", "tokenize", "precision"):
        assert hasattr(enc, name) and hasattr(tiny_torch, name), name
    from artseek.embedding.encoder import Encoder

    assert isinstance(enc, Encoder) and isinstance(tiny_torch, Encoder)  # the one interface both implement
    for name in ("preferred_batch_size", "threads", "calibration", "tokenizer"):
        assert hasattr(enc, name) and hasattr(tiny_torch, name), name


def test_auto_on_cpu_uses_the_export_and_its_default_precision(tiny_export, monkeypatch) -> None:
    monkeypatch.setattr(loader, "cuda_available", lambda: False)
    enc = load_encoder("tiny-test", weights=tiny_export[0])
    assert enc.backend == "onnx"
    manifest = json.loads((tiny_export[1] / "manifest.json").read_text())
    assert manifest["default_variant"] == "int8"  # exported with --int8 and the agreement passed
    assert enc.precision == "int8"
    # --backend onnx runs the reference precision unless int8 is asked for.
    assert load_encoder("tiny-test", weights=tiny_export[0], backend="onnx").precision == "fp32"
    assert load_encoder("tiny-test", weights=tiny_export[0], backend="onnx", int8=True).precision == "int8"
    # torch ignores int8.
    assert load_encoder("tiny-test", weights=tiny_export[0], backend="torch", int8=True).backend == "torch"


def test_auto_prefers_torch_on_cuda(tiny_export, monkeypatch) -> None:
    monkeypatch.setattr(loader, "cuda_available", lambda: True)
    calls = []
    monkeypatch.setattr(loader, "_torch", lambda spec, path, device: calls.append((spec.name, path, device)) or "T")
    assert load_encoder("tiny-test", weights=tiny_export[0]) == "T"
    assert calls == [("tiny-test", tiny_export[0], None)]
    # An explicit --device cpu skips the CUDA probe and takes the export.
    monkeypatch.setattr(loader, "cuda_available", lambda: pytest.fail("probed CUDA"))
    assert load_encoder("tiny-test", weights=tiny_export[0], device="cpu").backend == "onnx"


def test_onnx_refuses_cuda(tiny_export) -> None:
    with pytest.raises(ArtSeekError, match="CPU only"):
        load_encoder("tiny-test", weights=tiny_export[0], backend="onnx", device="cuda")


def test_missing_export(tmp_path, monkeypatch, capsys) -> None:
    from tests.conftest import TINY_WEIGHTS

    weights = tmp_path / "lonely.safetensors"
    shutil.copy2(TINY_WEIGHTS, weights)
    with pytest.raises(ArtSeekError, match="no usable ONNX export") as err:
        load_encoder("tiny-test", weights=weights, backend="onnx")
    assert "models export --model tiny-test" in str(err.value)
    monkeypatch.setattr(loader, "cuda_available", lambda: False)
    enc = load_encoder("tiny-test", weights=weights)
    assert enc.backend == "torch"
    assert capsys.readouterr().err == ""  # no export at all: torch without a note


def test_changed_weights_mean_reexport(private_copy, monkeypatch, capsys) -> None:
    weights, folder = private_copy
    monkeypatch.setattr(loader, "cuda_available", lambda: False)
    assert load_encoder("tiny-test", weights=weights).backend == "onnx"
    # Same bytes, new modification time: the sha256 decides, still valid.
    os.utime(weights, ns=(1_000_000_000, 1_000_000_000))
    assert load_encoder("tiny-test", weights=weights).backend == "onnx"
    # Same size, one byte changed (in a tensor's data, so torch still loads it): refused.
    data = bytearray(weights.read_bytes())
    data[-5] ^= 0x01
    weights.write_bytes(bytes(data))
    with pytest.raises(ArtSeekError, match="changed since the export"):
        load_encoder("tiny-test", weights=weights, backend="onnx")
    enc = load_encoder("tiny-test", weights=weights)
    assert enc.backend == "torch"
    err = capsys.readouterr().err
    assert "not used" in err and "changed since the export" in err and "models export" in err


def test_damaged_export_is_refused(private_copy, monkeypatch) -> None:
    weights, folder = private_copy
    with open(folder / "image.onnx", "r+b") as fh:
        fh.truncate(1000)
    with pytest.raises(ArtSeekError, match="missing or incomplete"):
        load_encoder("tiny-test", weights=weights, backend="onnx")
    (folder / "manifest.json").write_text("{not json")
    with pytest.raises(ArtSeekError, match="unreadable manifest"):
        load_encoder("tiny-test", weights=weights, backend="onnx")


def test_export_found_in_user_model_folder(tiny_export, tmp_path, monkeypatch) -> None:
    weights, folder = tiny_export
    models = tmp_path / "user-models"
    shutil.copytree(folder, models / folder.name)
    other = tmp_path / "elsewhere" / weights.name
    other.parent.mkdir()
    shutil.copy2(weights, other)
    monkeypatch.setenv("ARTSEEK_MODELS_DIR", str(models))
    enc = load_encoder("tiny-test", weights=other, backend="onnx")
    assert enc.export.folder == models / folder.name


def test_export_without_source_weights(tiny_export, tmp_path, monkeypatch) -> None:
    """The packaged app may ship only the export: it is used as it is (nothing to check it against)."""
    from artseek.embedding.registry import MODELS

    spec = MODELS["tiny-test"]
    models = tmp_path / "bundle-models"
    shutil.copytree(tiny_export[1], models / onnx_backend.export_folder_name(spec.weights_filename))
    monkeypatch.setenv("ARTSEEK_MODELS_DIR", str(models))
    monkeypatch.setattr("artseek.embedding.registry.MODELS", {**MODELS, "tiny-test": type(spec)(
        spec.name, spec.architecture, spec.weights_filename, extra_dirs=())})
    monkeypatch.setattr(loader, "cuda_available", lambda: False)
    enc = load_encoder("tiny-test", backend="auto")
    assert enc.backend == "onnx" and enc.encode_texts(["a red star"]).shape == (1, 64)


def test_threads_follow_the_core_count(tiny_export, monkeypatch) -> None:
    monkeypatch.delenv(onnx_backend.ENV_THREADS, raising=False)
    assert [onnx_backend.default_threads(n) for n in (1, 2, 4, 8, 16)] == [1, 2, 3, 6, 12]
    monkeypatch.setattr(onnx_backend, "available_cores", lambda: 8)
    assert onnx_backend.default_threads() == 6
    enc = load_encoder("tiny-test", weights=tiny_export[0], backend="onnx")
    assert enc.threads == 6
    assert enc.encode_texts(["x"]).shape == (1, 64)
    monkeypatch.setenv(onnx_backend.ENV_THREADS, "3")
    assert onnx_backend.default_threads() == 3
    assert load_encoder("tiny-test", weights=tiny_export[0], backend="onnx").threads == 3


def test_unknown_backend() -> None:
    with pytest.raises(ArtSeekError, match="Unknown backend"):
        load_encoder("tiny-test", backend="tpu")
