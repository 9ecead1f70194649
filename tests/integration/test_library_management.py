"""Re-indexing with another model, removing a folder, re-scanning: from the core API and the CLI."""

import json

import pytest

from artseek.embedding import registry
from artseek.errors import ModelMismatchError
from artseek.library import Library
from tests.conftest import run_cli


def test_reindex_with_another_model(tmp_path, shapes_200, monkeypatch) -> None:
    spec = registry.MODELS["tiny-test"]
    alias = registry.ModelSpec("tiny-alias", spec.architecture, spec.weights_filename, extra_dirs=spec.extra_dirs)
    monkeypatch.setitem(registry.MODELS, "tiny-alias", alias)
    folder = shapes_200[0][0].parent
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        lib.index([folder])
    with pytest.raises(ModelMismatchError, match="reindex --model tiny-alias"):
        Library(tmp_path / "lib", model="tiny-alias")
    with Library(tmp_path / "lib") as lib:
        lib.switch_model("tiny-alias")
        assert lib.status().indexed == 0 and lib.status().pending == 200
        report = lib.rescan()
        assert report.indexed == 200
    with Library(tmp_path / "lib", model="tiny-alias") as lib:
        st = lib.status()
        assert (st.model, st.indexed, st.pending) == ("tiny-alias", 200, 0)
        assert "red_circle" in lib.search_text("a red circle", 1)[0].path


def test_cli_remove_folder_and_rescan(tmp_path, shapes_200) -> None:
    folder = str(shapes_200[0][0].parent)
    lib = str(tmp_path / "lib")
    assert run_cli("index", folder, "--library", lib, "--model", "tiny-test").returncode == 0
    r = run_cli("rescan", "--library", lib, "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["skipped"] == 200
    r = run_cli("remove-folder", folder, "--library", lib)
    assert r.returncode == 0 and "Removed 200 images" in r.stdout
    st = json.loads(run_cli("status", "--library", lib, "--json").stdout)
    assert (st["indexed"], st["roots"]) == (0, [])
    r = run_cli("remove-folder", folder, "--library", lib)
    assert r.returncode == 2 and "not an imported folder" in r.stderr
    r = run_cli("search", "a red circle", "--library", lib)
    assert r.returncode == 0 and "No indexed images" in r.stdout


def test_remove_root_keeps_images_another_root_covers(tmp_path, shapes_200) -> None:
    """Import A, then A/nested on its own, remove A: A/nested's images stay (issue #19, item 3)."""
    import shutil

    outer = tmp_path / "A"
    nested = outer / "nested"
    nested.mkdir(parents=True)
    for p, _ in shapes_200[:9]:
        shutil.copy(p, outer / p.name)
    for p, _ in shapes_200[9:17]:
        shutil.copy(p, nested / p.name)
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        lib.index([outer])
        lib.index([nested])
        assert lib.status().indexed == 17
        assert lib.count_root_removal(outer) == 9
        assert lib.remove_root(outer) == 9
        st = lib.status()
        assert (st.indexed, st.missing, st.roots) == (8, 0, [str(nested)])
        assert all(r.path.startswith(str(nested)) for r in lib.search_text("a shape", 20))
        report = lib.rescan()
        assert (report.indexed, report.skipped, report.missing) == (0, 8, 0)
        # The other way round: A re-imported covers A/nested; removing A/nested keeps its images under A.
        lib.index([outer])
        assert lib.count_root_removal(nested) == 0
        assert lib.remove_root(nested) == 0
        assert lib.status().indexed == 17 and lib.roots() == [str(outer)]
        assert lib.remove_root(outer) == 17
        assert lib.status().indexed == 0
