"""RAY103's rewrite: a `ray.put(v)` that is part of what a task returns or yields becomes `v`."""

from __future__ import annotations

import ast
from typing import Optional

import libcst as cst

from raylint.fixers.base import UNSAFE, build_fix, replace_node
from raylint.ftypes import Fix

# Expressions that need parentheses once they stand where the `ray.put(...)` call stood.
_LOOSE = (ast.IfExp, ast.Lambda, ast.NamedExpr)


def return_value(context, site) -> Optional[Fix]:
    """The fix for one RAY103 finding whose `ray.put` sits directly in a `return`/`yield` expression."""
    put = site.node
    if len(put.args) != 1 or put.keywords or isinstance(put.args[0], ast.Starred):
        return None
    files = context.cst
    node = files.node_for(put, context.lines, cst.Call)
    if node is None:
        return None
    value = node.args[0].value
    if isinstance(put.args[0], _LOOSE) and not value.lpar:
        value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return build_fix(files, replace_node(files.module, node, value), UNSAFE,
                     "Return the value itself (every caller must then drop one `ray.get`)")
