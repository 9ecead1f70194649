"""Every catalogue architecture exports to ONNX and gives torch's embeddings (random weights; slow suite).

Each takes minutes on two cores (ViT-L-14 the longest), so all are ``slow``;
the fast suite checks the catalogue's facts and tokenizers (tests/unit/test_catalogue.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from artseek.embedding import catalogue
from artseek.embedding.agreement import evaluation_images, evaluation_texts
from artseek.embedding.export import export_model
from artseek.embedding.loader import load_encoder

MIN_COSINE = 0.9999  # as tests/onnx/test_equivalence.py

# One entry per architecture (the two ViT-B-32 weights share theirs).
BY_ARCHITECTURE = list({e.architecture: e for e in reversed(catalogue.entries())}.values())


def _random_weights(entry: catalogue.CatalogueEntry, folder: Path) -> Path:
    import logging

    import open_clip
    import torch
    from safetensors.torch import save_file

    logging.getLogger().setLevel(logging.ERROR)
    torch.manual_seed(0)
    model = open_clip.create_model(entry.architecture, pretrained=None)
    path = folder / entry.weights_filename
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path))
    return path


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.mark.slow
@pytest.mark.parametrize("entry", BY_ARCHITECTURE, ids=lambda e: e.architecture)
def test_the_export_of_each_architecture_agrees_with_torch(entry: catalogue.CatalogueEntry, tmp_path: Path) -> None:
    weights = _random_weights(entry, tmp_path)
    folder = export_model(entry.name, weights=weights, out_dir=tmp_path)  # refuses cosine < 0.9999 itself
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["architecture"] == entry.architecture and manifest["embed_dim"] == entry.embed_dim
    assert manifest["image_size"] == entry.image_size
    assert tuple(manifest["mean"]) == pytest.approx(entry.mean) and tuple(manifest["std"]) == pytest.approx(entry.std)
    torch_enc = load_encoder(entry.name, weights=weights, backend="torch", device="cpu")
    onnx_enc = load_encoder(entry.name, weights=weights, backend="onnx")
    images = evaluation_images(torch_enc.preprocess_cfg, n=8, seed=3)
    texts = evaluation_texts()[:12]
    assert _cos(torch_enc.encode_images(images), onnx_enc.encode_images(images)).min() >= MIN_COSINE
    assert _cos(torch_enc.encode_texts(texts), onnx_enc.encode_texts(texts)).min() >= MIN_COSINE
    assert np.array_equal(onnx_enc.tokenize(texts), torch_enc.tokenize(texts))
    assert onnx_enc.encode_images(images[:1]).shape == (1, entry.embed_dim)
    del torch_enc, onnx_enc
    # A library indexes and searches with it, torch-free, and records the model.
    from artseek.library import Library
    from tests.fixtures.shapes import generate_folder

    pictures = tmp_path / "pictures"
    generate_folder(pictures, 6)
    with Library(tmp_path / "lib", model=entry.name, weights=weights, backend="onnx") as lib:
        assert lib.index([pictures]).indexed == 6
        hits = lib.search_text("a red circle", 3)
        assert len(hits) == 3 and lib.model_name == entry.name
