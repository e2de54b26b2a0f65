"""Output formats: each module turns the sorted diagnostics of one run into the text of one format."""

from __future__ import annotations

from typing import Sequence

from raylint.ftypes import Diagnostic
from raylint.reporters import concise, full, github, json, json_lines, junit, sarif, statistics
from raylint.reporters.common import ReportContext

FORMATS = ("full", "concise", "json", "json-lines", "github", "sarif", "junit")

_RENDERERS = {
    "full": full.render,
    "concise": concise.render,
    "json": json.render,
    "json-lines": json_lines.render,
    "github": github.render,
    "sarif": sarif.render,
    "junit": junit.render,
}

__all__ = ["FORMATS", "ReportContext", "render", "render_statistics"]


def render(fmt: str, diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    """The whole output of format `fmt`, ending with a newline unless empty."""
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return _RENDERERS[fmt](diagnostics, context)


def render_statistics(diagnostics: Sequence[Diagnostic], context: ReportContext, fmt: str = "full") -> str:
    """The `--statistics` table followed by the usual footer; empty when nothing was found, as in Ruff.
    With `fmt` "json", Ruff's JSON statistics instead."""
    if fmt == "json":
        return statistics.render_json(diagnostics, context)
    return statistics.render(diagnostics, context)
