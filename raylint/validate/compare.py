"""Are the original and the fixed program's results the same, and if not, how do they differ?"""

from __future__ import annotations

import difflib
import re
from typing import List, Optional

# Lines Ray forwards from worker processes to the driver: "(task_name pid=1234) ..." and
# "(task_name pid=1234, ip=10.0.0.1) ...", possibly with ANSI colour codes around the prefix.
# Ray's own processes forward warnings the same way without a pid: "(raylet) WARNING: ...".
_WORKER_LINE = re.compile(r"^(\x1b\[[0-9;]*m)*\(([^()\n]*pid=\d+[^()\n]*|raylet|gcs_server|autoscaler|monitor)\)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Ray's own log lines ("2026-01-01 10:00:00,123\tINFO worker.py:1 -- Connecting to ..."), which a job's
# log mixes into the driver's output and which carry timestamps and addresses.
# A job's log also starts with the Jobs API's own line naming the job.
_RAY_LOG_LINE = re.compile(
    r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d+\s+(DEBUG|INFO|WARNING|ERROR|CRITICAL)\s"
    r"|Running entrypoint for job \S+: )"
)
MAX_DIFF_LINES = 12


def driver_lines(stdout: str) -> List[str]:
    """The driver's own output: worker-forwarded lines and Ray's log lines are left out, trailing
    whitespace ignored."""
    return [
        line.rstrip()
        for line in stdout.splitlines()
        if not _WORKER_LINE.match(line) and not _RAY_LOG_LINE.match(_ANSI.sub("", line))
    ]


def stdout_difference(original: str, fixed: str) -> Optional[str]:
    """None when the driver printed the same, else a short unified diff."""
    before, after = driver_lines(original), driver_lines(fixed)
    if before == after:
        return None
    diff = list(difflib.unified_diff(before, after, "original", "fixed", lineterm="", n=1))
    if len(diff) > MAX_DIFF_LINES:
        diff = diff[:MAX_DIFF_LINES] + [f"... ({len(diff) - MAX_DIFF_LINES} more diff lines)"]
    return _ANSI.sub("", "\n".join(diff))


def values_equal(original: object, fixed: object) -> bool:
    """`==`, understanding numpy arrays (and containers of them) whose `==` is elementwise."""
    if type(original) is not type(fixed):
        return False
    if isinstance(original, (list, tuple)):
        return len(original) == len(fixed) and all(values_equal(a, b) for a, b in zip(original, fixed))
    if isinstance(original, dict):
        return original.keys() == fixed.keys() and all(values_equal(original[k], fixed[k]) for k in original)
    if hasattr(original, "shape") and hasattr(original, "dtype"):
        try:
            import numpy

            return bool(numpy.array_equal(original, fixed))
        except ImportError:  # pragma: no cover - numpy arrays imply numpy
            return False
    try:
        return bool(original == fixed)
    except Exception:  # noqa: BLE001 - an object whose == raises is not equal
        return False


def value_difference(original: object, fixed: object) -> Optional[str]:
    if values_equal(original, fixed):
        return None
    return f"main() returned {_short(original)} originally and {_short(fixed)} after the fix"


def _short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
