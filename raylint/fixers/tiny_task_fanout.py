"""RAY004's rewrite: one task per chunk of elements instead of one per element, results flattened back
into the original order.

Also home of the helpers the RAY005 fixer shares: a one-pass libcst rewrite keyed by original nodes,
fresh names, and generated definitions that are reused when an identical one is already there.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import List, Optional, Tuple


from raylint.fixers.lazy_cst import cst
from raylint.semantics.analysis import Scope, node_contains
from raylint.fixers.base import BUILD, UNSAFE, build_fix, parse_expression, parse_statement
from raylint.fixers.plan_checks import block_holding, generated_name, starts_line, too_deep_for_cst
from raylint.fixers.rewrite import (
    Rewrite,
    blank_lines,
    block_of,
    call_sites_by_node,
    definition_scope,
    fresh_name,
    generated,
    is_plain,
    only_ray_remote_decorator,
    parents,
    plain_copy,
    plain_options,
    rename_callee,
    scope_taken_names,
    sole_callers,
)
from raylint.ftypes import Fix
from raylint.semantics.loops import names_read

# Elements per batched task. A trivial element costs about a microsecond in the worker and a task about a
# millisecond of Ray overhead, so 10,000 elements give each task ~10 ms of work: overhead stays near 10%,
# and fan-outs big enough to be reported (10,000+ elements) still make a few tasks per CPU on small clusters.
DEFAULT_CHUNK_SIZE = 10_000
_CHUNK_COMMENT = "# Elements per `{batch}` task: a judgement; aim for 10-100 ms of work per task."
_UNSAFE_IN_FLATTEN = (ast.Lambda, ast.IfExp, ast.BoolOp, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
                      ast.Await)


# -- the RAY004 rewrite ---------------------------------------------------------------------------


@dataclass
class _Plan:
    kind: str  # assign (`refs = [...]`) | loop (`for x in xs: refs.append(...)`) | direct (`ray.get([...])`)
    function: ast.FunctionDef
    home: ast.AST  # the module or function defining the task
    owner: ast.AST  # the module or function holding the fan-out
    call: ast.Call
    loop_node: ast.AST  # the ListComp or the For statement
    target: ast.Name
    iterable: ast.AST
    statement: ast.stmt  # where the fan-out statement starts: the inputs are bound right before it
    get_call: ast.Call  # the consumer: `ray.get(refs)`, or the `ray.get([...])` around the comprehension
    inputs: Optional[str]  # the name already holding the elements as a sequence, if any
    materialise: bool  # wrap the iterable in list(...)
    extras: bool  # the call passes more than the element


def batch_fanout(context, site) -> Optional[Fix]:
    """`refs = [f.remote(x) for x in xs]` + `ray.get(refs)` -> one `f_batch` task per chunk of `xs`, results
    flattened back into element order. Always unsafe: the chunk size is a judgement, and one failing element
    now fails its whole chunk."""
    plan = _plan(context, site)
    if plan is None:
        return None
    return _rewrite(context, plan)


def plan_batch_fanout(context, site):
    """What `batch_fanout` gives, without its edits, decided on the `ast` by the same `_plan` (`raylint
    check` needs no more); BUILD for code nested too deeply for libcst, a generated name already defined
    beside the task (whether that definition is reused is a comparison of libcst code), and a fan-out
    statement that does not start its line, where libcst may find no place for the new lines."""
    plan = _plan(context, site)
    if plan is None:
        return None
    if too_deep_for_cst(context) or not starts_line(context, plan.function):
        return BUILD
    if (plan.inputs is None or plan.kind == "direct") and not starts_line(context, plan.statement):
        return BUILD
    block = block_holding(context.tree, plan.function)
    if block is None:
        return BUILD
    function = plan.function.name
    taken = scope_taken_names(context.tree, plan.home) | scope_taken_names(context.tree, plan.owner)
    # in the order `_rewrite` takes them, as each name taken changes the next one's
    names = []
    for base in (f"{function}_py", f"{function}_batch", f"{function.upper()}_CHUNK_SIZE"):
        names.append(generated_name(context, base, block, taken))
        if names[-1] is BUILD:
            return BUILD
    _, batch_name, chunk_name = names
    return Fix(UNSAFE, _title(function, batch_name, chunk_name), ())


def _plan(context, site) -> Optional[_Plan]:
    names = context.names
    call = site.node
    target_info = names.submission_target(call.func.value, site.scope)
    if target_info is None:
        return None
    remote, method, _options = target_info
    if remote is None or method is not None or remote.is_actor or remote.summary is not None:
        return None
    function = remote.node
    if not only_ray_remote_decorator(remote) or "num_returns" in remote.options:
        return None
    home = definition_scope(context, function)
    if home is None or home.kind not in ("module", "function"):
        return None
    if plain_options(call.func.value, function.name) is None:
        return None
    if len(site.loops) != 1:
        return None
    loop = site.loops[0]
    target = loop.target
    if not isinstance(target, ast.Name):
        return None
    # the element is the first positional argument; everything else is the same for every element
    if not call.args or not (isinstance(call.args[0], ast.Name) and call.args[0].id == target.id):
        return None
    rest = list(call.args[1:]) + [k.value for k in call.keywords]
    if isinstance(call.func.value, ast.Call):
        rest += [k.value for k in call.func.value.keywords]
    if any(target.id in names_read(e) or not is_plain(e) for e in rest):
        return None
    family = parents(context.tree)
    sites = call_sites_by_node(context)

    if loop.kind == "comprehension":
        comprehension = loop.node
        if not isinstance(comprehension, ast.ListComp) or comprehension.elt is not call:
            return None
        clause = comprehension.generators[0]
        if len(comprehension.generators) != 1 or clause.ifs or clause.is_async:
            return None
        outer = site.scope.parent
        parent = family.get(id(comprehension))
        if isinstance(parent, ast.Assign) and parent.value is comprehension:
            kind, statement = "assign", parent
        elif isinstance(parent, ast.Call) and _is_get_of(parent, comprehension, names, sites):
            kind, statement = "direct", _enclosing_statement(parent, family)
        else:
            return None
    elif loop.kind == "for":
        comprehension = loop.node
        outer = site.scope
        if not _appends_only(loop.node, call):
            return None
        kind, statement = "loop", loop.node
    else:
        return None
    if statement is None or outer is None or outer.kind not in ("module", "function"):
        return None
    if _holds_refs(names, loop.iter, outer):
        return None
    owner = outer.node

    if kind == "assign":
        if len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
            return None
        get_call = _single_get(statement.targets[0].id, owner, statement, [statement.targets[0]], names, sites,
                               family)
    elif kind == "loop":
        refs_name = statement.body[0].value.func.value.id
        start = _empty_list_before(statement, refs_name, family)
        if start is None or not _only_inside(target.id, owner, statement):
            return None
        get_call = _single_get(refs_name, owner, statement, [start.targets[0], statement.body[0].value.func.value],
                               names, sites, family)
    else:
        get_call = family.get(id(comprehension))
    if get_call is None:
        return None
    inputs, materialise = _sequence(loop.iter, outer, names)
    return _Plan(kind, function, home.node, owner, call, comprehension, target, loop.iter, statement, get_call,
                 inputs, materialise, extras=bool(call.args[1:] or call.keywords))


def _is_get_of(call: ast.Call, argument: ast.AST, names, sites) -> bool:
    site = sites.get(id(call))
    return (
        site is not None
        and names.call_is_ray(site, "get")
        and len(call.args) == 1
        and call.args[0] is argument
        and not call.keywords
    )


def _enclosing_statement(node: ast.AST, family) -> Optional[ast.stmt]:
    """The simple statement around `node`, when `node` runs exactly once each time the statement does."""
    current = node
    while True:
        parent = family.get(id(current))
        if parent is None or isinstance(parent, _UNSAFE_IN_FLATTEN):
            return None
        if isinstance(parent, ast.stmt):
            simple = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return)
            return parent if isinstance(parent, simple) else None
        current = parent


def _appends_only(loop: ast.AST, call: ast.Call) -> bool:
    """`for x in xs: refs.append(f.remote(x))`, nothing else."""
    if not isinstance(loop, ast.For) or loop.orelse or len(loop.body) != 1:
        return False
    statement = loop.body[0]
    if not isinstance(statement, ast.Expr) or not isinstance(statement.value, ast.Call):
        return False
    append = statement.value
    return (
        isinstance(append.func, ast.Attribute)
        and append.func.attr == "append"
        and isinstance(append.func.value, ast.Name)
        and append.args == [call]
        and not append.keywords
    )


def _empty_list_before(loop: ast.For, name: str, family) -> Optional[ast.Assign]:
    """The `refs = []` statement earlier in the loop's own block."""
    parent = family.get(id(loop))
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and loop in block:
            for statement in block[: block.index(loop)]:
                if (
                    isinstance(statement, ast.Assign)
                    and len(statement.targets) == 1
                    and isinstance(statement.targets[0], ast.Name)
                    and statement.targets[0].id == name
                    and isinstance(statement.value, ast.List)
                    and not statement.value.elts
                ):
                    return statement
    return None


def _single_get(name: str, owner: ast.AST, statement: ast.stmt, expected: List[ast.Name], names, sites,
                family):
    """The one `ray.get(name)` that consumes the refs: every other mention of `name` in its scope (nested scopes
    included) is one of `expected`, and the get comes after the fan-out statement."""
    found = None
    for node in ast.walk(owner):
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return None
        if not isinstance(node, ast.Name) or node.id != name or any(node is e for e in expected):
            continue
        if found is not None or not isinstance(node.ctx, ast.Load):
            return None
        found = node
    if found is None or (found.lineno, found.col_offset) < (statement.end_lineno, statement.end_col_offset):
        return None
    # the call taking the name as its first argument is its parent (a search through every call of the
    # module would make a file with many fan-outs quadratic)
    call = family.get(id(found))
    if isinstance(call, ast.Call) and call.args and call.args[0] is found and _is_get_of(call, found, names, sites):
        return call
    return None


def _only_inside(name: str, owner: ast.AST, loop: ast.AST) -> bool:
    """The loop variable is not read or bound outside the loop (it will not exist after the rewrite);
    comprehensions, lambdas and functions that bind a name of their own are other variables."""
    stack = list(ast.iter_child_nodes(owner))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and node.id == name and not node_contains(loop, node):
            return False
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return False
        if _binds_own(node, name):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return True


def _binds_own(node: ast.AST, name: str) -> bool:
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        return any(isinstance(n, ast.Name) and n.id == name for g in node.generators for n in ast.walk(g.target))
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = node.args
        every = list(args.posonlyargs) + list(args.args) + list(args.kwonlyargs) + [args.vararg, args.kwarg]
        return any(a is not None and a.arg == name for a in every)
    return False


def _holds_refs(names, iterable: ast.AST, scope: Scope) -> bool:
    """Elements that are ObjectRefs: a task resolves them as top-level arguments, not inside a chunk."""
    value = names.value(iterable, scope)
    return value is not None and value.tag in ("refs", "handles", "ref", "nested-refs", "waited")


def _sequence(iterable: ast.AST, scope: Scope, names) -> Tuple[Optional[str], bool]:
    """(name already holding a sliceable sequence, or None; whether a new binding needs `list(...)`)."""
    if isinstance(iterable, ast.Name):
        bindings = scope.lookup(iterable.id) or []
        if len(bindings) == 1 and bindings[0].kind == "assign" and not bindings[0].path:
            if _is_sequence(bindings[0].value, bindings[0].scope, names):
                return iterable.id, False
    return None, not _is_sequence(iterable, scope, names)


def _is_sequence(expr: ast.AST, scope: Scope, names) -> bool:
    """A list, tuple or range: slicing it gives the same elements, in order, as iterating it."""
    if isinstance(expr, (ast.List, ast.Tuple, ast.ListComp)):
        return not any(isinstance(e, ast.Starred) for e in getattr(expr, "elts", ()))
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mult):
        return isinstance(expr.left, ast.List) or isinstance(expr.right, ast.List)
    if isinstance(expr, ast.Call) and names.qualname(expr.func, scope) in ("builtins.range", "builtins.list",
                                                                         "builtins.tuple"):
        return True
    return False


def _rewrite(context, plan: _Plan) -> Optional[Fix]:
    files = context.cst
    module = files.module
    lines = context.lines
    definition = files.statement_for(plan.function, lines)
    if not isinstance(definition, cst.FunctionDef):
        return None
    block = block_of(module, definition)
    if block is None:
        return None
    blank = 2 if block is module.body else 1
    # names are numbered only on a collision in the scope they are bound in: the definitions beside the
    # task (and seen from the fan-out), the inputs in the fan-out's scope
    taken = scope_taken_names(context.tree, plan.home) | scope_taken_names(context.tree, plan.owner)
    local_taken = scope_taken_names(context.tree, plan.owner)
    function = plan.function.name
    newline, indent = module.default_newline, module.default_indent
    rewrite = Rewrite()

    py_name, py_def = generated(f"{function}_py", lambda n: plain_copy(definition, n, blank), block, taken, module)
    if sole_callers(context.tree, plan.function, [plan.call]):
        # this fan-out is the task's last use: no remote version stays behind beside a copy of its body
        if py_def is None:
            rewrite.remove(definition)  # an earlier fan-out's fix already made the plain copy
        else:
            py_name, py_def = function, None
            rewrite.replace(definition, definition.with_changes(decorators=(), lines_after_decorators=()))
    element = _element_name(plan.function, py_name)
    params = "chunk, *args, **kwargs" if plan.extras else "chunk"
    arguments = f"{element}, *args, **kwargs" if plan.extras else element
    decorator = definition.decorators[0].with_changes(leading_lines=())

    def make_batch(name: str) -> cst.BaseStatement:
        code = f"def {name}({params}):{newline}{indent}return [{py_name}({arguments}) for {element} in chunk]{newline}"
        return parse_statement(code, module).with_changes(decorators=[decorator], leading_lines=blank_lines(blank))

    batch_name, batch_def = generated(f"{function}_batch", make_batch, block, taken, module)
    comment = cst.EmptyLine(comment=cst.Comment(_CHUNK_COMMENT.format(batch=batch_name)))
    chunk_name, chunk_def = generated(
        f"{function.upper()}_CHUNK_SIZE",
        lambda n: parse_statement(f"{n} = {DEFAULT_CHUNK_SIZE:_}{newline}", module).with_changes(
            leading_lines=[*blank_lines(blank), comment]),
        block, taken, module,
        reuse=_is_int_constant,
    )
    rewrite.insert(definition, [s for s in (py_def, chunk_def, batch_def) if s is not None], after=True)
    local_taken |= {py_name, batch_name, chunk_name}

    inputs = plan.inputs
    if inputs is None:
        inputs = fresh_name(f"{function}_inputs", local_taken)
        if not _bind_inputs(files, lines, plan, inputs, rewrite):
            return None
    # comprehension variables are local: they only need to differ from what the comprehension reads
    start = "start" if "start" not in names_read(plan.call) | {inputs, chunk_name, batch_name} else fresh_name(
        "start", local_taken)

    call = files.node_for(plan.call, lines, cst.Call)
    if call is None or not isinstance(call.func, cst.Attribute):
        return None
    callee = rename_callee(call.func.value, batch_name)
    if callee is None:
        return None
    chunk = parse_expression(f"{inputs}[{start}:{start} + {chunk_name}]", module)
    new_call = call.with_changes(func=call.func.with_changes(value=callee),
                                 args=[call.args[0].with_changes(value=chunk), *call.args[1:]])
    new_iter = parse_expression(f"range(0, len({inputs}), {chunk_name})", module)
    get_call = files.node_for(plan.get_call, lines, cst.Call)
    if get_call is None:
        return None
    flat = parse_expression("[result for chunk in _ for result in chunk]", module)

    if plan.kind == "direct":
        # `x = ray.get([f.remote(e) for e in xs])` -> the chunk refs get a name of their own, then x flattens them
        comprehension = files.node_for(plan.loop_node, lines, cst.ListComp)
        anchor = files.statement_for(plan.statement, lines)
        if comprehension is None or anchor is None:
            return None
        refs = fresh_name(f"{function}_refs", local_taken)
        submitted = comprehension.with_changes(
            elt=new_call, for_in=comprehension.for_in.with_changes(target=cst.Name(start), iter=new_iter))
        binding = cst.SimpleStatementLine(
            body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(refs))], value=_one_per_line(submitted, indent))])
        rewrite.insert_above(anchor, binding)
        fetched = get_call.with_changes(args=[get_call.args[0].with_changes(value=cst.Name(refs))])
        rewrite.replace(get_call, flat.with_changes(for_in=flat.for_in.with_changes(iter=fetched)))
    else:
        loop_target = files.node_for(plan.target, lines, cst.Name)
        loop_iter = files.node_for(plan.iterable, lines, cst.BaseExpression)
        if loop_target is None or loop_iter is None:
            return None
        rewrite.replace(call, new_call)
        rewrite.replace(loop_target, cst.Name(start))
        rewrite.replace(loop_iter, new_iter)
        if plan.kind == "assign":
            comprehension = files.node_for(plan.loop_node, lines, cst.ListComp)
            if comprehension is None:
                return None
            rewrite.replace(comprehension, lambda updated: _one_per_line(updated, indent))
        rewrite.replace(get_call, lambda updated: flat.with_changes(for_in=flat.for_in.with_changes(iter=updated)))

    return build_fix(context.cst, rewrite.apply(module), UNSAFE, _title(function, batch_name, chunk_name))


def _title(function: str, batch_name: str, chunk_name: str) -> str:
    return (f"Submit `{function}` in chunks of `{chunk_name}` elements, one `{batch_name}` task per chunk "
            f"(a failing element then fails its whole chunk)")


def _one_per_line(comprehension: cst.ListComp, indent: str = "    ") -> cst.ListComp:
    """`[call for start in range(...)]` laid out over three lines, unless the user already split it."""
    if not isinstance(comprehension.lbracket.whitespace_after, cst.SimpleWhitespace):
        return comprehension

    def line_break(extra: str) -> cst.ParenthesizedWhitespace:
        return cst.ParenthesizedWhitespace(indent=True, last_line=cst.SimpleWhitespace(extra))

    return comprehension.with_changes(
        lbracket=cst.LeftSquareBracket(whitespace_after=line_break(indent)),
        for_in=comprehension.for_in.with_changes(whitespace_before=line_break(indent)),
        rbracket=cst.RightSquareBracket(whitespace_before=line_break("")),
    )


def _bind_inputs(files, lines, plan: _Plan, inputs: str, rewrite: Rewrite) -> bool:
    """`inputs = ITER` (or `list(ITER)`) right before the fan-out statement."""
    anchor = files.statement_for(plan.statement, lines)
    iterable = files.node_for(plan.iterable, lines, cst.BaseExpression)
    if anchor is None or iterable is None:
        return False
    value: cst.BaseExpression = iterable
    if plan.materialise:
        value = cst.Call(func=cst.Name("list"), args=[cst.Arg(iterable)])
    elif "\n" in files.code(iterable) or "\r" in files.code(iterable):
        value = iterable.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    rewrite.insert_above(anchor, cst.SimpleStatementLine(
        body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(inputs))], value=value)]))
    return True


def _is_int_constant(statement: cst.CSTNode) -> bool:
    """A user-tuned `F_CHUNK_SIZE = 5_000` is kept and reused."""
    small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
    return isinstance(small, cst.Assign) and isinstance(small.value, cst.Integer)


def _element_name(function: ast.FunctionDef, py_name: str) -> str:
    """The function's own parameter name reads best; `item` when it would clash with the batch's names."""
    positional = list(function.args.posonlyargs) + list(function.args.args)
    name = positional[0].arg if positional else "item"
    return "item" if name in ("chunk", "args", "kwargs", py_name) else name
