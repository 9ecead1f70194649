"""Reading texts: CSV, JSON, Artpedia JSON, sidecars, XMP / IPTC / EXIF; clear errors, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from artseek.captions.importers import (
    TextImportError, read_csv, read_embedded, read_file, read_json, read_sidecar, xmp_descriptions,
)

XMP = """<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:description><rdf:Alt>
<rdf:li xml:lang="fr">Une étoile rouge</rdf:li>
<rdf:li xml:lang="x-default">A red star on a striped blue background</rdf:li>
</rdf:Alt></dc:description></rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end='w'?>"""


def test_csv_with_types_titles_and_free_texts(tmp_path: Path) -> None:
    f = tmp_path / "cat.csv"
    f.write_text("Image;Description;Type;Title\na.jpg;A red star.;Visual;Star\n;A free corpus text.;;\n"
                 "b.png;\"A ship; in a storm\";contextual sentence;\n", encoding="utf-8")
    records = read_file(f)
    assert [(r.refs, r.text, r.kind, r.title) for r in records] == [
        (("a.jpg",), "A red star.", "visual", "Star"),
        ((), "A free corpus text.", None, None),
        (("b.png",), "A ship; in a storm", "contextual", None),
    ]
    assert records[0].source == "csv:cat.csv"


def test_csv_kind_default(tmp_path: Path) -> None:
    f = tmp_path / "c.csv"
    f.write_text("file,caption\na.jpg,one\n", encoding="utf-8")
    assert read_csv(f, kind="visual")[0].kind == "visual"


@pytest.mark.parametrize("content, expected", [
    ("image,notes\na.jpg,hello\n", "has no text column (its columns: 'image', 'notes')"),
    ("image,text\na.jpg,fine\nb.jpg,\n", "line 3 has no text"),
    ("image,text\na.jpg,fine,extra\n", "line 2 has more fields than the header"),
    ("", "is empty"),
    ("image,text\n", "holds no texts"),
])
def test_bad_csv_gives_a_readable_error(tmp_path: Path, content: str, expected: str) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(TextImportError) as err:
        read_file(f)
    assert expected in str(err.value)


def test_non_utf8_csv(tmp_path: Path) -> None:
    f = tmp_path / "latin.csv"
    f.write_bytes("image,text\na.jpg,Gravure \xe0 l'eau-forte\n".encode("latin-1"))
    with pytest.raises(TextImportError, match="(?s)not UTF-8.*Nothing was imported"):
        read_file(f)


def test_json_shapes(tmp_path: Path) -> None:
    f = tmp_path / "m.json"
    f.write_text(json.dumps({"a.jpg": "A red star", "b.jpg": ["one", "two"]}), encoding="utf-8")
    assert [(r.refs, r.text) for r in read_json(f)] == [(("a.jpg",), "A red star"), (("b.jpg",), "one"),
                                                        (("b.jpg",), "two")]
    f.write_text(json.dumps([{"image": "a.jpg", "text": "x", "type": "visual"}, {"text": "free"}]), encoding="utf-8")
    assert [(r.refs, r.kind) for r in read_json(f)] == [(("a.jpg",), "visual"), ((), None)]


@pytest.mark.parametrize("content, expected", [
    ("{\"a.jpg\": \"x\",}", "not valid JSON"),
    ("[1, 2]", "item 1 is not an object"),
    ("[{\"image\": \"a.jpg\"}]", "item 1 has no 'text'"),
    ("42", "neither an object nor a list"),
])
def test_bad_json(tmp_path: Path, content: str, expected: str) -> None:
    f = tmp_path / "bad.json"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(TextImportError, match="Nothing was imported") as err:
        read_file(f)
    assert expected in str(err.value)


def test_artpedia(tmp_path: Path) -> None:
    data = {"17": {"title": "The Harbour", "img_url": "https://upload.wikimedia.org/x/The%20Harbour.jpg",
                   "split": "test", "visual_sentences": ["Boats lie in a harbour.", "The sky is grey."],
                   "contextual_sentences": ["It was painted in 1870."], "year": 1870},
            "18": {"title": "Other", "img_url": "", "split": "train", "visual_sentences": ["A cat."],
                   "contextual_sentences": []}}
    f = tmp_path / "artpedia.json"
    f.write_text(json.dumps(data), encoding="utf-8")
    records = read_file(f)
    assert [(r.kind, r.text) for r in records if r.refs[0] == "17"] == [
        ("visual", "Boats lie in a harbour."), ("visual", "The sky is grey."),
        ("contextual", "It was painted in 1870.")]
    assert records[0].refs == ("17", "The Harbour.jpg", "The Harbour")
    assert records[0].title == "The Harbour" and records[0].source == "artpedia:artpedia.json"
    from artseek.captions.importers import read_artpedia_data

    assert {r.refs[0] for r in read_artpedia_data(data, f, split="test")} == {"17"}


def test_sidecars(tmp_path: Path) -> None:
    img = tmp_path / "print.jpg"
    Image.new("RGB", (8, 8)).save(img)
    assert read_sidecar(img) == []
    (tmp_path / "print.txt").write_text("  An etching\nof a mill.  ", encoding="utf-8")
    [r] = read_sidecar(img)
    assert (r.text, r.source, r.refs) == ("An etching of a mill.", "sidecar", (str(img),))
    (tmp_path / "print.txt").unlink()
    (tmp_path / "print.jpg.txt").write_bytes(b"Bad \xff byte")
    assert read_sidecar(img)[0].text == "Bad \ufffd byte"


def test_xmp_packet_parsing() -> None:
    assert xmp_descriptions(XMP) == ["A red star on a striped blue background", "Une étoile rouge"]
    assert xmp_descriptions("<x:xmpmeta broken") == []
    attr = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:description="Attr form"/>'
            '</rdf:RDF></x:xmpmeta>')
    assert xmp_descriptions(attr) == ["Attr form"]


def test_embedded_xmp_in_png_and_jpeg_and_exif(tmp_path: Path) -> None:
    png = tmp_path / "a.png"
    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP)
    Image.new("RGB", (8, 8)).save(png, pnginfo=info)
    assert [(r.text, r.source) for r in read_embedded(png)][0] == ("A red star on a striped blue background", "xmp")

    jpg = tmp_path / "b.jpg"
    exif = Image.Exif()
    exif[270] = "An EXIF description"
    Image.new("RGB", (8, 8)).save(jpg, xmp=XMP.encode("utf-8"), exif=exif)
    found = {(r.source, r.text) for r in read_embedded(jpg)}
    assert ("xmp", "A red star on a striped blue background") in found
    assert ("exif", "An EXIF description") in found

    assert read_embedded(tmp_path / "missing.jpg") == []
    (tmp_path / "junk.jpg").write_bytes(b"not an image")
    assert read_embedded(tmp_path / "junk.jpg") == []


def test_embedded_iptc_caption(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import IptcImagePlugin

    jpg = tmp_path / "c.jpg"
    Image.new("RGB", (8, 8)).save(jpg)
    monkeypatch.setattr(IptcImagePlugin, "getiptcinfo", lambda im: {(2, 120): b"An IPTC caption"})
    assert [(r.source, r.text) for r in read_embedded(jpg)] == [("iptc", "An IPTC caption")]
