"""A writable tiny-model library of generated shapes with a small trained mapper, shared by the module's tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

TRAIN_STEPS = 60


@pytest.fixture(scope="session")
def tiny_encoder():
    from artseek.embedding.loader import load_encoder
    from tests.conftest import TINY_WEIGHTS

    return load_encoder("tiny-test", weights=TINY_WEIGHTS, device="cpu", backend="torch")


@pytest.fixture(scope="session")
def composed_library_folder(tmp_path_factory: pytest.TempPathFactory, shapes_200) -> Path:
    """A library of ``shapes_200`` with a mapper trained for :data:`TRAIN_STEPS` steps (closed; copy it to use)."""
    from artseek.composed.training import TrainingOptions
    from artseek.library import Library

    folder = tmp_path_factory.mktemp("composed") / "library"
    with Library(folder, model="tiny-test") as lib:
        lib.index([shapes_200[0][0].parent])
        assert lib.train_mapper(TrainingOptions(steps=TRAIN_STEPS, threads=1)) is not None
    return folder


@pytest.fixture
def trained_library(composed_library_folder: Path, tmp_path: Path):
    """A private copy of the trained library, opened."""
    from artseek.library import Library

    folder = tmp_path / "library"
    shutil.copytree(composed_library_folder, folder)
    with Library(folder, model="tiny-test") as lib:
        yield lib
