"""RAY110's rewrite: start the pool or process from a spawn context instead of forking."""

from __future__ import annotations

from typing import Optional


from raylint.fixers.lazy_cst import cst
from raylint.fixers.base import UNSAFE, build_fix, parse_expression
from raylint.fixers.planning import module_names, planned
from raylint.fixers.rewrite import (
    Rewrite, add_import, can_add_import, module_name_visible, taken_names, with_keyword_argument,
)
from raylint.ftypes import Fix

_TITLE = "Start it from `multiprocessing.get_context(\"spawn\")` (targets and arguments must then be picklable)"


def use_spawn_context(context, site) -> Optional[Fix]:
    """`multiprocessing.Pool(n)` -> `multiprocessing.get_context("spawn").Pool(n)` (`Process` alike), and
    `ProcessPoolExecutor(...)` -> `ProcessPoolExecutor(..., mp_context=multiprocessing.get_context("spawn"))`.

    Always unsafe: a spawned child re-imports the main module and receives its target and arguments by
    pickling, so lambdas, nested functions and state inherited through the fork no longer work."""
    files = context.cst
    module = files.module
    call = files.node_for(site.node, context.lines, cst.Call)
    if call is None:
        return None
    rewrite = Rewrite()
    name = module_name_visible("multiprocessing", site.scope)
    if name is None:
        name = add_import(context, "multiprocessing", rewrite, taken_names(context.tree))
        if name is None:
            return None
    spawn = f'{name}.get_context("spawn")'
    qual = context.names.qualname(site.node.func, site.scope)
    if qual.endswith("ProcessPoolExecutor"):
        new = call.with_changes(args=with_keyword_argument(call, "mp_context", parse_expression(spawn, module)))
    else:
        new = call.with_changes(func=parse_expression(f"{spawn}.{qual.rsplit('.', 1)[1]}", module))
    rewrite.replace(call, new)
    return build_fix(files, rewrite.apply(module), UNSAFE, _TITLE)


def plan_use_spawn_context(context, site):
    """What `use_spawn_context` gives, without its edits, decided on the `ast` alone."""
    if module_name_visible("multiprocessing", site.scope) is None and not can_add_import(
            context.tree, "multiprocessing", module_names(context)):
        return None
    return planned(context, UNSAFE, _TITLE, [site.node])
