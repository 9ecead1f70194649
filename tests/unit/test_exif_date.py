"""The EXIF date taken for the date filter: read from the header, and bad EXIF is no date, never a failure."""

from __future__ import annotations

import io
import os
from datetime import datetime, timezone

import pytest
from PIL import Image

from artseek.embedding.preprocess import PreprocessConfig
from artseek.ingest.decode import decode_for_index, exif_taken_at, file_date, file_taken_at, open_image


def _jpeg(date: object = None, raw_exif: bytes | None = None) -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    out = io.BytesIO()
    if raw_exif is not None:
        image.save(out, "JPEG", exif=raw_exif)
    elif date is not None:
        exif = Image.Exif()
        exif.get_ifd(0x8769)[36867] = date
        image.save(out, "JPEG", exif=exif.tobytes())
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def test_date_taken_is_read_as_wall_clock_seconds() -> None:
    image, *_ = open_image(_jpeg("1995:06:01 12:30:00"))
    when = datetime.fromtimestamp(image.info["artseek_taken_at"], timezone.utc)
    assert when == datetime(1995, 6, 1, 12, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("value", ["0000:00:00 00:00:00", "    :  :     :  :  ", "yesterday", "1995:13:45 99:00:00",
                                   "1700:01:01 00:00:00", ""])
def test_bad_dates_are_no_date(value: str) -> None:
    with Image.open(io.BytesIO(_jpeg(value))) as image:
        assert exif_taken_at(image) is None


def test_broken_exif_block_loses_only_the_date(tmp_path) -> None:  # noqa: ANN001
    data = _jpeg(raw_exif=b"Exif\x00\x00II*\x00\xff\xff\xff\x7f garbage")
    image, width, height, fmt = open_image(data)
    assert (width, height, fmt) == (40, 30, "JPEG") and image.info["artseek_taken_at"] is None
    path = tmp_path / "broken.jpg"
    path.write_bytes(data)
    decoded = decode_for_index(str(path), PreprocessConfig(image_size=32))
    assert decoded is not None and decoded.taken_at == file_date(os.stat(path).st_mtime)  # the file's date instead
    assert file_taken_at(str(path)) == decoded.taken_at
    assert file_taken_at(str(tmp_path / "gone.jpg")) is None
    (tmp_path / "junk.jpg").write_bytes(b"not an image")
    assert file_taken_at(str(tmp_path / "junk.jpg")) is None  # not an image: no date (the re-scan fails it)
