"""Tiers from pairs: components per tier, each picture in its strongest tier, marks, thresholds."""

from __future__ import annotations

import numpy as np

from artseek.duplicates.candidates import Pairs
from artseek.duplicates.grouping import group
from artseek.duplicates.tiers import IDENTICAL, NEAR, SIMILAR, Thresholds
from artseek.duplicates.unionfind import UnionFind


def pairs(rows: list[tuple[int, int, float, int]], cross: int | None = None, mono: int = 0,
          pixels: float = 0.05, colour: float = 2.0) -> Pairs:
    """(a, b, similarity, bits) rows; the centre and cross distances equal the whole one unless given; the
    thumbnails' distances (``pixels``, ``colour``) those of a copy unless given."""
    a, b, s, h = (np.array(col) for col in zip(*rows)) if rows else ([], [], [], [])
    h = np.asarray(h, dtype=np.int64)
    c = h if cross is None else np.full(len(h), cross)
    return Pairs(np.asarray(a, np.int64), np.asarray(b, np.int64), np.asarray(s, np.float32), h, c, h,
                 np.full(len(h), mono), np.full(len(h), pixels, np.float32), np.full(len(h), colour, np.float32))


# images 1..8: 1 and 2 are the same file content; 3 is a re-encode of 1; 4 similar to 3; 5, 6 near each
# other; 7 similar to 5; 8 alone.
IDS = np.arange(1, 9)
UNITS = np.array([0, 0, 1, 2, 3, 4, 5, 6])
PAIRS = pairs([(1, 3, 0.99, 2), (2, 3, 0.99, 2), (3, 4, 0.93, 30), (5, 6, 0.97, 6), (5, 7, 0.91, 28),
               (1, 8, 0.6, 40)])


def by_tier(groups: list) -> dict[str, list[list[int]]]:
    out: dict[str, list[list[int]]] = {}
    for g in groups:
        out.setdefault(g.tier, []).append(g.image_ids)
    return out


def test_tiers_and_strongest_tier() -> None:
    groups = group(IDS, UNITS, PAIRS, Thresholds())
    tiers = by_tier(groups)
    assert tiers[IDENTICAL] == [[1, 2]]
    assert tiers[NEAR] == [[1, 3], [5, 6]]  # a picture is shown by its first file: 2 only in the identical group
    # similar groups join a picture to a near group, shown by the near group's representative
    assert tiers[SIMILAR] == [[1, 4], [5, 7]]
    similar = [g for g in groups if g.tier == SIMILAR][0]
    assert similar.linked == [1] and similar.key == "similar-1"
    assert all(8 not in ids for t in tiers.values() for ids in t)


def test_similar_threshold_moves_pairs_in_and_out() -> None:
    assert SIMILAR not in by_tier(group(IDS, UNITS, PAIRS, Thresholds(similar_threshold=0.95)))
    low = by_tier(group(IDS, UNITS, PAIRS, Thresholds(similar_threshold=0.55)))
    assert [1, 4, 8] in low[SIMILAR]


def test_near_needs_hashes_pixels_and_embeddings_to_agree() -> None:
    t = Thresholds()
    # a copy: close hashes, close thumbnails, alike embeddings
    assert t.is_near(pairs([(1, 2, 0.95, 3)])).tolist() == [True]
    # a crop: far whole hashes, close cross hash (one's whole against the other's centre)
    assert t.is_near(pairs([(1, 2, 0.6, 20)], cross=2)).tolist() == [True]
    assert t.is_near(pairs([(1, 2, 0.95, 20)], cross=9)).tolist() == [False]
    # black and white: the embeddings may say anything, hashes and pixels decide
    assert t.is_near(pairs([(1, 2, 0.1, 3)], mono=1)).tolist() == [True]
    assert t.is_near(pairs([(1, 2, 0.1, 3)])).tolist() == [False]  # two colour pictures need the embeddings too
    # the false pairs found on generated scenes: the same layout, but other colours or a moved/resized shape
    assert t.is_near(pairs([(1, 2, 0.81, 2)], colour=25.0)).tolist() == [False]  # a yellow disc on red / purple
    assert t.is_near(pairs([(1, 2, 0.96, 6)], pixels=0.15)).tolist() == [False]  # a disc moved, a bigger disc
    assert t.is_near(pairs([(1, 2, 0.6, 2)], mono=1, pixels=0.48)).tolist() == [False]  # star on red / on green
    # a grey disc on white against a black disc on yellow: one luminance layout, other grey levels
    assert t.is_near(pairs([(1, 2, 0.17, 2)], mono=1, pixels=0.1, colour=30.0)).tolist() == [False]
    # unknown hashes or thumbnails not compared (-1) are never near
    assert t.is_near(pairs([(1, 2, 1.0, -1)])).tolist() == [False]
    assert t.is_near(pairs([(1, 2, 1.0, 0)], pixels=-1.0)).tolist() == [False]


def test_not_duplicates_marks_remove_links_between_their_pictures() -> None:
    marks = {3: frozenset({9}), 4: frozenset({9})}  # pictures 3 and 4 (images 5 and 6) marked together
    tiers = by_tier(group(IDS, UNITS, PAIRS, Thresholds(), marks, identical_dismissed={0}))
    assert IDENTICAL not in tiers
    assert tiers[NEAR] == [[1, 3]]
    assert [5, 7] in tiers[SIMILAR]  # picture 5's own link to 7 stays


def test_absent_images_and_only_some_tiers() -> None:
    keep = IDS != 3  # image 3 removed from the library
    groups = group(IDS[keep], UNITS[keep], PAIRS, Thresholds(), tiers=(NEAR,))
    assert by_tier(groups) == {NEAR: [[5, 6]]}


def test_union_find_components() -> None:
    uf = UnionFind(6)
    uf.union_all(np.array([0, 2, 3]), np.array([1, 3, 4]))
    assert sorted(uf.components().values()) == [[0, 1], [2, 3, 4], [5]]
    copy = uf.copy()
    copy.union(1, 2)
    assert uf.find(1) != uf.find(2) and copy.find(0) == copy.find(4)
