"""Applying fixes to one file's text: pick the applicable fixes, apply those that do not overlap (first
by position wins), check the file again and re-derive the rest, until nothing changes."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Callable, FrozenSet, List, Optional

from raylint import deep
from raylint.configs import config_kind, config_parses
from raylint.engine import FileResult, LintOptions, lint_source
from raylint.fixers.base import apply_edits
from raylint.ftypes import Diagnostic
from raylint.semantics.project_index import ProjectIndex

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
    result: FileResult  # the findings of the final text
    errors: List[str] = field(default_factory=list)
    codes: List[str] = field(default_factory=list)  # the code of each finding fixed, in order

    @property
    def fixed(self) -> int:
        return len(self.codes)


def fix_text(
    source: str,
    path: str,
    options: LintOptions,
    policy: FixPolicy,
    module_name: str = "",
    index: Optional[ProjectIndex] = None,
    result: Optional[FileResult] = None,
    keep: Optional[Callable[[str, Diagnostic], bool]] = None,
) -> FixOutcome:
    """Fix one file's text in passes; `result` is its findings when already known. `keep(source, d)`
    can veto a fix that cannot be written back (a notebook fix crossing cells). Code nested too deeply
    to fix is left as it is, with an error naming the file."""
    try:
        return deep.call(_fix_text, source, path, options, policy, module_name, index, result, keep)
    except deep.TooDeep as error:
        if result is None:
            result = lint_source(source, path, options, module_name, index)
        return FixOutcome(source, result, [f"{path}: not fixed: {error}"], [])


def _fix_text(source, path, options, policy, module_name, index, result, keep) -> FixOutcome:
    errors: List[str] = []
    codes: List[str] = []
    for _ in range(MAX_PASSES):
        if result is None:
            result = lint_source(source, path, options, module_name, index)
        errors.extend(result.fix_errors)
        applicable = [d for d in result.diagnostics if policy.applies(d) and (keep is None or keep(source, d))]
        chosen, duplicates = _non_overlapping(applicable)
        chosen, dropped = _parsing_subset(source, chosen, path)
        for diagnostic in dropped:
            errors.append(f"{path}: {diagnostic.code} fix dropped: fixed code does not parse")
        duplicates = [d for d in duplicates if any(d.fix.edits == c.fix.edits for c in chosen)]
        if not chosen:
            break
        source = apply_edits(source, [edit for d in chosen for edit in d.fix.edits])
        codes.extend(d.code for d in chosen + duplicates)
        result = None
    if result is None:
        result = lint_source(source, path, options, module_name, index)
    return FixOutcome(source, result, list(dict.fromkeys(errors)), codes)


def _non_overlapping(diagnostics: List[Diagnostic]):
    """Fixes in order of their first edit; a fix touching a range already taken waits for the next pass.
    A fix identical to one already taken (one rewrite serving several findings) is returned apart: it is
    fixed by the same edits."""
    taken = []
    chosen: List[Diagnostic] = []
    duplicates: List[Diagnostic] = []
    for diagnostic in sorted(diagnostics, key=lambda d: (min(e.location for e in d.fix.edits), d.code)):
        if any(diagnostic.fix.edits == other.fix.edits for other in chosen):
            duplicates.append(diagnostic)
            continue
        ranges = [(e.location, e.end_location) for e in diagnostic.fix.edits]
        if any(_overlap(a, b) for a in ranges for b in taken):
            continue
        taken.extend(ranges)
        chosen.append(diagnostic)
    return chosen, duplicates


def _parsing_subset(source: str, chosen: List[Diagnostic], path: str = ""):
    """The fixes whose result parses. Usually all of them, checked with one parse; otherwise each fix is
    tried alone, those that break the code are dropped (and reported), and the others are kept together
    only if they still parse together (else the first alone; the rest are re-derived next pass)."""
    if not chosen or _parses(apply_edits(source, [e for d in chosen for e in d.fix.edits]), path):
        return chosen, []
    good = [d for d in chosen if _parses(apply_edits(source, d.fix.edits), path)]
    dropped = [d for d in chosen if d not in good]
    if len(good) > 1 and not _parses(apply_edits(source, [e for d in good for e in d.fix.edits]), path):
        good = good[:1]
    return good, dropped


def _overlap(a, b) -> bool:
    """Half-open ranges overlap, or two insertions at the same point (their order would be ambiguous)."""
    (a_start, a_end), (b_start, b_end) = a, b
    if a_start == a_end or b_start == b_end:
        return b_start <= a_start <= b_end or a_start <= b_start <= a_end
    return a_start < b_end and b_start < a_end


def _parses(source: str, path: str = "") -> bool:
    """Whether the fixed text still parses: as Python, or as the configuration file it is."""
    if config_kind(path, source) is not None:
        return config_parses(source, path)
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True
