"""RAY003's rewrite: declare the resources in the decorator (or the functional `ray.remote(...)` call)."""

from __future__ import annotations

import ast
from typing import Optional

import libcst as cst

from raylint.fixers.base import SAFE, UNSAFE, build_expression_fix, parse_expression
from raylint.fixers.rewrite import with_keyword_argument
from raylint.ftypes import Fix


def declare_resources(context, remote, *, uses_gpu: bool) -> Optional[Fix]:
    """`@ray.remote` -> `@ray.remote(num_cpus=1)`; GPU bodies get `num_gpus=1`.

    Safe only for a task without GPU use: `num_cpus=1` is the default made explicit. For an actor it is
    unsafe (the actor then holds a CPU for its lifetime, so more actors than CPUs stay pending), and
    `num_gpus=1` is unsafe (the task then waits for a GPU node)."""
    keyword = "num_gpus" if uses_gpu else "num_cpus"
    applicability = SAFE if not uses_gpu and not remote.is_actor else UNSAFE
    if uses_gpu:
        title = "Declare `num_gpus=1` so the scheduler gives the task a GPU"
    elif remote.is_actor:
        title = "Declare `num_cpus=1` (the actor then holds one CPU while alive)"
    else:
        title = "Declare `num_cpus=1` (the default, made explicit)"
    target: ast.AST = remote.report_node
    if isinstance(target, ast.Call) and _is_functional_call(target):
        # `ray.remote(fn)` -> `ray.remote(num_cpus=1)(fn)`
        def transform(node, style):
            return cst.Call(func=_with_keyword(node.func, keyword, style), args=node.args)
    else:
        def transform(node, style):
            return _with_keyword(node, keyword, style)
    return build_expression_fix(context, target, transform, applicability, title)


def _is_functional_call(call: ast.Call) -> bool:
    """`ray.remote(fn)` (one positional argument) as opposed to `ray.remote(num_cpus=...)`."""
    return len(call.args) == 1 and not call.keywords


def _with_keyword(node: cst.BaseExpression, keyword: str, style: cst.Module) -> cst.BaseExpression:
    """`ray.remote` -> `ray.remote(k=1)`; `ray.remote(a=2)` -> `ray.remote(a=2, k=1)`."""
    if isinstance(node, cst.Call):
        return node.with_changes(args=with_keyword_argument(node, keyword, cst.Integer("1")))
    return parse_expression(f"{style.code_for_node(node)}({keyword}=1)", style)
