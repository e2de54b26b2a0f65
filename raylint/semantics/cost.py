"""Is a function body trivial? Used by RAY004 (tiny tasks) and kept in the project index."""

from __future__ import annotations

import ast
from typing import Optional

from raylint.semantics.loops import walk_local

# Calls that cost about as much as the arithmetic around them.
CHEAP_BUILTINS = frozenset(
    {"abs", "min", "max", "int", "float", "str", "bool", "len", "round", "divmod", "pow", "hash", "isinstance",
     "tuple", "ord", "chr", "hex", "complex"}
)
CHEAP_MODULES = ("math.", "operator.", "cmath.")
CHEAP_METHODS = frozenset(
    {"upper", "lower", "strip", "lstrip", "rstrip", "split", "replace", "startswith", "endswith", "format", "title",
     "capitalize", "casefold", "zfill", "encode", "decode", "get", "isdigit", "isalpha", "real", "imag", "conjugate",
     "bit_length"}
)
MAX_SIMPLE_STATEMENTS = 3
_SIMPLE_STATEMENTS = (ast.Return, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Pass)
SLEEP_THRESHOLD_S = 0.001


def body_without_docstring(node: ast.AST):
    body = list(node.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(
        body[0].value.value, str
    ):
        body = body[1:]
    return body


def is_trivial(function: ast.AST, names, scope) -> bool:
    """One expression or a couple of simple statements, no loops over data, no I/O, no real sleep."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    body = body_without_docstring(function)
    if not body or len(body) > MAX_SIMPLE_STATEMENTS:
        return False
    # every statement's kind first: a loop or a branch anywhere is the usual answer, before any walk
    if not all(isinstance(statement, _SIMPLE_STATEMENTS) for statement in body):
        return False
    for statement in body:
        for node in walk_local(statement):
            if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Await, ast.Yield,
                                 ast.YieldFrom)):
                return False
            if isinstance(node, ast.Call) and not _cheap_call(node, names, scope):
                return False
    return True


def _cheap_call(call: ast.Call, names, scope) -> bool:
    func = call.func
    qual: Optional[str] = names.qualname(func, scope) if names is not None and scope is not None else None
    if qual is not None:
        if qual.startswith("builtins."):
            return qual[9:] in CHEAP_BUILTINS
        if qual.startswith(CHEAP_MODULES):
            return True
        if qual == "time.sleep":
            duration = call.args[0] if call.args else None
            return (
                isinstance(duration, ast.Constant)
                and isinstance(duration.value, (int, float))
                and duration.value < SLEEP_THRESHOLD_S
            )
        return False
    if isinstance(func, ast.Name):
        return func.id in CHEAP_BUILTINS
    return isinstance(func, ast.Attribute) and func.attr in CHEAP_METHODS
