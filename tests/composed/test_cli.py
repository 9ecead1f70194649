"""``train mapper`` and ``search --composed`` from the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import run_cli


def test_train_mapper_then_search_with_pic2word_or_averaging(composed_library_folder: Path, shapes_200,
                                                              tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    shutil.copytree(composed_library_folder, lib)
    common = ["--library", str(lib), "--model", "tiny-test"]
    r = run_cli("train", "mapper", "--steps", "12", *common)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "Trained the composed-query mapper for tiny-test on 200 images: 12 steps" in r.stdout
    assert "training: step 12/12" in r.stderr and "left" in r.stderr  # progress with a time estimate
    meta = json.loads((lib / "composed_mapper.json").read_text())
    assert meta["stats"]["steps"] == 12 and meta["model"] == "tiny-test"

    image = str(shapes_200[7][0])
    for choice, ran in (("pic2word", "pic2word"), ("average", "average"), ("auto", "average")):
        r = run_cli("search", "blue", "--image", image, "--composed", choice, "--top", "5", "--json", *common)
        assert r.returncode == 0, r.stderr[-2000:]
        out = json.loads(r.stdout)
        assert out["query"]["composed_with"] == ran and len(out["results"]) == 5
    r = run_cli("search", "blue", "--image", image, "--composed", "pic2word", "--top", "3", *common)
    assert r.returncode == 0 and "composed with pic2word" in r.stderr


def test_pic2word_without_a_mapper_is_a_clear_error(indexed_library, shapes_200) -> None:
    r = run_cli("search", "blue", "--image", str(shapes_200[0][0]), "--composed", "pic2word",
                "--library", str(indexed_library.folder), "--model", "tiny-test")
    assert r.returncode == 2
    assert "no composed-query mapper" in r.stderr and "train mapper" in r.stderr


def test_train_mapper_on_an_empty_library_says_what_to_do(tmp_path: Path) -> None:
    r = run_cli("train", "mapper", "--library", str(tmp_path / "lib"), "--model", "tiny-test")
    assert r.returncode == 2 and "Index more images first" in r.stderr
