"""Which reader decodes a file (magic bytes first, the extension for camera RAW), and the readers' own rules."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from artseek.ingest import formats
from artseek.ingest.decode import DecodeError, ImageTooLargeError, open_image
from artseek.ingest.formats import psd
from artseek.ingest.formats.common import missing_library
from artseek.ingest.scanner import scan_folder
from tests.fixtures import formats as fx


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + b"\x00" * 16


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(("data", "extension", "kind"), [
    (_ftyp(b"heic", b"mif1", b"heic"), ".heic", formats.HEIF),
    (_ftyp(b"mif1", b"heic"), ".jpg", formats.HEIF),  # the bytes decide, not a wrong extension
    (_ftyp(b"avif", b"mif1", b"miaf"), ".avif", formats.AVIF),  # Pillow here reads AVIF itself
    (_ftyp(b"crx ", b"isom"), ".cr3", formats.RAW),
    (_ftyp(b"isom", b"mp41"), ".mp4", formats.PILLOW),  # a video is not an image: Pillow refuses it
    (b"8BPS\x00\x01" + b"\x00" * 40, ".psd", formats.PSD),
    (b"8BPS\x00\x02" + b"\x00" * 40, ".psb", formats.PSD),
    (b"II*\x00" + b"\x00" * 40, ".nef", formats.RAW),
    (b"II*\x00" + b"\x00" * 40, ".DNG", formats.RAW),
    (b"II*\x00" + b"\x00" * 40, ".tif", formats.PILLOW),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 40, ".dng", formats.PILLOW),  # a JPEG named .dng is read as the JPEG it is
])
def test_dispatch_by_magic_bytes_and_raw_extension(data, extension, kind) -> None:
    assert formats.kind_of(data, extension) == kind


def test_the_scanner_lists_every_new_format(tmp_path) -> None:
    names = ["a.avif", "b.heic", "c.HEIF", "d.dng", "e.NEF", "f.cr3", "g.arw", "h.psb", "i.psd", "notes.txt"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    assert sorted(e.path.rsplit("/", 1)[1] for e in scan_folder(tmp_path)) == sorted(names[:-1])


def test_a_psd_cut_short_is_reported_by_its_section() -> None:
    data = fx.psd_bytes(Image.new("RGB", (20, 10), (1, 2, 3)))
    assert psd.incomplete(data) is None
    assert psd.incomplete(data[:-1]) == "it ends inside its image data"
    assert psd.incomplete(data[:30]) == "it ends inside its header or sections"
    with pytest.raises(DecodeError, match="Photoshop PSD file is damaged or truncated .it ends inside its image"):
        open_image(data[:-5], extension=".psd")


def test_new_formats_keep_the_pixel_limit(tmp_path) -> None:
    image = Image.new("RGB", (300, 200), (200, 10, 10))
    for path, psb in ((tmp_path / "big.psd", False), (tmp_path / "big.psb", True)):
        with pytest.raises(ImageTooLargeError, match="too large .300x200"):
            open_image(fx.write_psd(image, path, psb).read_bytes(), max_pixels=50_000, extension=path.suffix)
    with pytest.raises(ImageTooLargeError, match="too large"):
        open_image(fx.write_dng(image, tmp_path / "big.dng").read_bytes(), max_pixels=50_000, extension=".dng")
    with pytest.raises(ImageTooLargeError, match="too large"):
        open_image(fx.write_heic(image, tmp_path / "big.heic").read_bytes(), max_pixels=50_000)


def test_a_raw_preview_too_small_for_the_model_is_not_used(tmp_path) -> None:
    sensor = Image.new("RGB", (400, 300), (128, 128, 128))
    small = fx.write_dng(sensor, tmp_path / "small.dng", preview=Image.new("RGB", (100, 75), (0, 255, 0)))
    image, width, height, fmt = open_image(small.read_bytes(), 64, 64, extension=".dng")
    assert (width, height, fmt) == (400, 300, "RAW") and image.size == (200, 150)  # half-size development
    large = fx.write_dng(sensor, tmp_path / "large.dng", preview=Image.new("RGB", (200, 150), (0, 255, 0)))
    image, *_ = open_image(large.read_bytes(), 64, 64, extension=".dng")
    assert image.size == (200, 150) and image.getpixel((5, 5)) == (0, 255, 0)  # covers 2 x 64: the preview


def test_a_missing_reader_library_says_what_to_install() -> None:
    message = str(missing_library("rawpy", "camera RAW and DNG files"))
    assert "needs the 'rawpy' package" in message and "pip install rawpy" in message and "TIFF" in message


def test_a_png_is_still_read_by_pillow() -> None:
    assert open_image(_png(), extension=".png")[3] == "PNG"


def test_the_self_test_decodes_the_formats_the_packaged_app_must_bundle(tmp_path) -> None:
    from artseek.selftest import check_formats

    assert check_formats(tmp_path) == {"AVIF": "ok", "HEIC": "ok", "PSB": "ok", "RAW": "ok"}
