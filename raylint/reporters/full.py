"""The default text format, Ruff's modern `full`: a headline, the location, and the source with the span underlined."""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from rich.cells import cell_len

from raylint.ftypes import Diagnostic
from raylint.reporters.common import (
    ReportContext,
    display_path,
    headline,
    join_lines,
    paint,
    position,
    run_summary,
    severity_style,
    source_lines,
    summary,
)

CONTEXT_LINES = 2
TAB_WIDTH = 4
# Spans longer than this are folded to their first and last lines so a whole loop body is not reprinted.
MAX_SPAN_LINES = 6
FOLD_HEAD, FOLD_TAIL = 3, 2
GUTTER_STYLE = "bold blue"


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    lines_of = source_lines(context)
    out: List[str] = []
    for diagnostic in diagnostics:
        out.extend(_block(diagnostic, context, lines_of(diagnostic.filename, diagnostic.cell)))
        out.append("")
    if not context.quiet:
        out.extend(summary(diagnostics, context))
        out.extend(run_summary(diagnostics, context))
    return join_lines(out)


def _block(diagnostic: Diagnostic, context: ReportContext, lines: Optional[List[str]]) -> List[str]:
    color = context.color
    width, excerpt = _excerpt(diagnostic, lines, color)
    where = f"{display_path(diagnostic.filename, context.cwd)}:{position(diagnostic)}"
    block = [headline(diagnostic, context), " " * width + paint("-->", GUTTER_STYLE, color) + " " + where]
    block.extend(excerpt)
    if diagnostic.fix is not None and diagnostic.fix.message:
        block.append(paint("help", "bold cyan", color) + ": " + diagnostic.fix.message)
    return block


def _excerpt(diagnostic: Diagnostic, lines: Optional[List[str]], color: bool) -> Tuple[int, List[str]]:
    """Gutter width and the numbered source lines around the span, with `^` under its first line."""
    start, end = diagnostic.location, diagnostic.end_location
    if lines is None or not 1 <= start.row <= len(lines) + 1:
        return 1, []
    if start.row > len(lines):
        lines = lines + [""]  # a finding at the end of the file, as a syntax error can be
    # A span ending at column 1 of a later row (a syntax error running to the newline) ends on the row before.
    last = end.row - 1 if end.row > start.row and end.column == 1 else end.row
    last = max(start.row, min(last, len(lines)))
    span: List[Optional[int]] = list(range(start.row, last + 1))
    if len(span) > MAX_SPAN_LINES:
        span = span[:FOLD_HEAD] + [None] + span[-FOLD_TAIL:]
    rows = list(range(max(1, start.row - CONTEXT_LINES), start.row)) + span
    rows += list(range(last + 1, min(len(lines), last + CONTEXT_LINES) + 1))
    width = len(str(max(row for row in rows if row is not None)))
    bar = " " * width + paint(" |", GUTTER_STYLE, color)

    out = [bar]
    for row in rows:
        if row is None:
            out.append(paint("...", GUTTER_STYLE, color))
            continue
        line = lines[row - 1]
        text, offsets = _cells(line)
        number = paint(f"{row:>{width}} |", GUTTER_STYLE, color)
        out.append(f"{number} {text}" if text else number)
        if row == start.row:
            first = offsets[min(start.column - 1, len(line))]
            stop = offsets[min(end.column - 1, len(line))] if last == start.row else offsets[-1]
            carets = paint("^" * max(1, stop - first), severity_style(diagnostic.severity), color)
            out.append(f"{bar} {' ' * first}{carets}")
    out.append(bar)
    return width, out


def _cells(line: str) -> Tuple[str, List[int]]:
    """The line as displayed (tabs expanded) and, for each code point index, the terminal column it starts at."""
    parts: List[str] = []
    offsets = [0]
    column = 0
    for char in line:
        if char == "\t":
            step = TAB_WIDTH - column % TAB_WIDTH
            parts.append(" " * step)
        else:
            step = cell_len(char)
            parts.append(char)
        column += step
        offsets.append(column)
    return "".join(parts), offsets
