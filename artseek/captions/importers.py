"""Reading texts for images: CSV, JSON (simple and Artpedia), ``.txt`` sidecars, XMP / IPTC / EXIF metadata.

Every reader returns :class:`TextRecord` objects and raises
:class:`TextImportError` (with the file, the row and what to fix) on a bad
file, before anything is written: an import is all or nothing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from artseek.captions.text_encoding import TextImportError, decode_text, detect_encoding

REF_COLUMNS = ("image", "file", "filename", "file_name", "path", "image_id", "id", "img", "image_path")
TEXT_COLUMNS = ("text", "description", "caption", "sentence", "desc")
KIND_COLUMNS = ("kind", "type", "text_type")
TITLE_COLUMNS = ("title",)
MAX_ERRORS_LISTED = 5


@dataclass(frozen=True)
class TextRecord:
    """One text to import. ``refs``: ways to name its image (id, path, file name), tried in order;
    empty for a corpus text of no image."""

    text: str
    source: str
    refs: tuple[str, ...] = ()
    kind: str | None = None
    title: str | None = None


def _clean(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _kind(value: object) -> str | None:
    k = _clean(value).lower()
    if not k:
        return None
    if k.startswith("visual"):
        return "visual"
    if k.startswith("context"):
        return "contextual"
    return k[:32]


def _fail(path: Path, problems: list[str], hint: str) -> TextImportError:
    more = f" (and {len(problems) - MAX_ERRORS_LISTED} more)" if len(problems) > MAX_ERRORS_LISTED else ""
    return TextImportError(f"Cannot import '{path.name}': " + "; ".join(problems[:MAX_ERRORS_LISTED]) + more + ".",
                           hint + " Nothing was imported.")


MAX_JSON_DEPTH = 64  # the deepest shape read (Artpedia) needs 4 levels


def read_text_file(path: Path, notes: list[str] | None = None, encoding: str | None = None) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TextImportError(f"Cannot read '{path}': {exc.strerror or exc}.", "Check the path.") from None
    return decode_text(data, path.name, notes, encoding)


def json_depth_ok(data: object, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when ``data`` nests lists and objects at most ``limit`` levels deep (checked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return False
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return True


def read_file(path: Path | str, kind: str | None = None, notes: list[str] | None = None,
              encoding: str | None = None, columns: ColumnMapping | None = None) -> list[TextRecord]:
    """Read a CSV (``.csv``, ``.tsv``) or JSON (``.json``: simple or Artpedia) text file.

    ``notes`` receives remarks for the curator that do not stop the import (e.g. the encoding used);
    ``encoding`` overrides the detection (UTF-8/16/32 by BOM or zero bytes, else UTF-8); ``columns``
    names the CSV's columns explicitly (else they are recognised by their names).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return read_csv(path, kind, notes, encoding, columns)
    if suffix == ".json":
        return read_json(path, kind, notes, encoding)
    raise TextImportError(f"'{path.name}' is neither a CSV nor a JSON file.",
                          "Give a .csv (columns image,text[,type]) or a .json file, or use --sidecars.")


def _pick(columns: list[str], names: Iterable[str]) -> str | None:
    lowered = {c.strip().lower(): c for c in columns}
    return next((lowered[n] for n in names if n in lowered), None)


@dataclass(frozen=True)
class ColumnMapping:
    """Which CSV column holds what: the text (required), the image's file/path/id, the text type, the title.

    ``None`` for an optional role: no such column. Built by the curator (the window's column mapping) or
    guessed from the header (:func:`guess_columns`).
    """

    text: str
    file: str | None = None
    kind: str | None = None
    title: str | None = None


def guess_columns(columns: list[str]) -> ColumnMapping | None:
    """The mapping the column names suggest (``None`` when no column looks like the text)."""
    text = _pick(columns, TEXT_COLUMNS)
    if text is None:
        return None
    return ColumnMapping(text, _pick(columns, REF_COLUMNS), _pick(columns, KIND_COLUMNS), _pick(columns, TITLE_COLUMNS))


def csv_dialect(path: Path, content: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(content[:4096], delimiters=",;\t")
    except csv.Error:
        return csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel


def read_csv(path: Path | str, kind: str | None = None, notes: list[str] | None = None,
             encoding: str | None = None, mapping: ColumnMapping | None = None) -> list[TextRecord]:
    """A CSV with a header: a text column (text/description/caption), optionally an image column
    (image/file/path/id), a type column (type/kind: visual, contextual ...) and a title; or the
    columns ``mapping`` names, whatever their names."""
    path = Path(path)
    content = read_text_file(path, notes, encoding)
    if not content.strip():
        raise TextImportError(f"'{path.name}' is empty.", "Give a CSV with a header line such as 'image,text'.")
    dialect = csv_dialect(path, content)
    try:
        reader = csv.DictReader(io.StringIO(content), dialect=dialect)
        columns = list(reader.fieldnames or [])
        listed = ', '.join(repr(c) for c in columns) or 'none'
        if mapping is not None:
            unknown = [c for c in (mapping.text, mapping.file, mapping.kind, mapping.title) if c and c not in columns]
            if unknown:
                raise TextImportError(f"'{path.name}' has no column {', '.join(repr(c) for c in unknown)} "
                                      f"(its columns: {listed}).", "Choose columns of the file. Nothing was imported.")
        mapping = mapping or guess_columns(columns)
        if mapping is None:
            raise TextImportError(
                f"'{path.name}' has no text column (its columns: {listed}).",
                "Name the column with the descriptions 'text', 'description' or 'caption', and the one with "
                "the image file names 'image' (or 'file', 'path', 'id'), or choose the columns in the window's "
                "column mapping. Nothing was imported.")
        text_col, ref_col, kind_col, title_col = mapping.text, mapping.file, mapping.kind, mapping.title
        records, problems = [], []
        for row in reader:
            line = reader.line_num
            if None in row:
                problems.append(f"line {line} has more fields than the header")
                continue
            text = _clean(row.get(text_col))
            if not text:
                if any(_clean(v) for v in row.values()):
                    problems.append(f"line {line} has no text")
                continue
            ref = _clean(row.get(ref_col)) if ref_col else ""
            records.append(TextRecord(text, f"csv:{path.name}", (ref,) if ref else (),
                                      _kind(row.get(kind_col)) if kind_col else _kind(kind),
                                      _clean(row.get(title_col)) or None if title_col else None))
    except csv.Error as exc:
        raise _fail(path, [f"line {reader.line_num}: {exc}"], "Check the quoting of that line.") from None
    if problems:
        raise _fail(path, problems, "Fix or remove those lines.")
    if not records:
        raise TextImportError(f"'{path.name}' holds no texts.", "Add rows with a text. Nothing was imported.")
    return records


def read_json(path: Path | str, kind: str | None = None, notes: list[str] | None = None,
              encoding: str | None = None) -> list[TextRecord]:
    """JSON in one of these shapes:

    - Artpedia: ``{"<id>": {"title", "img_url", "visual_sentences": [...], "contextual_sentences": [...]}}``;
    - a mapping ``{"file.jpg": "text"}`` or ``{"file.jpg": ["text", ...]}``;
    - a list ``[{"image": "file.jpg", "text": "...", "type": "visual"}, ...]``.
    """
    path = Path(path)
    content = read_text_file(path, notes, encoding)
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise TextImportError(f"'{path.name}' is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
                              "Fix the file (a JSON validator shows where). Nothing was imported.") from None
    except RecursionError:
        data = None  # nested deeper than Python's parser goes: refused just below
    except ValueError as exc:  # e.g. a number with more digits than Python converts
        raise TextImportError(f"'{path.name}' cannot be read as JSON: {str(exc).splitlines()[0]}.",
                              "Fix the file. Nothing was imported.") from None
    if data is None and content.strip() != "null" or not json_depth_ok(data):
        raise TextImportError(f"'{path.name}' nests lists or objects more than {MAX_JSON_DEPTH} levels deep.",
                              "Texts files need a few levels at most: use {\"file.jpg\": \"text\"}, a list of "
                              "{\"image\": ..., \"text\": ...} objects, or the Artpedia format. "
                              "Nothing was imported.")
    if is_artpedia(data):
        return read_artpedia_data(data, path)
    source = f"json:{path.name}"
    records: list[TextRecord] = []
    problems: list[str] = []
    if isinstance(data, dict):
        for ref, value in data.items():
            texts = value if isinstance(value, list) else [value]
            for i, t in enumerate(texts):
                if isinstance(t, dict):
                    _from_object(t, f"'{ref}'[{i}]", source, kind, records, problems, default_ref=str(ref))
                elif isinstance(t, str) and _clean(t):
                    records.append(TextRecord(_clean(t), source, (_clean(ref),), _kind(kind)))
                else:
                    problems.append(f"the value of '{ref}' is not a text")
    elif isinstance(data, list):
        for i, item in enumerate(data):
            if isinstance(item, dict):
                _from_object(item, f"item {i + 1}", source, kind, records, problems)
            else:
                problems.append(f"item {i + 1} is not an object with 'image' and 'text'")
    else:
        problems.append("the top level is neither an object nor a list")
    if problems:
        raise _fail(path, problems, "Use {\"file.jpg\": \"text\"}, a list of {\"image\": ..., \"text\": ...} "
                                    "objects, or the Artpedia format.")
    if not records:
        raise TextImportError(f"'{path.name}' holds no texts.", "Nothing was imported.")
    return records


def _from_object(obj: dict, where: str, source: str, kind: str | None, records: list[TextRecord],
                 problems: list[str], default_ref: str | None = None) -> None:
    lowered = {str(k).lower(): v for k, v in obj.items()}
    text_key = next((k for k in TEXT_COLUMNS if k in lowered), None)
    if text_key is None or not isinstance(lowered[text_key], (str, list)):
        problems.append(f"{where} has no 'text'")
        return
    ref_key = next((k for k in REF_COLUMNS if k in lowered), None)
    ref = _clean(lowered[ref_key]) if ref_key else (default_ref or "")
    k = _kind(next((lowered[c] for c in KIND_COLUMNS if c in lowered), kind))
    title = _clean(lowered.get("title")) or None
    texts = lowered[text_key] if isinstance(lowered[text_key], list) else [lowered[text_key]]
    for t in texts:
        if _clean(t):
            records.append(TextRecord(_clean(t), source, (ref,) if ref else (), k, title))
        else:
            problems.append(f"{where} has an empty text")


def is_artpedia(data: object) -> bool:
    if not isinstance(data, dict) or not data:
        return False
    first = next(iter(data.values()))
    return isinstance(first, dict) and ("visual_sentences" in first or "contextual_sentences" in first)


def artpedia_refs(key: str, entry: dict) -> tuple[str, ...]:
    """Ways an Artpedia image may be named on disk: its id, the file name of its URL, its title."""
    refs = [str(key)]
    url = entry.get("img_url")
    if isinstance(url, str) and url:
        name = unquote(os.path.basename(urlparse(url).path))
        if name:
            refs.append(name)
    for k in ("file", "filename", "image"):
        if isinstance(entry.get(k), str):
            refs.insert(0, entry[k])
    if isinstance(entry.get("title"), str) and entry["title"].strip():
        refs.append(entry["title"].strip())
    return tuple(dict.fromkeys(refs))


def read_artpedia_data(data: dict, path: Path, split: str | None = None) -> list[TextRecord]:
    """Artpedia: every visual and contextual sentence becomes a text of that kind."""
    records, problems = [], []
    for key, entry in data.items():
        if not isinstance(entry, dict):
            problems.append(f"entry '{key}' is not an object")
            continue
        if split and entry.get("split") != split:
            continue
        refs = artpedia_refs(str(key), entry)
        title = _clean(entry.get("title")) or None
        for field, kind in (("visual_sentences", "visual"), ("contextual_sentences", "contextual")):
            sentences = entry.get(field, [])
            if not isinstance(sentences, list):
                problems.append(f"'{field}' of entry '{key}' is not a list")
                continue
            records.extend(TextRecord(_clean(s), f"artpedia:{path.name}", refs, kind, title)
                           for s in sentences if isinstance(s, str) and _clean(s))
    if problems:
        raise _fail(path, problems, "This looks like Artpedia JSON but some entries are malformed.")
    return records


# ----------------------------------------------------------- next to images
def sidecar_paths(image: Path) -> list[Path]:
    """``photo.txt`` and ``photo.jpg.txt`` next to ``photo.jpg``."""
    return [image.with_suffix(".txt"), image.with_name(image.name + ".txt")]


def read_sidecar(image: Path) -> list[TextRecord]:
    """The text of a ``.txt`` sidecar of ``image`` (encoding detected; undecodable bytes are replaced, never fatal)."""
    out = []
    for candidate in sidecar_paths(image):
        try:
            raw = candidate.read_bytes()
        except OSError:
            continue
        encoding = detect_encoding(raw)
        if encoding is None:  # binary, not a text sidecar
            continue
        text = raw.decode(encoding, errors="replace")
        if _clean(text):
            # Sidecars keep paragraph breaks; the parts splitter handles long texts.
            out.append(TextRecord(_clean(text), "sidecar", (str(image),)))
            break
    return out


_XMP_PACKET = re.compile(rb"<x:xmpmeta[\s\S]*?</x:xmpmeta>")
NS = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "dc": "http://purl.org/dc/elements/1.1/"}


def xmp_descriptions(packet: bytes | str) -> list[str]:
    """``dc:description`` (all languages; x-default first) from an XMP packet."""
    if isinstance(packet, str):
        packet = packet.encode("utf-8")
    match = _XMP_PACKET.search(packet)
    if not match:
        return []
    try:
        root = ET.fromstring(match.group(0))  # ElementTree does not resolve external entities
    except ET.ParseError:
        return []
    out: list[str] = []
    for desc in root.iter(f"{{{NS['dc']}}}description"):
        items = list(desc.iter(f"{{{NS['rdf']}}}li"))
        items.sort(key=lambda li: li.get("{http://www.w3.org/XML/1998/namespace}lang") != "x-default")
        out.extend(_clean(li.text) for li in items if _clean(li.text))
        if not items and _clean(desc.text):
            out.append(_clean(desc.text))
    for desc in root.iter(f"{{{NS['rdf']}}}Description"):  # attribute form dc:description="..."
        value = desc.get(f"{{{NS['dc']}}}description")
        if _clean(value):
            out.append(_clean(value))
    return list(dict.fromkeys(out))


def read_embedded(image: Path) -> list[TextRecord]:
    """Texts embedded in the file: XMP dc:description, IPTC caption (2:120), EXIF ImageDescription."""
    from PIL import Image, IptcImagePlugin

    out: list[TextRecord] = []
    try:
        with Image.open(image) as im:
            packets = [im.info.get(k) for k in ("xmp", "XML:com.adobe.xmp") if im.info.get(k)]
            if not packets and im.format == "TIFF":
                packets = [im.tag_v2.get(700)] if im.tag_v2.get(700) else []
            for packet in packets:
                out.extend(TextRecord(t, "xmp", (str(image),)) for t in xmp_descriptions(packet))
            try:
                iptc = IptcImagePlugin.getiptcinfo(im) or {}
            except Exception:  # noqa: BLE001 - malformed IPTC blocks are common; skip them
                iptc = {}
            caption = iptc.get((2, 120))
            if isinstance(caption, list):
                caption = caption[0] if caption else None
            if isinstance(caption, bytes):
                caption = caption.decode("utf-8", errors="replace")
            if _clean(caption):
                out.append(TextRecord(_clean(caption), "iptc", (str(image),)))
            try:
                exif_desc = im.getexif().get(270)
            except Exception:  # noqa: BLE001
                exif_desc = None
            if isinstance(exif_desc, str) and _clean(exif_desc):
                out.append(TextRecord(_clean(exif_desc), "exif", (str(image),)))
    except (OSError, ValueError, SyntaxError):
        return []
    seen: set[str] = set()
    return [r for r in out if not (r.text in seen or seen.add(r.text))]
