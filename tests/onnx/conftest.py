"""Fixtures of the ONNX backend tests: the tiny model exported once per session into a temp folder.

The tiny model's export is ~22 MB (fp32 + int8 towers and the 1.3 MB vocabulary),
too large to commit, and takes about 5 s to produce, so the session makes it
the way a curator would (``export_model``), beside a private copy of the weights.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import TINY_WEIGHTS


@pytest.fixture(scope="session")
def tiny_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(weights copy, export folder) of the tiny model, with fp32 and int8 towers."""
    from artseek.embedding.export import export_model

    models = tmp_path_factory.mktemp("onnx-models")
    weights = models / TINY_WEIGHTS.name
    shutil.copy2(TINY_WEIGHTS, weights)
    folder = export_model("tiny-test", weights=weights, int8=True, out_dir=models)
    return weights, folder


@pytest.fixture(scope="session")
def tiny_torch():
    from artseek.embedding.loader import load_encoder

    return load_encoder("tiny-test", weights=TINY_WEIGHTS, device="cpu", backend="torch")


@pytest.fixture(scope="session")
def shape_batch(tiny_torch, shapes_200) -> np.ndarray:
    """The first 64 generated shape images as a model input batch."""
    from PIL import Image

    from artseek.embedding.preprocess import to_model_input

    return np.stack([to_model_input(Image.open(p), tiny_torch.preprocess_cfg) for p, _ in shapes_200[:64]])
