"""Filters on a search: which images may be results at all.

A :class:`SearchFilter` restricts every kind of search (text, example image,
composed, feedback) to the images that pass it: imported folder(s), file
format(s), a minimum size in megapixels, a date range (the EXIF date taken,
else the file's date), tags (``category=value``) and a collection. Kinds are
combined with AND; several folders or formats are alternatives (OR); several
tags must all hold. The storage query that turns a filter into image ids is
:func:`artseek.storage.filter_queries.allowed_ids`; ranking among them is
:mod:`artseek.search.ranking` (exact over the allowed vectors when they are few,
hnswlib's filtered search when they are many).

Plain data, JSON-able (:meth:`SearchFilter.to_dict`), no Qt and no storage.
"""

from __future__ import annotations

import calendar
import os
import re
from dataclasses import dataclass, replace
from datetime import date

from artseek.errors import QueryError

#: Names a curator may type for a format, mapped to the name Pillow records (``images.format``).
FORMAT_ALIASES = {"JPG": "JPEG", "JPE": "JPEG", "JFIF": "JPEG", "TIF": "TIFF", "HEIC": "HEIF"}
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def normalise_format(name: str) -> str:
    """``jpg`` -> ``JPEG``, ``.tif`` -> ``TIFF``, ``png`` -> ``PNG``."""
    name = name.strip().lstrip(".").upper()
    if not name or not name.isalnum():
        raise QueryError(f"'{name}' is not a file format.", "Give a format such as JPEG, PNG or TIFF.")
    return FORMAT_ALIASES.get(name, name)


def parse_date(text: str) -> str:
    """Check ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` and return it normalised (zero-padded)."""
    m = _DATE.match(text.strip())
    if not m:
        raise QueryError(f"'{text}' is not a date.", "Write a year (1990) or a day (1990-05-31), optionally a month "
                                                     "(1990-05).")
    year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    try:
        date(year, month, day)
    except ValueError:
        raise QueryError(f"'{text}' is not a date of the calendar.", "Check the month (1-12) and the day.") from None
    return "-".join([m[1]] + [f"{int(p):02d}" for p in (m[2], m[3]) if p])


def date_bounds(text: str) -> tuple[int, int, int, int, int, int]:
    """The first and last day a normalised date means: ``1990`` -> 1990-01-01 .. 1990-12-31."""
    parts = [int(p) for p in text.split("-")]
    year = parts[0]
    if len(parts) == 1:
        return year, 1, 1, year, 12, 31
    month = parts[1]
    if len(parts) == 2:
        return year, month, 1, year, month, calendar.monthrange(year, month)[1]
    return year, month, parts[2], year, month, parts[2]


def parse_tag(text: str) -> tuple[str, str]:
    """``technique=engraving`` -> ``("technique", "engraving")``."""
    category, sep, value = text.partition("=")
    if not sep or not category.strip() or not value.strip():
        raise QueryError(f"'{text}' is not a tag.", "Write it as category=value, e.g. technique=engraving.")
    return category.strip(), value.strip()


@dataclass(frozen=True)
class SearchFilter:
    """What a result must be; empty fields do not filter. Dates are normalised strings (see :func:`parse_date`)."""

    folders: tuple[str, ...] = ()  # imported folders (or folders inside them): any of them
    formats: tuple[str, ...] = ()  # Pillow format names (JPEG, PNG, TIFF, ...): any of them
    min_megapixels: float | None = None
    taken_after: str | None = None  # on or after the first day of this date
    taken_before: str | None = None  # on or before the last day of this date
    tags: tuple[tuple[str, str], ...] = ()  # (category, value): all of them
    collection: str | None = None  # the name of a collection

    @classmethod
    def build(cls, folders: list[str] | tuple[str, ...] = (), formats: list[str] | tuple[str, ...] = (),
              min_megapixels: float | None = None, taken_after: str | None = None, taken_before: str | None = None,
              tags: list | tuple = (), collection: str | None = None) -> SearchFilter:
        """A checked filter from what a curator typed (``tags`` as ``"category=value"`` or pairs)."""
        if min_megapixels is not None and (min_megapixels != min_megapixels or min_megapixels < 0):
            raise QueryError(f"The minimum size {min_megapixels} megapixels is not possible.",
                             "Give a number of megapixels of 0 or more, e.g. 2 or 0.5.")
        after = parse_date(taken_after) if taken_after else None
        before = parse_date(taken_before) if taken_before else None
        if after and before and date(*date_bounds(after)[:3]) > date(*date_bounds(before)[3:]):
            raise QueryError(f"The date range {after} to {before} is empty: it ends before it begins.",
                             "Swap the two dates.")
        pairs = tuple(parse_tag(t) if isinstance(t, str) else (str(t[0]), str(t[1])) for t in tags)
        name = collection.strip() if collection else None
        return cls(folders=tuple(dict.fromkeys(os.path.abspath(os.path.expanduser(f)) for f in folders)),
                   formats=tuple(dict.fromkeys(normalise_format(f) for f in formats)),
                   min_megapixels=float(min_megapixels) if min_megapixels else None,
                   taken_after=after, taken_before=before, tags=tuple(dict.fromkeys(pairs)),
                   collection=name or None)

    def is_empty(self) -> bool:
        return not (self.folders or self.formats or self.min_megapixels or self.taken_after or self.taken_before
                    or self.tags or self.collection)

    # ------------------------------------------------------------ chips
    def parts(self) -> list[tuple[str, str]]:
        """``(key, label)`` of each condition, in a stable order: the chips of the window, one per condition."""
        out = [(f"folder:{f}", f"in {os.path.basename(f.rstrip(os.sep)) or f}") for f in self.folders]
        out += [(f"format:{f}", f) for f in self.formats]
        if self.min_megapixels:
            out.append(("min_megapixels", f"≥ {self.min_megapixels:g} MP"))
        if self.taken_after:
            out.append(("taken_after", f"from {self.taken_after}"))
        if self.taken_before:
            out.append(("taken_before", f"until {self.taken_before}"))
        out += [(f"tag:{c}={v}", f"{c}: {v}") for c, v in self.tags]
        if self.collection:
            out.append(("collection", f"collection “{self.collection}”"))
        return out

    def without(self, key: str) -> SearchFilter:
        """This filter less the condition ``key`` (a key of :meth:`parts`)."""
        kind, _, value = key.partition(":")
        if kind == "folder":
            return replace(self, folders=tuple(f for f in self.folders if f != value))
        if kind == "format":
            return replace(self, formats=tuple(f for f in self.formats if f != value))
        if kind == "tag":
            return replace(self, tags=tuple(t for t in self.tags if f"{t[0]}={t[1]}" != value))
        if kind in ("min_megapixels", "taken_after", "taken_before", "collection"):
            return replace(self, **{kind: None})
        return self

    def merged(self, other: SearchFilter) -> SearchFilter:
        """This filter with ``other``'s conditions added (single values: ``other``'s win)."""
        return SearchFilter(
            folders=tuple(dict.fromkeys(self.folders + other.folders)),
            formats=tuple(dict.fromkeys(self.formats + other.formats)),
            min_megapixels=other.min_megapixels or self.min_megapixels,
            taken_after=other.taken_after or self.taken_after, taken_before=other.taken_before or self.taken_before,
            tags=tuple(dict.fromkeys(self.tags + other.tags)), collection=other.collection or self.collection)

    def describe(self) -> str:
        return ", ".join(label for _, label in self.parts())

    # ------------------------------------------------------------- JSON
    def to_dict(self) -> dict:
        """Only the conditions set; ``{}`` for no filter."""
        data: dict = {}
        for name in ("folders", "formats"):
            if getattr(self, name):
                data[name] = list(getattr(self, name))
        for name in ("min_megapixels", "taken_after", "taken_before", "collection"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.tags:
            data["tags"] = [f"{c}={v}" for c, v in self.tags]
        return data

    @classmethod
    def from_dict(cls, data: dict | None) -> SearchFilter:
        """The filter :meth:`to_dict` wrote (checked again)."""
        data = data or {}
        return cls.build(folders=data.get("folders", ()), formats=data.get("formats", ()),
                         min_megapixels=data.get("min_megapixels"), taken_after=data.get("taken_after"),
                         taken_before=data.get("taken_before"), tags=data.get("tags", ()),
                         collection=data.get("collection"))


NO_FILTER = SearchFilter()
