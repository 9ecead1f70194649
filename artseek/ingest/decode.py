"""Decoding one image file for indexing: fast, safe, and with a readable reason on failure.

One read of the file gives its content hash, the model input (through
:mod:`artseek.embedding.preprocess`) and the thumbnail. JPEGs are decoded at
reduced size (``Image.draft``) to the smallest scale that still covers both;
EXIF orientation is applied; odd modes (CMYK, 16-bit, palette, transparency)
become RGB; animated and multi-page files use their first frame. HEIC/HEIF,
camera RAW/DNG and the Photoshop files Pillow cannot read go through the
readers in :mod:`artseek.ingest.formats` (chosen by magic bytes and extension).
"""

from __future__ import annotations

import calendar
import hashlib
import io
import os
import struct
import time
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageFile, UnidentifiedImageError

from artseek.embedding.preprocess import PreprocessConfig, resize_shortest, to_model_input
from artseek.ingest import formats
from artseek.ingest.formats import heif, psd, raw, tiff_strips
from artseek.ingest.formats.common import FormatError, TooLarge
from artseek.ingest.phash import phash_pair

THUMBNAIL_SIZE = 256
# Files larger than this are hashed in chunks and decoded from disk instead of being held in memory whole
# (a 144-megapixel 16-bit TIFF is 864 MB of file on top of its 432 MB decoded image); see docs/performance.md.
STREAM_ABOVE = 64 * 1024 * 1024
HEAD_BYTES = 4096
_ORIENTATION = 0x0112  # the EXIF orientation tag
_TRANSPOSES = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
               5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
               8: Image.Transpose.ROTATE_90}  # enough of a file to tell its format (formats.kind_of)
DEFAULT_MAX_PIXELS = 250_000_000  # 250 megapixels; larger files are refused as possible bombs
ImageFile.LOAD_TRUNCATED_IMAGES = False
# ArtSeek applies its own, configurable pixel limit in open_image(), right after
# the header is read and before any pixel is decoded.
Image.MAX_IMAGE_PIXELS = None
EXIF_IFD = 0x8769  # the EXIF sub-IFD, where DateTimeOriginal lives
DATE_TIME_ORIGINAL = 36867
TAKEN_AT_KEY = "artseek_taken_at"  # where open_image leaves the EXIF date in the returned image's info


class DecodeError(Exception):
    """The file could not be turned into an image; ``str()`` is the readable reason."""


class ImageTooLargeError(DecodeError):
    """The image has more pixels than the configured limit (refused before decoding)."""


@dataclass
class DecodedImage:
    """Everything indexing needs from one file."""

    content_hash: str
    width: int
    height: int
    format: str
    model_input: np.ndarray
    thumbnail_jpeg: bytes
    taken_at: float | None = None  # EXIF DateTimeOriginal as wall-clock seconds (None: no readable date)
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
    except OSError as exc:
        raise _read_error(exc) from None


def hash_file(path: str) -> tuple[str, bytes]:
    """The content hash of a file read in chunks (the same as :func:`content_hash` of its bytes) and its head."""
    digest = hashlib.blake2b(digest_size=20)
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
            digest.update(head)
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise _read_error(exc) from None
    return digest.hexdigest(), head


def _read_error(exc: OSError) -> DecodeError:
    if isinstance(exc, FileNotFoundError):
        return DecodeError("the file does not exist (it was moved or deleted)")
    if isinstance(exc, PermissionError):
        return DecodeError("permission denied: ArtSeek may not read this file (check its permissions)")
    if isinstance(exc, IsADirectoryError):
        return DecodeError("this is a folder, not an image file")
    return DecodeError(f"the file could not be read ({exc.strerror or exc})")


def exif_taken_at(image: Image.Image) -> float | None:
    """The EXIF DateTimeOriginal (tag 36867) of an opened image as wall-clock seconds; None when absent or bad.

    Reads only the metadata Pillow parsed with the header (no pixels). A broken
    EXIF block or a nonsense date is None, never an error.
    """
    try:
        exif = image.getexif()
        value = exif.get_ifd(EXIF_IFD).get(DATE_TIME_ORIGINAL) or exif.get(DATE_TIME_ORIGINAL)
        if isinstance(value, bytes):
            value = value.decode("ascii", "replace")
        if not isinstance(value, str):
            return None
        stamp = datetime.strptime(value.strip().rstrip("\x00")[:19], "%Y:%m:%d %H:%M:%S")
        if stamp.year < 1800:
            return None
        return float(calendar.timegm(stamp.timetuple()))
    except Exception:  # noqa: BLE001 - bad EXIF loses nothing but the date
        return None


def file_taken_at(path: str) -> float | None:
    """The date for the date filter of a file whose content is not read again (an unchanged file of a library
    made before the date was recorded): its EXIF date from the header alone, else its file date (wall-clock).
    None when the file cannot be read."""
    try:
        with Image.open(path) as image:
            found = exif_taken_at(image)
        return found if found is not None else file_date(os.stat(path).st_mtime)
    except Exception:  # noqa: BLE001 - any unreadable file: no date, no failure
        return None


def file_date(mtime_s: float) -> float:
    """A file's modification time as wall-clock seconds of this computer's zone (comparable with EXIF dates)."""
    return float(calendar.timegm(time.localtime(mtime_s)[:6] + (0, 0, 0)))


def open_image(data: bytes, min_short_side: int = 0, min_long_side: int = 0,
               max_pixels: int = DEFAULT_MAX_PIXELS, extension: str = "") -> tuple[Image.Image, int, int, str]:
    """Decode ``data`` into an upright RGB image at reduced size where possible.

    Returns ``(image, original_width, original_height, format)``. The result's
    shorter side stays at least ``min_short_side`` and its longer side at least
    ``min_long_side`` (or the original size when smaller). ``extension`` (the
    file's, like ``".nef"``) tells camera RAW files from plain TIFFs.
    """
    if not data:
        raise DecodeError("the file is empty (0 bytes)")
    kind = formats.kind_of(data, extension)
    try:
        if kind == formats.RAW:
            image, width, height, fmt = raw.open_raw(data, min_short_side, min_long_side, max_pixels)
            return to_rgb(image), width, height, fmt
        if kind == formats.PSD and psd.is_psb(data):
            image, width, height, fmt = psd.open_psd(data, max_pixels)
            return to_rgb(image), width, height, fmt
        if kind == formats.HEIF:
            heif.register()
    except TooLarge as exc:
        raise ImageTooLargeError(_too_large(exc.width, exc.height, max_pixels)) from None
    except FormatError as exc:
        raise DecodeError(str(exc)) from None
    try:
        return _open_with_pillow(data, min_short_side, min_long_side, max_pixels)
    except ImageTooLargeError:
        raise
    except DecodeError as exc:
        if kind in (formats.HEIF, formats.AVIF):  # its header named the format: the rest is damaged
            detail = "its image data cannot be decoded" if str(exc).startswith("not an image") else str(exc)
            raise DecodeError(f"the {formats.LABELS[kind]} file is damaged or truncated ({detail}); open it in the "
                              "program that made it and save it again") from None
        if kind != formats.PSD:
            raise
    try:  # a PSD that Pillow cannot read (16/32-bit, some writers' files)
        image, width, height, fmt = psd.open_psd(data, max_pixels)
    except TooLarge as exc:
        raise ImageTooLargeError(_too_large(exc.width, exc.height, max_pixels)) from None
    except FormatError as exc:
        raise DecodeError(str(exc)) from None
    return to_rgb(image), width, height, fmt


def _open_with_pillow(data: bytes | BinaryIO, min_short_side: int, min_long_side: int,
                      max_pixels: int) -> tuple[Image.Image, int, int, str]:
    """Pillow's decode of ``data`` (a file's bytes, or the open file itself for large files)."""
    try:
        source = io.BytesIO(data) if isinstance(data, bytes) else data
        image = Image.open(source)
        width, height = image.size
        fmt = image.format or "unknown"
        if width * height > max_pixels:
            raise ImageTooLargeError(_too_large(width, height, max_pixels))
        if getattr(image, "n_frames", 1) > 1:
            image.seek(0)
        if fmt == "JPEG" and (min_short_side or min_long_side):
            image.draft("RGB", _draft_request(width, height, min_short_side, min_long_side))
        orientation = _orientation(image)
        taken_at = exif_taken_at(image)
        striped = tiff_strips.reduced(image, source, _reduce_factor(width, height, min_short_side, min_long_side))
        if striped is not None:  # a huge uncompressed TIFF, reduced strip by strip
            return _dated(to_rgb(_orient(striped, orientation)), taken_at), width, height, fmt
        image.load()
    except DecodeError:
        raise
    except UnidentifiedImageError:
        raise DecodeError("not an image file, or an image format ArtSeek cannot read") from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise DecodeError(f"the image is damaged or truncated ({_first_line(exc)})") from None
    except MemoryError:
        raise DecodeError("the image is too large to decode with the memory available") from None
    return _dated(to_rgb(_orient(image, orientation)), taken_at), width, height, fmt


def _dated(image: Image.Image, taken_at: float | None) -> Image.Image:
    """``image`` carrying its EXIF date in ``info`` (read back by :func:`decode_for_index`)."""
    image.info[TAKEN_AT_KEY] = taken_at
    return image


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(_ORIENTATION, 1))
    except Exception:  # noqa: BLE001 - a broken EXIF block must not lose the image
        return 1


def _orient(image: Image.Image, orientation: int) -> Image.Image:
    """``image`` made upright by its EXIF/TIFF orientation (no copy when it already is)."""
    if orientation == 1:
        return image
    transpose = _TRANSPOSES.get(orientation)
    return image.transpose(transpose) if transpose is not None else image


def _reduce_factor(width: int, height: int, min_short: int, min_long: int) -> int:
    """The largest integer reduction that keeps twice both requested sides (1: none)."""
    limits = [min(width, height) // (2 * min_short) if min_short else None,
              max(width, height) // (2 * min_long) if min_long else None]
    limits = [n for n in limits if n is not None]
    return max(1, min(limits)) if limits else 1


def to_rgb(image: Image.Image) -> Image.Image:
    """Convert any PIL mode to 8-bit RGB; transparency is flattened onto white."""
    if image.mode == "RGB":
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        array = np.asarray(image)
        top = 65535.0 if image.mode.startswith("I;16") or array.max(initial=0) > 255 else 255.0
        out = np.empty(array.shape, np.uint8)
        step = max(1, (1 << 22) // max(1, array.shape[1]))  # about 4 M pixels at a time: 32 MB of float64
        for row in range(0, array.shape[0], step):
            part = array[row:row + step].astype(np.float64)
            out[row:row + step] = np.clip(part / top * 255.0, 0, 255)
        return Image.fromarray(out, "L").convert("RGB")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def make_thumbnail(image: Image.Image, size: int = THUMBNAIL_SIZE) -> bytes:
    """JPEG bytes of ``image`` scaled so its longer side is at most ``size``."""
    return jpeg_bytes(thumbnail_image(image, size))


def thumbnail_image(image: Image.Image, size: int = THUMBNAIL_SIZE) -> Image.Image:
    """A new image: ``image`` scaled so its longer side is at most ``size``."""
    factor = max(image.size) // (2 * size)
    # a huge image is reduced (box filter, a new small image) rather than copied whole before thumbnail()
    thumb = image.reduce(factor) if factor >= 2 else image.copy()
    thumb.thumbnail((size, size), Image.Resampling.BICUBIC)
    return thumb


def jpeg_bytes(image: Image.Image, quality: int = 85) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def decode_for_index(path: str, cfg: PreprocessConfig, max_pixels: int = DEFAULT_MAX_PIXELS,
                     known_hash: str | None = None) -> DecodedImage | None:
    """Read and decode one file for indexing; raises :class:`DecodeError` with a reason.

    With ``known_hash`` (the content hash stored when the file was indexed), a file
    whose content still has that hash is not decoded and ``None`` is returned: the
    file was touched, copied or had its metadata changed, but its image is the same.
    """
    extension = os.path.splitext(path)[1]
    if _size(path) > STREAM_ABOVE:
        digest, head = hash_file(path)
        if digest == known_hash:
            return None
        image, width, height, fmt = _open_large(path, head, extension, cfg.image_size, max_pixels)
    else:
        data = read_file(path)
        digest = content_hash(data)
        if digest == known_hash:
            return None
        image, width, height, fmt = open_image(data, cfg.image_size, THUMBNAIL_SIZE, max_pixels, extension)
    taken_at = image.info.get(TAKEN_AT_KEY)
    factor = _reduce_factor(*image.size, cfg.image_size, THUMBNAIL_SIZE)
    if factor >= 2:  # a large non-JPEG (no draft): box-reduce first to twice the model input and thumbnail
        image = image.reduce(factor)
    # Resize once: the model input is cropped from it, and the thumbnail is made from it
    # too when it is still large enough (cheaper than resampling the decoded image twice).
    resized = resize_shortest(image, cfg.image_size)
    thumbnail = thumbnail_image(resized if max(resized.size) >= THUMBNAIL_SIZE else image)
    # The perceptual hashes from the thumbnail: the same picture whatever the model (its input size decides
    # the decoded size), what a library's hash backfill reads too (phash_for_thumbnail), and a third of the
    # CPU of hashing the decoded image (issue 15; duplicate tiers re-measured, docs/evaluation.md).
    hashes = phash_pair(thumbnail)
    return DecodedImage(
        content_hash=digest,
        width=width,
        height=height,
        format=fmt,
        model_input=to_model_input(resized, cfg),
        thumbnail_jpeg=jpeg_bytes(thumbnail),
        taken_at=taken_at if taken_at is not None else file_date(os.stat(path).st_mtime),
        phash=hashes[0],
        phash_crop=hashes[1],
    )


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # read_file() gives the reason


def _open_large(path: str, head: bytes, extension: str, min_short: int,
                max_pixels: int) -> tuple[Image.Image, int, int, str]:
    """A large file decoded by Pillow straight from disk; other readers get its bytes."""
    if formats.kind_of(head, extension) not in (formats.PILLOW, formats.AVIF):
        return open_image(read_file(path), min_short, THUMBNAIL_SIZE, max_pixels, extension)
    try:
        with open(path, "rb") as fh:
            return _open_with_pillow(fh, min_short, THUMBNAIL_SIZE, max_pixels)
    except OSError as exc:
        raise _read_error(exc) from None


def open_for_display(path: str, max_side: int, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """The file at ``path`` as an upright RGB image whose longer side is at most ``max_side`` (detail views)."""
    image, *_ = open_image(read_file(path), 0, max_side, max_pixels, os.path.splitext(path)[1])
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.BICUBIC)
    return image


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
