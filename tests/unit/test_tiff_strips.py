"""Huge uncompressed TIFFs are decoded strip by strip and reduced as they come: the same pixels as a whole decode."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from artseek.ingest.decode import DecodeError, open_image
from artseek.ingest.formats import tiff_strips

tifffile = pytest.importorskip("tifffile")


def _tiff(array: np.ndarray, rows: int, **kwargs) -> bytes:
    out = io.BytesIO()
    photometric = "rgb" if array.ndim == 3 else "minisblack"
    tifffile.imwrite(out, array, rowsperstrip=rows, photometric=photometric, **kwargs)
    return out.getvalue()


def _random(shape: tuple[int, ...], dtype: type) -> np.ndarray:
    top = 65535 if dtype == np.uint16 else 255
    return (np.random.default_rng(1).random(shape) * top).astype(dtype)


@pytest.mark.parametrize(("shape", "dtype", "rows", "factor"), [
    ((1003, 777, 3), np.uint16, 37, 4),  # 16-bit RGB, strips that do not divide the bands
    ((640, 480, 3), np.uint8, 64, 3),
    ((999, 1001), np.uint8, 10, 5),  # greyscale, odd sizes
    ((801, 603), np.uint16, 50, 4),  # 16-bit greyscale (X-ray and infrared scans): reduced through 32-bit
])
def test_strip_by_strip_equals_the_whole_decode_reduced(shape, dtype, rows, factor) -> None:
    data = _tiff(_random(shape, dtype), rows)
    source = io.BytesIO(data)
    striped = tiff_strips.reduced(Image.open(source), source, factor)
    whole = Image.open(io.BytesIO(data))
    whole.load()
    expected = whole.convert("I").reduce(factor).convert(whole.mode) if whole.mode.startswith("I;16") \
        else whole.reduce(factor)
    assert striped is not None and striped.mode == whole.mode and striped.size == expected.size
    assert np.array_equal(np.asarray(striped), np.asarray(expected))


def test_other_layouts_are_left_to_the_whole_decode() -> None:
    array = _random((300, 200, 3), np.uint8)
    for data in (_tiff(array, 50, compression="zlib"), _tiff(array, 50, tile=(64, 64))):
        source = io.BytesIO(data)
        assert tiff_strips.reduced(Image.open(source), source, 4) is None
    png = io.BytesIO()
    Image.fromarray(array).save(png, "PNG")
    assert tiff_strips.reduced(Image.open(png), png, 4) is None
    source = io.BytesIO(_tiff(array, 50))
    assert tiff_strips.reduced(Image.open(source), source, 1) is None  # nothing to reduce


def test_open_image_reduces_a_large_tiff_keeps_its_size_orientation_and_fails_clearly_when_cut() -> None:
    array = np.zeros((1200, 800, 3), np.uint16)
    array[:600] = (65535, 0, 0)  # red top half (as stored)
    data = _tiff(array, 100, extratags=[(274, "H", 1, 3, False)])  # orientation 3: upside down
    image, width, height, fmt = open_image(data, 100, 100, extension=".tif")
    assert (width, height, fmt) == (800, 1200, "TIFF") and image.size == (200, 300)  # reduced by 4, >= 2 x 100
    assert image.getpixel((100, 290))[0] > 200 and image.getpixel((100, 10))[0] < 50  # turned: red at the bottom
    with pytest.raises(DecodeError, match="damaged or truncated"):
        open_image(data[: len(data) // 2], 100, 100, extension=".tif")


def test_large_files_are_hashed_in_chunks_and_decoded_from_disk_with_the_same_result(tmp_path, monkeypatch) -> None:
    import artseek.ingest.decode as decode
    from artseek.embedding.preprocess import PreprocessConfig
    from tests.fixtures import formats as fx

    tiff = tmp_path / "scan.tif"
    tiff.write_bytes(_tiff(_random((900, 700, 3), np.uint16), 64))
    dng = fx.write_dng(Image.new("RGB", (300, 200), (200, 20, 20)), tmp_path / "camera.dng")
    cfg = PreprocessConfig(64)
    in_memory = {p: decode.decode_for_index(str(p), cfg) for p in (tiff, dng)}
    monkeypatch.setattr(decode, "STREAM_ABOVE", 0)  # every file takes the large-file path
    for path, expected in in_memory.items():
        streamed = decode.decode_for_index(str(path), cfg)
        assert streamed.content_hash == expected.content_hash == decode.content_hash(path.read_bytes())
        assert (streamed.width, streamed.height, streamed.format) == (expected.width, expected.height, expected.format)
        assert np.array_equal(streamed.model_input, expected.model_input)
        assert decode.decode_for_index(str(path), cfg, known_hash=expected.content_hash) is None  # unchanged
    cut = tmp_path / "cut.tif"
    cut.write_bytes(tiff.read_bytes()[:50_000])
    with pytest.raises(DecodeError, match="damaged or truncated"):
        decode.decode_for_index(str(cut), cfg)
