"""ONNX Runtime fp32 gives open_clip's embeddings (cosine >= 0.9999 for every image and text); int8 is close."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from artseek.embedding.agreement import evaluation_images, evaluation_texts, top_k_overlap
from artseek.embedding.export import export_model
from artseek.embedding.loader import load_encoder
from tests.onnx.corpus import CORPUS

MIN_COSINE = 0.9999


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_tiny_fp32_matches_torch_for_every_image_and_text(tiny_export, tiny_torch, shape_batch) -> None:
    weights, _ = tiny_export
    onnx = load_encoder("tiny-test", weights=weights, backend="onnx")
    assert onnx.backend == "onnx" and onnx.precision == "fp32"
    images = np.concatenate([shape_batch, evaluation_images(tiny_torch.preprocess_cfg, n=16, seed=7)])
    texts = CORPUS + [f"a {c} {s}" for c in ("red", "blue", "green") for s in ("circle", "star", "square")]
    ref_i, ref_t = tiny_torch.encode_images(images), tiny_torch.encode_texts(texts)
    got_i, got_t = onnx.encode_images(images), onnx.encode_texts(texts)
    assert got_i.dtype == np.float32 and got_i.shape == ref_i.shape and got_t.shape == ref_t.shape
    assert _cos(ref_i, got_i).min() >= MIN_COSINE
    assert _cos(ref_t, got_t).min() >= MIN_COSINE
    assert np.allclose(np.linalg.norm(got_i, axis=1), 1, atol=1e-5)
    assert np.array_equal(onnx.tokenize(texts), tiny_torch.tokenize(texts))
    # Batch size does not matter (dynamic batch axis), single images and texts too.
    assert _cos(onnx.encode_images(images[:1]), ref_i[:1]).min() >= MIN_COSINE
    assert _cos(onnx.encode_texts(texts[:1]), ref_t[:1]).min() >= MIN_COSINE
    assert onnx.encode_images(images[:0]).shape == (0, onnx.embed_dim)


def test_tiny_int8_close_to_fp32(tiny_export, tiny_torch, shape_batch, capsys) -> None:
    weights, _ = tiny_export
    fp32 = load_encoder("tiny-test", weights=weights, backend="onnx")
    int8 = load_encoder("tiny-test", weights=weights, backend="onnx", int8=True)
    assert int8.precision == "int8"
    texts = [f"a {c} {s}" for c in ("red", "blue", "green", "yellow", "purple", "orange", "white", "black")
             for s in ("circle", "star", "square", "triangle")]
    ci = _cos(fp32.encode_images(shape_batch), int8.encode_images(shape_batch))
    ct = _cos(fp32.encode_texts(texts), int8.encode_texts(texts))
    overlap = top_k_overlap(fp32.encode_texts(texts), fp32.encode_images(shape_batch),
                            int8.encode_texts(texts), int8.encode_images(shape_batch))
    with capsys.disabled():
        print(f"\n[tiny int8 vs fp32] image cosine min {ci.min():.5f} mean {ci.mean():.5f}; text cosine min "
              f"{ct.min():.5f} mean {ct.mean():.5f}; top-10 overlap {overlap:.3f} ({len(shape_batch)} images)")
    assert ci.min() > 0.98 and ct.min() > 0.98 and overlap >= 0.8


def test_export_is_deterministic_and_manifest_complete(tiny_export, tmp_path) -> None:
    weights, folder = tiny_export
    manifest = json.loads((folder / "manifest.json").read_text())
    for key in ("model", "architecture", "image_size", "mean", "std", "embed_dim", "context_length", "opset",
                "quantisation", "source_weights", "tokenizer", "variants", "default_variant"):
        assert key in manifest, key
    assert manifest["model"] == "tiny-test" and manifest["image_size"] == 64 and manifest["embed_dim"] == 64
    assert manifest["context_length"] == 77 and manifest["quantisation"] == "dynamic-int8"
    from artseek.embedding.onnx_backend import sha256_file

    assert manifest["source_weights"]["sha256"] == sha256_file(weights)
    for variant in manifest["variants"].values():
        assert variant["agreement"]["image_cosine_min"] > 0.98
    assert manifest["variants"]["fp32"]["agreement"]["text_cosine_min"] >= MIN_COSINE
    # A second export of the same weights gives byte-identical files.
    again = export_model("tiny-test", weights=weights, int8=True, out_dir=tmp_path)
    assert again == tmp_path / folder.name
    for f in sorted(folder.iterdir()):
        assert f.read_bytes() == (again / f.name).read_bytes(), f.name


@pytest.mark.slow
def test_vit_b32_random_weights_fp32_matches_torch(tmp_path: Path, capsys) -> None:
    """ViT-B-32 with random weights: export (fp32 + int8) and compare every image and text with torch."""
    import open_clip
    import torch
    from safetensors.torch import save_file

    logging.getLogger().setLevel(logging.ERROR)
    torch.manual_seed(0)
    model = open_clip.create_model("ViT-B-32", pretrained=None)
    weights = tmp_path / "vit-b-32-random.safetensors"
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(weights))
    del model
    folder = export_model("ViT-B-32", weights=weights, int8=True, out_dir=tmp_path)
    ref = load_encoder("ViT-B-32", weights=weights, backend="torch", device="cpu")
    onnx = load_encoder("ViT-B-32", weights=weights, backend="onnx")
    int8 = load_encoder("ViT-B-32", weights=weights, backend="onnx", int8=True)
    images = evaluation_images(ref.preprocess_cfg, n=32, seed=99)
    texts = CORPUS + evaluation_texts()
    ref_i, ref_t = ref.encode_images(images), ref.encode_texts(texts)
    got_i, got_t = onnx.encode_images(images), onnx.encode_texts(texts)
    assert _cos(ref_i, got_i).min() >= MIN_COSINE
    assert _cos(ref_t, got_t).min() >= MIN_COSINE
    q_i, q_t = int8.encode_images(images), int8.encode_texts(texts)
    manifest = json.loads((folder / "manifest.json").read_text())
    with capsys.disabled():
        print(f"\n[ViT-B-32 random] fp32 cosine min img {_cos(ref_i, got_i).min():.6f} txt "
              f"{_cos(ref_t, got_t).min():.6f}; int8 img min {_cos(ref_i, q_i).min():.4f} mean "
              f"{_cos(ref_i, q_i).mean():.4f}, txt min {_cos(ref_t, q_t).min():.4f} mean {_cos(ref_t, q_t).mean():.4f};"
              f" manifest int8 agreement {manifest['variants']['int8']['agreement']}; default "
              f"{manifest['default_variant']}")
    shutil.rmtree(folder)
