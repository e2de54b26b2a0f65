"""Presenting validation results: a rich table for people, a JSON list for machines."""

from __future__ import annotations

import json
from typing import List, Sequence

from rich.console import Console
from rich.table import Table

from raylint.validate.harness import ProgramReport


def render_json(reports: Sequence[ProgramReport]) -> str:
    return json.dumps([report.as_json() for report in reports], indent=2, sort_keys=True) + "\n"


COLUMNS = ("program", "fixed", "original s", "fixed s", "speedup", "equal", "result")
_RIGHT = ("original s", "fixed s", "speedup")


def print_table(reports: Sequence[ProgramReport], console: Console, machine: str) -> None:
    """A rich table on a terminal wide enough for it; otherwise (CI logs, pipes, files, a narrow terminal)
    a plain table as wide as its content: a value is never cut to "…" nor a column dropped."""
    rows = [_row(report) for report in reports]
    table = Table(title=f"raylint validate ({machine})")
    for column in COLUMNS:
        table.add_column(column, justify="right" if column in _RIGHT else "left", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    if console.is_terminal and _table_width(rows) <= console.width:
        console.print(table)
    else:
        console.print(_plain(rows, machine), markup=False, highlight=False, soft_wrap=True)
    for report in reports:
        if report.detail:
            console.print(f"[bold]{report.program_display}[/bold]: {report.status}", highlight=False)
            console.print(report.detail, markup=False, highlight=False)


def _row(report: ProgramReport) -> List[str]:
    return [
        report.program_display,
        _codes(report),
        _timing(report.original),
        _timing(report.fixed),
        f"{report.speedup:.2f}x" if report.speedup is not None else "-",
        {True: "yes", False: "NO", None: "-"}[report.equal],
        _result(report),
    ]


def _widths(rows: List[List[str]]) -> List[int]:
    return [max(len(cell) for cell in column) for column in zip(COLUMNS, *rows)]


def _table_width(rows: List[List[str]]) -> int:
    """What the rich table needs unwrapped: each column, its padding of 1 either side, its border."""
    return sum(_widths(rows)) + 3 * len(COLUMNS) + 1


def _plain(rows: List[List[str]], machine: str) -> str:
    widths = _widths(rows)

    def line(cells) -> str:
        return "  ".join(cell.rjust(width) if column in _RIGHT else cell.ljust(width)
                         for column, cell, width in zip(COLUMNS, cells, widths)).rstrip()

    return "\n".join([f"raylint validate ({machine})", line(COLUMNS), *(line(row) for row in rows)])


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
