"""The duplicate finder on a real library (tiny model): tiers on transformed files, incremental checks,
"not duplicates" across runs and re-scans, the perceptual-hash backfill without re-embedding, CSV, CLI."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from artseek.duplicates import IDENTICAL, NEAR, Thresholds
from artseek.library import Library
from artseek.storage import Embedding, Image, Thumbnail
from tests.conftest import run_cli
from tests.duplicates.conftest import make_collection


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_collection(tmp_path_factory.mktemp("dups") / "images")


@pytest.fixture
def library(tmp_path: Path, collection: dict[str, Path]):
    folder = tmp_path / "images"
    shutil.copytree(collection["o0"].parent, folder)
    lib = Library(tmp_path / "library", model="tiny-test")
    lib.index([folder])
    yield lib, folder
    lib.close()


def names(group) -> set[str]:  # noqa: ANN001
    return {Path(m.path).stem for m in group.members}


def near_of(report, name: str):  # noqa: ANN001, ANN201
    return next((g for g in report.groups if g.tier == NEAR and name in names(g)), None)


def test_tiers_on_transformed_files(library) -> None:
    lib, _ = library
    report = lib.duplicates.find()
    assert report.images == 12 + 3 * 4 and report.checked == report.images
    identical = [names(g) for g in report.groups if g.tier == IDENTICAL]
    assert sorted(identical, key=sorted) == [{f"o{i}", f"o{i}_copy"} for i in range(3)]
    for i in range(3):
        group = near_of(report, f"o{i}")
        # the copy is shown once, in the identical tier; re-encode, greyscale and crop are near-identical
        assert group is not None and names(group) == {f"o{i}", f"o{i}_q70", f"o{i}_grey", f"o{i}_crop90"}
        assert all(m.copies == (2 if m.path.endswith(f"o{i}.png") else 1) for m in group.members)
    grouped = {n for g in report.groups for n in names(g) if g.tier != "similar"}
    assert not grouped & {f"o{i}" for i in range(3, 12)}  # the unrelated scenes are in no identical/near group
    again = lib.duplicates.find()
    assert again.checked == 0 and [g.key for g in again.groups] == [g.key for g in report.groups]


def test_new_images_are_checked_incrementally(library, tmp_path: Path) -> None:
    lib, folder = library
    lib.duplicates.find()
    from PIL import Image as PILImage

    PILImage.open(folder / "o1.png").resize((128, 128)).save(folder / "o1_small.png")
    shutil.copy(folder / "o5.png", folder / "o5_again.png")
    lib.rescan()
    report = lib.duplicates.find()
    assert report.checked == 2  # only the new files were looked up, not the library
    assert "o1_small" in names(near_of(report, "o1"))
    assert any(names(g) == {"o5", "o5_again"} for g in report.groups if g.tier == IDENTICAL)
    (folder / "o1_small.png").unlink()
    lib.rescan()
    assert "o1_small" not in names(near_of(lib.duplicates.find(), "o1"))


def test_not_duplicates_is_remembered_across_runs_rescans_and_moves(library, tmp_path: Path) -> None:
    lib, folder = library
    report = lib.duplicates.find()
    group = near_of(report, "o0")
    lib.duplicates.not_duplicates(group)
    lib.duplicates.not_duplicates(next(g for g in report.groups if g.tier == IDENTICAL and "o1" in names(g)))
    assert near_of(lib.duplicates.find(), "o0") is None
    # moved to another folder and re-scanned: the records are new paths, the marks hold by content
    moved = tmp_path / "moved"
    shutil.move(str(folder), moved)
    lib.remove_root(folder)
    lib.index([moved])
    after = lib.duplicates.find()
    assert near_of(after, "o0") is None and near_of(after, "o2") is not None
    assert not any("o1" in names(g) for g in after.groups if g.tier == IDENTICAL)
    assert after.dismissed == 2
    lib.close()
    with Library(lib.folder, model="tiny-test") as reopened:
        assert near_of(reopened.duplicates.find(), "o0") is None
        assert reopened.duplicates.forget_marks() == 2
        assert near_of(reopened.duplicates.find(), "o0") is not None


def test_rescan_backfills_perceptual_hashes_without_reembedding(library) -> None:
    """From the stored thumbnails (no file read), or the file where there is no thumbnail."""
    lib, _ = library
    with lib.db.session() as s:
        s.execute(update(Image).values(phash=None, phash_crop=None))
        s.execute(delete(Thumbnail).where(Thumbnail.image_id == 1))  # hashed from its file instead
        seqs = dict(s.execute(select(Embedding.image_id, Embedding.seq)).all())
    before = lib.duplicates.find()  # without hashes: greyscale copies are not near-identical
    assert near_of(before, "o0") is None or "o0_grey" not in names(near_of(before, "o0"))
    report = lib.rescan()
    assert report.indexed == 0 and report.hashed == 24
    with lib.db.session() as s:
        assert dict(s.execute(select(Embedding.image_id, Embedding.seq)).all()) == seqs  # no model work
        assert s.scalar(select(Image.id).where(Image.phash.is_(None))) is None
    after = lib.duplicates.find()
    assert after.checked == 24  # the new hashes are checked again
    assert "o0_grey" in names(near_of(after, "o0"))


def test_csv_and_the_command_line(library, tmp_path: Path) -> None:
    lib, _ = library
    from artseek.duplicates.export import COLUMNS, write_csv

    report = lib.duplicates.find(Thresholds(similar_threshold=0.95))
    out = tmp_path / "dups.csv"
    rows = write_csv(report, out)
    with open(out, encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert rows == len(table) == sum(len(g.members) for g in report.groups)
    assert tuple(table[0]) == COLUMNS and table[0]["group"] == report.groups[0].key
    lib.close()
    args = ["--library", str(lib.folder), "--model", "tiny-test"]
    listed = run_cli("duplicates", "--json", "--tier", "near", "--csv", str(tmp_path / "cli.csv"), *args)
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert data["counts"]["near"] == 3 and {g["tier"] for g in data["groups"]} == {"near"}
    key = data["groups"][0]["key"]
    marked = run_cli("duplicates", "not-duplicates", key, *args)
    assert marked.returncode == 0 and "Remembered" in marked.stdout
    unknown = run_cli("duplicates", "not-duplicates", "near-99999", *args)
    assert unknown.returncode == 2 and "no duplicate group 'near-99999'" in unknown.stderr
    bad = run_cli("duplicates", "--similar-threshold", "1.5", *args)
    assert bad.returncode == 2 and "--similar-threshold" in bad.stderr
    lib.__init__(lib.folder, model="tiny-test")  # reopened for the fixture's close
