"""Output formats: each module turns the sorted diagnostics of one run into the text of one format."""

from __future__ import annotations

import importlib
from typing import Sequence

from raylint.ftypes import Diagnostic
from raylint.reporters.common import ReportContext

FORMATS = ("full", "concise", "json", "json-lines", "github", "sarif", "junit")

# format -> its module, imported when the format is asked for (a run prints one: XML for JUnit, say, is
# not worth importing for the others)
_RENDERERS = {
    "full": "full",
    "concise": "concise",
    "json": "json",
    "json-lines": "json_lines",
    "github": "github",
    "sarif": "sarif",
    "junit": "junit",
}

__all__ = ["FORMATS", "ReportContext", "render", "render_statistics"]


def render(fmt: str, diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    """The whole output of format `fmt`, ending with a newline unless empty."""
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return importlib.import_module(f"raylint.reporters.{_RENDERERS[fmt]}").render(diagnostics, context)


def render_statistics(diagnostics: Sequence[Diagnostic], context: ReportContext, fmt: str = "full") -> str:
    """The `--statistics` table followed by the usual footer; empty when nothing was found, as in Ruff.
    With `fmt` "json", Ruff's JSON statistics instead."""
    from raylint.reporters import statistics

    if fmt == "json":
        return statistics.render_json(diagnostics, context)
    return statistics.render(diagnostics, context)
