"""Applying fixes to one file's text: pick the applicable fixes, apply those that do not overlap (first
by position wins), check the file again and re-derive the rest, until nothing changes."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import FrozenSet, List, Optional

from raylint.engine import FileResult, LintOptions, lint_source
from raylint.fixers.base import apply_edits
from raylint.ftypes import Diagnostic
from raylint.project_index import ProjectIndex

MAX_PASSES = 10


@dataclass(frozen=True)
class FixPolicy:
    """Which fixes to apply: safe ones always, unsafe ones when asked, only for fixable codes."""

    unsafe: bool = False
    fixable: Optional[FrozenSet[str]] = None  # None: every code
    unfixable: FrozenSet[str] = frozenset()

    def applies(self, diagnostic: Diagnostic) -> bool:
        fix = diagnostic.fix
        if fix is None or not fix.edits:
            return False
        if fix.applicability != "safe" and not (self.unsafe and fix.applicability == "unsafe"):
            return False
        if self.fixable is not None and diagnostic.code not in self.fixable:
            return False
        return diagnostic.code not in self.unfixable


@dataclass
class FixOutcome:
    source: str
    fixed: int
    result: FileResult  # the findings of the final text
    errors: List[str] = field(default_factory=list)
    codes: List[str] = field(default_factory=list)  # the code of each fix applied, in order


def fix_text(
    source: str,
    path: str,
    options: LintOptions,
    policy: FixPolicy,
    module_name: str = "",
    index: Optional[ProjectIndex] = None,
    result: Optional[FileResult] = None,
) -> FixOutcome:
    """Fix one file's text in passes; `result` is its findings when already known."""
    fixed = 0
    errors: List[str] = []
    codes: List[str] = []
    for _ in range(MAX_PASSES):
        if result is None:
            result = lint_source(source, path, options, module_name, index)
        errors.extend(result.fix_errors)
        chosen = _non_overlapping([d for d in result.diagnostics if policy.applies(d)])
        if not chosen:
            break
        new_source = apply_edits(source, [edit for d in chosen for edit in d.fix.edits])
        if len(chosen) > 1 and not _parses(new_source):
            # each fix parses alone but not together: apply the first only and re-derive the rest
            chosen = chosen[:1]
            new_source = apply_edits(source, chosen[0].fix.edits)
        if not _parses(new_source):
            errors.append(f"{path}: {chosen[0].code} fix dropped: fixed code does not parse")
            break
        fixed += len(chosen)
        codes.extend(d.code for d in chosen)
        source = new_source
        result = None
    if result is None:
        result = lint_source(source, path, options, module_name, index)
    return FixOutcome(source, fixed, result, list(dict.fromkeys(errors)), codes)


def _non_overlapping(diagnostics: List[Diagnostic]) -> List[Diagnostic]:
    """Fixes in order of their first edit; a fix touching a range already taken waits for the next pass."""
    taken = []
    chosen = []
    for diagnostic in sorted(diagnostics, key=lambda d: (min(e.location for e in d.fix.edits), d.code)):
        ranges = [(e.location, e.end_location) for e in diagnostic.fix.edits]
        if any(_overlap(a, b) for a in ranges for b in taken):
            continue
        taken.extend(ranges)
        chosen.append(diagnostic)
    return chosen


def _overlap(a, b) -> bool:
    """Half-open ranges overlap, or two insertions at the same point (their order would be ambiguous)."""
    (a_start, a_end), (b_start, b_end) = a, b
    if a_start == a_end or b_start == b_end:
        return b_start <= a_start <= b_end or a_start <= b_start <= a_end
    return a_start < b_end and b_start < a_end


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True
