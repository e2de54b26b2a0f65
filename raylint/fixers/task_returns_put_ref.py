"""RAY103's rewrite: the task returns `v` instead of `ray.put(v)`, and every caller that fetched the inner
ref with `ray.get(task.remote(...))` now takes the task's own ref: `task.remote(...)`.

Both refs lead to the same value, so whatever the callers did with the inner ref (dict keys,
`from_partitions`, arguments to other tasks, a second `ray.get`) keeps working. The fix exists only
when the analysis sees every caller: each use of the task's name is such a `ray.get`, and the task
cannot be called from another module (it is local to a function, private, or defined in a script).
"""

from __future__ import annotations

import ast
from typing import List, Optional, Tuple


from raylint.fixers.lazy_cst import cst
from raylint.fixers.base import UNSAFE, build_fix
from raylint.fixers.planning import planned
from raylint.fixers.rewrite import (
    Rewrite,
    call_sites_by_node,
    occurrences,
    parents,
    sole_callers,
)
from raylint.ftypes import Fix
from raylint.semantics.loops import walk_local

# Expressions that need parentheses once they stand where the `ray.put(...)` call stood.
_LOOSE = (ast.IfExp, ast.Lambda, ast.NamedExpr)
_TITLE = "Return the value itself; callers take the task's ref instead of fetching the inner one"


def return_value(context, site) -> Optional[Fix]:
    """The fix for a RAY103 finding in a task whose every `return` is `return ray.put(v)`."""
    decided = _rewritten_calls(context, site)
    if decided is None:
        return None
    puts, gets = decided
    files = context.cst
    rewrite = Rewrite()
    for put in puts:
        node = files.node_for(put, context.lines, cst.Call)
        if node is None:
            return None
        value = node.args[0].value
        if isinstance(put.args[0], _LOOSE) and not value.lpar:
            value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        rewrite.replace(node, value)
    for get in gets:
        node = files.node_for(get, context.lines, cst.Call)
        if node is None:
            return None
        rewrite.replace(node, node.args[0].value)
    return build_fix(files, rewrite.apply(files.module), UNSAFE, _TITLE)


def plan_return_value(context, site):
    """What `return_value` gives, without its edits, decided on the `ast` alone."""
    decided = _rewritten_calls(context, site)
    if decided is None:
        return None
    puts, gets = decided
    return planned(context, UNSAFE, _TITLE, [*puts, *gets])


def _rewritten_calls(context, site) -> Optional[Tuple[List[ast.Call], List[ast.Call]]]:
    """(the returned `ray.put(v)` calls, the callers' `ray.get(task.remote(...))` calls) the fix rewrites,
    or None when there is no fix."""
    remote = context.names.task_code(site.function)
    task = site.function
    if remote is None or remote.is_actor or remote.node is not task or not isinstance(task, ast.FunctionDef):
        return None
    if not _returns_one_object(remote):
        return None
    puts = _returned_puts(context, site, task)
    if puts is None:
        return None
    found = _caller_gets(context, task)
    if found is None or not found[0] or not sole_callers(context.tree, task, found[1]):
        return None
    return puts, found[0]


def _returns_one_object(remote) -> bool:
    value = remote.options.get("num_returns")
    return not remote.has_starstar and (value is None or (isinstance(value, ast.Constant) and value.value == 1))


def _returned_puts(context, site, task: ast.FunctionDef) -> Optional[List[ast.Call]]:
    """The `ray.put(v)` of every `return`, when every return is one and the body cannot end without one."""
    if not task.body or not isinstance(task.body[-1], ast.Return):
        return None
    puts = []
    for statement in task.body:
        for node in walk_local(statement):
            if isinstance(node, (ast.Yield, ast.YieldFrom, ast.Await)):
                return None
            if not isinstance(node, ast.Return):
                continue
            value = node.value
            if not (isinstance(value, ast.Call) and context.names.is_ray(value.func, site.scope, "put")
                    and len(value.args) == 1 and not value.keywords and not isinstance(value.args[0], ast.Starred)):
                return None
            puts.append(value)
    return puts


def _caller_gets(context, task: ast.FunctionDef) -> Optional[Tuple[List[ast.Call], List[ast.Call]]]:
    """(the `ray.get(...)` calls that fetch the inner refs, the submissions), one per use of the task's
    name; None when a use is anything else (a ref kept, `.options(...)`, the task passed around)."""
    name = task.name
    parent_of = parents(context.tree)
    sites = call_sites_by_node(context)
    gets: List[ast.Call] = []
    submissions: List[ast.Call] = []
    for node in occurrences(context.tree).get(name, ()):
        if not isinstance(node, ast.Name):
            continue
        attribute = parent_of.get(id(node))
        submission = parent_of.get(id(attribute))
        if not (isinstance(attribute, ast.Attribute) and attribute.attr == "remote"
                and isinstance(submission, ast.Call) and submission.func is attribute):
            return None
        submissions.append(submission)
        holder = parent_of.get(id(submission))
        if isinstance(holder, ast.ListComp) and holder.elt is submission and len(holder.generators) == 1:
            argument = holder
        elif isinstance(holder, ast.List) and all(_submits(element, name) for element in holder.elts):
            argument = holder
        else:
            argument = submission
        get = parent_of.get(id(argument))
        site = sites.get(id(get))
        if not (site is not None and get.args == [argument] and not get.keywords
                and context.names.is_ray(get.func, site.scope, "get")):
            return None
        if all(existing is not get for existing in gets):
            gets.append(get)
    return gets, submissions


def _submits(expr: ast.AST, name: str) -> bool:
    return (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "remote"
            and isinstance(expr.func.value, ast.Name) and expr.func.value.id == name)
