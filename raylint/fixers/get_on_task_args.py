"""RAY104's rewrite: the list-of-refs parameter becomes `*refs`, so Ray resolves every ref before the task
starts; `ray.get(refs)` becomes `list(refs)` and every call spreads its list (`f.remote(..., *refs)`)."""

from __future__ import annotations

import ast
from typing import List, Optional, Tuple


from raylint.fixers.lazy_cst import cst
from raylint.fixers.base import UNSAFE, build_fix
from raylint.fixers.planning import planned
from raylint.fixers.rewrite import Rewrite, call_sites_by_node, occurrences, parents
from raylint.ftypes import Fix

_LIST_LITERALS = (ast.List, ast.ListComp)


def spread_refs(context, site, remote) -> Optional[Fix]:
    """The fix for one RAY104 finding `ray.get(p)`, or None when some caller cannot be rewritten."""
    decided = _spreading(context, site, remote)
    if decided is None:
        return None
    parameter, count, calls = decided
    function = remote.node
    files = context.cst
    definition = files.statement_for(function, context.lines)
    get_node = files.node_for(site.node, context.lines, cst.Call)
    call_nodes = [files.node_for(call, context.lines, cst.Call) for call in calls]
    if not isinstance(definition, cst.FunctionDef) or get_node is None or None in call_nodes:
        return None
    rewrite = Rewrite()
    rewrite.replace(definition.params, _starred_last(definition.params))
    rewrite.replace(get_node, get_node.with_changes(func=cst.Name("list")))
    last = count - 1
    for node in call_nodes:
        rewrite.replace(node, lambda updated: updated.with_changes(
            args=[*updated.args[:last], updated.args[last].with_changes(star="*"), *updated.args[last + 1:]]))
    return build_fix(files, rewrite.apply(files.module), UNSAFE, _title(parameter))


def plan_spread_refs(context, site, remote):
    """What `spread_refs` gives, without its edits, decided on the `ast` alone."""
    decided = _spreading(context, site, remote)
    if decided is None:
        return None
    parameter, _, calls = decided
    return planned(context, UNSAFE, _title(parameter), [site.node, *calls])


def _title(parameter: str) -> str:
    return f"Make `{parameter}` a `*{parameter}` parameter and spread the list at every call"


def _spreading(context, site, remote) -> Optional[Tuple[str, int, List[ast.Call]]]:
    """(the list-of-refs parameter, the number of positional parameters, every call to rewrite), or None
    when there is no fix."""
    function = remote.node
    get = site.node
    parameter = get.args[0].id if get.args and isinstance(get.args[0], ast.Name) else None
    if parameter is None or remote.is_actor or function is not site.function or not _private_or_script(context, function):
        return None
    bindings = context.walk.module_scope.bindings.get(function.name, [])
    if len(bindings) != 1 or bindings[0].node is not function or site.scope.lookup("list"):
        return None
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    if not arguments.args or arguments.args[-1].arg != parameter or arguments.defaults or arguments.vararg:
        return None
    if sum(isinstance(n, ast.Name) and n.id == parameter for n in ast.walk(function)) != 1:
        return None
    calls = _calls(context, function.name, len(positional), {a.arg for a in positional})
    if calls is None:
        return None
    return parameter, len(positional), calls


def _private_or_script(context, function: ast.AST) -> bool:
    """Every caller is likely in this module: the task's name is private, or the module is a script."""
    if function.name.startswith("_"):
        return True
    return any(
        isinstance(statement, ast.If)
        and isinstance(statement.test, ast.Compare)
        and isinstance(statement.test.left, ast.Name)
        and statement.test.left.id == "__name__"
        for statement in context.tree.body
    )


def _calls(context, name: str, count: int, positional: set) -> Optional[List[ast.Call]]:
    """Every `name.remote(...)` call in the module, each passing a list of refs as its last of `count`
    positional arguments; None when `name` is used any other way."""
    parent_of = parents(context.tree)
    sites = call_sites_by_node(context)
    calls = []
    for node in occurrences(context.tree).get(name, ()):
        if not isinstance(node, ast.Name):
            continue
        attribute = parent_of.get(id(node))
        call = parent_of.get(id(attribute))
        if not (isinstance(attribute, ast.Attribute) and attribute.attr == "remote"
                and isinstance(call, ast.Call) and call.func is attribute):
            return None
        if len(call.args) != count or any(isinstance(a, ast.Starred) for a in call.args):
            return None
        if any(keyword.arg is None or keyword.arg in positional for keyword in call.keywords):
            return None
        last = call.args[-1]
        value = context.names.value(last, sites[id(call)].scope)
        if not isinstance(last, _LIST_LITERALS) and (value is None or value.tag != "refs"):
            return None
        calls.append(call)
    return calls


def _starred_last(parameters: cst.Parameters) -> cst.Parameters:
    """`(a, refs)` -> `(a, *refs)`; a bare `*` before keyword-only parameters gives way to `*refs`."""
    last = parameters.params[-1]
    comma = parameters.star_arg.comma if isinstance(parameters.star_arg, cst.ParamStar) else last.comma
    return parameters.with_changes(params=parameters.params[:-1], star_arg=last.with_changes(star="*", comma=comma))
