"""Fuzzing the text importers: any input gives records or a clear ArtSeekError, and loses nothing."""

import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from artseek.captions import importers
from artseek.errors import ArtSeekError

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
texty = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
csvish = st.lists(st.lists(st.text(alphabet=string.printable + "éñ漢,\"\n", max_size=40), max_size=5), max_size=8)


def _check(records: list) -> None:
    assert isinstance(records, list)
    for r in records:
        assert isinstance(r, importers.TextRecord) and isinstance(r.text, str) and r.text.strip()


def _run(reader, path: Path) -> None:  # noqa: ANN001
    try:
        _check(reader(path))
    except ArtSeekError as exc:
        assert str(exc).strip()


@FUZZ
@given(data=st.binary(max_size=2000))
def test_csv_and_json_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        for name, reader in (("t.csv", importers.read_csv), ("t.json", importers.read_json),
                             ("t.json", importers.read_file)):
            path = Path(d) / name
            path.write_bytes(data)
            _run(reader, path)


@FUZZ
@given(rows=csvish)
def test_csv_structured(rows: list[list[str]]) -> None:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows([["file", "description", "type"], *rows])
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "t.csv"
        path.write_text(buf.getvalue(), encoding="utf-8")
        _run(importers.read_csv, path)


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | texty,
                           lambda children: st.lists(children, max_size=4) | st.dictionaries(texty, children, max_size=4),
                           max_leaves=20)


@FUZZ
@given(value=json_values)
def test_json_structured(value) -> None:  # noqa: ANN001
    import json

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "t.json"
        path.write_text(json.dumps(value), encoding="utf-8")
        _run(importers.read_json, path)


@FUZZ
@given(text=texty, raw=st.binary(max_size=500))
def test_sidecar_and_xmp(text: str, raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        image = Path(d) / "img.jpg"
        image.write_bytes(b"")
        image.with_suffix(".txt").write_text(text, encoding="utf-8")
        _run(lambda _p: importers.read_sidecar(image), image)
        image.with_suffix(".txt").write_bytes(raw)
        _run(lambda _p: importers.read_sidecar(image), image)
    for packet in (raw, text, f"<x:xmpmeta><dc:description>{text}</dc:description></x:xmpmeta>"):
        try:
            out = importers.xmp_descriptions(packet)
            assert all(isinstance(t, str) for t in out)
        except ArtSeekError:
            pass


def test_bad_import_loses_nothing(tmp_path, indexed_library) -> None:
    good = tmp_path / "good.csv"
    names = [p for p in indexed_library.status().roots]
    assert names
    first = sorted(Path(names[0]).glob("*.png"))[0].name
    good.write_text(f"file,description\n{first},a red circle on a white ground\n", encoding="utf-8")
    indexed_library.texts.import_file(good)
    before = indexed_library.texts.text_count()
    for content in (b"\xff\xfe\x00garbage", b"file,description\n\"unclosed", b"{not json", b"[]", b""):
        bad = tmp_path / "bad.csv"
        bad.write_bytes(content)
        with pytest.raises(ArtSeekError):
            indexed_library.texts.import_file(bad)
    assert indexed_library.texts.text_count() == before
