"""GitHub Actions workflow commands, so findings show up as annotations on the pull request diff."""

from __future__ import annotations

from typing import Sequence

from raylint.ftypes import Diagnostic
from raylint.reporters import step_summary
from raylint.reporters.common import ReportContext, display_path, is_pseudo, join_lines, position


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    step_summary.write(diagnostics, context)
    return join_lines([_command(d, context) for d in diagnostics])


def _command(diagnostic: Diagnostic, context: ReportContext) -> str:
    start, end = diagnostic.location, diagnostic.end_location
    path = display_path(diagnostic.filename, context.cwd)
    properties = [("title", f"raylint ({diagnostic.code})"), ("file", path)]
    if diagnostic.cell is not None:
        # Rows within a cell are not rows of the notebook's JSON: annotate line 1, as Ruff does, and
        # give the cell in the message.
        properties += [("line", 1)]
    elif start.row == end.row:  # the runner rejects col/endColumn on a multi-line range
        properties += [("line", start.row), ("col", start.column), ("endLine", end.row), ("endColumn", end.column)]
    else:
        properties += [("line", start.row), ("endLine", end.row)]
    separator = ": " if is_pseudo(diagnostic.code) else " "
    message = f"{path}:{position(diagnostic)}: {diagnostic.code}{separator}{diagnostic.message}"
    if diagnostic.fix is not None and diagnostic.fix.message:
        message += f"\n  help: {diagnostic.fix.message}"
    params = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    level = "error" if diagnostic.severity == "error" else "warning"
    return f"::{level} {params}::{escape_message(message)}"


def escape_message(text: str) -> str:
    """Escape as actions/toolkit does, `%` first so the escapes themselves survive."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Property values also escape `:` and `,`, which would otherwise end the value."""
    return escape_message(text).replace(":", "%3A").replace(",", "%2C")
