"""Huge uncompressed TIFFs decoded strip by strip, each band box-reduced as it comes.

Pillow has no reduced-size decode for TIFF (``draft`` is JPEG only), so a
144-megapixel scan costs its whole decoded image (576 MB: Pillow keeps RGB at 4
bytes a pixel) before anything can be made smaller. For the common layout of
large scans (uncompressed, in horizontal strips, top to bottom) each strip's
bytes are read at its offset, decoded with Pillow's raw decoder and reduced at
once, so memory stays at a few strips. Any other layout returns None and is
decoded whole.
"""

from __future__ import annotations

from typing import BinaryIO

from PIL import Image

_STRIP_BYTE_COUNTS = 279
_BAND_PIXELS = 8_000_000  # decode about this many pixels at a time
_WIDE = ("I;16", "I;16L", "I;16B")  # 16-bit greys: reduced as 32-bit "I" (Pillow cannot reduce I;16), then back


def reduced(image: Image.Image, fh: BinaryIO, factor: int) -> Image.Image | None:
    """``image`` (opened, not loaded) decoded and box-reduced by ``factor``; None when its layout does not allow it."""
    width, height = image.size
    tiles = list(image.tile)
    counts = image.tag_v2.get(_STRIP_BYTE_COUNTS) if hasattr(image, "tag_v2") else None
    if (image.format != "TIFF" or factor < 2 or not tiles or counts is None or len(counts) != len(tiles)
            or image.mode not in ("RGB", "L", "RGBA", *_WIDE)):
        return None
    top = 0
    for tile in tiles:
        x0, y0, x1, y1 = tile.extents
        args = tile.args if isinstance(tile.args, tuple) else (tile.args,)
        if (tile.codec_name != "raw" or (x0, x1) != (0, width) or y0 != top or len(args) < 1
                or (len(args) > 2 and args[2] != 1)):
            return None  # compressed, tiled, out of order or bottom-up: not this reader's case
        top = y1
    if top != height:
        return None
    band_rows = max(factor, (_BAND_PIXELS // width) // factor * factor)
    work_mode = "I" if image.mode in _WIDE else image.mode
    out = Image.new(work_mode, (-(-width // factor), -(-height // factor)))
    pending: Image.Image | None = None  # decoded rows not yet reduced (fewer than a band)
    done = 0  # rows reduced so far
    for tile, count in zip(tiles, counts):
        fh.seek(tile.offset)
        data = fh.read(count)
        rows = tile.extents[3] - tile.extents[1]
        args = tile.args if isinstance(tile.args, tuple) else (tile.args,)
        strip = Image.frombytes(image.mode, (width, rows), data, "raw", *args[:2])
        strip = strip.convert("I") if work_mode != image.mode else strip
        pending = strip if pending is None else _stack(pending, strip)
        while pending is not None and (pending.height >= band_rows or done + pending.height == height):
            take = pending.height if done + pending.height == height else band_rows
            band = pending.crop((0, 0, width, take)) if take < pending.height else pending
            out.paste(band.reduce(factor), (0, done // factor))
            done += take
            pending = pending.crop((0, take, width, pending.height)) if take < pending.height else None
    return out.convert(image.mode) if work_mode != image.mode else out


def _stack(upper: Image.Image, lower: Image.Image) -> Image.Image:
    both = Image.new(upper.mode, (upper.width, upper.height + lower.height))
    both.paste(upper, (0, 0))
    both.paste(lower, (0, upper.height))
    return both
