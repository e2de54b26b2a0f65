"""Ruff's `json-lines` format: the `json` objects, one compact object per line, for streaming consumers."""

from __future__ import annotations

import json
from typing import Sequence

from raylint.ftypes import Diagnostic
from raylint.reporters.common import ReportContext, join_lines
from raylint.reporters.json import to_dict


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    return join_lines(
        [json.dumps(to_dict(d), sort_keys=True, ensure_ascii=False, separators=(",", ":")) for d in diagnostics]
    )
