"""Reading a text file whose encoding nobody stated: BOMs, BOM-less UTF-16, UTF-8, or a clear question.

Part of :mod:`artseek.captions.importers` (which re-exports :class:`TextImportError`).
"""

from __future__ import annotations

from artseek.errors import ArtSeekError


class TextImportError(ArtSeekError):
    """A text file (CSV/JSON) cannot be imported; nothing was imported from it."""


class NotUtf8Error(TextImportError):
    """A text file in no stated encoding is not UTF-8: probably 8-bit (Windows-1252, Latin-1, Mac Roman...)."""


WESTERN_8BIT = "cp1252"  # what spreadsheet programs on Western European Windows write as plain 'CSV'


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
ENCODING_NAMES = {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16",
                  "utf-32-le": "UTF-32", "utf-32-be": "UTF-32"}
_SAVE_AS_UTF8 = "Save the file as UTF-8 (e.g. 'CSV UTF-8' in a spreadsheet program) and import it again."


def detect_encoding(data: bytes) -> str | None:
    """The encoding of a text file: a BOM, else UTF-16 recognised by its zero bytes, else UTF-8
    (which may fail to decode); ``None`` when the data is binary, not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    sample = data[:8192]
    if b"\x00" in sample:
        pairs = len(sample) // 2 or 1
        even = sum(1 for b in sample[0::2] if b == 0) / pairs  # zero high bytes first: big-endian
        odd = sum(1 for b in sample[1::2] if b == 0) / pairs
        if odd > 0.3 and even < 0.05:
            return "utf-16-le"
        if even > 0.3 and odd < 0.05:
            return "utf-16-be"
        return None
    return "utf-8"


def decode_text(data: bytes, name: str, notes: list[str] | None = None, encoding: str | None = None) -> str:
    """``data`` as text, in ``encoding`` or the detected one (see :func:`detect_encoding`).

    Raises a readable :class:`TextImportError` when it is not text, or not UTF-8 while no encoding was
    given: an 8-bit file (Windows-1252, Latin-1, Mac Roman...) cannot be told apart reliably, so ArtSeek
    asks rather than guesses (``--encoding cp1252``). A note goes to ``notes`` when the file was read in
    another encoding than UTF-8.
    """
    detected = detect_encoding(data)
    if detected is None and encoding is None:
        raise TextImportError(f"'{name}' is not a text file (it holds binary data, such as zero bytes).",
                              "Give a CSV or JSON text file. " + _SAVE_AS_UTF8 + " Nothing was imported.")
    chosen = encoding or detected or "utf-8"
    try:
        text = data.decode(chosen)
    except LookupError:
        raise TextImportError(f"Unknown encoding '{encoding}'.", "Use e.g. utf-8, cp1252, latin-1, mac-roman, "
                              "utf-16. Nothing was imported.") from None
    except UnicodeDecodeError as exc:
        if encoding is not None:
            raise TextImportError(f"'{name}' is not {encoding} text (byte {exc.start} cannot be decoded).",
                                  "Check the encoding. Nothing was imported.") from None
        if chosen == "utf-8":
            raise NotUtf8Error(
                f"'{name}' is not UTF-8 text (byte {exc.start} cannot be decoded); it is probably in an 8-bit "
                "encoding such as Windows-1252 or Latin-1, what spreadsheet programs write as plain 'CSV'.",
                _SAVE_AS_UTF8 + " Or import it as it is with --encoding cp1252 (or latin-1, mac-roman). "
                "Nothing was imported.") from None
        raise TextImportError(f"'{name}' looks like {ENCODING_NAMES.get(chosen, chosen)} text but is damaged "
                              f"(byte {exc.start} cannot be decoded).", _SAVE_AS_UTF8 + " Nothing was imported.") from None
    if not _looks_like_text(text):
        raise TextImportError(f"'{name}' is not a text file (it holds binary data: many control characters).",
                              "Give a CSV or JSON text file. " + _SAVE_AS_UTF8 + " Nothing was imported.")
    if notes is not None and chosen not in ("utf-8", "utf-8-sig"):
        notes.append(f"'{name}' was read as {ENCODING_NAMES.get(chosen, chosen)} text.")
    return text


def _looks_like_text(text: str) -> bool:
    sample = text[:8192]
    controls = sum(1 for c in sample if c < " " and c not in "\t\r\n")
    return controls <= 0.02 * len(sample)
