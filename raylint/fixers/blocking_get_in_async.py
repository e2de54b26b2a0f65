"""RAY101's rewrite: `ray.get(ref)` in a coroutine becomes `await ref`, `ray.get(refs)` becomes
`await asyncio.gather(*refs)`, and a `timeout=` becomes `asyncio.wait_for(..., timeout=...)`."""

from __future__ import annotations

import ast
from typing import Optional, Tuple


from raylint.fixers.lazy_cst import cst
from raylint.fixers.base import build_expression_fix, SAFE, UNSAFE, build_fix
from raylint.fixers.planning import module_names, planned, planned_expression
from raylint.fixers.rewrite import (
    Rewrite, add_import, can_add_import, module_name_visible, parents, taken_names,
)
from raylint.fixers.safety import ONE, element_ref_count, interleaving_state, module_variables, ref_count
from raylint.ftypes import Fix

_ORIGINS = ("task", "put")


def await_refs(context, site) -> Optional[Fix]:
    """The fix for one RAY101 finding at `site` (a `ray.get` call), or None when it cannot be written."""
    decided = _awaiting(context, site)
    if decided is None:
        return None
    call = site.node
    many, has_timeout, asyncio_name, applicability, title = decided
    parenthesize = _needs_parentheses(context.tree, call)

    def awaited_call(node: cst.Call, name: Optional[str]) -> cst.BaseExpression:
        awaited: cst.BaseExpression = node.args[0].value
        timeout = next((arg for arg in node.args if arg.keyword is not None), None)
        if many:
            awaited = cst.Call(_attribute(name, "gather"), [cst.Arg(awaited, star="*")])
        if timeout is not None:
            awaited = cst.Call(_attribute(name, "wait_for"), [
                cst.Arg(awaited, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                timeout.with_changes(comma=cst.MaybeSentinel.DEFAULT),
            ])
        new: cst.BaseExpression = cst.Await(awaited)
        if parenthesize:
            new = new.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return new

    if not (many or has_timeout) or asyncio_name is not None:
        # the rewrite stays inside the call: libcst parses just that expression
        return build_expression_fix(context, call, lambda node, style: awaited_call(node, asyncio_name),
                                    applicability, title)
    files = context.cst
    node = files.node_for(call, context.lines, cst.Call)
    if node is None:
        return None
    rewrite = Rewrite()
    asyncio_name = add_import(context, "asyncio", rewrite, taken_names(context.tree))
    if asyncio_name is None:
        return None
    rewrite.replace(node, awaited_call(node, asyncio_name))
    return build_fix(files, rewrite.apply(files.module), applicability, title)


def plan_await_refs(context, site):
    """What `await_refs` gives, without its edits, decided on the `ast` alone."""
    decided = _awaiting(context, site)
    if decided is None:
        return None
    many, has_timeout, asyncio_name, applicability, title = decided
    if not (many or has_timeout) or asyncio_name is not None:
        return planned_expression(context, site.node, applicability, title)
    if not can_add_import(context.tree, "asyncio", module_names(context)):
        return None
    return planned(context, applicability, title, [site.node])


def _awaiting(context, site) -> Optional[Tuple[bool, bool, Optional[str], str, str]]:
    """(a list of refs?, a timeout?, the visible name of `asyncio`, applicability, title) of the fix, or None
    when there is none."""
    call = site.node
    if len(call.args) != 1 or isinstance(call.args[0], ast.Starred):
        return None
    if any(keyword.arg != "timeout" for keyword in call.keywords) or not _await_allowed(site):
        return None
    many = _many(context, call.args[0], site)
    if many is None:
        return None
    has_timeout = any(keyword.arg == "timeout" for keyword in call.keywords)
    asyncio_name = module_name_visible("asyncio", site.scope) if many or has_timeout else None
    if has_timeout:
        title = "Await with `asyncio.wait_for` (a timeout then raises `asyncio.TimeoutError`, not `GetTimeoutError`)"
    elif many:
        title = "Await the refs with `asyncio.gather`"
    else:
        title = "Await the ref"
    shared = interleaving_state(site.function, call, site.loops, site.class_node,
                                module_variables(site.scope))
    if shared is not None:
        title += f" (unsafe: {shared})"
    applicability = UNSAFE if has_timeout or shared is not None else SAFE
    return many, has_timeout, asyncio_name, applicability, title


def _await_allowed(site) -> bool:
    """An `await` is valid here: not in a generator expression (it would become an async generator that
    its consumer cannot iterate) nor in a class body nested in the coroutine."""
    if any(isinstance(loop.node, ast.GeneratorExp) for loop in site.loops):
        return False
    scope = site.scope
    while scope is not None and scope.node is not site.function:
        if scope.kind == "class":
            return False
        scope = scope.parent
    return True


def _many(context, argument: ast.AST, site) -> Optional[bool]:
    """False for one ref, True for a list of refs, None when raylint cannot tell (or a ref is the list of
    refs a `num_returns=k` task gives: neither `await` nor `gather` fetches that)."""
    names = context.names
    value = names.value_in_loops(argument, site.scope, site.loops)
    if value is None or value.origin not in _ORIGINS:
        return None
    if value.tag == "refs" and not isinstance(argument, (ast.Tuple, ast.Set, ast.Dict, ast.DictComp, ast.SetComp)):
        return True if element_ref_count(names, context.walk, argument, site.scope, site.loops) == ONE else None
    if value.tag == "ref" and ref_count(names, context.walk, argument, site.scope, site.loops) == ONE:
        return False
    return None


def _needs_parentheses(tree: ast.AST, call: ast.Call) -> bool:
    """`await x` is not a primary: `ray.get(r).y`, `ray.get(r)[0]` and `ray.get(r)()` need `(await r)`."""
    parent = parents(tree).get(id(call))
    return (
        (isinstance(parent, (ast.Attribute, ast.Subscript)) and parent.value is call)
        or (isinstance(parent, ast.Call) and parent.func is call)
    )


def _attribute(module_name: str, attr: str) -> cst.Attribute:
    return cst.Attribute(cst.Name(module_name), cst.Name(attr))
