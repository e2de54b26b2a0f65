"""Ruff's `concise` format: one `path:row:col: CODE [*] message` line per finding, then the footer."""

from __future__ import annotations

from typing import Sequence

from raylint.ftypes import Diagnostic
from raylint.reporters.common import (
    ReportContext,
    display_path,
    headline,
    join_lines,
    paint,
    position,
    run_summary,
    summary,
)


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    colon = paint(":", "cyan", context.color)
    out = [
        f"{paint(display_path(d.filename, context.cwd), 'bold', context.color)}{colon}"
        f"{position(d, colon)}{colon} {headline(d, context)}"
        for d in diagnostics
    ]
    if not context.quiet:
        out.extend(summary(diagnostics, context))
        out.extend(run_summary(diagnostics, context))
    return join_lines(out)
