"""Ruff's `json` format, key for key, so tools that consume Ruff's JSON read raylint's unchanged."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Sequence

from raylint.ftypes import Diagnostic, Fix, Location
from raylint.registry import rule_info
from raylint.reporters.common import ReportContext


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    # sort_keys gives Ruff's alphabetical order; Ruff leaves non-ASCII text unescaped.
    return json.dumps([to_dict(d) for d in diagnostics], indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def to_dict(diagnostic: Diagnostic) -> Dict[str, Any]:
    """One finding as Ruff's JSON object (also each line of `json-lines`)."""
    return {
        "cell": diagnostic.cell,
        "code": diagnostic.code,
        "end_location": _location(diagnostic.end_location),
        "filename": diagnostic.filename,
        "fix": _fix(diagnostic.fix),
        "location": _location(diagnostic.location),
        "message": diagnostic.message,
        "name": diagnostic.name,
        "noqa_row": diagnostic.noqa_row,
        "severity": diagnostic.severity,
        "url": diagnostic.url or rule_info(diagnostic.code).url,
    }


def _location(location: Location) -> Dict[str, int]:
    return {"column": location.column, "row": location.row}


def _fix(fix: Optional[Fix]) -> Optional[Dict[str, Any]]:
    if fix is None:
        return None
    return {
        "applicability": fix.applicability,
        "edits": [
            {"content": e.content, "end_location": _location(e.end_location), "location": _location(e.location)}
            for e in fix.edits
        ],
        "message": fix.message,
    }
