"""Timing statistics: medians, ranges, the speedup, and whether the fixed version regressed."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Sequence, Tuple

# Fixes that only make Ray's default explicit: no speed change is expected from them.
NEUTRAL_CODES = frozenset({"RAY003"})


@dataclass(frozen=True)
class Timing:
    median: float
    low: float
    high: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> "Timing":
        if not seconds:
            raise ValueError("no runs to summarise")
        return cls(statistics.median(seconds), min(seconds), max(seconds))

    @property
    def range(self) -> Tuple[float, float]:
        return (self.low, self.high)


def speedup(original: Timing, fixed: Timing) -> float:
    """Original median over fixed median: above 1 means the fix made the program faster."""
    return original.median / fixed.median if fixed.median > 0 else float("inf")


def verdict(original: Timing, fixed: Timing, codes: Sequence[str]) -> str:
    """"faster", "slower" (a regression: every fixed run slower than every original run), "no change
    expected" (only fixes that do not aim at speed) or "within noise"."""
    if fixed.low > original.high:
        return "no change expected" if set(codes) <= NEUTRAL_CODES else "slower"
    if fixed.high < original.low:
        return "faster"
    return "no change expected" if set(codes) <= NEUTRAL_CODES else "within noise"
