"""Timing statistics: medians, ranges, the speedup, and whether the fixed version regressed."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Sequence, Tuple

# Fixes that only make Ray's default explicit: no speed change is expected from them.
NEUTRAL_CODES = frozenset({"RAY003"})
# Differences smaller than this are what starting a process and attaching to Ray varies by.
RELATIVE_MARGIN = 0.10
MIN_MARGIN_S = 0.1


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
    """"faster" or "slower" when the runs do not overlap and the medians differ by more than the noise of
    a process start (10%, and at least 0.1 s); "slower" is a regression unless only fixes that do not aim
    at speed were applied ("no change expected"); otherwise "within noise"."""
    neutral = set(codes) <= NEUTRAL_CODES
    gap = fixed.median - original.median
    margin = max(MIN_MARGIN_S, RELATIVE_MARGIN * original.median)
    if fixed.low > original.high and gap > margin:
        return "no change expected" if neutral else "slower"
    if fixed.high < original.low and -gap > margin:
        return "faster"
    return "no change expected" if neutral else "within noise"
