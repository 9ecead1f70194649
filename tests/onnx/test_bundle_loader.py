"""The packaged app's pruned export (artseek/embedding/bundle_plan.py) loads, and a damaged one says so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from artseek.embedding import loader, onnx_backend
from artseek.embedding.bundle_plan import bundle_datas
from artseek.embedding.loader import load_encoder
from artseek.errors import ModelLoadError, ModelNotFoundError


@pytest.fixture
def bundled(tiny_export, tmp_path, monkeypatch) -> Path:
    """The tiny export as the packaged app holds it: only the copied files of the plan, no weights anywhere."""
    from artseek.embedding.registry import MODELS

    spec = MODELS["tiny-test"]
    models = tmp_path / "resources" / "models"
    source = tmp_path / "export" / onnx_backend.export_folder_name(spec.weights_filename)
    shutil.copytree(tiny_export[1], source)
    for src, dest in bundle_datas([source], tmp_path / "build", env={}, out=lambda _: None):
        (tmp_path / "resources" / dest.removeprefix("resources/")).mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, tmp_path / "resources" / dest.removeprefix("resources/") / Path(src).name)
    monkeypatch.setattr("artseek.config.bundled_models_dir", lambda: models)
    monkeypatch.setattr("artseek.embedding.registry.MODELS", {**MODELS, "tiny-test": type(spec)(
        spec.name, spec.architecture, spec.weights_filename, extra_dirs=())})
    monkeypatch.setattr(loader, "cuda_available", lambda: False)
    return models / source.name


def test_the_pruned_export_loads_and_matches_the_full_one(bundled, tiny_export) -> None:
    files = sorted(p.name for p in bundled.iterdir())
    assert files == ["bpe_simple_vocab_16e6.txt.gz", "image.int8.onnx", "manifest.json", "text.int8.onnx"]
    enc = load_encoder("tiny-test", backend="auto")
    assert enc.backend == "onnx" and enc.precision == "int8" and enc.export.folder == bundled
    assert enc.token_width == 0  # no Pic2Word tower bundled: composed queries average
    full = onnx_backend.OnnxEncoder(enc.spec, onnx_backend.OnnxExport(
        tiny_export[1], json.loads((tiny_export[1] / "manifest.json").read_text())), variant="int8")
    texts = ["a red circle", "a blue square"]
    np.testing.assert_allclose(enc.encode_texts(texts), full.encode_texts(texts), atol=1e-6)
    batch = np.random.default_rng(0).normal(size=(2, 3, enc.preprocess_cfg.image_size, enc.preprocess_cfg.image_size))
    np.testing.assert_allclose(enc.encode_images(batch.astype(np.float32)), full.encode_images(batch.astype(np.float32)),
                               atol=1e-5)
    with pytest.raises(ModelLoadError, match="has no fp32 towers .it holds: int8.") as err:
        load_encoder("tiny-test", backend="onnx")  # --backend onnx asks for fp32, which is not bundled
    assert "--backend auto" in str(err.value)


def test_a_missing_default_variant_falls_back_to_a_bundled_one(bundled) -> None:
    manifest = json.loads((bundled / "manifest.json").read_text())
    (bundled / "manifest.json").write_text(json.dumps({**manifest, "default_variant": "int8-static"}))
    assert load_encoder("tiny-test", backend="auto").precision == "int8"


def test_a_damaged_bundled_export_is_a_model_load_error(bundled) -> None:
    (bundled / "image.int8.onnx").unlink()
    with pytest.raises(ModelLoadError, match="came with ArtSeek cannot be used.*image.int8.onnx") as err:
        load_encoder("tiny-test", backend="auto")
    assert "Reinstall ArtSeek" in str(err.value)
    manifest = json.loads((bundled / "manifest.json").read_text())
    (bundled / "manifest.json").write_text(json.dumps({**manifest, "variants": {}}))
    with pytest.raises(ModelLoadError, match="lists no towers"):
        load_encoder("tiny-test", backend="auto")
    shutil.rmtree(bundled)  # no export at all and no weights: the model is missing (the setup dialog offers it)
    with pytest.raises(ModelNotFoundError):
        load_encoder("tiny-test", backend="auto")
