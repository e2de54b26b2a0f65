"""The Markdown job summary of the `github` format: GitHub shows only the first 10 annotations of a step,
so `$GITHUB_STEP_SUMMARY` gets the counts by rule and the first findings."""

from __future__ import annotations

import os
from typing import Sequence

from raylint.ftypes import Diagnostic
from raylint.reporters.common import ReportContext, counts_by_rule, display_path, position

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"
MAX_LISTED = 50


def write(diagnostics: Sequence[Diagnostic], context: ReportContext) -> None:
    """Append the summary to the file named by `$GITHUB_STEP_SUMMARY`; nothing when it is unset."""
    target = os.environ.get(SUMMARY_ENV)
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(markdown(diagnostics, context))
    except OSError:
        # The annotations on stdout are the report; a summary file the runner cannot take must not fail the check.
        pass


def markdown(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    files = f" in {context.files_checked} {'file' if context.files_checked == 1 else 'files'}" if context.files_checked else ""
    if not diagnostics:
        return f"## raylint\n\nAll checks passed{files}.\n\n"
    count = len(diagnostics)
    lines = [
        "## raylint",
        "",
        f"Found {count} {'finding' if count == 1 else 'findings'}{files}.",
        "",
        "| code | name | count | fixable |",
        "|---|---|---:|---:|",
    ]
    for row in counts_by_rule(diagnostics, context):
        lines.append(f"| {row.code} | {_cell(row.name)} | {row.count} | {row.fixable} |")
    listed = diagnostics[:MAX_LISTED]
    heading = "Findings" if count <= MAX_LISTED else f"First {MAX_LISTED} of {count} findings"
    lines += ["", f"### {heading}", ""]
    lines += [f"- {_position(d, context)} {d.code} {d.message}" for d in listed]
    return "\n".join(lines) + "\n\n"


def _position(diagnostic: Diagnostic, context: ReportContext) -> str:
    return f"`{display_path(diagnostic.filename, context.cwd)}:{position(diagnostic)}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
