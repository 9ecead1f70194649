"""Camera RAW and DNG through rawpy (LibRaw).

The embedded preview (JPEG or bitmap) is used when it still covers twice the
requested sides, the same margin the reduced-size JPEG decode keeps, or when it
is no smaller than a half-size development would be; otherwise the sensor data
is developed at half size (``half_size=True``: no demosaicing,
a quarter of the pixels), which is fast and still far above the model input.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageOps

from artseek.ingest.formats import RAW_EXTENSIONS
from artseek.ingest.formats.common import Decoded, FormatError, check_size, covers, damaged, missing_library

EXTENSIONS = RAW_EXTENSIONS
PREVIEW_MARGIN = 2.0  # the preview must cover twice the requested sides

# LibRaw's ``flip`` (0, 3, 5, 6) as the transpose that makes a preview upright
_FLIPS = {3: Image.Transpose.ROTATE_180, 5: Image.Transpose.ROTATE_90, 6: Image.Transpose.ROTATE_270}


def open_raw(data: bytes, min_short: int, min_long: int, max_pixels: int) -> Decoded:
    """Decode a RAW/DNG file's bytes into an upright RGB image (preview or half-size development)."""
    try:
        import rawpy
    except ImportError:
        raise missing_library("rawpy", "camera RAW and DNG files") from None
    try:
        with rawpy.imread(io.BytesIO(data)) as raw:
            sizes = raw.sizes
            width, height = (sizes.height, sizes.width) if sizes.flip in (5, 6) else (sizes.width, sizes.height)
            check_size(width, height, max_pixels)
            half = (min(width, height) // 2, max(width, height) // 2)
            image = _preview(raw, rawpy, min_short, min_long, half)
            if image is None:
                image = Image.fromarray(raw.postprocess(half_size=True, use_camera_wb=True, output_bps=8), "RGB")
    except FormatError:
        raise
    except MemoryError:
        raise FormatError("the RAW file is too large to develop with the memory available") from None
    except Exception as exc:  # noqa: BLE001 - LibRaw's errors (LibRawError, its IO/data errors) and bad buffers
        raise damaged("camera RAW", exc) from None
    return image, width, height, "RAW"


def _preview(raw, rawpy, min_short: int, min_long: int,  # noqa: ANN001 - rawpy objects
             half: tuple[int, int]) -> Image.Image | None:
    """The embedded preview, upright, when it is large enough (see the module's note); else None."""
    try:
        thumb = raw.extract_thumb()
    except (rawpy.LibRawNoThumbnailError, rawpy.LibRawUnsupportedThumbnailError):
        return None
    except rawpy.LibRawError:
        return None  # a broken preview: develop the sensor data instead
    try:
        if thumb.format == rawpy.ThumbFormat.JPEG:
            image = Image.open(io.BytesIO(thumb.data))
            if not _large_enough(image.size, min_short, min_long, half):
                return None
            image.load()
            oriented = image.getexif().get(0x0112, 1) != 1
            image = ImageOps.exif_transpose(image) if oriented else _flip(image, raw.sizes.flip)
        else:
            array = np.asarray(thumb.data)
            image = Image.fromarray(array if array.ndim == 3 else array[..., None].repeat(3, 2), "RGB")
            if not _large_enough(image.size, min_short, min_long, half):
                return None
            image = _flip(image, raw.sizes.flip)
    except (OSError, ValueError, SyntaxError):
        return None
    return image.convert("RGB")


def _large_enough(size: tuple[int, int], min_short: int, min_long: int, half: tuple[int, int]) -> bool:
    return covers(size, min_short, min_long, PREVIEW_MARGIN) or covers(size, *half)


def _flip(image: Image.Image, flip: int) -> Image.Image:
    transpose = _FLIPS.get(flip)
    return image.transpose(transpose) if transpose is not None else image
