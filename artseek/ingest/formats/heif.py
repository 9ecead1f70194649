"""HEIC/HEIF (and AVIF where Pillow lacks it) through pillow-heif's Pillow opener.

Pillow 11.2+ reads AVIF itself (``PIL.features.check("avif")``); HEIC needs
pillow-heif, whose opener is registered once, on the first HEIF file met, so
the rest of decoding stays the ordinary Pillow path.
"""

from __future__ import annotations

from PIL import features

from artseek.ingest.formats.common import missing_library

_registered = False


def register() -> None:
    """Teach Pillow to open HEIF/HEIC files (and AVIF when Pillow has no AVIF support). Idempotent."""
    global _registered
    if _registered:
        return
    try:
        import pillow_heif
    except ImportError:
        raise missing_library("pillow-heif", "HEIC/HEIF images") from None
    pillow_heif.register_heif_opener()
    if not features.check("avif") and hasattr(pillow_heif, "register_avif_opener"):
        pillow_heif.register_avif_opener()
    _registered = True


def avif_native() -> bool:
    """True when this Pillow decodes AVIF without pillow-heif."""
    return bool(features.check("avif"))
