"""Presenting validation results: a rich table for people, a JSON list for machines."""

from __future__ import annotations

import json
from typing import List, Sequence

from rich.console import Console
from rich.table import Table

from raylint.validate.harness import ProgramReport


def render_json(reports: Sequence[ProgramReport]) -> str:
    return json.dumps([report.as_json() for report in reports], indent=2, sort_keys=True) + "\n"


def print_table(reports: Sequence[ProgramReport], console: Console, machine: str) -> None:
    table = Table(title=f"raylint validate ({machine})")
    for column in ("program", "fixed", "original s", "fixed s", "speedup", "equal", "result"):
        table.add_column(column, justify="right" if column in ("original s", "fixed s", "speedup") else "left",
                         no_wrap=column != "result")
    for report in reports:
        table.add_row(
            report.program_display,
            _codes(report),
            _timing(report.original),
            _timing(report.fixed),
            f"{report.speedup:.2f}x" if report.speedup is not None else "-",
            {True: "yes", False: "NO", None: "-"}[report.equal],
            _result(report),
        )
    console.print(table)
    for report in reports:
        if report.detail:
            console.print(f"[bold]{report.program_display}[/bold]: {report.status}", highlight=False)
            console.print(report.detail, markup=False, highlight=False)


def _codes(report: ProgramReport) -> str:
    if not report.codes:
        return "-"
    counts: List[str] = []
    for code in sorted(set(report.codes)):
        n = report.codes.count(code)
        counts.append(f"{code}" if n == 1 else f"{code} x{n}")
    return ", ".join(counts)


def _timing(timing) -> str:
    if timing is None:
        return "-"
    return f"{timing.median:.2f} ({timing.low:.2f}-{timing.high:.2f})"


def _result(report: ProgramReport) -> str:
    if report.status == "ok" and report.verdict:
        return report.verdict
    return report.status
