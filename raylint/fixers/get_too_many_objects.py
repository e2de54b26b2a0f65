"""RAY106's rewrite: iterate over `ray.get(refs)` one slice of `refs` at a time, in submission order."""

from __future__ import annotations

import ast
from typing import Optional


from raylint.fixers.lazy_cst import cst
from raylint.fixers.base import UNSAFE, build_fix, parse_expression, replace_node
from raylint.fixers.planning import planned
from raylint.fixers.rewrite import fresh_name, parents, taken_names
from raylint.ftypes import Fix

MAX_BATCH = 1000
BATCH_BYTES = 1 << 30
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def batch_size(size: int) -> int:
    """At most MAX_BATCH results and about BATCH_BYTES per batch, rounded down to a power of ten."""
    fits = max(1, min(MAX_BATCH, BATCH_BYTES // size))
    return 10 ** (len(str(fits)) - 1)


def fetch_in_batches(context, site, size: int) -> Optional[Fix]:
    """The fix for one RAY106 finding at `site` (the `ray.get` call), or None when the loop or
    comprehension consuming it cannot be rewritten so that it sees the same values in the same order."""
    consumer = _consumer(context, site)
    if consumer is None:
        return None
    call = site.node
    refs = call.args[0]
    files = context.cst
    get = files.node_for(call, context.lines, cst.Call)
    if get is None:
        return None
    batch = batch_size(size)
    start = fresh_name("start", taken_names(site.scope.node) | set(site.scope.module().bindings))
    module = files.module
    sliced = get.with_changes(args=[cst.Arg(parse_expression(f"{refs.id}[{start}:{start} + {batch}]", module))])
    batches = parse_expression(f"range(0, len({refs.id}), {batch})", module)
    title = _title(batch)
    if isinstance(consumer, ast.For):
        loop = files.statement_for(consumer, context.lines)
        if not isinstance(loop, cst.For):
            return None
        inner = loop.with_changes(iter=sliced, leading_lines=())
        outer = loop.with_changes(target=cst.Name(start), iter=batches, body=cst.IndentedBlock(body=[inner]))
        return build_fix(files, replace_node(module, loop, outer), UNSAFE, title)
    clause = _comp_for(files.top_level(call), get)
    if clause is None:
        return None
    inner = clause.with_changes(iter=sliced, whitespace_before=cst.SimpleWhitespace(" "))
    outer = cst.CompFor(target=cst.Name(start), iter=batches, inner_for_in=inner,
                        whitespace_before=clause.whitespace_before)
    return build_fix(files, replace_node(module, clause, outer), UNSAFE, title)


def plan_fetch_in_batches(context, site, size: int):
    """What `fetch_in_batches` gives, without its edits, decided on the `ast` alone: the `for` statement
    or comprehension clause it rewrites is the one holding the `ray.get` call."""
    if _consumer(context, site) is None:
        return None
    return planned(context, UNSAFE, _title(batch_size(size)), [site.node])


def _title(batch: int) -> str:
    return f"Fetch the results {batch} at a time, in submission order"


def _consumer(context, site) -> Optional[ast.AST]:
    """The `for` statement or comprehension iterating over the `ray.get(refs)` at `site`, when it can be
    rewritten to iterate over slices of `refs`; else None."""
    call = site.node
    refs = call.args[0] if len(call.args) == 1 and not call.keywords else None
    if not isinstance(refs, ast.Name):
        return None
    parent_of = parents(context.tree)
    consumer = parent_of.get(id(call))
    if isinstance(consumer, ast.comprehension):
        consumer = parent_of.get(id(consumer))
        if not isinstance(consumer, _COMPREHENSIONS) or consumer.generators[0].iter is not call:
            return None
        if isinstance(consumer, ast.GeneratorExp) and not isinstance(parent_of.get(id(consumer)), ast.Call):
            return None
        rest = [consumer.key, consumer.value] if isinstance(consumer, ast.DictComp) else [consumer.elt]
        rest += [part for clause in consumer.generators for part in [*clause.ifs, clause.iter] if part is not call]
    elif isinstance(consumer, ast.For) and consumer.iter is call:
        if consumer.orelse or _breaks(consumer.body):
            return None
        rest = consumer.body
    else:
        return None
    if any(_mentions(refs.id, part) for part in rest):
        return None
    return consumer


def _breaks(body) -> bool:
    """A `break` that ends this loop (not one of a nested loop, function or class)."""
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Break):
            return True
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            stack.extend(node.orelse)
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))
    return False


def _mentions(name: str, part: ast.AST) -> bool:
    return any(isinstance(node, ast.Name) and node.id == name for node in ast.walk(part))


def _comp_for(statement: Optional[cst.CSTNode], get: cst.Call) -> Optional[cst.CompFor]:
    """The comprehension clause (in the top-level `statement`) that iterates over `get`."""
    found = []

    class _Find(cst.CSTVisitor):
        def visit_CompFor(self, node: cst.CompFor) -> None:
            if node.iter is get:
                found.append(node)

    if statement is not None:
        statement.visit(_Find())
    return found[0] if found else None
