"""The doctor's thresholds: documented defaults, overridable in `[tool.raylint.doctor]`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping


@dataclass(frozen=True)
class Thresholds:
    # DOC001: this many finished tasks of one function ...
    tiny_task_count: int = 1000
    # ... whose median run time is below this many milliseconds
    tiny_task_median_ms: float = 10.0
    # DOC002: at least this many finished tasks of one function from one caller, run one after another
    serial_task_count: int = 20
    # DOC003: a node's object store above this percentage of its capacity (Ray starts spilling at 80)
    store_usage_percent: float = 80.0
    # DOC003: how many of the largest objects to list
    largest_objects: int = 5
    # DOC004: a task that waited longer than this for its arguments
    pending_args_seconds: float = 3.0


# TOML key -> (field, type, what the key means), for the config loader and the docs
KEYS = {
    "tiny-task-count": ("tiny_task_count", int, "DOC001: finished tasks of one function"),
    "tiny-task-median-ms": ("tiny_task_median_ms", float, "DOC001: median run time below this (ms)"),
    "serial-task-count": ("serial_task_count", int, "DOC002: finished tasks of one function from one caller"),
    "store-usage-percent": ("store_usage_percent", float, "DOC003: object store usage of one node (%)"),
    "largest-objects": ("largest_objects", int, "DOC003: largest objects listed"),
    "pending-args-seconds": ("pending_args_seconds", float, "DOC004: wait for arguments (s)"),
}


class ThresholdError(ValueError):
    """A `[tool.raylint.doctor]` key that is unknown or has a wrong value; the message names the key."""


def parse(table: Mapping[str, Any]) -> Thresholds:
    """Thresholds from a `[tool.raylint.doctor]` table; unknown keys and non-positive numbers are errors."""
    if not isinstance(table, Mapping):
        raise ThresholdError(f"expected a table of thresholds, got {type(table).__name__}")
    values = {}
    for key, value in table.items():
        if key not in KEYS:
            raise ThresholdError(f"{key}: unknown key; expected one of {', '.join(sorted(KEYS))}")
        name, kind, _ = KEYS[key]
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and (kind is float or isinstance(value, int))
        if not ok or value <= 0:
            expected = "a positive integer" if kind is int else "a positive number"
            raise ThresholdError(f"{key}: got {value!r}, expected {expected}")
        values[name] = kind(value)
    return replace(Thresholds(), **values)
