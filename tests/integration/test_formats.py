"""AVIF, HEIC, camera RAW/DNG and PSD/PSB: indexed, searchable, with thumbnails; damaged ones fail clearly.

Every file is written by the test (tests/fixtures/formats.py); no sample is committed.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from artseek.ingest.decode import open_for_display
from artseek.ingest.indexer import IndexOptions
from artseek.library import Library
from artseek.storage import Image as ImageRow
from tests.fixtures import formats as fx
from tests.fixtures.shapes import ShapeSpec, render

SPECS = {
    "photo.avif": ShapeSpec("red", "star", "plain", "blue"),
    "phone.heic": ShapeSpec("green", "circle", "striped", "white"),
    "camera.dng": ShapeSpec("yellow", "square", "plain", "black"),
    "camera_preview.dng": ShapeSpec("blue", "triangle", "dotted", "yellow"),
    "deep.psd": ShapeSpec("purple", "circle", "plain", "white"),
    "large_document.psb": ShapeSpec("orange", "star", "checkered", "blue"),
    "imagemagick.psd": ShapeSpec("white", "square", "striped", "red"),
}
FORMATS = {"photo.avif": "AVIF", "phone.heic": "HEIF", "camera.dng": "RAW", "camera_preview.dng": "RAW",
           "deep.psd": "PSD", "large_document.psb": "PSB", "imagemagick.psd": "PSD"}
BAD = {"cut.avif": "photo.avif", "cut.heic": "phone.heic", "cut.dng": "camera.dng", "cut.psd": "deep.psd",
       "cut.psb": "large_document.psb"}
SIZE = 160


def _image(name: str, size: int = SIZE) -> Image.Image:
    return render(SPECS[name], size=size, seed=len(name))


def write_collection(folder: Path) -> list[str]:
    """The good files of every format, damaged copies of each, and two JPEGs; returns the good names."""
    folder.mkdir(parents=True, exist_ok=True)
    fx.write_avif(_image("photo.avif"), folder / "photo.avif")
    fx.write_heic(_image("phone.heic"), folder / "phone.heic")
    fx.write_dng(_image("camera.dng"), folder / "camera.dng")
    # a preview larger than twice the model input: indexing uses it, not the sensor data
    fx.write_dng(_image("camera_preview.dng", 96), folder / "camera_preview.dng",
                 preview=_image("camera_preview.dng", 512))
    fx.write_psd(_image("deep.psd"), folder / "deep.psd")
    fx.write_psd(_image("large_document.psb"), folder / "large_document.psb", psb=True)
    good = [n for n in SPECS if n != "imagemagick.psd"]
    if fx.imagemagick():
        fx.write_psd_with_imagemagick(_image("imagemagick.psd"), folder / "imagemagick.psd")
        good.append("imagemagick.psd")
    for bad, source in BAD.items():
        data = (folder / source).read_bytes()
        (folder / bad).write_bytes(data[: len(data) // 2])
    plain = (ShapeSpec("red", "circle", "plain", "white"), ShapeSpec("blue", "star", "plain", "white"))
    for i, spec in enumerate(plain):
        render(spec, size=SIZE, seed=i).save(folder / f"plain_{i}.jpg", quality=92)
    return good


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    root = tmp_path_factory.mktemp("formats")
    good = write_collection(root / "collection")
    with Library(root / "lib", model="tiny-test") as lib:
        report = lib.index([root / "collection"], options=IndexOptions(decode_processes=False))
        yield lib, root / "collection", good, report


def _rows(lib: Library) -> dict[str, ImageRow]:
    with lib.db.session() as s:
        return {os.path.basename(r.path): (r.status, r.error, r.format, r.width, r.height) for r in s.query(ImageRow)}


def test_every_format_is_indexed_with_its_size_and_a_thumbnail(indexed) -> None:
    lib, folder, good, report = indexed
    rows = _rows(lib)
    for name in good:
        status, error, fmt, width, height = rows[name]
        assert (status, error, fmt) == ("indexed", None, FORMATS[name]), (name, rows[name])
        expected = 96 if name == "camera_preview.dng" else SIZE  # a RAW's size is its sensor's, not the preview's
        assert (width, height) == (expected, expected), name
        thumb = Image.open(io.BytesIO(lib.thumbnail(lib.image_id_for_path(folder / name))))
        # the half-size development of a 160 px sensor is 80 px; the 512 px preview gives a full 256 px thumbnail
        assert max(thumb.size) == {"camera.dng": SIZE // 2, "camera_preview.dng": 256}.get(name, SIZE), name
    assert report.indexed == len(good) + 2


def test_every_format_is_searchable_by_its_own_file(indexed) -> None:
    lib, folder, good, _ = indexed
    for name in good:
        results = lib.search_image(folder / name, top_k=3)
        assert os.path.basename(results[0].path) == name, (name, [r.path for r in results])
    assert len(lib.search_text("a green circle", top_k=5)) == 5


def test_damaged_files_of_every_format_fail_with_a_reason_and_nothing_else_is_lost(indexed) -> None:
    lib, _, good, report = indexed
    rows = _rows(lib)
    for name in BAD:
        status, error, *_ = rows[name]
        assert status == "failed" and "damaged or truncated" in error and "save it again" in error, (name, error)
    assert report.failed == len(BAD)
    assert all(rows[n][0] == "indexed" for n in good + ["plain_0.jpg", "plain_1.jpg"])


def test_the_raw_preview_is_used_when_it_covers_the_model_input(indexed) -> None:
    _, folder, _, _ = indexed
    # the preview (512 px) is what the detail view and indexing see; the sensor data is only 96 px
    assert open_for_display(str(folder / "camera_preview.dng"), 1600).size == (512, 512)
    assert open_for_display(str(folder / "camera.dng"), 1600).size == (SIZE // 2, SIZE // 2)  # half-size


def test_the_detail_view_decodes_every_format(indexed) -> None:
    lib, folder, good, _ = indexed
    for name in good:
        image = lib.image_preview(lib.image_id_for_path(folder / name), max_side=100)
        assert image.mode == "RGB" and max(image.size) == (80 if name == "camera.dng" else 100), name
