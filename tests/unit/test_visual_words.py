"""Reproduction indexing: the vocabulary tree, the inverted index (add, query, remove, incremental), and a
library whose visual words find a photograph's page, follow added and removed images, and survive a picture
with no keypoints."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from artseek.reproductions.inverted import InvertedIndex
from artseek.reproductions.vocabulary import Vocabulary, rootsift, train

pytest.importorskip("cv2")


def test_vocabulary_tree_quantises_like_its_training_clusters_and_round_trips() -> None:
    rng = np.random.default_rng(0)
    centres = rng.random((40, 128)).astype(np.float32) * 50
    data = np.concatenate([c + rng.normal(0, 1, (300, 128)) for c in centres]).astype(np.float32)
    vocabulary = train(rootsift(np.abs(data)), branch=4, depth=3)
    assert 16 <= vocabulary.size <= 64
    words = vocabulary.quantise(rootsift(np.abs(data)))
    cluster = np.repeat(np.arange(40), 300)
    # a word holds the points of one cluster (a cluster may be cut into a few words, not mixed with others)
    purity = [np.bincount(cluster[words == w]).max() / (words == w).sum() for w in np.unique(words)]
    assert np.mean(purity) > 0.95 and len(np.unique(words)) >= 30
    again = Vocabulary.from_bytes(vocabulary.to_bytes())
    assert again.size == vocabulary.size
    assert (again.quantise(rootsift(np.abs(data[:50]))) == words[:50]).mean() > 0.95  # stored as float16


def test_inverted_index_add_query_remove_and_incremental() -> None:
    rng = np.random.default_rng(1)
    docs = {i: rng.choice(5000, 300, replace=False) for i in range(1, 201)}
    index = InvertedIndex(5000)
    for i, w in docs.items():
        index.add(i, w, bulk=True)
    index.compact()
    # a query holding a third of image 7's words (a detail of it) among others finds it first
    query = np.concatenate([docs[7][:100], rng.choice(5000, 200)])
    assert index.query(query, 5)[0][0] == 7
    assert 7 not in [i for i, _ in index.query(query, 5, exclude={7})]
    # removed: never returned again; added after the compaction (not yet compacted): found at once
    assert index.remove(7) and not index.remove(7) and 7 not in index
    assert 7 not in [i for i, _ in index.query(query, 200)]
    index.add(500, docs[7])
    assert index.query(query, 1)[0][0] == 500 and len(index) == 200
    # replacing an image's words moves it
    index.add(500, rng.choice(5000, 300, replace=False))
    assert index.query(query, 1)[0][0] != 500
    # many additions compact on their own; document frequencies stay exact
    for i in range(1000, 2200):
        index.add(i, rng.choice(5000, 50, replace=False))
    assert index.df.sum() == sum(len(index.words_of(i)) for i in index.ids)
    # words held by most images are stop words: a query of only those finds nothing
    common = InvertedIndex(10)
    for i in range(200):
        common.add(i, [1, 2] if i % 2 else [1, 3])
    assert common.query(np.array([1, 2]), 5) == [] and len(common.query(np.array([1, 2, 3, 4]), 5)) == 0


def test_auto_candidates_come_from_the_words_when_they_are_on_else_from_the_vector_indexes() -> None:
    from artseek.reproductions.features import Features
    from artseek.reproductions.finder import ReproductionFinder, WordsOffError

    state = {"on": True, "words": [(7, 0.9), (3, 0.5)]}
    finder = ReproductionFinder(lambda ids: {}, lambda: list(range(300)), lambda image: np.zeros(4, np.float32),
                                lambda v, k: [(1, 0.8)], lambda v, k: [(2, 0.7)],
                                lambda f, k: state["words"][:k], lambda: state["on"])
    image, features = Image.new("RGB", (8, 8)), Features(np.zeros((0, 2)), np.zeros((0, 128)), 8, 8)
    assert finder.candidates(image, False, features=features) == [7, 3]
    assert finder.candidates(image, False, "words", 1, features) == [7]
    assert finder.candidates(image, False, "both", features=features) == [1, 2]
    state["words"] = []  # on, but no words made yet: auto falls back on the vector indexes, "words" says so
    assert finder.candidates(image, False, features=features) == [1, 2]
    assert finder.candidates(image, False, "words", features=features) == []
    state["on"] = False
    assert finder.candidates(image, False, features=features) == [1, 2]
    with pytest.raises(WordsOffError):
        finder.candidates(image, False, "words", features=features)


def _detail(photo: Image.Image, path: Path) -> Path:
    """A greyscale, slightly rotated 60 % detail of ``photo``, re-encoded: what is looked for."""
    w, h = photo.size
    crop = photo.crop((w // 5, h // 5, w * 4 // 5, h * 4 // 5)).convert("L").rotate(4, expand=True, fillcolor=255)
    crop.save(path, quality=70)
    return path


def test_library_words_find_the_picture_follow_changes_and_take_a_flat_one(tmp_path: Path) -> None:
    from artseek.evaluation.pages import make_photo
    from artseek.library import Library
    from artseek.reproductions.finder import WordsOffError
    from artseek.reproductions.visual_words import extract_query

    rng = random.Random(11)
    folder = tmp_path / "pictures"
    folder.mkdir()
    photos = [make_photo(rng, (400, 300)) for _ in range(5)]
    for i, photo in enumerate(photos[:4]):
        photo.save(folder / f"p{i}.jpg", quality=90)
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        lib.index([folder])
        query = _detail(photos[1], tmp_path / "detail1.jpg")
        with pytest.raises(WordsOffError, match="library words on"):
            lib.find_reproductions(query, pool="words")
        lib.set_reproduction_indexing(True)
        assert lib.update_visual_words() == 4 and lib.update_visual_words() == 0
        stats = lib.visual_words.stats()
        assert stats["images"] == 4 and stats["words"] > 100 and 0 < stats["bytes_per_image"] < 6000
        p1 = lib.image_id_for_path(folder / "p1.jpg")
        assert lib.visual_words.search(extract_query(Image.open(query)), 4)[0][0] == p1
        found = lib.find_reproductions(query, pool="words", top_k=1)
        assert [r.image_id for r in found] == [p1] and found[0].inliers >= 15
        # new images (one with no keypoints at all) get words from the same vocabulary when indexed
        codebook = lib.visual_words.vocabulary()[0]
        photos[4].save(folder / "p4.jpg", quality=90)
        Image.new("RGB", (400, 300), (128, 128, 128)).save(folder / "flat.png")
        lib.index([folder])
        assert lib.visual_words.vocabulary()[0] == codebook and lib.visual_words.stats()["images"] == 6
        flat = lib.image_id_for_path(folder / "flat.png")
        assert len(lib.visual_words.index().words_of(flat)) == 0
        assert lib.find_reproductions(folder / "flat.png", pool="words") == []
        found = lib.find_reproductions(_detail(photos[4], tmp_path / "detail4.jpg"), pool="words", top_k=1)
        assert [Path(r.path).name for r in found] == ["p4.jpg"]
        # a removed image is searched no more
        (folder / "p1.jpg").unlink()
        lib.index([folder])
        assert p1 not in lib.visual_words.index()
        assert p1 not in [r.image_id for r in lib.find_reproductions(query, pool="words")]
        lib.set_reproduction_indexing(False)
        assert lib.visual_words.stats() == {"enabled": False, "images": 0, "words": 0, "bytes_per_image": 0.0}


@pytest.mark.slow
def test_cli_library_words_and_the_words_pool(tmp_path: Path) -> None:
    import json

    from artseek.evaluation.pages import make_photo
    from tests.conftest import run_cli

    rng = random.Random(5)
    folder = tmp_path / "pictures"
    folder.mkdir()
    photos = [make_photo(rng, (400, 300)) for _ in range(3)]
    for i, photo in enumerate(photos):
        photo.save(folder / f"p{i}.jpg", quality=90)
    lib = ["--library", str(tmp_path / "lib"), "--model", "tiny-test"]
    assert run_cli(*lib, "index", str(folder)).returncode == 0
    query = _detail(photos[2], tmp_path / "detail.jpg")
    off = run_cli(*lib, "reproductions", str(query), "--pool", "words")
    assert off.returncode != 0 and "library words on" in off.stderr
    on = run_cli(*lib, "library", "words", "on", "--now", "--json")
    assert on.returncode == 0, on.stderr
    assert json.loads(on.stdout)["images"] == 3
    out = run_cli(*lib, "reproductions", str(query), "--pool", "words", "--json")
    assert out.returncode == 0, out.stderr
    assert Path(json.loads(out.stdout)["results"][0]["path"]).name == "p2.jpg"
    status = run_cli(*lib, "library", "words", "status")
    assert status.returncode == 0 and "Reproduction indexing is on: visual words of 3 images" in status.stdout
