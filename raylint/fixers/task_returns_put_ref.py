"""RAY103's rewrite: the task returns `v` instead of `ray.put(v)`, and every caller that fetched the inner
ref with `ray.get(task.remote(...))` now takes the task's own ref: `task.remote(...)`.

Both refs lead to the same value, so whatever the callers did with the inner ref (dict keys,
`from_partitions`, arguments to other tasks, a second `ray.get`) keeps working. The fix exists only
when the analysis sees every caller: each use of the task's name is such a `ray.get`, and the task
cannot be called from another module (it is local to a function, private, or defined in a script).
"""

from __future__ import annotations

import ast
from typing import List, Optional

import libcst as cst

from raylint.fixers.base import UNSAFE, build_fix
from raylint.fixers.rewrite import Rewrite, call_sites_by_node, parents
from raylint.ftypes import Fix
from raylint.loops import walk_local

# Expressions that need parentheses once they stand where the `ray.put(...)` call stood.
_LOOSE = (ast.IfExp, ast.Lambda, ast.NamedExpr)


def return_value(context, site) -> Optional[Fix]:
    """The fix for a RAY103 finding in a task whose every `return` is `return ray.put(v)`."""
    remote = context.names.task_code(site.function)
    task = site.function
    if remote is None or remote.is_actor or remote.node is not task or not isinstance(task, ast.FunctionDef):
        return None
    if not _returns_one_object(remote):
        return None
    puts = _returned_puts(context, site, task)
    if puts is None:
        return None
    gets = _caller_gets(context, task)
    if not gets or not _callers_all_seen(context, task):
        return None
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
    return build_fix(files, rewrite.apply(files.module), UNSAFE,
                     "Return the value itself; callers take the task's ref instead of fetching the inner one")


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


def _caller_gets(context, task: ast.FunctionDef) -> Optional[List[ast.Call]]:
    """The `ray.get(...)` calls that fetch the inner refs, one per use of the task's name; None when a use
    is anything else (a ref kept, `.options(...)`, the task passed around)."""
    name = task.name
    parent_of = parents(context.tree)
    sites = call_sites_by_node(context)
    gets: List[ast.Call] = []
    for node in ast.walk(context.tree):
        if not (isinstance(node, ast.Name) and node.id == name):
            continue
        attribute = parent_of.get(id(node))
        submission = parent_of.get(id(attribute))
        if not (isinstance(attribute, ast.Attribute) and attribute.attr == "remote"
                and isinstance(submission, ast.Call) and submission.func is attribute):
            return None
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
    return gets


def _submits(expr: ast.AST, name: str) -> bool:
    return (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "remote"
            and isinstance(expr.func.value, ast.Name) and expr.func.value.id == name)


def _callers_all_seen(context, task: ast.FunctionDef) -> bool:
    """No other module can call the task: it is local to a function, or private, or this is a script; and
    nothing else in the module binds its name."""
    bindings = [node for node in ast.walk(context.tree)
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == task.name
                or isinstance(node, ast.arg) and node.arg == task.name
                or isinstance(node, ast.alias) and (node.asname or node.name).split(".")[0] == task.name
                or isinstance(node, ast.Name) and node.id == task.name and not isinstance(node.ctx, ast.Load)]
    if bindings != [task]:
        return False
    if task not in context.tree.body or task.name.startswith("_"):
        return True
    return _is_script(context.tree)


def _is_script(tree: ast.Module) -> bool:
    """The module runs as a program: an `if __name__ == "__main__":` block, or `ray.init()` at top level."""
    for statement in tree.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            func = statement.value.func
            if isinstance(func, ast.Attribute) and func.attr == "init" and isinstance(func.value, ast.Name) \
                    and func.value.id == "ray":
                return True
        if isinstance(statement, ast.If) and isinstance(statement.test, ast.Compare):
            names = [statement.test.left, *statement.test.comparators]
            if any(isinstance(n, ast.Name) and n.id == "__name__" for n in names) and any(
                    isinstance(n, ast.Constant) and n.value == "__main__" for n in names):
                return True
    return False
