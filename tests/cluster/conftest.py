"""Fixtures of the cluster tests: one local Ray per session, a collection with bad files, a desktop-built library."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cluster.helpers import LOCAL_RAY, MAX_PIXELS
from tests.fixtures.bad_files import write_bad_and_odd_files
from tests.fixtures.shapes import generate_folder

pytest.importorskip("ray", reason="the cluster extra is not installed (pip install -r requirements-cluster.txt)")


@pytest.fixture(scope="session", autouse=True)
def _fp32_and_isolated_workers(tmp_path_factory: pytest.TempPathFactory):
    """fp32 on both paths, and the Ray workers (which inherit this environment) never in the user's folders.

    On a CPU with native bf16 the torch backend times bf16 against fp32 on its first batch and keeps the
    faster (tests/unit/test_bf16_calibration.py): under load the desktop run and a cluster actor could
    choose differently, so the equivalence would depend on timing, not on the cluster code.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARTSEEK_BF16", "0")
        mp.setenv("ARTSEEK_DATA_DIR", str(tmp_path_factory.getbasetemp() / "user-data"))
        yield


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray with 2 CPUs, started once per test module and shut down after it."""
    import ray

    ray.init(**LOCAL_RAY)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="session")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 shape images in two subfolders, plus the bad and odd files of tests/fixtures/bad_files.py."""
    root = tmp_path_factory.mktemp("cluster") / "collection"
    generate_folder(root / "a", 20, seed=1)
    generate_folder(root / "b", 20, seed=2)
    write_bad_and_odd_files(root / "odd")
    return root


@pytest.fixture(scope="session")
def desktop_library(tmp_path_factory: pytest.TempPathFactory, collection: Path):
    """``collection`` indexed by the desktop path (``Library.index``), torch on the CPU."""
    from artseek.ingest.indexer import IndexOptions
    from artseek.library import Library

    folder = tmp_path_factory.mktemp("desktop") / "library"
    with Library(folder, model="tiny-test", backend="torch", device="cpu") as lib:
        lib.index([collection], IndexOptions(max_pixels=MAX_PIXELS))
    return folder
