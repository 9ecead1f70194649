"""What the duplicate finder answers: groups of images with what a curator compares them by."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from artseek.duplicates.tiers import TIER_NAMES, TIERS, Thresholds


@dataclass
class DuplicateMember:
    """One image of a group."""

    image_id: int
    path: str
    size: int
    width: int | None
    height: int | None
    format: str | None
    modified: str  # the file's modification time, ISO 8601 UTC
    content_hash: str | None
    copies: int = 1  # files of this exact content in the library (see the identical tier)
    similarity: float | None = None  # its most similar link in the group (near and similar tiers)
    hash_bits: int | None = None  # perceptual-hash bits of that link (None: a hash missing)
    stands_for: bool = False  # a similar group's member that stands for its near-identical group

    @staticmethod
    def from_row(image_id: int, row: dict, copies: int = 1) -> DuplicateMember:
        modified = datetime.fromtimestamp((row.get("mtime_ns") or 0) / 1e9, tz=timezone.utc)
        return DuplicateMember(image_id, row["path"], int(row.get("size") or 0), row.get("width"),
                               row.get("height"), row.get("format"), modified.isoformat(timespec="seconds"),
                               row.get("content_hash"), copies)


@dataclass
class DuplicateGroup:
    """A group of one tier; ``key`` names it for ``duplicates not-duplicates KEY`` (tier and smallest id)."""

    key: str
    tier: str
    members: list[DuplicateMember] = field(default_factory=list)

    @property
    def tier_name(self) -> str:
        return TIER_NAMES[self.tier]

    @property
    def image_ids(self) -> list[int]:
        return [m.image_id for m in self.members]

    def to_dict(self) -> dict:
        return {"key": self.key, "tier": self.tier, "members": [asdict(m) for m in self.members]}


@dataclass
class DuplicateReport:
    """Every group found, with the thresholds used and what the run cost."""

    groups: list[DuplicateGroup]
    thresholds: Thresholds
    images: int = 0  # indexed images looked at
    checked: int = 0  # of those, images whose candidates were looked for in this run (new or changed)
    dismissed: int = 0  # "not duplicates" marks in the library
    elapsed_s: float = 0.0

    def counts(self) -> dict[str, int]:
        return {t: sum(1 for g in self.groups if g.tier == t) for t in TIERS}

    def group(self, key: str) -> DuplicateGroup | None:
        return next((g for g in self.groups if g.key == key), None)

    def to_dict(self) -> dict:
        return {"images": self.images, "checked": self.checked, "dismissed": self.dismissed,
                "elapsed_s": round(self.elapsed_s, 3), "thresholds": asdict(self.thresholds),
                "counts": self.counts(), "groups": [g.to_dict() for g in self.groups]}
