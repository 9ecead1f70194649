"""Shared fixtures: generated shape collections and libraries indexed with the tiny model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.shapes import ShapeSpec, generate_folder

ROOT = Path(__file__).resolve().parent.parent
TINY_WEIGHTS = ROOT / "tests" / "fixtures" / "tiny_model" / "artseek-tiny.safetensors"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real user's library or model folders."""
    data = tmp_path_factory.getbasetemp() / "user-data"
    monkeypatch.setenv("ARTSEEK_DATA_DIR", str(data))
    monkeypatch.delenv("ARTSEEK_LIBRARY", raising=False)
    monkeypatch.delenv("ARTSEEK_WEIGHTS", raising=False)


@pytest.fixture(scope="session")
def shapes_200(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, ShapeSpec]]:
    """200 generated shape images (every colour/shape pair 6-7 times)."""
    return generate_folder(tmp_path_factory.mktemp("shapes") / "collection", 200)


@pytest.fixture(scope="session")
def indexed_library(tmp_path_factory: pytest.TempPathFactory, shapes_200):
    """A library with ``shapes_200`` indexed by the tiny model (shared, read-mostly)."""
    from artseek.library import Library

    folder = tmp_path_factory.mktemp("lib") / "library"
    lib = Library(folder, model="tiny-test")
    lib.index([shapes_200[0][0].parent])
    yield lib
    lib.close()


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``python main.py ARGS`` in a subprocess and return the completed process."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, cwd=ROOT)
