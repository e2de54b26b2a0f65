"""RAY105's rewrite: drop `x = ray.get(ref)` and pass the ref where `x` was passed to tasks."""

from __future__ import annotations

import ast
from typing import List, Optional, Tuple

from raylint.fixers.lazy_cst import cst
from raylint.fixers.base import BUILD, SAFE, UNSAFE, build_fix
from raylint.fixers.planning import alone_on_its_lines, block_holding, planned, shares_call_parentheses
from raylint.fixers.rewrite import Rewrite, fresh_name, parents, taken_names
from raylint.fixers.safety import (
    MANY, ONE, ancestors, driver_effects_before_barrier, in_handler, known_submission, ref_count,
)
from raylint.ftypes import Fix


def pass_ref(context, site, statement: ast.stmt, uses: List[ast.Name]) -> Optional[Fix]:
    """The fix for one RAY105 finding: `site` is the `ray.get` call, `statement` the assignment holding it,
    `uses` every read of the fetched name (all top-level submission arguments)."""
    decided = _passing(context, site, statement, uses)
    if decided is None:
        return None
    applicability, title = decided
    files = context.cst
    line = files.statement_for(statement, context.lines)
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    ref = site.node.args[0]
    rewrite = Rewrite()
    if _stays_bound(context, site, statement, uses):
        name = ref.id
        rewrite.remove(line)
    else:
        value = files.node_for(ref, context.lines)
        if value is None:
            return None
        target = statement.targets[0] if isinstance(statement, ast.Assign) else statement.target
        # a local of this function: only its own names and the module's can collide
        taken = taken_names(site.scope.node) | set(site.scope.module().bindings)
        name = fresh_name(f"{target.id}_ref", taken)
        assign = cst.Assign(targets=[cst.AssignTarget(cst.Name(name))], value=value)
        rewrite.replace(line, line.with_changes(body=[assign]))
    for use in uses:
        node = files.node_for(use, context.lines, cst.Name)
        if node is None:
            return None
        rewrite.replace(node, node.with_changes(value=name))
    return build_fix(files, rewrite.apply(files.module), applicability, title)


def plan_pass_ref(context, site, statement: ast.stmt, uses: List[ast.Name]):
    """What `pass_ref` gives, without its edits, decided on the `ast` alone."""
    decided = _passing(context, site, statement, uses)
    if decided is None:
        return None
    # the builder rewrites the libcst statement line that is exactly this assignment
    alone = alone_on_its_lines(context, statement, block_holding(context, statement))
    if alone is not True:
        return BUILD if alone is BUILD else None
    if shares_call_parentheses(site.node.args[0]) and not _stays_bound(context, site, statement, uses):
        return BUILD  # the builder copies the ref's expression, which it may not find
    applicability, title = decided
    return planned(context, applicability, title, uses)


def _passing(context, site, statement: ast.stmt, uses: List[ast.Name]) -> Optional[Tuple[str, str]]:
    """(applicability, title) of the fix, or None when there is none."""
    count = ref_count(context.names, context.walk, site.node.args[0], site.scope, site.loops)
    if count == MANY:
        return None  # a list of refs passed to a task stays a list of refs there: not the values
    title = "Pass the ref instead of its value (a producer error then surfaces in the consumer)"
    reason = _unseen(context, site, statement, uses)
    if reason is not None:
        title += f" (unsafe: {reason})"
    return (SAFE if reason is None else UNSAFE), title


def _stays_bound(context, site, statement: ast.stmt, uses: List[ast.Name]) -> bool:
    """The ref is a name bound once (locally, or at module level and declared `global` nowhere) and not
    between the `ray.get` and the last use, so the uses can read it directly."""
    ref = site.node.args[0]
    if not isinstance(ref, ast.Name):
        return False
    bindings = site.scope.lookup(ref.id) or []
    if len(bindings) != 1:
        return False
    where = bindings[0].scope
    if where is not site.scope and (where.kind != "module" or any(
            scope is not context.walk.module_scope for scope in context.walk.declared_global().get(ref.id, ()))):
        return False
    start = (statement.end_lineno, statement.end_col_offset)
    end = (uses[-1].lineno, uses[-1].col_offset)
    node = bindings[0].node
    return not start <= (node.lineno, node.col_offset) <= end


def _unseen(context, site, statement: ast.stmt, uses: List[ast.Name]) -> Optional[str]:
    """What could make the program behave differently without the `ray.get`, or None: a handler around
    the get or a use (the producer's error would move in or out of it), and anything the driver does
    before it waits again, which the get used to order after the producer (files it writes, output)."""
    if ref_count(context.names, context.walk, site.node.args[0], site.scope, site.loops) != ONE:
        return "raylint cannot see that the ref is one object (a `num_returns` task gives a list of refs)"
    function = site.function
    if site.scope.kind != "function" or function is None:
        return "outside a function raylint cannot see what runs after the get"
    tree_parents = parents(context.tree)
    if any(in_handler(tree_parents, node, function) for node in [statement, *uses]):
        return "a `try` or `with` around it would no longer see the producer's error"
    consumers = [_submission_of(tree_parents, use, function) for use in uses]
    if any(consumer is None or not known_submission(context.names, consumer, site.scope) for consumer in consumers):
        return "the ref is passed to code raylint does not see"
    effect = driver_effects_before_barrier(context.names, tree_parents, function, statement, consumers, site.scope)
    if effect is not None:
        return f"the get was a barrier: {effect}"
    return None


def _submission_of(tree_parents, use: ast.Name, function: ast.AST) -> Optional[ast.Call]:
    for ancestor in ancestors(tree_parents, use, function):
        if isinstance(ancestor, ast.Call) and isinstance(ancestor.func, ast.Attribute) and ancestor.func.attr == "remote":
            return ancestor
    return None
