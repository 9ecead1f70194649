"""Collections in the core: create/fill/order/notes, re-link after moves, folder removal and re-indexing, search
scoped to a collection, exports (CSV, copied files) and the library data file (export, import twice, bad files)."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest

from artseek.collections import CollectionError, ExportEntry
from artseek.collections.errors import UserDataError
from artseek.library import Library
from artseek.search.query import Query
from tests.fixtures.shapes import generate_folder


@pytest.fixture(scope="module")
def shapes_24(tmp_path_factory) -> list:
    return generate_folder(tmp_path_factory.mktemp("coll-shapes") / "src", 24, seed=5, size=64)


@pytest.fixture
def lib(tmp_path, shapes_24):
    """A fresh library over a copy of 24 shapes in ``tmp_path/images``."""
    images = tmp_path / "images"
    images.mkdir()
    for p, _ in shapes_24:
        shutil.copy(p, images / p.name)
    library = Library(tmp_path / "lib", model="tiny-test")
    library.index([images])
    yield library
    library.close()


@pytest.fixture
def bare(tmp_path):
    """A library with nothing indexed (cheap)."""
    library = Library(tmp_path / "bare", model="tiny-test")
    yield library
    library.close()


def ids_paths(lib: Library) -> list[tuple[int, str]]:
    return [(r.image_id, r.path) for r in lib.search_text("a red circle", top_k=24)]


def test_create_add_order_notes_remove_reorder(lib) -> None:
    c = lib.collections
    info = c.create("Loan  request ")
    assert info.name == "Loan request" and info.items == 0
    with pytest.raises(CollectionError, match="already a collection"):
        c.create("loan REQUEST")
    with pytest.raises(CollectionError, match="needs a name"):
        c.create("   ")
    ids = [i for i, _ in ids_paths(lib)][:6]
    assert c.add("Loan request", ids[:4]) == 4
    assert c.add("Loan request", [ids[2], ids[4], ids[4]]) == 1  # no duplicates, in the order given
    assert [i.image_id for i in c.items("loan request")] == ids[:5]
    with pytest.raises(CollectionError, match="no image 99999"):
        c.add(info.id, [99999])
    c.set_note(info.id, "For the Rijksmuseum, due 1 March")
    c.set_item_note(info.id, ids[1], "needs a new scan")
    items = c.items(info.id)
    assert items[1].note == "needs a new scan" and c.get(info.id).note.startswith("For the Rijks")
    c.reorder(info.id, [items[4].id, items[0].id])
    assert [i.image_id for i in c.items(info.id)] == [ids[4], ids[0], ids[1], ids[2], ids[3]]
    c.move(info.id, [items[0].id], 4)
    assert [i.image_id for i in c.items(info.id)] == [ids[4], ids[1], ids[2], ids[3], ids[0]]
    assert c.remove(info.id, image_ids=[ids[2]]) == 1
    assert [i.position for i in c.items(info.id)] == [0, 1, 2, 3]
    renamed = c.rename(info.id, "Loan 2026")
    assert renamed.name == "Loan 2026" and c.list()[0].items == 4
    assert c.containing(ids[1]) == ["Loan 2026"]
    with pytest.raises(CollectionError, match="no collection 'nope'"):
        c.items("nope")
    assert c.delete("Loan 2026") == 4 and c.list() == []
    assert len(lib.search_text("a red circle", top_k=24)) == 24  # the images stay


def test_search_within_a_collection_is_exact_and_feedback_works(lib) -> None:
    ranked = ids_paths(lib)
    subset = [ranked[i][0] for i in (3, 7, 11, 15, 19)]
    lib.collections.create("Five")
    lib.collections.add("Five", subset)
    within = lib.collections.image_ids("Five")
    assert within == subset
    results = lib.search_query(Query(text="a red circle", within_ids=within), top_k=10)
    assert [r.image_id for r in results] == subset  # same relative order as the whole-library ranking
    fb = lib.search_query(Query(positive_ids=[subset[4]], negative_ids=[subset[0]], within_ids=within), top_k=10)
    assert {r.image_id for r in fb} <= set(subset) and fb
    assert lib.search_query(Query(text="a red circle", within_ids=[]), top_k=5) == []


def test_moved_file_stays_in_collection_after_rescan(lib, tmp_path) -> None:
    (image_id, path), *_ = ids_paths(lib)
    lib.collections.create("Moves")
    lib.collections.add("Moves", [image_id])
    lib.collections.set_item_note("Moves", image_id, "keep me")
    new_path = Path(path).with_name("renamed-" + Path(path).name)
    os.rename(path, new_path)
    report = lib.rescan()
    assert report.moved == 1
    (item,) = lib.collections.items("Moves")
    assert (item.image_id, item.path, item.note, item.indexed) == (image_id, str(new_path), "keep me", True)


def test_folder_removed_then_reimported_relinks(lib, tmp_path) -> None:
    ranked = ids_paths(lib)
    lib.collections.create("Gone")
    lib.collections.add("Gone", [i for i, _ in ranked[:3]])
    lib.texts.set_tag(ranked[0][0], "condition", "fragile")
    impact = lib.root_removal_impact(tmp_path / "images")
    assert impact == {"images": 24, "collected": 3, "tagged": 1}
    lib.remove_root(tmp_path / "images")
    items = lib.collections.items("Gone")
    assert [i.image_id for i in items] == [None, None, None] and items[0].path == ranked[0][1]
    assert lib.collections.image_ids("Gone") == []
    moved = tmp_path / "elsewhere"
    shutil.move(tmp_path / "images", moved)
    lib.index([moved])
    items = lib.collections.items("Gone")
    assert all(i.indexed for i in items)
    assert [os.path.basename(i.path) for i in items] == [os.path.basename(p) for _, p in ranked[:3]]
    assert all(i.path.startswith(str(moved)) for i in items)


def test_survives_reindex_with_another_model_and_a_move(lib, tmp_path) -> None:
    ranked = ids_paths(lib)
    lib.collections.create("Model change")
    lib.collections.add("Model change", [i for i, _ in ranked[:2]])
    lib.switch_model("tiny-test")
    first = Path(ranked[0][1])
    os.rename(first, first.with_name("moved-" + first.name))
    lib.rescan()
    items = lib.collections.items("Model change")
    assert [i.indexed for i in items] == [True, True]
    assert items[0].path == str(first.with_name("moved-" + first.name))
    assert len(lib.search_query(Query(text="a circle", within_ids=lib.collections.image_ids("Model change")))) == 2


def test_csv_export_is_injection_safe_and_complete(lib, tmp_path) -> None:
    ranked = ids_paths(lib)
    lib.collections.create("Sheet")
    lib.collections.add("Sheet", [ranked[0][0], ranked[1][0]])
    lib.collections.set_item_note("Sheet", ranked[0][0], "=HYPERLINK(\"http://x\")")
    lib.texts.set_tag(ranked[0][0], "@technique", "SUM(1)")
    out = tmp_path / "sheet.csv"
    assert lib.collections.export_csv(lib.collections.entries("Sheet"), out) == 2
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["path", "file_name", "folder", "score", "note", "tags", "description", "width",
                             "height", "format"]
    assert rows[0]["note"].startswith("'=") and rows[0]["tags"] == "'@technique: SUM(1)"
    assert rows[0]["file_name"] == os.path.basename(ranked[0][1]) and rows[0]["width"] == "64"
    assert rows[0]["format"] == "PNG" and rows[1]["note"] == ""
    sel = lib.collections.selection_entries([ranked[2][0]], {ranked[2][0]: 0.25})
    lib.collections.export_csv(sel, out)
    assert next(csv.DictReader(out.open(encoding="utf-8")))["score"] == "0.25"
    lib.collections.create("Empty")
    with pytest.raises(CollectionError, match="empty"):
        lib.collections.entries("Empty")


def test_copy_files_resolves_clashes_and_reports_missing(lib, tmp_path) -> None:
    ranked = ids_paths(lib)
    dest = tmp_path / "out"
    dest.mkdir()
    name = os.path.basename(ranked[0][1])
    (dest / name).write_bytes(b"the curator's own file")
    entries = [ExportEntry(ranked[0][0], ranked[0][1]), ExportEntry(None, str(tmp_path / "gone.png")),
               ExportEntry(ranked[1][0], ranked[1][1])]
    seen = []
    report = lib.collections.copy_files(entries, dest, progress=lambda n, total, _p: seen.append((n, total)))
    assert (dest / name).read_bytes() == b"the curator's own file"  # nothing overwritten
    stem, ext = os.path.splitext(name)
    assert (dest / f"{stem} (2){ext}").read_bytes() == Path(ranked[0][1]).read_bytes()
    assert len(report.copied) == 2 and report.renamed == 1
    assert report.failed[0][0].endswith("gone.png") and "not there" in report.failed[0][1]
    assert seen[-1] == (3, 3)
    again = lib.collections.copy_files(entries[:1], dest)
    assert again.copied[0][1].endswith(f"{stem} (3){ext}")
    assert not list(dest.glob(".*artseek-copy"))


def test_library_data_export_import_twice_and_into_another_library(lib, tmp_path) -> None:
    ranked = ids_paths(lib)
    lib.collections.create("Exhibition", note="Room 3")
    lib.collections.add("Exhibition", [i for i, _ in ranked[:4]])
    lib.collections.set_item_note("Exhibition", ranked[1][0], "centre wall")
    lib.texts.set_tag(ranked[0][0], "condition", "fragile")
    lib.texts.set_description(ranked[2][0], "Gift of the artist's widow, 1931.")
    data = tmp_path / "data.json"
    counts = lib.export_user_data(data)
    assert counts == {"collections": 1, "tags": 1, "descriptions": 1, "history": 0}
    doc = json.loads(data.read_text(encoding="utf-8"))
    assert doc["format"] == "artseek-library-data" and doc["version"] == 1
    # Into the same library: nothing new.
    report = lib.import_user_data(data)
    assert report.counts["collections"]["items_added"] == 0 and report.counts["tags"]["tags_added"] == 0
    assert report.counts["descriptions"] == {"descriptions_set": 0, "unchanged": 1, "unmatched": 0}
    # Into a new library over the same files: everything, once, however often it is imported.
    other = Library(tmp_path / "other", model="tiny-test")
    try:
        other.index([tmp_path / "images"])
        for _ in range(2):
            other.import_user_data(data)
        (info,) = other.collections.list()
        assert (info.name, info.note, info.items) == ("Exhibition", "Room 3", 4)
        items = other.collections.items("Exhibition")
        assert [i.path for i in items] == [p for _, p in ranked[:4]] and items[1].note == "centre wall"
        assert all(i.indexed for i in items)
        tags = other.texts.tags()
        assert [(t["path"], t["category"], t["value"], t["source"]) for t in tags] == [
            (ranked[0][1], "condition", "fragile", "curator")]
        assert other.texts.description(other.image_id_for_path(ranked[2][1])) == "Gift of the artist's widow, 1931."
        hits = other.texts.search_by_descriptions("gift of the artist's widow", via="descriptions", top_k=3)
        assert hits and hits[0].path == ranked[2][1]  # imported unembedded, embedded on the next search
    finally:
        other.close()


def test_importing_into_an_empty_library_keeps_items_and_links_them_when_indexed(lib, tmp_path) -> None:
    ranked = ids_paths(lib)
    lib.collections.create("Later")
    lib.collections.add("Later", [ranked[0][0]])
    data = tmp_path / "data.json"
    lib.export_user_data(data)
    other = Library(tmp_path / "empty", model="tiny-test")
    try:
        report = other.import_user_data(data)
        assert report.counts["collections"]["items_added"] == 1
        (item,) = other.collections.items("Later")
        assert item.image_id is None and item.path == ranked[0][1]
        other.index([tmp_path / "images"])
        (item,) = other.collections.items("Later")
        assert item.indexed
    finally:
        other.close()


@pytest.mark.parametrize("content, message", [
    (b"\xff\xfe not utf-8", "not UTF-8"),
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "not an ArtSeek library data file"),
    (b'{"format": "artseek-library-data", "version": 2, "kinds": {}}', "version 2"),
    (b'{"format": "artseek-library-data", "version": 1, "kinds": {"collections": {"version": 9, "data": []}}}',
     "version 9"),
    (b'{"format": "artseek-library-data", "version": 1, "kinds": {"collections": {"version": 1, "data": '
     b'[{"name": "Good", "items": []}, {"name": "", "items": []}]}}}', "needs a name"),
    (b'{"format": "artseek-library-data", "version": 1, "kinds": {"collections": {"version": 1, "data": '
     b'[{"name": "Good", "items": []}]}, "tags": {"version": 1, "data": [{"image": {}, "category": "x", '
     b'"value": "y"}]}}}', "names no image"),
])
def test_bad_library_data_files_are_refused_and_nothing_is_imported(bare, tmp_path, content, message) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    with pytest.raises(UserDataError, match=message) as err:
        bare.import_user_data(bad)
    assert "Nothing was imported" in str(err.value)
    assert bare.collections.list() == []


def test_unknown_kinds_are_skipped_and_reported(bare, tmp_path) -> None:
    lib = bare
    f = tmp_path / "newer.json"
    f.write_text(json.dumps({"format": "artseek-library-data", "version": 1, "kinds": {
        "ocr_notes": {"version": 1, "data": []}, "collections": {"version": 1, "data": [{"name": "A", "items": []}]}}}))
    report = lib.import_user_data(f)
    assert report.skipped_kinds == ["ocr_notes"] and [c.name for c in lib.collections.list()] == ["A"]
    assert "ocr_notes" in report.summary()


def test_read_only_library_refuses_collection_writes(bare, tmp_path) -> None:
    lib = bare
    lib.collections.create("RO")
    ro = Library(lib.folder, read_only=True)
    try:
        assert [c.name for c in ro.collections.list()] == ["RO"]
        with pytest.raises(Exception, match="read-only"):
            ro.collections.create("X")
    finally:
        ro.close()


def test_exports_to_places_that_cannot_be_written_say_so(bare, tmp_path) -> None:
    from artseek.csv_safe import ExportError

    src = tmp_path / "a.png"
    src.write_bytes(b"x")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    entries = [ExportEntry(None, str(src))]
    with pytest.raises(ExportError, match="Cannot create the folder"):
        bare.collections.copy_files(entries, blocker / "sub")
    with pytest.raises(ExportError, match="Cannot write"):
        bare.collections.export_csv(entries, tmp_path / "no-such-dir" / "x.csv")
    with pytest.raises(ExportError, match="Cannot write"):
        bare.export_user_data(tmp_path / "no-such-dir" / "x.json")
    assert not list(tmp_path.glob("**/*.tmp"))
