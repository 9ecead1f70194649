"""Index generated shapes with the tiny model, then search from the CLI and the core API."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from artseek.errors import ModelMismatchError
from artseek.library import Library
from tests.conftest import ROOT, run_cli


def test_text_search_finds_red_circles(indexed_library) -> None:
    results = indexed_library.search_text("a red circle", top_k=5)
    labels = [Path(r.path).stem.split("_", 1)[1] for r in results]
    assert Counter(labels)["red_circle"] >= 4, labels


def test_query_by_example_returns_itself_first(indexed_library, shapes_200) -> None:
    for path, _spec in shapes_200[:10]:
        results = indexed_library.search_image(path, top_k=3)
        assert results[0].path == str(path)
        assert results[0].score > 0.99


def test_more_like_this(indexed_library, shapes_200) -> None:
    path, spec = shapes_200[3]
    image_id = indexed_library.image_id_for_path(path)
    results = indexed_library.more_like(image_id, top_k=4)
    assert results[0].image_id == image_id
    assert sum(spec.label.replace(" ", "_") in r.path for r in results[1:]) >= 2


def test_reindex_is_a_no_op_without_model_work(tmp_path, shapes_200) -> None:
    folder = shapes_200[0][0].parent
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        assert lib.index([folder]).indexed == 200
    # Same library in a fresh object: nothing changed, so the model never even loads.
    with Library(tmp_path / "lib") as again:
        report = again.index([folder])
        assert report.indexed == 0 and report.skipped == 200
        assert not again.encoder_loaded


def test_other_model_is_refused(indexed_library) -> None:
    with pytest.raises(ModelMismatchError, match="built with the model 'tiny-test'"):
        Library(indexed_library.folder, model="ViT-B-32", read_only=True)


def test_cli_index_search_status(tmp_path, shapes_200) -> None:
    folder = str(shapes_200[0][0].parent)
    lib = str(tmp_path / "cli-lib")
    # Global options before the command, and after it.
    r = run_cli("--library", lib, "index", folder, "--model", "tiny-test", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["indexed"] == 200
    r = run_cli("index", folder, "--library", lib, "--model", "tiny-test", "--json")
    assert json.loads(r.stdout)["indexed"] == 0 and json.loads(r.stdout)["skipped"] == 200
    r = run_cli("search", "a blue star", "--library", lib, "--top", "5", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert len(data["results"]) == 5 and data["results"][0]["rank"] == 1
    assert sum("blue_star" in x["path"] for x in data["results"]) >= 4
    assert all(isinstance(x["score"], float) for x in data["results"])
    query = shapes_200[7][0]
    r = run_cli("--library", lib, "search", "--image", str(query), "--json", "--top", "1")
    assert json.loads(r.stdout)["results"][0]["path"] == str(query)
    r = run_cli("status", "--library", lib, "--json")
    st = json.loads(r.stdout)
    assert (st["indexed"], st["failed"], st["pending"]) == (200, 0, 0)
    assert st["model"] == "tiny-test" and st["library"] == lib and st["failures"] == []
    r = run_cli("search", "a red star", "--library", lib, "--model", "ViT-B-32")
    assert r.returncode == 2 and "built with the model 'tiny-test'" in r.stderr and "Traceback" not in r.stderr


def test_cli_missing_weights_is_one_clear_error(tmp_path, shapes_200) -> None:
    r = run_cli("index", str(shapes_200[0][0].parent), "--library", str(tmp_path / "l"))  # the default model
    assert r.returncode == 2
    assert "ViT-B-32-datacomp_xl_s13b_b90k.safetensors" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("index", str(shapes_200[0][0].parent), "--library", str(tmp_path / "l2"), "--model", "ViT-B-32")
    assert r.returncode == 2
    assert "ViT-B-32-laion2b_s34b_b79k.safetensors" in r.stderr and "Traceback" not in r.stderr


def test_cli_bad_query_image(tmp_path, indexed_library) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image")
    r = run_cli("search", "--image", str(bad), "--library", str(indexed_library.folder))
    assert r.returncode == 2 and "cannot be used" in r.stderr and "Traceback" not in r.stderr



@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="display detection is for X11/Wayland")
def test_no_display_is_a_clear_message_not_a_crash() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = subprocess.run([sys.executable, str(ROOT / "main.py")], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2 and "no display found" in r.stderr and "--help" in r.stderr
