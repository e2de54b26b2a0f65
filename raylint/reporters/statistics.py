"""Ruff's `--statistics` table (modelled on flake8's): how often each rule fired and whether `--fix` can fix it."""

from __future__ import annotations

from typing import Dict, List, Sequence

from raylint.ftypes import Diagnostic
from raylint.reporters.common import ReportContext, is_applicable, is_pseudo, join_lines, paint, summary


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    counts: Dict[str, int] = {}
    fixable: Dict[str, int] = {}
    names: Dict[str, str] = {}
    for d in diagnostics:
        counts[d.code] = counts.get(d.code, 0) + 1
        fixable[d.code] = fixable.get(d.code, 0) + is_applicable(d, context)
        names[d.code] = d.name
    if not counts:
        return ""

    order = sorted(counts, key=lambda code: (-counts[code], code))
    # Pseudo-rules have no code of their own: Ruff leaves the column blank and shows only the name.
    shown = {code: "" if is_pseudo(code) else code for code in order}
    count_width = len(str(max(counts.values())))
    code_width = max(len(code) for code in shown.values())
    # As in Ruff, the marker column only appears when something is fixable.
    any_fixable = any(fixable.values())
    out: List[str] = []
    for code in order:
        marker = _marker(fixable[code], counts[code], context.color) if any_fixable else ""
        count = paint(f"{counts[code]:>{count_width}}", "bold", context.color)
        code_text = paint(f"{shown[code]:<{code_width}}", "bold red", context.color)
        out.append(f"{count}\t{code_text}\t{marker}{names[code]}")
    if not context.quiet:
        out.extend(summary(diagnostics, context))
    return join_lines(out)


def _marker(fixable: int, count: int, color: bool) -> str:
    """`[*]` when every finding of the rule is fixable, `[-]` when some are, `[ ]` when none is."""
    if fixable == count:
        return "[" + paint("*", "cyan", color) + "] "
    return "[-] " if fixable else "[ ] "
