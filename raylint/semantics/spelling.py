"""A cheap, exact pre-check on source text: can a definition read any of these names at all?"""

from __future__ import annotations

import ast
import re
from typing import AbstractSet, List

_ASCII_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def may_name(lines: List[str], node: ast.AST, names: AbstractSet[str]) -> bool:
    """False only when no `Name` under `node` can be one of `names`.

    Every `Name` under `node` lies on its lines and, when those lines are ASCII, is spelled there as one
    maximal identifier (Python normalizes only non-ASCII identifiers, NFKC: `ＬＯＯＫＵＰ` is `LOOKUP`).
    Identifiers in strings, comments and attributes only make the answer True more often."""
    if not names:
        return False
    text = "\n".join(lines[node.lineno - 1:node.end_lineno])
    return not text.isascii() or not names.isdisjoint(_ASCII_IDENTIFIER.findall(text))
