"""GitHub Actions workflow commands, so findings show up as annotations on the pull request diff."""

from __future__ import annotations

from typing import Sequence

from raylint.ftypes import Diagnostic
from raylint.reporters.common import ReportContext, display_path, is_pseudo, join_lines


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    return join_lines([_command(d, context) for d in diagnostics])


def _command(diagnostic: Diagnostic, context: ReportContext) -> str:
    start, end = diagnostic.location, diagnostic.end_location
    path = display_path(diagnostic.filename, context.cwd)
    properties = [("title", f"raylint ({diagnostic.code})"), ("file", path), ("line", start.row)]
    # The runner rejects col/endColumn on a multi-line range.
    if start.row == end.row:
        properties += [("col", start.column), ("endLine", end.row), ("endColumn", end.column)]
    else:
        properties += [("endLine", end.row)]
    separator = ": " if is_pseudo(diagnostic.code) else " "
    message = f"{path}:{start.row}:{start.column}: {diagnostic.code}{separator}{diagnostic.message}"
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
