"""Stored thumbnails decode on the loader's worker threads without Qt's image plugins (see decode_thumbnail)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from artseek.ui.thumbnails import ThumbnailLoader, decode_thumbnail

pytestmark = pytest.mark.gui


def _jpeg(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=95)
    return out.getvalue()


def test_a_thumbnail_decodes_to_its_size_and_colours(qapp) -> None:  # noqa: ANN001
    image = decode_thumbnail(_jpeg((160, 90), (200, 30, 40)))
    assert image is not None and (image.width(), image.height()) == (160, 90)
    red = image.pixelColor(80, 45)
    assert red.red() > 180 and red.green() < 60 and red.blue() < 70


def test_the_loader_delivers_good_thumbnails_and_a_placeholder_for_broken_ones(qtbot) -> None:  # noqa: ANN001
    store = {1: _jpeg((64, 48), (20, 120, 220)), 2: b"\xff\xd8 not a jpeg", 3: None}
    loader = ThumbnailLoader(store.get, workers=2)
    ready: list[int] = []
    loader.ready.connect(ready.append)
    for image_id in store:
        loader.request(image_id)
    qtbot.waitUntil(lambda: len(ready) == 3, timeout=5000)
    assert loader.pixmap(1) is not None and loader.pixmap(1).width() == 64
    assert loader.pixmap(2) is None and loader.pixmap(3) is None and loader.cached(2) and loader.cached(3)
