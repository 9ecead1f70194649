"""Filters on a real library (tiny model): each filter kind, true top-k against exact filtered search, feedback
within a filter, the CLI flags and their bad values, the date filled on re-scan without re-embedding, history."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select, update

from artseek.errors import ArtSeekError, QueryError
from artseek.search.filters import SearchFilter
from artseek.search.query import Query
from tests.conftest import run_cli
from tests.fixtures.shapes import COLOURS, SHAPES, ShapeSpec, render

ALL = 100


def _jpeg_with_date(image: Image.Image, when: str) -> bytes:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = when
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture(scope="module")
def filtered(tmp_path_factory: pytest.TempPathFactory):
    """Two imported folders: ``old`` (JPEGs dated 1995 by EXIF, and 2010), ``new`` (PNGs, two of them 1.2 MP)."""
    from artseek.library import Library

    base = tmp_path_factory.mktemp("filters")
    old, new = base / "old", base / "new"
    old.mkdir()
    new.mkdir()
    n = 0
    for i, colour in enumerate(list(COLOURS)[:6]):
        for j, shape in enumerate(SHAPES[:2]):
            spec = ShapeSpec(colour, shape, "plain", "white" if colour != "white" else "black")
            image = render(spec, 96, seed=n)
            year = "1995" if (i + j) % 2 == 0 else "2010"
            (old / f"{colour}-{shape}.jpg").write_bytes(_jpeg_with_date(image, f"{year}:06:01 12:00:00"))
            n += 1
    for i, colour in enumerate(list(COLOURS)[:6]):
        size = 1200 if i < 2 else 96
        spec = ShapeSpec(colour, "star", "striped", "white" if colour != "white" else "black")
        render(spec, size, seed=100 + i).save(new / f"{colour}-star.png")
    lib = Library(base / "library", model="tiny-test")
    lib.index([old, new])
    yield lib, old, new
    lib.close()


def _paths(results) -> list[str]:
    return [r.path for r in results]


def exact(lib, query: np.ndarray, allowed: set[int], k: int) -> list[int]:
    ids = sorted(lib.vectors.ids)
    scores = lib.vectors.get_vectors(ids) @ (query / np.linalg.norm(query))
    ranked = [ids[i] for i in np.argsort(-scores, kind="stable") if ids[i] in allowed]
    return ranked[:k]


def test_each_filter_kind(filtered) -> None:
    lib, old, new = filtered
    assert len(lib.vectors) == 18
    by_folder = lib.search_text("a red circle", ALL, filter=SearchFilter.build(folders=[str(old)]))
    assert len(by_folder) == 12 and all(p.startswith(str(old) + os.sep) for p in _paths(by_folder))
    png = lib.search_text("a red circle", ALL, filter=SearchFilter.build(formats=["png"]))
    assert len(png) == 6 and all(p.endswith(".png") for p in _paths(png))
    big = lib.search_text("a red circle", ALL, filter=SearchFilter.build(min_megapixels=1))
    assert sorted(os.path.basename(p) for p in _paths(big)) == ["green-star.png", "red-star.png"]
    before = lib.search_text("a red circle", ALL, filter=SearchFilter.build(taken_before="2000"))
    assert len(before) == 6 and all(p.endswith(".jpg") for p in _paths(before))  # EXIF 1995; PNGs are new files
    after = lib.search_text("a red circle", ALL, filter=SearchFilter.build(taken_after="2005-01"))
    assert len(after) == 12  # the JPEGs of 2010 and the PNGs, dated by their files (today)
    ranges = lib.search_text("x", ALL, filter=SearchFilter.build(taken_after="1995-06-01", taken_before="1995-06-01"))
    assert len(ranges) == 6
    red = lib.image_id_for_path(old / "red-circle.jpg")
    blue = lib.image_id_for_path(new / "blue-star.png")
    lib.texts.set_tag(red, "technique", "engraving")
    lib.texts.set_tag(blue, "technique", "engraving")
    tagged = lib.search_text("a star", ALL, filter=SearchFilter.build(tags=["technique=engraving"]))
    assert sorted(r.image_id for r in tagged) == sorted([red, blue])
    both = lib.search_text("a star", ALL, filter=SearchFilter.build(tags=["technique=engraving"], formats=["PNG"]))
    assert [r.image_id for r in both] == [blue]
    from artseek.storage import Collection, CollectionItem

    with lib.db.session() as s:
        c = Collection(name="Loan 2027")
        s.add(c)
        s.flush()
        s.add(CollectionItem(collection_id=c.id, image_id=red, path=str(old / "red-circle.jpg"), position=0))
    in_collection = lib.search_text("a star", ALL, filter=SearchFilter.build(collection="Loan 2027"))
    assert [r.image_id for r in in_collection] == [red]


def test_results_are_the_exact_top_k_among_the_allowed(filtered) -> None:
    lib, old, _new = filtered
    flt = SearchFilter.build(folders=[str(old)], taken_after="2005")
    allowed = {r.image_id for r in lib.search_text("a shape", ALL, filter=flt)}
    assert len(allowed) == 6
    q = lib.embed_text("a green square")
    got = [r.image_id for r in lib.search_vector(q, 4, filter=flt)]
    assert got == exact(lib, q, allowed, 4)
    example = lib.image_id_for_path(old / "red-circle.jpg")
    like = [r.image_id for r in lib.more_like(example, 3, filter=flt)]
    assert like == exact(lib, lib.stored_vector(example), allowed, 3)


def test_feedback_and_example_searches_stay_within_the_filter(filtered) -> None:
    lib, old, new = filtered
    flt = SearchFilter.build(formats=["JPEG"])
    positive = lib.image_id_for_path(new / "red-star.png")  # a mark outside the filter still steers the ranking
    negative = lib.image_id_for_path(old / "blue-circle.jpg")
    for method in ("rocchio", "classifier"):
        results = lib.search_query(Query(text="a red shape", positive_ids=[positive], negative_ids=[negative],
                                         method=method, filter=flt), 5)
        assert len(results) == 5 and all(p.endswith(".jpg") for p in _paths(results))
    by_example = lib.search_query(Query(images=[str(new / "red-star.png")], filter=flt), 5)
    assert all(p.endswith(".jpg") for p in _paths(by_example))


def test_bad_filter_values_say_what_to_do(filtered, tmp_path: Path) -> None:
    lib, *_ = filtered
    cases = [dict(folders=[str(tmp_path)]), dict(formats=["webp"]), dict(tags=["technique=etching"]),
             dict(collection="Nope")]
    for case in cases:
        with pytest.raises(QueryError) as info:
            lib.search_text("x", 5, filter=SearchFilter.build(**case))
        assert info.value.hint
    for bad in (dict(taken_after="19x5"), dict(taken_after="2001-13"), dict(min_megapixels=-1),
                dict(tags=["engraving"]), dict(taken_after="2001", taken_before="2000")):
        with pytest.raises(ArtSeekError):
            SearchFilter.build(**bad)


def test_date_filled_on_rescan_without_re_embedding(filtered) -> None:
    """A library indexed before images.taken_at: the next re-scan reads the dates only."""
    from artseek.storage import Embedding, Image as ImageRow

    lib, *_ = filtered
    with lib.db.session() as s:
        s.execute(update(ImageRow).values(taken_at=None))
        seqs = dict(s.execute(select(Embedding.image_id, Embedding.seq)).all())
    report = lib.rescan()
    assert report.indexed == 0 and report.skipped == 18
    with lib.db.session() as s:
        assert dict(s.execute(select(Embedding.image_id, Embedding.seq)).all()) == seqs
        dated = s.scalars(select(ImageRow.taken_at)).all()
    assert all(d is not None for d in dated)
    assert len(lib.search_text("x", ALL, filter=SearchFilter.build(taken_before="1999"))) == 6


def test_history_records_restores_and_merges(filtered, tmp_path: Path) -> None:
    from artseek.library import Library

    lib, old, new = filtered
    lib.history.clear()
    red = lib.image_id_for_path(old / "red-circle.jpg")
    flt = SearchFilter.build(formats=["JPEG"], taken_before="2000")
    q = Query(text="a red shape", positive_ids=[red], filter=flt)
    lib.search_query(q, 5, remember=True)
    lib.search_query(q, 5, remember=True)  # the same search again: moved to the top, not copied
    lib.search_query(Query(example_ids=[red]), 5, remember=True)
    lib.search_query(Query(text="evaluation"), 5)  # not remembered
    entries = lib.history.entries()
    assert [e.text for e in entries] == [None, "a red shape"]
    restored = entries[1]
    assert restored.positive_ids == [red] and restored.filter == flt
    assert entries[0].example_id == red
    assert [r.image_id for r in lib.search_query(restored.to_query(), 5)] == \
        [r.image_id for r in lib.search_query(q, 5)]
    items = lib.history.export_items()
    json.dumps(items)
    with Library(tmp_path / "other", model="tiny-test") as other:
        other.index([old])
        assert other.history.import_items(items) == 2
        assert other.history.import_items(items) == 0  # merging never duplicates
        moved = other.history.entries()
        assert moved[0].example_id == other.image_id_for_path(old / "red-circle.jpg")  # by content hash
        assert moved[1].positive_ids == [other.image_id_for_path(old / "red-circle.jpg")]
    # The library data file (File → Export Library Data…) carries the history too, merged the same way.
    data = tmp_path / "data.json"
    assert lib.export_user_data(data)["history"] == 2
    with Library(tmp_path / "third", model="tiny-test") as third:
        third.index([old])
        assert third.import_user_data(data).counts["history"] == {"searches_added": 2, "already_here": 0}
        assert third.import_user_data(data).counts["history"] == {"searches_added": 0, "already_here": 2}
        assert [e.text for e in third.history.entries()] == [None, "a red shape"]


@pytest.mark.parametrize("bad, expected", [(["--taken-after", "19x5"], "is not a date"),
                                           (["--tag", "engraving"], "is not a tag"),
                                           (["--format", "webp"], "No image of this library is in the format"),
                                           (["--collection", "Nope"], "There is no collection named")])
def test_cli_bad_filter_values(filtered, bad: list[str], expected: str, capsys: pytest.CaptureFixture) -> None:
    from artseek.cli import main

    lib, *_ = filtered
    assert main(["search", "a red circle", "--library", str(lib.folder), "--model", "tiny-test", *bad]) == 2
    assert expected in capsys.readouterr().err


def test_cli_filter_flags_and_history(filtered, capsys: pytest.CaptureFixture) -> None:
    from artseek.cli import main

    lib, old, new = filtered
    common = ["--library", str(lib.folder), "--model", "tiny-test"]
    assert main(["search", "a red circle", *common, "--json", "--folder", str(new), "--min-megapixels", "1",
                 "--taken-after", "2020"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert sorted(os.path.basename(r["path"]) for r in data["results"]) == ["green-star.png", "red-star.png"]
    assert data["query"]["filter"]["min_megapixels"] == 1
    assert main(["search", "a red circle", *common, "--json", "--format", "jpg", "--positive",
                 str(old / "red-circle.jpg"), "--method", "rocchio"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["results"]) == 12 and all(r["path"].endswith(".jpg") for r in data["results"])
    # (this process holds the library open, so the CLI opened it read-only and remembered nothing)
    lib.history.record(Query(text="a red circle", filter=SearchFilter.build(min_megapixels=1)))
    assert main(["history", "list", *common]) == 0
    assert "“a red circle” [≥ 1 MP]" in capsys.readouterr().out


@pytest.mark.slow
def test_cli_in_a_subprocess_remembers_its_search(filtered, tmp_path: Path) -> None:
    """The real command line, on a library no other process holds: the search lands in the history."""
    from artseek.library import Library

    _lib, old, _new = filtered
    with Library(tmp_path / "cli", model="tiny-test") as lib:
        lib.index([old])
    proc = run_cli("search", "a red circle", "--library", str(tmp_path / "cli"), "--model", "tiny-test",
                   "--taken-before", "1999")
    assert proc.returncode == 0 and proc.stdout.count(".jpg") == 6, proc.stderr
    listed = run_cli("history", "list", "--library", str(tmp_path / "cli"), "--model", "tiny-test")
    assert "“a red circle” [until 1999]" in listed.stdout


def test_cli_labels_refined_scores_as_relative(filtered, capsys: pytest.CaptureFixture) -> None:
    """With marked images the classifier's scores are relative to the search; the text output says so."""
    from artseek.cli import main

    lib, old, _new = filtered
    common = ["--library", str(lib.folder), "--model", "tiny-test"]
    assert main(["search", "a red circle", *common]) == 0
    assert "relative" not in capsys.readouterr().out  # a plain search: cosine similarities, no note
    assert main(["search", "a red circle", *common, "--positive", str(old / "red-circle.jpg"),
                 "--negative", str(old / "blue-square.jpg"), "--method", "classifier"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Refined scores (relative)") and "not cosine similarities" in out[0]
    assert out[1].lstrip().startswith("1 ")
