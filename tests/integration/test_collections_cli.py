"""The collections CLI end to end: build a collection, show it, export CSV / files / PDF, library data files,
and remove-folder saying how many collected and hand-tagged images it touches."""

from __future__ import annotations

import csv
import json
import re
import shutil

import subprocess

from artseek.cli import main
from artseek.library import Library
from tests.fixtures.shapes import generate_folder


def cli(capsys, *args: str) -> subprocess.CompletedProcess:
    """Run the CLI in this process (no interpreter and torch start-up per command)."""
    capsys.readouterr()
    rc = main(list(args))
    out = capsys.readouterr()
    return subprocess.CompletedProcess(args, rc, out.out, out.err)


def test_collections_cli(tmp_path, capsys) -> None:
    run_cli = lambda *a: cli(capsys, *a)  # noqa: E731
    images = tmp_path / "images"
    generate_folder(images, 8, seed=3, size=64)
    lib = ["--library", str(tmp_path / "lib")]
    assert run_cli("index", str(images), "--model", "tiny-test", *lib).returncode == 0
    first, second = sorted(images.glob("*.png"))[:2]
    with Library(tmp_path / "lib") as library:
        c = library.collections
        c.create("Loan")
        c.add("Loan", [library.image_id_for_path(first), library.image_id_for_path(second)])
        c.set_item_note("Loan", library.image_id_for_path(second), "needs a frame")
        library.texts.set_tag(library.image_id_for_path(first), "condition", "fragile")
    r = run_cli("collections", "show", "loan", "--json", *lib)
    shown = json.loads(r.stdout)
    assert [i["path"] for i in shown["items_list"]] == [str(first), str(second)]
    assert shown["items_list"][1]["note"] == "needs a frame"
    out = tmp_path / "out"
    (out / "copies").mkdir(parents=True)
    shutil.copy(first, out / "copies" / first.name)  # a clash: the export must not overwrite it
    r = run_cli("collections", "export", "Loan", "--csv", str(out / "loan.csv"), "--copy", str(out / "copies"),
                "--pdf", str(out / "loan.pdf"), "--paper", "letter", *lib)
    assert r.returncode == 0, r.stderr
    assert "Wrote 2 rows" in r.stdout and "1-page contact sheet (letter)" in r.stdout and "1 renamed" in r.stdout
    rows = list(csv.DictReader((out / "loan.csv").open(encoding="utf-8")))
    assert rows[0]["tags"] == "condition: fragile" and rows[1]["note"] == "needs a frame"
    assert sorted(p.name for p in (out / "copies").iterdir()) == sorted(
        [first.name, f"{first.stem} (2).png", second.name])
    pdf = (out / "loan.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    r = run_cli("library", "export-data", str(out / "data.json"), *lib)
    assert r.returncode == 0 and "1 collections, 1 tags" in r.stdout
    r = run_cli("library", "import-data", str(out / "data.json"), *lib)
    assert r.returncode == 0 and "0 items added" in r.stdout
    (out / "bad.json").write_text("{oops")
    r = run_cli("library", "import-data", str(out / "bad.json"), *lib)
    assert r.returncode == 2 and "not valid JSON" in r.stderr and "Nothing was imported" in r.stderr
    r = run_cli("remove-folder", str(images), *lib)
    assert r.returncode == 0 and "2 of its images are in collections" in r.stdout and "1 have tags" in r.stdout
    r = run_cli("collections", "list", *lib)
    assert "Loan  (2 images)" in r.stdout
