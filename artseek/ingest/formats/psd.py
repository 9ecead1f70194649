"""Photoshop PSD/PSB composites through psd-tools, for the files Pillow cannot read.

Pillow reads 8-bit PSDs; 16- and 32-bit ones (what ImageMagick writes from a
16-bit source) and every PSB need psd-tools. Its ``composite()`` uses the
merged image stored in the file when there is one (a fast read) and only
composes the layers when there is not.
"""

from __future__ import annotations

import io
import struct

from artseek.ingest.formats import PSD_EXTENSIONS, PSD_MAGIC
from artseek.ingest.formats.common import Decoded, FormatError, check_size, damaged, missing_library

EXTENSIONS = PSD_EXTENSIONS
MAGIC = PSD_MAGIC


def is_psb(data: bytes) -> bool:
    """True for the large-document format (version 2), which Pillow never reads."""
    return data[:4] == MAGIC and data[4:6] == b"\x00\x02"


def open_psd(data: bytes, max_pixels: int) -> Decoded:
    """The composite image of a PSD/PSB file (mode as psd-tools gives it; the caller makes it RGB)."""
    try:
        from psd_tools import PSDImage
    except ImportError:
        raise missing_library("psd-tools", "this Photoshop file") from None
    kind = "PSB" if is_psb(data) else "PSD"
    problem = incomplete(data)
    if problem:  # psd-tools fills missing pixels with black instead of failing
        raise FormatError(f"the Photoshop {kind} file is damaged or truncated ({problem}); open it in the program "
                          "that made it and save it again")
    try:
        psd = PSDImage.open(io.BytesIO(data))
        width, height = psd.width, psd.height
        check_size(width, height, max_pixels)
        image = psd.composite()
        if image is None:
            raise FormatError(f"the {kind} file holds no image to show (no layers and no composite)")
        image.load()
    except FormatError:
        raise
    except MemoryError:
        raise FormatError(f"the {kind} file is too large to compose with the memory available") from None
    except Exception as exc:  # noqa: BLE001 - psd-tools raises many types (struct, ValueError, IO, assertions)
        raise damaged(f"Photoshop {kind}", exc) from None
    return image, width, height, kind


def incomplete(data: bytes) -> str | None:
    """Why the file's sections or merged image data end early (it was cut short), or None when complete."""
    big = is_psb(data)
    try:
        channels, height, width, depth = struct.unpack_from(">HIIH", data, 12)
        pos = 26
        for length_size in (4, 4, 8 if big else 4):  # colour mode data, image resources, layers and masks
            (length,) = struct.unpack_from(">Q" if length_size == 8 else ">I", data, pos)
            pos += length_size + length
        (compression,) = struct.unpack_from(">H", data, pos)
    except struct.error:
        return "it ends inside its header or sections"
    pos += 2
    rows = channels * height
    if compression == 0:
        needed = rows * ((width * depth + 7) // 8)
    elif compression == 1:  # PackBits: a table of the compressed length of every row first
        count_size = 4 if big else 2
        table = data[pos:pos + rows * count_size]
        if len(table) < rows * count_size:
            return "it ends inside its image data"
        needed = rows * count_size + sum(struct.unpack(f">{rows}{'I' if big else 'H'}", table))
    else:  # ZIP: the length is only known by inflating; require some data
        needed = 1
    return "it ends inside its image data" if len(data) - pos < needed else None
