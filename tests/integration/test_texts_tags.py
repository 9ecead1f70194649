"""Catalogue texts and tags in the core and on the CLI: CSV column mappings, the curator's description,
searches in descriptions with the matched sentence, saved categories, incremental classification,
curator tags that win, and their JSON-able export/import."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli

NO_TRACEBACK = "Traceback"


@pytest.fixture
def small_lib(tmp_path: Path, shapes_200):  # noqa: ANN001, ANN201
    from artseek.library import Library

    folder = tmp_path / "imgs"
    folder.mkdir()
    for p, _ in shapes_200[:12]:
        shutil.copy(p, folder / p.name)
    lib = Library(tmp_path / "library", model="tiny-test")
    lib.index([folder])
    yield lib, folder, shapes_200[:12]
    lib.close()


def test_csv_with_an_explicit_column_mapping(small_lib, tmp_path: Path) -> None:  # noqa: ANN001
    from artseek.captions.importers import ColumnMapping, TextImportError
    from artseek.captions.preview import preview_file

    lib, _, items = small_lib
    f = tmp_path / "catalogue.csv"
    with f.open("w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(["Inventar", "Beschreibung", "Art", "Titel"])  # names no guess recognises
        for p, spec in items[:5]:
            w.writerow([p.name, spec.caption + ". Bought in Paris.", "visual", f"Sheet {p.stem}"])
    preview = preview_file(f)
    assert preview.kind == "csv" and preview.columns == ["Inventar", "Beschreibung", "Art", "Titel"]
    assert preview.guess is None and len(preview.rows) == 5 and preview.rows[0][0] == items[0][0].name
    with pytest.raises(TextImportError, match="no text column"):
        lib.texts.import_file(f)
    with pytest.raises(TextImportError, match="no column 'Nope'"):
        lib.texts.import_file(f, columns=ColumnMapping("Nope"))
    report = lib.texts.import_file(f, columns=ColumnMapping("Beschreibung", "Inventar", "Art", "Titel"))
    assert (report.added, report.attached) == (5, 5)
    own = lib.texts.describe(lib.image_id_for_path(str(_path(lib, items[0][0].name))), 3).own
    assert own[0]["kind"] == "visual" and own[0]["title"] == f"Sheet {items[0][0].stem}"


def _path(lib, name: str) -> str:  # noqa: ANN001
    return next(r.path for r in lib.search_text("a shape", 100) if r.path.endswith(name))


def test_bad_csv_line_refused_and_nothing_imported(small_lib, tmp_path: Path) -> None:  # noqa: ANN001
    from artseek.captions.importers import ColumnMapping, TextImportError

    lib, _, items = small_lib
    f = tmp_path / "bad.csv"
    f.write_text("Datei,Text\n" + f"{items[0][0].name},a red star\n" + f"{items[1][0].name},\n" + "x,y,z\n",
                 encoding="utf-8")
    with pytest.raises(TextImportError) as err:
        lib.texts.import_file(f, columns=ColumnMapping("Text", "Datei"))
    assert "line 3 has no text" in str(err.value) and "line 4" in str(err.value)
    assert "Nothing was imported" in err.value.hint
    assert lib.texts.text_count()["texts"] == 0


def test_curator_description_search_and_survival(small_lib, tmp_path: Path) -> None:  # noqa: ANN001
    lib, folder, items = small_lib
    target = lib.image_id_for_path(_path(lib, items[3][0].name))
    lib.texts.import_records([])
    assert lib.texts.set_description(target, "Bought at an auction in Paris in 1901. A purple circle.")
    assert lib.texts.description(target).endswith("circle.")
    results = lib.texts.search_by_descriptions("a purple circle", 5, via="descriptions")
    assert results[0].image_id == target and results[0].sentence == "A purple circle."
    # editing replaces; a re-import, a rescan and 'remove all imported' keep it
    lib.texts.set_description(target, "A unicorn drinking at a well.")
    assert lib.texts.text_sources() == {"curator": 1}
    f = tmp_path / "c.csv"
    f.write_text("image,text\n" + f"{items[0][0].name},a plain caption\n", encoding="utf-8")
    lib.texts.import_file(f)
    lib.rescan()
    assert lib.texts.remove_texts() == 1
    assert lib.texts.description(target) == "A unicorn drinking at a well."
    d = lib.texts.describe(target, 3)
    assert [o["source"] for o in d.own] == ["curator"]
    assert lib.texts.set_description(target, "") is False and lib.texts.description(target) is None


def test_categories_incremental_classification_and_curator_tags(small_lib, tmp_path: Path) -> None:  # noqa: ANN001
    from artseek.captions.vocabulary import Category

    lib, folder, items = small_lib
    assert lib.texts.categories() == []
    lib.texts.save_category(Category("shape", ["circle", "square", "triangle", "star"]))
    [report] = lib.texts.classify()
    assert report.images == 12 and sum(report.counts.values()) == 12
    first = lib.texts.tags(category="shape")[0]
    assert first["source"] == "zero-shot" and first["set_by"] == "model" and 0 < first["score"] <= 1
    lib.texts.set_tag(first["image_id"], "shape", "hexagon")  # the curator corrects
    [again] = lib.texts.classify(incremental=True)
    assert sum(again.counts.values()) == 0  # nothing new: nothing to do
    lib.texts.clear_tag(lib.texts.tags(category="shape")[1]["image_id"], "shape")
    [again] = lib.texts.classify(incremental=True)
    assert sum(again.counts.values()) == 1  # only the untagged image
    lib.texts.save_category(Category("shape", ["circle", "square", "triangle", "star", "hexagon"]))
    [full] = lib.texts.classify(incremental=True)  # the category changed: every image again, but the curator's
    assert sum(full.counts.values()) == 11
    assert lib.texts.tags(first["image_id"], "shape")[0] | {"path": ""} == dict(
        image_id=first["image_id"], path="", category="shape", value="hexagon", score=None, source="curator",
        set_by="curator")
    # cancelled at once: nothing is tagged, the category is not marked done
    lib.texts.save_category(Category("colour", ["red", "green", "blue"]))
    lib.texts.classify(["colour=red,green,blue"], checkpoint=lambda: False)
    assert lib.texts.tags(category="colour") == []
    # export/import of the curator's tags as dicts, by content hash, without duplicates
    exported = lib.texts.export_curator_tags()
    assert exported == [dict(content_hash=exported[0]["content_hash"], path=exported[0]["path"], category="shape",
                             value="hexagon")]
    assert lib.texts.import_curator_tags(exported) == {"set": 0, "unchanged": 1, "unmatched": 0}
    moved = [dict(exported[0], path="/elsewhere/x.png", value="star")]
    assert lib.texts.import_curator_tags(moved) == {"set": 1, "unchanged": 0, "unmatched": 0}
    assert lib.texts.import_curator_tags([dict(content_hash="0" * 64, path="/no", category="a", value="b")]) == {
        "set": 0, "unchanged": 0, "unmatched": 1}
    assert lib.texts.remove_category("shape") and [c.name for c in lib.texts.categories()] == ["colour"]
    assert [t["value"] for t in lib.texts.tags(category="shape")] == ["star"]  # the curator's tag stays
    json.dumps(exported)


@pytest.mark.slow
def test_cli_categories_and_tags(small_lib, tmp_path: Path) -> None:  # noqa: ANN001
    lib, folder, items = small_lib
    lib_dir = str(lib.folder)
    lib.close()
    r = run_cli("classify", "--library", lib_dir)
    assert r.returncode == 2 and "No categories are defined" in r.stderr and NO_TRACEBACK not in r.stderr
    r = run_cli("categories", "set", "technique=photograph,engraving,drawing,painting,map", "--library", lib_dir)
    assert r.returncode == 0 and "Saved technique" in r.stdout, r.stderr
    r = run_cli("categories", "list", "--json", "--library", lib_dir)
    assert json.loads(r.stdout)[0]["values"] == ["photograph", "engraving", "drawing", "painting", "map"]
    r = run_cli("classify", "--library", lib_dir)
    assert r.returncode == 0 and "technique:" in r.stdout, r.stderr
    r = run_cli("tags", "set", "1", "technique=map", "--library", lib_dir)
    assert r.returncode == 0 and "curator" in r.stdout, r.stderr
    r = run_cli("tags", "set", "1", "technique", "--library", lib_dir)
    assert r.returncode == 2 and "CATEGORY=VALUE" in r.stderr
    r = run_cli("classify", "--library", lib_dir)
    out = tmp_path / "tags.csv"
    r = run_cli("tags", "export", str(out), "--library", lib_dir)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 12 and {"score", "set_by"} <= set(rows[0])
    mine = [row for row in rows if row["image_id"] == "1"]
    assert mine[0]["value"] == "map" and mine[0]["set_by"] == "curator" and mine[0]["score"] == ""
    r = run_cli("tags", "clear", "1", "technique", "--library", lib_dir)
    assert r.returncode == 0 and "removed" in r.stdout
    r = run_cli("categories", "remove", "nope", "--library", lib_dir)
    assert r.returncode == 2 and "technique" in r.stderr
    # texts import --columns: a CSV whose columns have other names
    f = tmp_path / "k.csv"
    f.write_text("Datei,Beschreibung\n" + "".join(f"{p.name},{s.caption}\n" for p, s in items[:3]), encoding="utf-8")
    r = run_cli("texts", "import", str(f), "--columns", "text=Beschreibung,image=Datei", "--library", lib_dir)
    assert r.returncode == 0 and "attached to images 3" in r.stdout, r.stdout + r.stderr
    r = run_cli("texts", "import", str(f), "--columns", "file=Datei", "--library", lib_dir)
    assert r.returncode == 2 and "needs text=COLUMN" in r.stderr


def test_curator_tag_and_description_survive_a_move_and_rescan(small_lib) -> None:  # noqa: ANN001
    lib, folder, items = small_lib
    old = folder / items[5][0].name
    image_id = lib.image_id_for_path(str(old))
    lib.texts.set_tag(image_id, "technique", "engraving")
    lib.texts.set_description(image_id, "A proof before letters.")
    (folder / "moved").mkdir()
    new = folder / "moved" / "renamed.png"
    old.rename(new)
    lib.rescan()
    assert lib.image_id_for_path(str(new)) == image_id  # the record moved with the file (ingest/diff.py)
    assert lib.texts.tags(image_id)[0]["value"] == "engraving"
    assert lib.texts.description(image_id) == "A proof before letters."
    assert lib.texts.export_curator_tags()[0]["path"] == str(new)
    exported = lib.texts.export_curator_descriptions()
    assert exported == [dict(content_hash=exported[0]["content_hash"], path=str(new), text="A proof before letters.")]
    assert lib.texts.import_curator_descriptions(exported) == {"set": 0, "unchanged": 1, "unmatched": 0}
    changed = [dict(exported[0], path="/elsewhere.png", text="A later state.")]
    assert lib.texts.import_curator_descriptions(changed) == {"set": 1, "unchanged": 0, "unmatched": 0}
    assert lib.texts.description(image_id) == "A later state."


def test_preview_and_mapped_csv_on_any_bytes() -> None:
    """Bad input: the preview and a mapped CSV give rows or a clear ArtSeekError, never another exception."""
    import tempfile

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from artseek.captions.importers import ColumnMapping, read_csv
    from artseek.captions.preview import preview_file
    from artseek.errors import ArtSeekError

    @settings(max_examples=120, deadline=None)
    @given(data=st.binary(max_size=1500))
    def check(data: bytes) -> None:
        with tempfile.TemporaryDirectory() as d:
            for name in ("t.csv", "t.json", "t.tsv"):
                path = Path(d) / name
                path.write_bytes(data)
                try:
                    p = preview_file(path)
                    assert p.kind in ("csv", "json") and isinstance(p.rows, list)
                except ArtSeekError as exc:
                    assert str(exc).strip()
            try:
                read_csv(Path(d) / "t.csv", mapping=ColumnMapping("text", "file"))
            except ArtSeekError as exc:
                assert str(exc).strip()

    check()


def test_the_window_preview_guesses_windows_1252_and_shows_it(tmp_path: Path) -> None:
    """preview_text_file(guess_8bit=True): not UTF-8 → read as Windows-1252 and said so; UTF-8 and a given
    encoding are never guessed over; neither UTF-8 nor Windows-1252 → the not-UTF-8 error; any bytes give a
    preview or a clear ArtSeekError."""
    import tempfile

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from artseek.captions.preview import preview_text_file
    from artseek.captions.text_encoding import NotUtf8Error
    from artseek.errors import ArtSeekError

    latin = tmp_path / "katalog.csv"
    latin.write_bytes("file;text\na.png;Épreuve rehaussée à l'aquarelle, Müller\n".encode("cp1252"))
    found = preview_text_file(latin, guess_8bit=True)
    assert found.guessed_encoding == "cp1252" and found.rows == [["a.png", "Épreuve rehaussée à l'aquarelle, Müller"]]
    with pytest.raises(NotUtf8Error):
        preview_text_file(latin)  # without the guess: as the CLI, it asks
    assert preview_text_file(latin, "latin-1", guess_8bit=True).guessed_encoding is None
    utf8 = tmp_path / "utf8.csv"
    utf8.write_text("file;text\na.png;Épreuve\n", encoding="utf-8")
    assert preview_text_file(utf8, guess_8bit=True).guessed_encoding is None
    neither = tmp_path / "neither.csv"
    neither.write_bytes(b"file;text\na.png;caf\x8e\x81\n")  # 0x81 is undefined in Windows-1252
    with pytest.raises(NotUtf8Error):
        preview_text_file(neither, guess_8bit=True)

    @settings(max_examples=80, deadline=None)
    @given(data=st.binary(max_size=800))
    def check(data: bytes) -> None:
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "t.csv"
            path.write_bytes(data)
            try:
                assert preview_text_file(path, guess_8bit=True).kind == "csv"
            except ArtSeekError as exc:
                assert str(exc).strip()

    check()
