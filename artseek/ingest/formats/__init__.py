"""Readers for the formats Pillow alone does not cover, and the dispatch that picks one for a file.

:func:`kind_of` looks at the first bytes (ISO-BMFF ``ftyp`` brands, the
Photoshop signature) and, for camera RAW files, which are mostly TIFF inside,
at the extension. ``decode.open_image`` then uses the matching reader:

- ``heif``: HEIC/HEIF through pillow-heif's Pillow opener (:mod:`.heif`); AVIF
  goes through Pillow itself when it has AVIF support (Pillow >= 11.2);
- ``raw``: camera RAW and DNG through rawpy (:mod:`.raw`);
- ``psd``: Pillow first, psd-tools (:mod:`.psd`) when Pillow cannot (16-bit PSD, every PSB);
- ``avif``: Pillow's own AVIF support (only the reason given for a damaged file differs);
- ``pillow``: everything else.
"""

from __future__ import annotations

# The readers (heif, psd, raw) are imported where a file needs one: the scanner imports this package for its
# extensions only, and the window must start without numpy or Pillow.

PILLOW, AVIF, HEIF, RAW, PSD = "pillow", "avif", "heif", "raw", "psd"
LABELS = {AVIF: "AVIF", HEIF: "HEIC/HEIF", RAW: "camera RAW", PSD: "Photoshop"}

HEIF_EXTENSIONS = frozenset({".heic", ".heif", ".hif", ".avif"})
RAW_EXTENSIONS = frozenset({".dng", ".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".orf", ".rw2",
                            ".raf", ".pef", ".srw", ".x3f", ".3fr", ".fff", ".iiq", ".mef", ".mos", ".erf", ".kdc",
                            ".dcr", ".rwl", ".gpr"})
PSD_EXTENSIONS = frozenset({".psd", ".psb"})
PSD_MAGIC = b"8BPS"
# Extensions the scanner adds to Pillow's own for these readers.
EXTENSIONS = HEIF_EXTENSIONS | RAW_EXTENSIONS | PSD_EXTENSIONS

_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1",
                          b"mif2"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_RAW_BRANDS = frozenset({b"crx "})  # Canon CR3
_PILLOW_MAGIC = (b"\xff\xd8", b"\x89PNG", b"GIF8", b"BM", b"RIFF")


def brands(data: bytes) -> set[bytes]:
    """The major and compatible brands of an ISO-BMFF file (HEIF, AVIF, CR3), empty for other files."""
    if data[4:8] != b"ftyp" or len(data) < 12:
        return set()
    size = min(int.from_bytes(data[:4], "big"), len(data), 4096)
    found = {data[8:12]}
    found.update(data[i:i + 4] for i in range(16, size - 3, 4))
    return found


def kind_of(data: bytes, extension: str = "") -> str:
    """Which reader decodes ``data`` (a file's bytes; ``extension`` like ``".nef"``): one of the names above."""
    from artseek.ingest.formats import heif

    found = brands(data)
    if found & _RAW_BRANDS:
        return RAW
    if found & _AVIF_BRANDS and heif.avif_native():
        return AVIF
    if found & (_HEIF_BRANDS | _AVIF_BRANDS):
        return HEIF
    if data[:4] == PSD_MAGIC:
        return PSD
    if extension.lower() in RAW_EXTENSIONS and not data.startswith(_PILLOW_MAGIC):
        return RAW
    return PILLOW
