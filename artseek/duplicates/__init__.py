"""The duplicate finder: identical, near-identical and similar images (issue 21, see finder.py)."""

from artseek.duplicates.finder import DuplicateFinder, DuplicateGroupError, DuplicateProgress
from artseek.duplicates.report import DuplicateGroup, DuplicateMember, DuplicateReport
from artseek.duplicates.tiers import IDENTICAL, NEAR, SIMILAR, TIER_NAMES, TIERS, Thresholds

__all__ = ["DuplicateFinder", "DuplicateGroup", "DuplicateGroupError", "DuplicateMember", "DuplicateProgress",
           "DuplicateReport", "IDENTICAL", "NEAR", "SIMILAR", "TIER_NAMES", "TIERS", "Thresholds"]
