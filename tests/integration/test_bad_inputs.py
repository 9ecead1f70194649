"""Every malformed file becomes a failed row with a readable reason; everything else is indexed."""

import io
import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import artseek.ingest.decode as decode_module
from artseek.ingest.indexer import IndexOptions
from artseek.library import Library
from artseek.storage import Image as ImageRow
from tests.conftest import run_cli
from tests.fixtures.bad_files import BAD_FILES, GOOD_ODD_FILES, exif_upright_image, write_bad_and_odd_files


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory, shapes_200) -> Path:
    folder = tmp_path_factory.mktemp("bad") / "collection"
    write_bad_and_odd_files(folder)
    for path, _ in shapes_200[:20]:
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


def _status_by_name(lib: Library) -> dict[str, tuple[str, str | None]]:
    with lib.db.session() as s:
        return {os.path.basename(r.path): (r.status, r.error) for r in s.query(ImageRow)}


def test_bad_files_fail_clearly_and_nothing_else_is_lost(tmp_path, bad_folder, shapes_200, monkeypatch) -> None:
    unreadable = bad_folder / shapes_200[3][0].name
    vanishing = bad_folder / shapes_200[19][0].name
    real_open = open

    def guarded_open(path, *args, **kwargs):
        if str(path) == str(unreadable):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    # Root can read a chmod-000 file, so permission errors are simulated at the open() call.
    monkeypatch.setattr(decode_module, "open", guarded_open, raising=False)

    def delete_during_indexing(p):
        if p.phase == "indexing" and vanishing.exists():
            backup = vanishing.read_bytes()
            vanishing.unlink()
            delete_during_indexing.backup = backup

    with Library(tmp_path / "lib", model="tiny-test") as lib:
        report = lib.index([bad_folder], options=IndexOptions(max_pixels=4_000_000, decode_processes=False),
                           listener=delete_during_indexing)
        vanishing.write_bytes(delete_during_indexing.backup)
        rows = _status_by_name(lib)
        for name, reason in BAD_FILES.items():
            assert rows[name][0] == "failed", name
            assert reason in rows[name][1], (name, rows[name][1])
        assert rows[unreadable.name] == ("failed", rows[unreadable.name][1])
        assert "permission denied" in rows[unreadable.name][1]
        assert rows[vanishing.name][0] == "failed" and "moved or deleted" in rows[vanishing.name][1]
        for name in GOOD_ODD_FILES:
            assert rows[name] == ("indexed", None), (name, rows.get(name))
        assert report.failed == len(BAD_FILES) + 2
        assert report.indexed == len(GOOD_ODD_FILES) + 18
        # The symlink loop did not duplicate anything.
        assert len(rows) == len(BAD_FILES) + len(GOOD_ODD_FILES) + 20
        status = lib.status()
        assert status.failed == len(BAD_FILES) + 2
        assert all(f["reason"] for f in status.failures)


def test_exif_rotated_photo_is_indexed_upright(tmp_path, bad_folder) -> None:
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        lib.index([bad_folder], options=IndexOptions(max_pixels=4_000_000))
        image_id = lib.image_id_for_path(bad_folder / "exif_rotated.jpg")
        thumb = Image.open(io.BytesIO(lib.thumbnail(image_id)))
        assert thumb.height > thumb.width  # upright: tall, as the EXIF orientation says
        upright = lib.embed_image(exif_upright_image())
        assert float(np.dot(upright, lib.stored_vector(image_id))) > 0.98


def test_failures_are_listed_by_status_cli(tmp_path, bad_folder) -> None:
    lib = str(tmp_path / "lib")
    r = run_cli("index", str(bad_folder), "--library", lib, "--model", "tiny-test", "--max-megapixels", "4")
    assert r.returncode == 0, r.stderr
    r = run_cli("status", "--library", lib, "--json")
    data = json.loads(r.stdout)
    assert data["failed"] == len(BAD_FILES)
    reasons = {os.path.basename(f["path"]): f["reason"] for f in data["failures"]}
    assert "empty" in reasons["zero_bytes.jpg"] and "too large" in reasons["bomb.png"]
    r = run_cli("status", "--library", lib)
    assert "zero_bytes.jpg: the file is empty" in r.stdout
