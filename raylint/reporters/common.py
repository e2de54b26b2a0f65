"""What every reporter shares: the run's context, display paths, fix applicability and Ruff's summary footer."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

from raylint.ftypes import Diagnostic
from raylint.registry import PSEUDO_RULES


@dataclass
class ReportContext:
    """Everything a reporter needs beyond the diagnostics, filled in by the CLI for one run."""

    cwd: Path
    version: str
    read_source: Callable[[str], Optional[str]]
    files_checked: int = 0
    elapsed: float = 0.0
    color: bool = False
    unsafe_fixes: bool = False
    fixed: int = 0
    quiet: bool = False
    # The CLI's end-of-run summary in the text formats; off by default so output stays reproducible.
    run_summary: bool = False


def relative_to_cwd(filename: str, cwd: Path) -> Optional[str]:
    """The POSIX path of `filename` relative to `cwd`, or None when it lies outside `cwd`."""
    try:
        return Path(filename).relative_to(cwd.absolute()).as_posix()
    except ValueError:
        return None


def display_path(filename: str, cwd: Path) -> str:
    """Relative when under the working directory, so output stays short and machine-independent."""
    return _display_path(filename, cwd, os.getcwd())


@lru_cache(maxsize=256)
def _display_path(filename: str, cwd: Path, process_cwd: str) -> str:
    # once per file, not per finding (a file can have tens of thousands); the process's own directory is
    # part of the key because a relative `cwd` is resolved against it
    return relative_to_cwd(filename, cwd) or Path(filename).as_posix()


def is_applicable(diagnostic: Diagnostic, context: ReportContext) -> bool:
    """Whether this run would apply the fix, which is what Ruff's `[*]` marker promises."""
    fix = diagnostic.fix
    if fix is None:
        return False
    return fix.applicability == "safe" or (context.unsafe_fixes and fix.applicability == "unsafe")


def is_pseudo(code: str) -> bool:
    """Pseudo-rules (invalid-syntax, io-error) print as `code: message`, as Ruff prints them."""
    return code in PSEUDO_RULES


def paint(text: str, style: str, color: bool) -> str:
    """`text` wrapped in ANSI codes for `style` when colour is on, else unchanged."""
    if not color:
        return text
    from rich.style import Style  # a run without colour (CI, a pipe, a file) never loads rich

    return Style.parse(style).render(text)


def severity_style(severity: str) -> str:
    return "bold red" if severity == "error" else "bold yellow"


def headline(diagnostic: Diagnostic, context: ReportContext) -> str:
    """`CODE [*] message`, or `invalid-syntax: message` for a pseudo-rule."""
    code = diagnostic.code
    style = severity_style(diagnostic.severity)
    if is_pseudo(code):
        return f"{paint(code + ':', style, context.color)} {diagnostic.message}"
    marker = " " + paint("[*]", "cyan", context.color) if is_applicable(diagnostic, context) else ""
    return f"{paint(code, style, context.color)}{marker} {diagnostic.message}"


_LINE_BREAK = re.compile(r"\r\n?|\n")


def source_lines(context: ReportContext) -> Callable[..., Optional[List[str]]]:
    """A per-render cache of each file's lines, split the way Python's tokenizer counts rows; with a
    `cell`, the lines of that notebook cell (finding rows are relative to it)."""
    cache: Dict[str, Optional[List[str]]] = {}
    cells: Dict[str, Dict[int, List[str]]] = {}

    def lines_of(filename: str, cell: Optional[int] = None) -> Optional[List[str]]:
        if cell is not None:
            if filename not in cells:
                from raylint.sources.notebooks import cell_lines  # only notebooks' findings pay for it

                text = context.read_source(filename)
                cells[filename] = {} if text is None else cell_lines(text)
            return cells[filename].get(cell)
        if filename not in cache:
            text = context.read_source(filename)
            cache[filename] = None if text is None else _split_lines(text)
        return cache[filename]

    return lines_of


def position(diagnostic: Diagnostic, colon: str = ":") -> str:
    """`row:col`, or `cell N:row:col` for a notebook finding (Ruff's spelling), after the path."""
    where = f"{diagnostic.location.row}{colon}{diagnostic.location.column}"
    return where if diagnostic.cell is None else f"cell {diagnostic.cell}{colon}{where}"


def _split_lines(text: str) -> List[str]:
    """Rows as Python counts them; the final newline ends the last line rather than starting another."""
    lines = _LINE_BREAK.split(text)
    return lines[:-1] if lines[-1] == "" else lines


def _plural(count: int, singular: str, plural: str) -> str:
    return singular if count == 1 else plural


def summary(diagnostics: Sequence[Diagnostic], context: ReportContext) -> List[str]:
    """Ruff's footer: the error count, then how many findings `--fix` (and `--unsafe-fixes`) would fix."""
    remaining = len(diagnostics)
    if context.fixed:
        total = context.fixed + remaining
        lines = [f"Found {total} {_plural(total, 'error', 'errors')} ({context.fixed} fixed, {remaining} remaining)."]
    elif remaining:
        lines = [f"Found {remaining} {_plural(remaining, 'error', 'errors')}."]
    else:
        lines = ["All checks passed!"]

    applicable = sum(is_applicable(d, context) for d in diagnostics)
    hidden = sum(
        d.fix is not None and d.fix.applicability == "unsafe" and not context.unsafe_fixes for d in diagnostics
    )
    hint = f"{hidden} hidden {_plural(hidden, 'fix', 'fixes')} can be enabled with the `--unsafe-fixes` option"
    marker = paint("[*]", "cyan", context.color)
    if applicable and hidden:
        lines.append(f"{marker} {applicable} fixable with the `--fix` option ({hint}).")
    elif applicable:
        lines.append(f"{marker} {applicable} fixable with the `--fix` option.")
    elif hidden:
        lines.append(f"No fixes available ({hint}).")
    return lines


@dataclass(frozen=True)
class RuleCount:
    code: str
    name: str
    count: int
    fixable: int


def counts_by_rule(diagnostics: Sequence[Diagnostic], context: ReportContext) -> List[RuleCount]:
    """Findings per rule with how many this run can fix, most frequent first (then by code)."""
    counts: Dict[str, int] = {}
    fixable: Dict[str, int] = {}
    names: Dict[str, str] = {}
    for d in diagnostics:
        counts[d.code] = counts.get(d.code, 0) + 1
        fixable[d.code] = fixable.get(d.code, 0) + is_applicable(d, context)
        names[d.code] = d.name
    order = sorted(counts, key=lambda code: (-counts[code], code))
    return [RuleCount(code, names[code], counts[code], fixable[code]) for code in order]


def run_summary(diagnostics: Sequence[Diagnostic], context: ReportContext) -> List[str]:
    """After the footer: the findings by rule with how many this run can fix, then files checked and time taken."""
    if not context.run_summary:
        return []
    rows = counts_by_rule(diagnostics, context)
    lines: List[str] = []
    if rows:
        count_width = len(str(max(row.count for row in rows)))
        code_width = max(len(shown_code(row.code)) for row in rows)
        name_width = max(len(row.name) for row in rows)
        lines += ["", "Findings by rule:"]
        for row in rows:
            text = (f"  {paint(f'{row.count:>{count_width}}', 'bold', context.color)}  "
                    f"{paint(f'{shown_code(row.code):<{code_width}}', 'bold red', context.color)}  "
                    f"{row.name:<{name_width}}")
            if row.fixable:
                text += f"  ({row.fixable} fixable)"
            lines.append(text.rstrip())
    files = context.files_checked
    lines.append(f"Checked {files} {_plural(files, 'file', 'files')} in {_duration(context.elapsed)}.")
    return lines


def shown_code(code: str) -> str:
    """Pseudo-rules have no code of their own: Ruff leaves the column blank and shows only the name."""
    return "" if is_pseudo(code) else code


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.2f}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m {rest:02d}s"


def join_lines(lines: Sequence[str]) -> str:
    """The output text: every line newline-terminated, nothing at all when there are no lines."""
    return "".join(line + "\n" for line in lines)
