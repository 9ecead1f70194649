"""Image <-> text through the library API: describe, text search, search through descriptions, keywords, tags."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from artseek.captions.importers import TextImportError
from artseek.captions.vocabulary import VocabularyError, parse_category, parse_vocabulary
from tests.search_quality.conftest import label_of


def _ids(lib, shapes, n):  # noqa: ANN001, ANN202
    return [(lib.image_id_for_path(p), spec) for p, spec in shapes[:n]]


def test_describe_contract_and_own_caption_first(text_library, shapes_200) -> None:
    hits = 0
    sample = _ids(text_library, shapes_200, 40)
    for image_id, spec in sample:
        d = text_library.texts.describe(image_id, top_k=5)
        assert len(d.texts) == 5 and d.keywords
        t = d.texts[0]
        assert {"text", "score", "source", "kind", "image_id"} <= set(vars(t))
        assert isinstance(d.keywords[0].term, str) and isinstance(d.keywords[0].score, float)
        assert [x.score for x in d.texts] == sorted((x.score for x in d.texts), reverse=True)
        hits += any(x.image_id == image_id for x in d.texts[:1])
    # chance of the right image's texts at rank 1: 2/400; the tiny model gets most of them
    assert hits / len(sample) >= 0.5, hits


def test_describe_scores_a_text_by_its_best_sentence(text_library, shapes_200) -> None:
    image_id, spec = _ids(text_library, shapes_200, 1)[0]
    top = text_library.texts.describe(image_id, top_k=1).texts[0]
    assert top.best_part.lower().startswith(spec.caption)  # the caption sentence, not the catalogue boilerplate
    assert top.source == "csv:captions.csv" and top.kind == "visual"


def test_describe_a_dropped_file(text_library, shapes_200, tmp_path: Path) -> None:
    from tests.fixtures.shapes import ShapeSpec, render

    spec = ShapeSpec("red", "star", "striped", "blue")
    path = tmp_path / "dropped.png"
    render(spec, seed=5).save(path)
    d = text_library.texts.describe_vector(text_library.embed_image(path), None, top_k=5)
    assert d.image_id is None
    assert sum("red star" in t.text for t in d.texts) >= 3, [t.text for t in d.texts]


def test_text_to_text_and_text_to_images_through_descriptions(text_library) -> None:
    texts = text_library.texts.texts_for_text("a blue circle", top_k=5)
    assert sum("blue circle" in t.text.lower() for t in texts) >= 3, [t.text for t in texts]
    for via in ("descriptions", "images", "both"):
        results = text_library.texts.search_by_descriptions("a yellow square", top_k=5, via=via)
        assert sum(label_of(r.path) == "yellow square" for r in results) >= 4, (via, [r.path for r in results])


def test_import_is_all_or_nothing_and_deduplicated(text_library, tmp_path: Path) -> None:
    before = text_library.texts.text_count()
    bad = tmp_path / "bad.csv"
    bad.write_text("image,text\n00000_red_circle.png,fine\n00001_red_square.png,\n", encoding="utf-8")
    with pytest.raises(TextImportError, match="line 3 has no text"):
        text_library.texts.import_file(bad)
    assert text_library.texts.text_count() == before
    good = tmp_path / "good.csv"
    good.write_text("image,text\n00000_red_circle.png,An extra note.\nnot-here.jpg,A free text.\n", encoding="utf-8")
    report = text_library.texts.import_file(good)
    assert (report.added, report.attached, report.unmatched) == (2, 1, ["not-here.jpg"])
    again = text_library.texts.import_file(good)
    assert (again.added, again.duplicates) == (0, 2)
    after = text_library.texts.text_count()
    assert after["texts"] == before["texts"] + 2 and after["free"] == before["free"] + 1


def test_sidecar_and_embedded_import_then_relink(tmp_path: Path) -> None:
    from PIL.PngImagePlugin import PngInfo

    from artseek.library import Library
    from tests.fixtures.shapes import ShapeSpec, render
    from tests.search_quality.test_importers import XMP

    folder = tmp_path / "imgs"
    folder.mkdir()
    render(ShapeSpec("red", "star", "plain", "blue")).save(folder / "a.png")
    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP)
    render(ShapeSpec("green", "circle", "plain", "red")).save(folder / "b.png", pnginfo=info)
    (folder / "a.txt").write_text("A red star on a plain blue background. Bought in 1901.", encoding="utf-8")
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        # a text for an image that is not indexed yet stays free, then attaches when it is
        early = tmp_path / "early.json"
        early.write_text('{"c.png": "A yellow square"}', encoding="utf-8")
        assert lib.texts.import_file(early).unmatched == ["c.png"]
        lib.index([folder])
        assert lib.texts.import_sidecars().attached == 1
        assert lib.texts.import_embedded().attached == 2  # x-default and French
        render(ShapeSpec("yellow", "square", "plain", "red")).save(folder / "c.png")
        lib.index([folder])
        lib.texts.import_sidecars()  # any import re-links free texts
        ids = {p: lib.image_id_for_path(folder / p) for p in ("a.png", "b.png", "c.png")}
        d = lib.texts.describe(ids["b.png"], top_k=3)
        by_image = {t.image_id: t for t in d.texts}
        assert by_image[ids["b.png"]].source == "xmp"
        assert by_image[ids["a.png"]].source == "sidecar"
        assert by_image[ids["c.png"]].source == "json:early.json"


def test_keywords_from_a_vocabulary(text_library, shapes_200, tmp_path: Path) -> None:
    vocab = tmp_path / "vocab.txt"
    terms = sorted({spec.label for _, spec in shapes_200})
    vocab.write_text("# shapes\n[shape]\ntemplates: a {} | a {} on a plain background\n" + "\n".join(terms) + "\n",
                     encoding="utf-8")
    right = 0
    for image_id, spec in _ids(text_library, shapes_200, 32):
        kws = text_library.texts.suggest_keywords(image_id, top_k=3, vocabulary=vocab)
        assert kws[0].group == "shape"
        right += kws[0].term == spec.label
    assert right >= 20, right  # chance 1/32


def test_bundled_vocabulary_is_large_and_valid() -> None:
    from artseek.captions.vocabulary import bundled_vocabulary

    terms = parse_vocabulary(bundled_vocabulary().read_text(encoding="utf-8"))
    assert len(terms) >= 200
    assert {"object type", "technique", "subject"} <= {t.group for t in terms}
    assert all(tpl.count("{}") == 1 for t in terms for tpl in t.templates)


def test_vocabulary_and_category_errors() -> None:
    with pytest.raises(VocabularyError, match="exactly one"):
        parse_vocabulary("templates: a painting\nship")
    with pytest.raises(VocabularyError, match="no terms"):
        parse_vocabulary("# nothing\n")
    for bad in ("technique", "technique=photograph", "=a,b", "t=a,a"):
        with pytest.raises(VocabularyError):
            parse_category(bad)
    assert parse_category(" technique = photograph, engraving ,drawing").values == ["photograph", "engraving",
                                                                                       "drawing"]


def test_zero_shot_tags_and_csv_export(text_library, shapes_200, tmp_path: Path) -> None:
    from artseek.captions.vocabulary import Category

    colours = ["red", "green", "blue", "yellow", "purple", "orange", "white", "black"]
    shape = Category("shape", ["circle", "square", "triangle", "star"],
                     tuple(f"a {c} {{}}" for c in colours))  # prompt ensemble over colours
    [report] = text_library.texts.classify([shape])
    assert report.images == 200 and sum(report.counts.values()) == 200
    tags = {t["image_id"]: t["value"] for t in text_library.texts.tags(category="shape")}
    truth = {text_library.image_id_for_path(p): spec.shape for p, spec in shapes_200}
    accuracy = np.mean([tags[i] == truth[i] for i in truth])
    assert accuracy >= 0.6, accuracy  # chance 0.25
    # a curator's own tag survives re-classification
    first = next(iter(truth))
    text_library.texts.set_tag(first, "shape", "hexagon")
    text_library.texts.classify([shape])
    assert text_library.texts.tags(first, "shape")[0]["value"] == "hexagon"
    out = tmp_path / "tags.csv"
    assert text_library.texts.export_tags(out, category="shape") == 200
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert set(rows[0]) == {"image_id", "path", "category", "value", "score", "source", "set_by"}
    assert {r["source"] for r in rows} == {"zero-shot", "curator"}
    assert {(r["source"], r["set_by"]) for r in rows} == {("zero-shot", "model"), ("curator", "curator")}
