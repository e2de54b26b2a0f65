"""Plain data shared by rules, engine and reporters; no behaviour lives here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based row and a 1-based column counted in Unicode code points (Ruff's convention)."""

    row: int
    column: int


@dataclass(frozen=True)
class Edit:
    """Replace the half-open range [location, end_location) with `content`."""

    content: str
    location: Location
    end_location: Location


@dataclass(frozen=True)
class Fix:
    """A set of edits with Ruff's applicability: "safe", "unsafe" or "display-only"."""

    applicability: str
    message: Optional[str]
    edits: Tuple[Edit, ...]


@dataclass(frozen=True)
class Diagnostic:
    """One finding, in the shape of Ruff's JSON output."""

    code: str
    name: str
    message: str
    filename: str
    location: Location
    end_location: Location
    noqa_row: int
    severity: str = "warning"
    url: Optional[str] = None
    fix: Optional[Fix] = None
    cell: Optional[int] = None

    def sort_key(self):
        # In a notebook rows restart in every cell, so the cell orders first.
        return (self.filename, self.cell or 0, self.location, self.code)


@dataclass(frozen=True)
class RuleInfo:
    """What the registry knows of a rule: its stable code, its name and how it presents itself."""

    code: str
    name: str
    summary: str
    docs: str
    default_enabled: bool = True
    preview: bool = False
    fix_availability: str = "None"
    level: str = "warning"
    url: Optional[str] = None
    options: Tuple[str, ...] = field(default_factory=tuple)
