"""The evaluation harness and the CLI commands (subprocesses on a small library of their own)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from artseek.evaluation.retrieval import recall_at_k, run
from tests.conftest import run_cli
from tests.search_quality.conftest import label_of, write_captions_csv


def test_recall_at_k_protocol() -> None:
    import numpy as np

    # 3 texts, 2 images; texts 0,1 belong to image 0, text 2 to image 1
    scores = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7]])
    t2i, i2t = recall_at_k(scores, np.array([0, 0, 1]), ks=(1, 2))
    assert t2i == {"R@1": round(200 / 3, 2), "R@2": 100.0}
    # image 0: its best text (0) ranks first; image 1: text 1 (not its own) scores 0.8 > 0.7
    assert i2t == {"R@1": 50.0, "R@2": 100.0}


def test_retrieval_harness_beats_chance(small_shapes, tmp_path: Path) -> None:
    dataset = write_captions_csv(tmp_path / "ds.csv", small_shapes)
    report = run(dataset, small_shapes[0][0].parent, model="tiny-test")
    assert report.images_found == 64 and report.texts_used == 128 and report.texts_without_image == 0
    assert set(report.splits) == {"all", "visual", "contextual"}
    visual = report.splits["visual"]
    assert visual.chance_r1_text_to_image == pytest.approx(100 / 64, abs=0.01)
    assert visual.text_to_image["R@1"] >= 20 * visual.chance_r1_text_to_image, visual  # wide margin
    assert visual.image_to_text["R@10"] >= 80, visual
    # contextual texts say nothing about the picture: near chance
    assert report.splits["contextual"].text_to_image["R@1"] < visual.text_to_image["R@1"] / 3


@pytest.fixture(scope="module")
def cli_library(small_shapes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    lib = tmp_path_factory.mktemp("cli") / "library"
    r = run_cli("--library", str(lib), "index", str(small_shapes[0][0].parent), "--model", "tiny-test", "--json")
    assert r.returncode == 0, r.stderr
    return lib


def test_cli_text_import_errors_are_readable(cli_library: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("image,notes\na.png,hello\n", encoding="utf-8")
    r = run_cli("--library", str(cli_library), "texts", "import", str(bad))
    assert r.returncode == 2
    assert "has no text column" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("--library", str(cli_library), "classify", "--category", "technique")
    assert r.returncode == 2 and "NAME=VALUE1,VALUE2" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("--library", str(cli_library), "texts", "status", "--json")
    assert json.loads(r.stdout)["texts"] == 0  # nothing imported from the bad file


def test_cli_texts_describe_keywords_search(cli_library: Path, small_shapes, tmp_path: Path) -> None:
    lib = ["--library", str(cli_library)]
    dataset = write_captions_csv(tmp_path / "cat.csv", small_shapes, long=False)
    r = run_cli(*lib, "texts", "import", str(dataset), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[str(dataset)]["attached"] == 128
    path, spec = small_shapes[3]
    r = run_cli(*lib, "describe", str(path), "--top", "3", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert spec.caption in d["texts"][0]["text"].lower() and len(d["keywords"]) == 3
    r = run_cli(*lib, "keywords", str(path), "--top", "5")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 5, r.stderr
    r = run_cli(*lib, "texts", "images", spec.short_caption, "--top", "3", "--json")
    assert sum(label_of(x["path"]) == spec.label for x in json.loads(r.stdout)["results"]) >= 2, r.stdout
    # composed query with a negative text, then a feedback round with a marked positive and negative
    r = run_cli(*lib, "search", "--image", str(path), "a red star", "--text-weight", "0.8", "--not", "a photograph",
                "--top", "3", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["query"]["negative_texts"] == ["a photograph"] and out["query"]["text_weight"] == 0.8
    assert sum(label_of(x["path"]) == "red star" for x in out["results"]) >= 2, out
    first = out["results"][0]["image_id"]
    r = run_cli(*lib, "search", "a star", "--positive", str(first), "--negative", str(path), "--method",
                "classifier", "--top", "3", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["query"]["positive_ids"] == [first]
    r = run_cli(*lib, "search", "--positive", "99999")
    assert r.returncode == 2 and "no image with id 99999" in r.stderr


def test_cli_classify_and_export(cli_library: Path, tmp_path: Path) -> None:
    lib = ["--library", str(cli_library)]
    r = run_cli(*lib, "classify", "--category", "colour=red,green,blue,yellow,purple,orange,white,black",
                "--template", "a {} circle", "--template", "a {} star", "--json")
    assert r.returncode == 0, r.stderr
    assert sum(json.loads(r.stdout)[0]["counts"].values()) == 64
    out = tmp_path / "tags.csv"
    r = run_cli(*lib, "tags", "export", str(out))
    assert r.returncode == 0 and out.is_file(), r.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    right = sum(r["value"] == label_of(r["path"]).split()[0] for r in rows)
    assert len(rows) == 64 and right >= 40, right  # chance 8


def test_cli_eval_commands(small_shapes, tmp_path: Path) -> None:
    r = run_cli("eval", "feedback", "--model", "tiny-test", "--images", "64", "--k", "5", "--rounds", "2", "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert set(report["methods"]) == {"rocchio", "classifier"}
    assert report["methods"]["classifier"]["precision"][-1] > report["methods"]["classifier"]["precision"][0]
    assert report["ann"]["hnsw"] >= 0.99
    dataset = write_captions_csv(tmp_path / "ds.csv", small_shapes[:32])
    r = run_cli("--model", "tiny-test", "eval", "retrieval", "--dataset", str(dataset), "--images",
                str(small_shapes[0][0].parent))
    assert r.returncode == 0, r.stderr
    assert "[visual]" in r.stdout and "text->image" in r.stdout and "32 texts name no image" not in r.stdout
    r = run_cli("eval", "retrieval", "--dataset", str(tmp_path / "none.csv"), "--images", str(tmp_path))
    assert r.returncode == 2 and "is not a file" in r.stderr
