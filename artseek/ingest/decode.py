"""Decoding one image file for indexing: fast, safe, and with a readable reason on failure.

One read of the file gives its content hash, the model input (through
:mod:`artseek.embedding.preprocess`) and the thumbnail. JPEGs are decoded at
reduced size (``Image.draft``) to the smallest scale that still covers both;
EXIF orientation is applied; odd modes (CMYK, 16-bit, palette, transparency)
become RGB; animated and multi-page files use their first frame.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from artseek.embedding.preprocess import PreprocessConfig, resize_shortest, to_model_input
from artseek.ingest.phash import phash_pair

THUMBNAIL_SIZE = 256
DEFAULT_MAX_PIXELS = 250_000_000  # 250 megapixels; larger files are refused as possible bombs
ImageFile.LOAD_TRUNCATED_IMAGES = False
# ArtSeek applies its own, configurable pixel limit in open_image(), right after
# the header is read and before any pixel is decoded.
Image.MAX_IMAGE_PIXELS = None


class DecodeError(Exception):
    """The file could not be turned into an image; ``str()`` is the readable reason."""


@dataclass
class DecodedImage:
    """Everything indexing needs from one file."""

    content_hash: str
    width: int
    height: int
    format: str
    model_input: np.ndarray
    thumbnail_jpeg: bytes
    phash: int | None = None  # perceptual hash (artseek.ingest.phash), for the duplicate finder
    phash_crop: int | None = None  # the same of the picture's central 90 %


def content_hash(data: bytes) -> str:
    """Hash identifying a file's content (moved files keep their record)."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def read_file(path: str) -> bytes:
    """Read a whole file, turning OS errors into readable :class:`DecodeError` reasons."""
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise DecodeError("the file does not exist (it was moved or deleted)") from None
    except PermissionError:
        raise DecodeError("permission denied: ArtSeek may not read this file (check its permissions)") from None
    except IsADirectoryError:
        raise DecodeError("this is a folder, not an image file") from None
    except OSError as exc:
        raise DecodeError(f"the file could not be read ({exc.strerror or exc})") from None


def open_image(data: bytes, min_short_side: int = 0, min_long_side: int = 0,
               max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[Image.Image, int, int, str]:
    """Decode ``data`` into an upright RGB image at reduced size where possible.

    Returns ``(image, original_width, original_height, format)``. The result's
    shorter side stays at least ``min_short_side`` and its longer side at least
    ``min_long_side`` (or the original size when smaller).
    """
    if not data:
        raise DecodeError("the file is empty (0 bytes)")
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        fmt = image.format or "unknown"
        if width * height > max_pixels:
            raise DecodeError(_too_large(width, height, max_pixels))
        if getattr(image, "n_frames", 1) > 1:
            image.seek(0)
        if fmt == "JPEG" and (min_short_side or min_long_side):
            image.draft("RGB", _draft_request(width, height, min_short_side, min_long_side))
        image.load()
    except DecodeError:
        raise
    except UnidentifiedImageError:
        raise DecodeError("not an image file, or an image format ArtSeek cannot read") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise DecodeError(f"the image is damaged or truncated ({_first_line(exc)})") from None
    except MemoryError:
        raise DecodeError("the image is too large to decode with the memory available") from None
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - a broken EXIF block must not lose the image
        pass
    return to_rgb(image), width, height, fmt


def to_rgb(image: Image.Image) -> Image.Image:
    """Convert any PIL mode to 8-bit RGB; transparency is flattened onto white."""
    if image.mode == "RGB":
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        array = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") or array.max(initial=0) > 255 else 255.0
        array = np.clip(array / top * 255.0, 0, 255).astype(np.uint8)
        return Image.fromarray(array, "L").convert("RGB")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def make_thumbnail(image: Image.Image, size: int = THUMBNAIL_SIZE) -> bytes:
    """JPEG bytes of ``image`` scaled so its longer side is at most ``size``."""
    thumb = image.copy()
    thumb.thumbnail((size, size), Image.Resampling.BICUBIC)
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=85)
    return out.getvalue()


def decode_for_index(path: str, cfg: PreprocessConfig, max_pixels: int = DEFAULT_MAX_PIXELS,
                     known_hash: str | None = None) -> DecodedImage | None:
    """Read and decode one file for indexing; raises :class:`DecodeError` with a reason.

    With ``known_hash`` (the content hash stored when the file was indexed), a file
    whose content still has that hash is not decoded and ``None`` is returned: the
    file was touched, copied or had its metadata changed, but its image is the same.
    """
    data = read_file(path)
    digest = content_hash(data)
    if digest == known_hash:
        return None
    image, width, height, fmt = open_image(data, cfg.image_size, THUMBNAIL_SIZE, max_pixels)
    # Resize once: the model input is cropped from it, and the thumbnail is made from it
    # too when it is still large enough (cheaper than resampling the decoded image twice).
    resized = resize_shortest(image, cfg.image_size)
    hashes = phash_pair(image)
    return DecodedImage(
        content_hash=digest,
        width=width,
        height=height,
        format=fmt,
        model_input=to_model_input(resized, cfg),
        thumbnail_jpeg=make_thumbnail(resized if max(resized.size) >= THUMBNAIL_SIZE else image),
        phash=hashes[0],
        phash_crop=hashes[1],
    )


def phash_for_thumbnail(jpeg: bytes) -> tuple[int, int] | None:
    """The perceptual hashes from an image's stored thumbnail (no file read); None if it cannot be decoded."""
    try:
        image, *_ = open_image(jpeg)
    except DecodeError:
        return None
    return phash_pair(image)


PHASH_DECODE_SIZE = 64  # the reduced decode a perceptual hash needs (it samples 32 x 32)


def phash_for_file(path: str, known_hash: str | None,
                   max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[int, int] | None:
    """The perceptual hashes (:func:`artseek.ingest.phash.phash_pair`) of an indexed file that has none yet
    (a library made before they existed).

    Cheap: a JPEG is decoded at 1/8 scale where that still covers 64 pixels. ``None`` when the
    content is no longer ``known_hash`` (the file changed; the next re-scan re-indexes it).
    """
    data = read_file(path)
    if known_hash is not None and content_hash(data) != known_hash:
        return None
    image, *_ = open_image(data, PHASH_DECODE_SIZE, PHASH_DECODE_SIZE, max_pixels)
    return phash_pair(image)


def _draft_request(width: int, height: int, min_short: int, min_long: int) -> tuple[int, int]:
    """The size to ask ``draft`` for so the reduced image still covers both minimums."""
    short, long = min(width, height), max(width, height)
    scale = max(min_short / short if short else 1.0, min_long / long if long else 1.0)
    scale = min(scale, 1.0)
    return max(1, int(np.ceil(width * scale))), max(1, int(np.ceil(height * scale)))


def _too_large(width: int, height: int, max_pixels: int) -> str:
    return (f"the image is too large ({width}x{height} = {width * height / 1e6:.0f} megapixels; "
            f"the limit is {max_pixels / 1e6:.0f} megapixels, see --max-megapixels)")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
