"""Ruff's `--statistics` table (modelled on flake8's): how often each rule fired and whether `--fix` can fix it."""

from __future__ import annotations

import json
from typing import List, Sequence

from raylint.ftypes import Diagnostic
from raylint.reporters.common import (
    ReportContext, counts_by_rule, is_pseudo, join_lines, paint, shown_code, summary,
)


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    rows = counts_by_rule(diagnostics, context)
    if not rows:
        return ""
    count_width = len(str(max(row.count for row in rows)))
    code_width = max(len(shown_code(row.code)) for row in rows)
    # As in Ruff, the marker column only appears when something is fixable.
    any_fixable = any(row.fixable for row in rows)
    out: List[str] = []
    for row in rows:
        marker = _marker(row.fixable, row.count, context.color) if any_fixable else ""
        count = paint(f"{row.count:>{count_width}}", "bold", context.color)
        code_text = paint(f"{shown_code(row.code):<{code_width}}", "bold red", context.color)
        out.append(f"{count}\t{code_text}\t{marker}{row.name}")
    if not context.quiet:
        out.extend(summary(diagnostics, context))
    return join_lines(out)


def _marker(fixable: int, count: int, color: bool) -> str:
    """`[*]` when every finding of the rule is fixable, `[-]` when some are, `[ ]` when none is."""
    if fixable == count:
        return "[" + paint("*", "cyan", color) + "] "
    return "[-] " if fixable else "[ ] "


def render_json(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    """Ruff's `--statistics --output-format json`: one object per rule, keys in Ruff's order; `fixable`
    means every finding of the rule is fixable. Unlike Ruff, a clean run prints `[]`, still valid JSON."""
    rows = [
        {"code": None if is_pseudo(row.code) else row.code, "name": row.name, "count": row.count,
         "fixable": row.fixable == row.count, "fixable_count": row.fixable}
        for row in counts_by_rule(diagnostics, context)
    ]
    return json.dumps(rows, indent=2) + "\n"
