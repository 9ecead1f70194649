"""What every format reader shares: its errors and the size check made before pixels are decoded."""

from __future__ import annotations

from PIL import Image


class FormatError(Exception):
    """A reader could not decode the file; ``str()`` is the readable reason (``decode`` makes it a DecodeError)."""


class TooLarge(FormatError):
    """The header says the image has more pixels than the configured limit."""

    def __init__(self, width: int, height: int) -> None:
        super().__init__(f"{width}x{height}")
        self.width, self.height = width, height


def check_size(width: int, height: int, max_pixels: int) -> None:
    """Raise :class:`TooLarge` when ``width x height`` is above ``max_pixels`` (checked before decoding)."""
    if width * height > max_pixels:
        raise TooLarge(width, height)


def missing_library(package: str, what: str) -> FormatError:
    """The reason given when the optional reader library for a format is not installed."""
    return FormatError(f"reading {what} needs the '{package}' package, which this installation lacks; install it "
                       f"(pip install {package}) or convert the file to TIFF or JPEG")


def damaged(what: str, exc: BaseException) -> FormatError:
    """The reason for a file of a known format that its reader could not decode."""
    first = exc.args[0] if exc.args else ""
    text = (first.decode("utf-8", "replace") if isinstance(first, bytes) else str(exc)).strip().splitlines()
    detail = text[0] if text else type(exc).__name__
    return FormatError(f"the {what} file is damaged or truncated ({detail}); open it in the program that made it "
                       "and save it again")


def covers(size: tuple[int, int], min_short: int, min_long: int, factor: float = 1.0) -> bool:
    """True when an image of ``size`` still covers ``factor`` times both minimum sides."""
    return min(size) >= factor * min_short and max(size) >= factor * min_long


Decoded = tuple[Image.Image, int, int, str]  # image, original width, original height, format name
