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
    for i in range(10):
        common.add(i, [1, 2])
    assert common.query(np.array([1, 2]), 5) == []


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    from artseek.evaluation.pages import write_pairs

    folder = tmp_path_factory.mktemp("word_pages")
    return folder, write_pairs(folder, 3, seed=11, distractors=1)


def test_library_words_find_the_page_follow_changes_and_take_a_flat_picture(pages, tmp_path: Path) -> None:  # noqa: ANN001
    from artseek.library import Library
    from artseek.reproductions.finder import WordsOffError
    from artseek.reproductions.visual_words import extract_query

    folder, truth = pages
    pages_dir = folder / "pages"
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        lib.index([pages_dir])
        with pytest.raises(WordsOffError, match="library words on"):
            lib.find_reproductions(truth["pairs"][0]["photo"], pool="words")
        lib.set_reproduction_indexing(True)
        assert lib.update_visual_words() == 4
        stats = lib.visual_words.stats()
        assert stats["images"] == 4 and stats["words"] > 100 and 0 < stats["bytes_per_image"] < 6000
        for pair in truth["pairs"]:
            found = lib.find_reproductions(pair["photo"], pool="words", top_k=1)
            assert [r.path for r in found] == [pair["page"]]
            shortlist = lib.visual_words.search(extract_query(Image.open(pair["photo"])), 4)
            assert shortlist[0][0] == lib.image_id_for_path(pair["page"])
        codebook = lib.visual_words.vocabulary()[0]
        # a new page and a flat picture (no keypoints at all): words made with the same vocabulary
        Image.new("RGB", (400, 300), (128, 128, 128)).save(pages_dir / "flat.png")
        rng = random.Random(3)
        from artseek.evaluation.pages import make_page, make_photo

        photo = make_photo(rng)
        photo.save(tmp_path / "new_photo.jpg", quality=92)
        make_page(photo, rng, coverage=0.3, mode="grey")[0].save(pages_dir / "new_page.jpg", quality=90)
        lib.index([pages_dir])  # words of new images are made by indexing when reproduction indexing is on
        assert lib.visual_words.vocabulary()[0] == codebook and lib.visual_words.stats()["images"] == 6
        flat = lib.image_id_for_path(pages_dir / "flat.png")
        assert len(lib.visual_words.index().words_of(flat)) == 0
        assert lib.find_reproductions(pages_dir / "flat.png", pool="words") == []
        found = lib.find_reproductions(tmp_path / "new_photo.jpg", pool="words", top_k=1)
        assert [Path(r.path).name for r in found] == ["new_page.jpg"]
        # a removed image loses its words (searched no more)
        removed = lib.image_id_for_path(truth["pairs"][0]["page"])
        Path(truth["pairs"][0]["page"]).unlink()
        lib.index([pages_dir])
        assert removed not in lib.visual_words.index()
        assert lib.find_reproductions(truth["pairs"][0]["photo"], pool="words") == []
        lib.set_reproduction_indexing(False)
        assert lib.visual_words.stats() == {"enabled": False, "images": 0, "words": 0, "bytes_per_image": 0.0}
