"""SearchFilter: parsing what a curator types, the chips' keys, and the JSON round trip."""

from __future__ import annotations

import os

import pytest

from artseek.errors import QueryError
from artseek.search.filters import SearchFilter, date_bounds, normalise_format, parse_date


def test_parsing_normalises_and_refuses_with_a_hint() -> None:
    assert parse_date("1990") == "1990" and parse_date("1990-5") == "1990-05" and parse_date("1990-5-3") == "1990-05-03"
    assert date_bounds("2024-02") == (2024, 2, 1, 2024, 2, 29)
    assert date_bounds("1990") == (1990, 1, 1, 1990, 12, 31)
    assert [normalise_format(f) for f in ("jpg", ".TIF", "png", "jpeg")] == ["JPEG", "TIFF", "PNG", "JPEG"]
    for bad in ("90", "1990/05", "1990-02-30", "yesterday"):
        with pytest.raises(QueryError) as info:
            parse_date(bad)
        assert info.value.hint
    with pytest.raises(QueryError):
        normalise_format("j p g")


def test_chips_round_trip_and_removal(tmp_path) -> None:  # noqa: ANN001
    flt = SearchFilter.build(folders=[str(tmp_path / "a"), str(tmp_path / "b")], formats=["jpg", "png"],
                             min_megapixels=2, taken_after="1990", taken_before="2000-06",
                             tags=["technique = engraving", ("period", "baroque")], collection=" Loan ")
    keys = [k for k, _ in flt.parts()]
    assert keys == [f"folder:{tmp_path / 'a'}", f"folder:{tmp_path / 'b'}", "format:JPEG", "format:PNG",
                    "min_megapixels", "taken_after", "taken_before", "tag:technique=engraving",
                    "tag:period=baroque", "collection"]
    assert SearchFilter.from_dict(flt.to_dict()) == flt
    emptied = flt
    for key in keys:
        emptied = emptied.without(key)
    assert emptied.is_empty() and emptied.to_dict() == {}
    assert flt.without("format:JPEG").formats == ("PNG",)
    assert flt.without("tag:period=baroque").tags == (("technique", "engraving"),)
    assert SearchFilter.build(folders=["~/x"]).folders == (os.path.expanduser("~/x"),)
    merged = SearchFilter.build(formats=["png"]).merged(SearchFilter.build(formats=["tif"], collection="A"))
    assert merged.formats == ("PNG", "TIFF") and merged.collection == "A"
