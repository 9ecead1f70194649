"""The collection map's core (issue 18): layout, clusters, labels, incremental placement, exports."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from artseek.map import MapError, MapOptions, for_library
from artseek.map.clusters import assign, tag_labels, vocabulary_labels
from artseek.map.store import PREFIX
from tests.conftest import ROOT

# numba's compiled umap code, kept between test runs (the first run compiles it: about a minute on 2 cores)
os.environ.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".pytest_cache" / "numba"))

SMALL = MapOptions(sample=120, chunk=30)  # fit on 120 of the first 160 images, transform the other 40


@pytest.fixture(scope="module")
def mapped(tmp_path_factory: pytest.TempPathFactory, shapes_200):  # noqa: ANN001, ANN201
    """A library of the first 160 shapes with its map built (the 40 others are left for the update test)."""
    from artseek.library import Library

    root = tmp_path_factory.mktemp("map")
    first = root / "first"
    first.mkdir()
    for p, _ in shapes_200[:160]:
        shutil.copy(p, first / p.name)
    lib = Library(root / "library", model="tiny-test")
    lib.index([first])
    collection_map = for_library(lib)
    report = collection_map.build(options=SMALL)
    yield lib, collection_map, report, root
    lib.close()


def test_full_build_lays_out_clusters_and_labels_every_image(mapped) -> None:  # noqa: ANN001
    lib, collection_map, report, _ = mapped
    assert report.refit and report.points == 160 and report.fitted == 120 and report.placed == 40
    points = collection_map.points()
    assert len(points) == 160 and np.isfinite(points.xy).all()
    assert len(np.unique(points.xy.round(3), axis=0)) > 150  # spread out, not collapsed
    clusters = collection_map.clusters()
    assert report.clusters == len(clusters) >= 3
    assert [c.size for c in clusters] == sorted((c.size for c in clusters), reverse=True)  # 0 is the largest
    assert all(c.label and c.source == "vocabulary" for c in clusters)
    assert sum(c.size for c in clusters) == int((points.cluster >= 0).sum())
    assert len(list(lib.folder.glob(f"{PREFIX}*.joblib"))) == 1


def test_similar_images_sit_together(mapped, shapes_200) -> None:  # noqa: ANN001
    """Neighbours on the map share the colour far more often than chance (the tiny model knows colours)."""
    _, collection_map, _, _ = mapped
    points = collection_map.points()
    colour = {p.name: spec.colour for p, spec in shapes_200}
    colours = np.array([colour[Path(p).name] for p in points.paths])
    d = ((points.xy[:, None, :] - points.xy[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    nearest = d.argmin(axis=1)
    same = float((colours[nearest] == colours).mean())
    chance = sum((colours == c).mean() ** 2 for c in set(colours))
    assert same > 2 * chance, (same, chance)


def test_new_images_are_placed_without_refitting(mapped, shapes_200) -> None:  # noqa: ANN001
    lib, collection_map, _, root = mapped
    before = collection_map.points()
    layout_files = sorted(lib.folder.glob(f"{PREFIX}*.joblib"))
    more = root / "more"
    more.mkdir()
    for p, _ in shapes_200[160:]:
        shutil.copy(p, more / p.name)
    lib.index([more])
    assert collection_map.pending() == 40
    seen = []
    report = collection_map.build(options=SMALL, listener=seen.append)
    assert not report.refit and report.placed == 40 and report.fitted == 0 and report.points == 200
    assert {"placing", "saving", "done"} <= {p.phase for p in seen}
    after = collection_map.points()
    old = np.isin(after.ids, before.ids)
    assert np.array_equal(after.xy[old], before.xy) and np.array_equal(after.cluster[old], before.cluster)
    assert sorted(lib.folder.glob(f"{PREFIX}*.joblib")) == layout_files  # the same model, not fitted again
    assert collection_map.pending() == 0
    # images placed by transform land among images like them (same colour as their nearest old neighbour)
    colour = {p.name: spec.colour for p, spec in shapes_200}
    new_xy, old_xy = after.xy[~old], after.xy[old]
    nearest = ((new_xy[:, None] - old_xy[None]) ** 2).sum(-1).argmin(axis=1)
    new_paths = [p for p, o in zip(after.paths, old, strict=True) if not o]
    old_paths = [p for p, o in zip(after.paths, old, strict=True) if o]
    agree = np.mean([colour[Path(a).name] == colour[Path(old_paths[j]).name] for a, j in zip(new_paths, nearest,
                                                                                             strict=True)])
    assert agree > 0.3, agree


def test_a_changed_layout_file_is_refused_and_the_layout_fitted_again(mapped) -> None:  # noqa: ANN001
    lib, collection_map, _, _ = mapped
    (saved,) = lib.folder.glob(f"{PREFIX}*.joblib")
    saved.write_bytes(b"not the library's pickle")
    model, why = collection_map.store.load_layout(lib.model_name)
    assert model is None and "not the one this library wrote" in why
    report = collection_map.build(options=SMALL)
    assert report.refit and "not the one this library wrote" in report.note and report.points == 200
    assert not saved.exists() and len(list(lib.folder.glob(f"{PREFIX}*.joblib"))) == 1


def test_exports_csv_and_png(mapped, tmp_path: Path) -> None:  # noqa: ANN001
    _, collection_map, _, _ = mapped
    out = tmp_path / "map.csv"
    assert collection_map.export_csv(out) == 200
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["id", "path", "x", "y", "cluster", "label"]
    names = {c.id: c.label for c in collection_map.clusters()}
    assert all(r["label"] == names.get(int(r["cluster"]), "") for r in rows)
    png = collection_map.render_png(tmp_path / "map.png", size=600)
    from PIL import Image

    with Image.open(png) as image:
        assert image.size == (600, 600) and len(set(image.convert("RGB").getdata())) > 10
    from artseek.csv_safe import ExportError

    with pytest.raises(ExportError, match="Cannot write"):
        collection_map.export_csv(tmp_path / "missing-folder" / "map.csv")


def test_an_empty_library_has_no_map(tmp_path: Path) -> None:
    from artseek.library import Library

    with Library(tmp_path / "empty", model="tiny-test") as lib:
        with pytest.raises(MapError, match="no indexed images"):
            for_library(lib).build()
        with pytest.raises(MapError, match="no map yet"):
            for_library(lib).export_csv(tmp_path / "x.csv")


def test_labels_from_tags_and_from_the_vocabulary() -> None:
    members = {0: [1, 2, 3, 4], 1: [5, 6]}
    tags = {1: {"colour": "red", "shape": "circle"}, 2: {"colour": "red", "shape": "square"},
            3: {"colour": "red", "shape": "circle"}, 5: {"colour": "blue"}}
    assert tag_labels(members, tags) == {0: "red, circle", 1: "blue"}
    centres = {0: np.array([1.0, 0.0, 0.0]), 1: np.array([0.0, 1.0, 0.0])}
    terms = ["painting", "sea", "portrait"]
    vectors = np.array([[0.7, 0.7, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    assert vocabulary_labels(centres, terms, vectors, per_label=1) == {0: "portrait", 1: "sea"}


def test_new_points_join_their_nearest_neighbours_cluster() -> None:
    known = np.array([[0.0, 0.0], [10.0, 10.0]])
    assert assign(known, np.array([3, 7]), np.array([[1.0, 1.0], [9.0, 8.0]])).tolist() == [3, 7]


@pytest.mark.slow  # three CLI processes
def test_the_cli_exports_the_map(mapped, tmp_path: Path) -> None:  # noqa: ANN001
    """``map export`` / ``map png`` read a library open elsewhere (read-only); ``map build`` needs it writable."""
    from tests.conftest import run_cli

    lib, _, _, _ = mapped
    r = run_cli("map", "export", str(tmp_path / "m.csv"), "--library", str(lib.folder))
    assert r.returncode == 0 and "Wrote 200 images" in r.stdout, r.stderr[-2000:]
    assert len((tmp_path / "m.csv").read_text(encoding="utf-8").splitlines()) == 201
    r = run_cli("map", "png", str(tmp_path / "m.png"), "--size", "400", "--thumbnails", "--library", str(lib.folder))
    assert r.returncode == 0 and (tmp_path / "m.png").stat().st_size > 1000, r.stderr[-2000:]
    r = run_cli("map", "build", "--library", str(lib.folder))
    assert r.returncode == 2 and "already open" in r.stderr, r.stderr[-2000:]


def test_points_by_position_rectangle_and_lasso() -> None:
    from artseek.map.spatial import in_polygon, in_rect, nearest

    xy = np.array([[0, 0], [1, 1], [2, 2], [3, 0], [0, 3]], dtype=np.float32)
    assert nearest(xy, 1.1, 0.9, 0.5) == 1 and nearest(xy, 5, 5, 0.5) is None
    assert in_rect(xy, 2.5, -1, -0.5, 1.5).tolist() == [0, 1]  # corners in any order
    triangle = [(-0.5, -0.5), (3.5, -0.5), (-0.5, 3.5)]  # the lower-left half
    assert in_polygon(xy, triangle).tolist() == [0, 1]
    assert in_polygon(xy, triangle[:2]).tolist() == []  # two points are no lasso


def test_the_none_guard_outlasts_pyside6s_lost_references() -> None:
    """PySide6 6.12 on Python 3.11 loses a reference to None per void call (see artseek/ui/none_guard.py)."""
    import sys

    from artseek.ui.none_guard import guard

    guard()
    assert sys.version_info >= (3, 12) or sys.getrefcount(None) > 1 << 39
    assert guard() is False  # once per process
