"""RAY001's rewrites: take every ref first (submitting every task), then call `ray.get` once on the list.

Forms fixed, each only when the `ray.get` has exactly one positional argument and nothing else:
- a list or set comprehension, or a generator expression fully consumed by a builtin such as `sum`,
  whose element is the `ray.get(...)` call: the `ray.get` moves outside, around a list comprehension of
  its argument (`ray.get(list(refs))` when the element just fetches the loop target);
- a `for` statement whose whole body is `out.append(ray.get(a))`, `ray.get(a)` or `d[k] = ray.get(a)`:
  one `out.extend(ray.get([...]))`, one `ray.get([...])`, or a dict of refs and one `d.update(...)`.
"""

from __future__ import annotations

import ast
import bisect
from typing import Dict, Iterator, List, Optional, Sequence, Set, Tuple


from raylint.fixers.lazy_cst import cst, libcst_class
from raylint.fixers.base import BUILD, SAFE, UNSAFE, build_fix, replace_node
from raylint.fixers.plan_checks import code_of, source_segment, starts_line, too_deep_for_cst
from raylint.fixers.rewrite import fresh_name, parent_map, taken_names
from raylint.fixers.safety import MANY, UNKNOWN, concurrent_actor, downgrade, ref_count
from raylint.ftypes import Fix
from raylint.semantics.loops import names_read, target_names
from raylint.fixers.file_cache import per_file

# Builtins that consume a generator completely and at once: handing them a list instead changes nothing.
_CONSUMERS = frozenset({"sum", "max", "min", "sorted", "list", "tuple", "set", "frozenset", "dict"})
# Builtins that may stop early: with one `ray.get` every task runs, so the rewrite is unsafe.
_SHORT_CIRCUITS = frozenset({"any", "all"})
# Names that behave differently inside a comprehension, which is a function scope of its own.
_SCOPE_SENSITIVE = frozenset({"super", "locals", "vars", "dir", "eval", "exec", "globals"})
# Builtins that can read any local variable by name, so a loop variable may be read through them.
_READS_LOCALS = _SCOPE_SENSITIVE - {"super"}
_MOVABLE_FORBIDDEN = (ast.NamedExpr, ast.Yield, ast.YieldFrom, ast.Await, ast.Lambda)
_LIST_TYPES = frozenset({"builtins.list", "collections.deque"})
_DICT_TYPES = frozenset({"builtins.dict", "collections.defaultdict", "collections.OrderedDict"})

_CHANGES = "every task is submitted even if an early one fails, and all results are held at once"
_UNSEEN_RETURNS = "raylint cannot see that each ref is one object; a `num_returns` task gives a list of refs"
_REF_CHANGES = "it waits for every ref even if an early one failed, and holds all results at once"


def batch_gets(context, site) -> Optional[Fix]:
    """The fix for one RAY001 finding at `site` (a `ray.get` call), or None when no form matches."""
    loop = _fixable_loop(site)
    cautions = _cautions(context, site) if loop is not None else None
    if cautions is None:
        return None
    if loop.kind == "comprehension":
        fix = _fix_comprehension(context, site, loop)
    elif loop.kind == "for" and isinstance(loop.node, ast.For):
        fix = _fix_for_statement(context, site, loop)
    else:
        return None
    return _downgraded(fix, cautions)


def _cautions(context, site) -> Optional[List[str]]:
    """What makes the fix unsafe (docs/fix-safety.md), or None when there must be no fix at all: one
    `ray.get` on a list of refs returns one value per ref, so each element must be one ref, not the list
    of refs a `num_returns=k` task gives; and an actor running calls concurrently may run them in another
    order once all are submitted before the first wait."""
    get = site.node
    count = ref_count(context.names, context.walk, get.args[0], site.scope, site.loops)
    if count == MANY:
        return None
    cautions = [_UNSEEN_RETURNS] if count == UNKNOWN else []
    for node in ast.walk(get.args[0]):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "remote":
            reason = concurrent_actor(context.names, node, site.scope)
            if reason is not None:
                cautions.append(reason)
    return cautions


def _downgraded(fix: Optional[Fix], cautions: List[str]) -> Optional[Fix]:
    for reason in cautions:
        fix = downgrade(fix, reason)
    return fix


def plan_batch_gets(context, site):
    """What `batch_gets` gives, without its edits, decided on the `ast` alone (`raylint check` needs no
    more) by the same decisions the builder takes; BUILD only where libcst must tell: code nested too
    deeply for it, a callee or container quoted in the title that has parentheses of its own or spans
    lines, and comments in a comprehension whose statement may not be where libcst can move them above
    it (after a `;`, in a one-line block)."""
    loop = _fixable_loop(site)
    cautions = _cautions(context, site) if loop is not None else None
    if cautions is None:
        return None
    if loop.kind == "comprehension":
        planned = _plan_comprehension(context, site, loop)
    elif loop.kind == "for" and isinstance(loop.node, ast.For):
        planned = _plan_for_statement(context, site, loop)
    else:
        return None
    return planned if planned is None or planned is BUILD else _downgraded(planned, cautions)


def _plan_comprehension(context, site, loop):
    """`_fix_comprehension` without libcst: the nodes it looks up are the ones `ast` has (libcst's
    positions leave out parentheses as `ast`'s do), and it always changes the code."""
    decided = _comprehension_decision(context, site, loop)
    if decided is None:
        return None
    reasons, _, statement, _ = decided
    if too_deep_for_cst(context):
        return BUILD
    if "#" in source_segment(context, loop.node) and not (statement is not None and starts_line(context, statement)):
        return BUILD  # a comment the rewrite drops is moved above the statement, if libcst finds it
    get = site.node
    spelling = code_of(context, get.func, get)
    if spelling is None:
        return BUILD
    title = _title(spelling, _is_remote_call(get.args[0]))
    return Fix(UNSAFE if reasons else SAFE, _with_reasons(title, reasons), ())


def _plan_for_statement(context, site, loop):
    """`_fix_for_statement` without libcst: a loop the decision accepts has one statement line as its
    body, holding the very `ray.get` call `ast` sees, so the rewrite always applies."""
    decided = _for_statement_decision(context, site, loop)
    if decided is None:
        return None
    form, container, _, reasons = decided
    if too_deep_for_cst(context) or not starts_line(context, loop.node):
        return BUILD
    get, statement = site.node, loop.node.body[0]
    spelling = code_of(context, get.func, get)
    quoted = None  # the container, as the title quotes it
    if form == "append":
        quoted = code_of(context, container, statement.value.func)
    elif form == "keyed":
        quoted = code_of(context, container, statement.targets[0])
    if spelling is None or (form != "bare" and quoted is None):
        return BUILD
    title = _title(spelling, _is_remote_call(get.args[0]), extends=quoted if form == "append" else None,
                   fills=quoted if form == "keyed" else None)
    return Fix(UNSAFE if reasons else SAFE, _with_reasons(title, reasons), ())


def _fixable_loop(site):
    """The innermost loop of a `ray.get` with exactly one plain argument outside a coroutine, else None."""
    get = site.node
    if len(get.args) != 1 or get.keywords or isinstance(get.args[0], ast.Starred):
        return None
    if isinstance(site.function, ast.AsyncFunctionDef) or not site.loops:
        return None
    if _has_forbidden(get.args[0]):
        return None
    return site.loops[-1]


# -- comprehensions ----------------------------------------------------------------------------------


def _fix_comprehension(context, site, loop) -> Optional[Fix]:
    """`[get(a) for ...]` -> `get([a for ...])`; `{get(a) for ...}` -> `set(get([a for ...]))`;
    `sum(get(a) for ...)` -> `sum(get([a for ...]))`; `[get(r) for r in refs]` -> `get(list(refs))`."""
    decided = _comprehension_decision(context, site, loop)
    if decided is None:
        return None
    reasons, identity, statement, parents = decided
    comp, get = loop.node, site.node

    # a libcst view of just the top-level statement: each fix costs its statement, not the file
    files, lines = context.cst_for(get), context.lines
    get_node = files.node_for(get, lines, cst.Call)
    if get_node is None:
        return None
    if isinstance(comp, ast.GeneratorExp):
        call = files.node_for(parents[id(comp)], lines, cst.Call)
        comp_node = call.args[0].value if call is not None and call.args else None
        if not isinstance(comp_node, cst.GeneratorExp):
            return None
    else:
        comp_node = files.node_for(comp, lines, (cst.ListComp, cst.SetComp))
    if comp_node is None or comp_node.elt is not get_node:
        return None

    argument = get_node.args[0]
    if identity:
        inner: cst.BaseExpression = _call("list", comp_node.for_in.iter)
    else:
        inner = cst.ListComp(elt=argument.value, for_in=comp_node.for_in, **_brackets(comp_node))
        if _spans_lines(comp_node):
            # the comprehension's own line breaks lay it out; the get's would only add a stray level
            get_node, argument = _on_one_line(get_node)
    new_get = get_node.with_changes(args=[argument.with_changes(value=inner)])
    if isinstance(comp_node, cst.SetComp):
        new: cst.BaseExpression = cst.Call(func=cst.Name("set"), args=[cst.Arg(new_get)],
                                           lpar=comp_node.lpar, rpar=comp_node.rpar)
    elif isinstance(comp_node, cst.ListComp):
        new = new_get.with_changes(lpar=[*comp_node.lpar, *get_node.lpar], rpar=[*get_node.rpar, *comp_node.rpar])
    else:
        new = new_get

    module = _replace_keeping_comments(files, lines, statement, comp_node, new)
    if module is None:
        return None
    title = _title(files.code(get_node.func), _is_remote_call(get.args[0]))
    return build_fix(files, module, UNSAFE if reasons else SAFE, _with_reasons(title, reasons))


def _comprehension_decision(context, site, loop):
    """(unsafe reasons, whether the element just fetches the loop target, the innermost statement, the
    parents map) for a comprehension the rewrite applies to, else None: the `ast`-level half of the fix,
    shared by the plan and the build so that they cannot drift."""
    comp, get = loop.node, site.node
    if not isinstance(comp, (ast.ListComp, ast.SetComp, ast.GeneratorExp)) or comp.elt is not get:
        return None
    if any(clause.is_async for clause in comp.generators):
        return None
    statement, parents = _enclosing_statement(context.tree, comp)
    reasons = []
    if isinstance(comp, ast.GeneratorExp):
        consumer = _consumer(parents.get(id(comp)), comp, site.scope)
        if consumer is None:
            return None
        if consumer in _SHORT_CIRCUITS:
            reasons.append(f"`{consumer}()` could stop at an early result, but now every task runs")
    if isinstance(comp, ast.SetComp) and not _is_builtin("set", site.scope):
        return None
    clause = comp.generators[0]
    identity = (
        len(comp.generators) == 1
        and not clause.ifs
        and _fetches_target(get.args[0], clause.target)
        and _is_builtin("list", site.scope)
    )
    return reasons, identity, statement, parents


def _consumer(parent: Optional[ast.AST], comp: ast.GeneratorExp, scope) -> Optional[str]:
    """The builtin that consumes the generator when it is a call's first argument, e.g. `sum`;
    `join` for `"sep".join(...)`."""
    if not isinstance(parent, ast.Call) or not parent.args or parent.args[0] is not comp:
        return None
    func = parent.func
    if isinstance(func, ast.Name) and func.id in _CONSUMERS | _SHORT_CIRCUITS and _is_builtin(func.id, scope):
        return func.id
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "join"
        and isinstance(func.value, ast.Constant)
        and isinstance(func.value.value, str)
    ):
        return "join"
    return None


def _brackets(comp: cst.BaseComp) -> Dict[str, cst.CSTNode]:
    """Square brackets keeping the whitespace (and comments) just inside the old brackets or braces."""
    if isinstance(comp, cst.ListComp):
        return {"lbracket": comp.lbracket, "rbracket": comp.rbracket}
    if isinstance(comp, cst.SetComp):
        return {
            "lbracket": cst.LeftSquareBracket(whitespace_after=comp.lbrace.whitespace_after),
            "rbracket": cst.RightSquareBracket(whitespace_before=comp.rbrace.whitespace_before),
        }
    return {}


# -- for statements ----------------------------------------------------------------------------------


def _fix_for_statement(context, site, loop) -> Optional[Fix]:
    """A `for` whose body is only `out.append(get(a))`, `get(a)` or `d[k] = get(a)`."""
    decided = _for_statement_decision(context, site, loop)
    if decided is None:
        return None
    form, container, _, reasons = decided
    rewritten = _rewrite_for(context, site, loop.node, form, container)
    if rewritten is None:
        return None
    module, title = rewritten
    return build_fix(context.cst_for(loop.node), module, UNSAFE if reasons else SAFE, _with_reasons(title, reasons))


def _for_statement_decision(context, site, loop):
    """(form, container, key, unsafe reasons) for a loop the rewrite applies to, else None: the `ast`-level
    half of the fix, shared by the plan and the build."""
    node, get = loop.node, site.node
    if len(node.body) != 1 or site.scope.kind == "class" or not _names_only(node.target):
        return None
    match = _body_form(node.body[0], get)
    if match is None:
        return None
    form, container, key = match
    reasons = _unsafe_reasons(context, site, node, form, container, key)
    if reasons is None:
        return None
    return form, container, key, reasons


def _unsafe_reasons(context, site, node: ast.For, form: str, container, key) -> Optional[List[str]]:
    """Why the rewrite of this loop is unsafe (empty: safe), or None when it would be wrong."""
    get = site.node
    loop_names = target_names(node.target)
    moved = [get.args[0]] + ([key] if key is not None else [])
    if any(_has_forbidden(expr) or names_read(expr) & _SCOPE_SENSITIVE for expr in moved):
        return None
    if container is not None:
        if names_read(container) & loop_names:
            return None
        if any(_mentions(expr, container) for expr in moved + [node.iter]):
            return None
    if form == "keyed" and not (_is_builtin("list", site.scope) and _is_builtin("zip", site.scope)):
        return None
    reasons = []
    if form != "bare":
        wanted = "list" if form == "append" else "dict"
        kind = _container_kind(container, site, context.names)
        if kind not in (wanted, None):
            return None
        if kind is None:
            reasons.append(f"`{ast.unparse(container)}` may not be a {wanted}")
    if form == "keyed" and not _plain_key(key):
        reasons.append(f"the key `{ast.unparse(key)}` is now computed before its task is submitted")
    if node.orelse:
        reasons.append("the loop's `else` block is moved after the rewritten code")
    read = _read_outside_loop(context, site, node, loop_names)
    if read:
        reasons.append(read)
    return reasons


def _rewrite_for(context, site, node: ast.For, form: str, container) -> Optional[Tuple[cst.Module, str]]:
    """The module with the loop replaced by its batched form, and the fix title."""
    files, lines, get = context.cst_for(node), context.lines, site.node
    for_node = files.statement_for(node, lines)
    get_node = files.node_for(get, lines, cst.Call)
    if not isinstance(for_node, cst.For) or for_node.asynchronous is not None or get_node is None:
        return None
    body = for_node.body
    if isinstance(body, cst.IndentedBlock):
        if len(body.body) != 1 or not isinstance(body.body[0], cst.SimpleStatementLine):
            return None
        smalls, trailing = body.body[0].body, body.body[0].trailing_whitespace
    else:
        smalls, trailing = body.body, body.trailing_whitespace
    if len(smalls) != 1:
        return None
    small = smalls[0]

    argument = get_node.args[0]
    for_in = cst.CompFor(
        target=for_node.target,
        iter=_as_comprehension_iterable(for_node.iter),
        whitespace_after_for=for_node.whitespace_after_for,
        whitespace_before_in=for_node.whitespace_before_in,
        whitespace_after_in=for_node.whitespace_after_in,
    )
    if form != "keyed" and _fetches_target(get.args[0], node.target) and _is_builtin("list", site.scope):
        gathered: cst.BaseExpression = _call("list", for_in.iter)
    else:
        gathered = cst.ListComp(elt=argument.value, for_in=for_in)
    batch = get_node.with_changes(args=[argument.with_changes(value=gathered)])
    spelling, submits = files.code(get_node.func), _is_remote_call(get.args[0])

    if form == "append":
        call = small.value if isinstance(small, cst.Expr) else None
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            return None
        if call.args[0].value is not get_node:
            return None
        extend = call.with_changes(
            func=call.func.with_changes(attr=call.func.attr.with_changes(value="extend")),
            args=[call.args[0].with_changes(value=batch)],
        )
        statements = [cst.SimpleStatementLine(body=[small.with_changes(value=extend)], trailing_whitespace=trailing)]
        title = _title(spelling, submits, extends=files.code(call.func.value))
    elif form == "bare":
        if not isinstance(small, cst.Expr) or small.value is not get_node:
            return None
        statements = [cst.SimpleStatementLine(body=[small.with_changes(value=batch)], trailing_whitespace=trailing)]
        title = _title(spelling, submits)
    else:
        if not isinstance(small, cst.Assign) or small.value is not get_node:
            return None
        subscript = small.targets[0].target
        key_node = _subscript_key(subscript) if isinstance(subscript, cst.Subscript) else None
        if key_node is None:
            return None
        refs_name = fresh_name(_base_name(container) + "_refs", taken_names(context.tree))
        submit = cst.DictComp(key=key_node, value=argument.value, for_in=for_in)
        statements = _keyed_statements(refs_name, submit, get_node, subscript.value, trailing)
        title = _title(spelling, submits, fills=files.code(subscript.value))

    statements += _else_statements(for_node)
    lost = _comments(for_node) - _comments(*statements) - _comments(*for_node.leading_lines)
    rescued = [cst.EmptyLine(comment=comment) for comment in _in_order(for_node, lost)]
    statements[0] = statements[0].with_changes(leading_lines=[*for_node.leading_lines, *rescued])
    return files.module.deep_replace(for_node, cst.FlattenSentinel(statements)), title


def _keyed_statements(refs_name: str, submit: cst.DictComp, get: cst.Call, container: cst.BaseExpression,
                      trailing: cst.TrailingWhitespace) -> List[cst.SimpleStatementLine]:
    """`d_refs = {k: f.remote(k) for k in keys}` and `d.update(zip(d_refs, get(list(d_refs.values()))))`."""
    refs = cst.Name(refs_name)
    values = _call("list", cst.Call(func=cst.Attribute(value=refs, attr=cst.Name("values"))))
    fetch = get.with_changes(args=[get.args[0].with_changes(value=values)])
    pairs = cst.Call(func=cst.Name("zip"), args=[
        cst.Arg(refs, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
        cst.Arg(fetch),
    ])
    update = cst.Call(func=cst.Attribute(value=container, attr=cst.Name("update")), args=[cst.Arg(pairs)])
    return [
        cst.SimpleStatementLine(body=[cst.Assign(targets=[cst.AssignTarget(refs)], value=submit)]),
        cst.SimpleStatementLine(body=[cst.Expr(update)], trailing_whitespace=trailing),
    ]


def _body_form(statement: ast.stmt, get: ast.Call) -> Optional[Tuple[str, Optional[ast.AST], Optional[ast.AST]]]:
    """("append", out, None) for `out.append(get)`, ("bare", None, None) for `get`, or ("keyed", d, k)
    for `d[k] = get`, where `out` and `d` are names or attribute chains."""
    if isinstance(statement, ast.Expr):
        value = statement.value
        if value is get:
            return "bare", None, None
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr == "append"
            and len(value.args) == 1
            and value.args[0] is get
            and not value.keywords
            and _is_reference(value.func.value)
        ):
            return "append", value.func.value, None
        return None
    if isinstance(statement, ast.Assign) and statement.value is get and len(statement.targets) == 1:
        target = statement.targets[0]
        if isinstance(target, ast.Subscript) and _is_reference(target.value):
            key = target.slice
            if isinstance(key, ast.Slice) or any(isinstance(n, (ast.Slice, ast.Starred)) for n in ast.walk(key)):
                return None
            return "keyed", target.value, key
    return None


def _subscript_key(subscript: cst.Subscript) -> Optional[cst.BaseExpression]:
    """`d[k]` -> `k`; `d[i, j]` -> `(i, j)`, a dict comprehension key needing the parentheses."""
    elements = subscript.slice
    if not all(isinstance(element.slice, cst.Index) and element.slice.star is None for element in elements):
        return None
    if len(elements) == 1 and elements[0].comma is cst.MaybeSentinel.DEFAULT:
        return elements[0].slice.value
    return cst.Tuple(
        elements=[cst.Element(value=e.slice.value, comma=e.comma) for e in elements],
        lpar=[cst.LeftParen()],
        rpar=[cst.RightParen()],
    )


def _else_statements(for_node: cst.For) -> List[cst.BaseStatement]:
    """The `else` block's statements, to run after the rewrite (the body cannot `break`)."""
    if for_node.orelse is None:
        return []
    body = for_node.orelse.body
    if isinstance(body, cst.IndentedBlock):
        return list(body.body)
    return [cst.SimpleStatementLine(body=body.body, trailing_whitespace=body.trailing_whitespace)]


def _as_comprehension_iterable(iterable: cst.BaseExpression) -> cst.BaseExpression:
    """`for x in a, b:` is fine but `[... for x in a, b]` is not: such iterables get parentheses."""
    if isinstance(iterable, (cst.Tuple, cst.IfExp, cst.Lambda, cst.NamedExpr, cst.Yield)) and not iterable.lpar:
        return iterable.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return iterable


# -- what may be rewritten ---------------------------------------------------------------------------


def _has_forbidden(expr: ast.AST) -> bool:
    """Walrus, yield, await or lambda: moving such code into a comprehension can change what it does."""
    return any(isinstance(node, _MOVABLE_FORBIDDEN) for node in ast.walk(expr))


def _fetches_target(argument: ast.AST, target: ast.AST) -> bool:
    """`get(r)` where `r` is the whole loop target: the comprehension only copies the iterable."""
    return isinstance(argument, ast.Name) and isinstance(target, ast.Name) and argument.id == target.id


def _names_only(target: ast.AST) -> bool:
    """A loop target made of plain names: assigning to `obj.x` or `d[k]` would be a side effect."""
    if isinstance(target, ast.Name):
        return True
    if isinstance(target, ast.Starred):
        return _names_only(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        return all(_names_only(element) for element in target.elts)
    return False


def _is_reference(expr: ast.AST) -> bool:
    """`out` or `self.results`: evaluating it has no side effect worth keeping per iteration."""
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return isinstance(expr, ast.Name)


def _mentions(expr: ast.AST, container: ast.AST) -> bool:
    """`expr` reads the container (`len(out)`, `self.results[-1]`): its value changes every iteration."""
    if isinstance(container, ast.Name):
        return container.id in names_read(expr)
    wanted = ast.dump(container)
    return any(isinstance(node, ast.Attribute) and ast.dump(node) == wanted for node in ast.walk(expr))


def _plain_key(key: ast.AST) -> bool:
    """Names, constants and tuples of them: computing the key before the submission changes nothing."""
    if isinstance(key, (ast.Name, ast.Constant)):
        return True
    if isinstance(key, ast.Tuple):
        return all(_plain_key(element) for element in key.elts)
    return False


def _is_builtin(name: str, scope) -> bool:
    return not scope.lookup(name)


def _container_kind(container: ast.AST, site, names) -> Optional[str]:
    """The container's type as far as its bindings tell: `list` (or a deque), `dict` (or a defaultdict,
    an OrderedDict), `other` for a known different type, or None when any binding is unknown."""
    if isinstance(container, ast.Name):
        bindings = site.scope.lookup(container.id) or []
        values = []
        for binding in bindings:
            if binding.kind == "augassign":
                continue
            if binding.kind != "assign" or binding.path:
                return None
            values.append((binding.value, binding.scope))
    elif (
        isinstance(container, ast.Attribute)
        and isinstance(container.value, ast.Name)
        and container.value.id == "self"
        and site.class_node is not None
    ):
        values = names.walk.self_attrs.get(id(site.class_node), {}).get(container.attr, [])
    else:
        return None
    kinds = {_value_kind(value, scope, names) for value, scope in values}
    if len(kinds) != 1:
        return "other" if "other" in kinds else None
    return kinds.pop()


def _value_kind(value: ast.AST, scope, names) -> Optional[str]:
    if isinstance(value, (ast.List, ast.ListComp)):
        return "list"
    if isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Add, ast.Mult)):
        sides = {_value_kind(value.left, scope, names), _value_kind(value.right, scope, names)}
        return "list" if "list" in sides else None
    if isinstance(value, (ast.Dict, ast.DictComp)):
        return "dict"
    if isinstance(value, (ast.Set, ast.SetComp, ast.Tuple, ast.Constant, ast.JoinedStr, ast.GeneratorExp)):
        return "other"
    if isinstance(value, ast.Call):
        qualname = names.qualname(value.func, scope)
        if qualname in _LIST_TYPES:
            return "list"
        if qualname in _DICT_TYPES:
            return "dict"
        if qualname is not None and qualname.startswith(("builtins.", "collections.")):
            return "other"
    return None


def _read_outside_loop(context, site, loop: ast.For, loop_names: Set[str]) -> Optional[str]:
    """Why code outside the loop may see its variable (a `for` leaves it bound, a comprehension does
    not), or None. Reads inside a later loop that binds the same name again do not count."""
    scope = site.scope
    bound_after = "is read after the loop, which no longer leaves it bound"
    declared = loop_names & scope.globals
    if declared:
        return f"`{min(declared)}` is a global, which the loop no longer sets"
    root = scope.node if scope.kind != "module" else context.tree
    start, end = (loop.lineno, loop.col_offset), (loop.end_lineno, loop.end_col_offset)
    for name, name_scope, rebound in _names_in(root, scope, context.walk.scopes):
        if isinstance(name, (ast.Global, ast.Nonlocal)):
            declared = loop_names & set(name.names)
            if declared:
                return f"`{min(declared)}` {bound_after}"
            continue
        if name.id in _READS_LOCALS and not name_scope.lookup(name.id):
            return f"`{name.id}()` may read the loop variable, which the loop no longer sets"
        if name.id not in loop_names or isinstance(name.ctx, ast.Store) or name.id in rebound:
            continue
        if start <= (name.lineno, name.col_offset) and (name.end_lineno, name.end_col_offset) <= end:
            continue
        bindings = name_scope.lookup(name.id)
        if bindings and bindings[0].scope is scope:
            return f"`{name.id}` {bound_after}"
    return None


def _names_in(root: ast.AST, scope, scopes) -> Iterator[Tuple[ast.AST, object, frozenset]]:
    """Every `Name` (and `global`/`nonlocal` statement) under `root`, with the scope it is evaluated in
    and the names a surrounding later `for` has bound again."""
    body = root.body if isinstance(root, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)) else [root.body]
    stack: List[Tuple[ast.AST, object, frozenset]] = [(statement, scope, frozenset()) for statement in body]
    while stack:
        node, current, rebound = stack.pop()
        if isinstance(node, (ast.Name, ast.Global, ast.Nonlocal)):
            yield node, current, rebound
            continue
        inner = scopes.get(id(node))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and inner is not None:
            outer = list(getattr(node, "decorator_list", [])) + list(node.args.defaults)
            outer += [d for d in node.args.kw_defaults if d is not None]
            stack.extend((child, current, rebound) for child in outer)
            inside = node.body if isinstance(node.body, list) else [node.body]
            stack.extend((child, inner, rebound) for child in inside)
        elif isinstance(node, ast.ClassDef) and inner is not None:
            outer = list(node.decorator_list) + list(node.bases) + [k.value for k in node.keywords]
            stack.extend((child, current, rebound) for child in outer)
            stack.extend((child, inner, rebound) for child in node.body)
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)) and inner is not None:
            first, *_ = node.generators
            stack.append((first.iter, current, rebound))
            rest = [first.target, *first.ifs]
            for clause in node.generators[1:]:
                rest += [clause.target, clause.iter, *clause.ifs]
            rest += [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            stack.extend((child, inner, rebound) for child in rest)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            stack.extend((child, current, rebound) for child in [node.target, node.iter, *node.orelse])
            again = rebound | target_names(node.target)
            stack.extend((child, current, again) for child in node.body)
        else:
            stack.extend((child, current, rebound) for child in ast.iter_child_nodes(node))


# -- libcst helpers ----------------------------------------------------------------------------------


def _call(name: str, argument: cst.BaseExpression) -> cst.Call:
    return cst.Call(func=cst.Name(name), args=[cst.Arg(argument)])


@libcst_class("CSTVisitor")
class _Comments:
    def __init__(self):
        self.found: List[cst.Comment] = []

    def visit_Comment(self, node: cst.Comment) -> None:
        self.found.append(node)


def _comment_list(*nodes: cst.CSTNode) -> List[cst.Comment]:
    visitor = _Comments()
    for node in nodes:
        node.visit(visitor)
    return visitor.found


def _comments(*nodes: cst.CSTNode) -> Set[int]:
    return {id(comment) for comment in _comment_list(*nodes)}


def _in_order(node: cst.CSTNode, wanted: Set[int]) -> List[cst.Comment]:
    return [comment for comment in _comment_list(node) if id(comment) in wanted]


def _replace_keeping_comments(files, lines: Sequence[str], statement: Optional[ast.stmt],
                              old: cst.CSTNode, new: cst.CSTNode) -> Optional[cst.Module]:
    """Replace `old` by `new`; comments that were inside `old` and are not in `new` move to their own
    lines above the enclosing statement."""
    lost = _comments(old) - _comments(new)
    if not lost:
        return replace_node(files.module, old, new)
    holder = files.statement_for(statement, lines) if statement is not None else None
    if holder is None or not hasattr(holder, "leading_lines"):
        return None
    rescued = [cst.EmptyLine(comment=comment) for comment in _in_order(old, lost)]
    updated = holder.deep_replace(old, new).with_changes(leading_lines=[*holder.leading_lines, *rescued])
    return replace_node(files.module, holder, updated)


@per_file
def _statement_starts(tree: ast.Module) -> List[int]:
    """The first line of each top-level statement (cached: every fix in a file asks for the same list)."""
    return [statement.lineno for statement in tree.body]


def _enclosing_statement(tree: ast.Module, node: ast.AST) -> Tuple[Optional[ast.stmt], Dict[int, ast.AST]]:
    """The innermost statement holding `node`, and the parents of the nodes in its top-level statement."""
    index = bisect.bisect_right(_statement_starts(tree), node.lineno) - 1
    top = tree.body[index] if index >= 0 and node.lineno <= tree.body[index].end_lineno else None
    if top is None:
        return None, {}
    parents = parent_map(top)
    current: Optional[ast.AST] = parents.get(id(node))
    while current is not None and not isinstance(current, ast.stmt):
        current = parents.get(id(current))
    return current, parents


def _base_name(container: ast.AST) -> str:
    return container.attr if isinstance(container, ast.Attribute) else container.id


def _spans_lines(comp: cst.BaseComp) -> bool:
    """The comprehension breaks lines around its element or before its `for`."""
    opening = getattr(comp, "lbracket", None) or getattr(comp, "lbrace", None)
    breaks = [comp.for_in.whitespace_before, opening.whitespace_after if opening is not None else None]
    return any(isinstance(ws, cst.ParenthesizedWhitespace) for ws in breaks)


def _on_one_line(get: cst.Call) -> Tuple[cst.Call, cst.Arg]:
    """`get(\n    a\n)` -> `get(a)`; comments there are rescued by the caller."""
    none = cst.SimpleWhitespace("")
    argument = get.args[0].with_changes(whitespace_after_arg=none, comma=cst.MaybeSentinel.DEFAULT)
    return get.with_changes(whitespace_after_func=none, whitespace_before_args=none), argument


def _is_remote_call(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "remote"


def _title(spelling: str, submits: bool, *, extends: Optional[str] = None, fills: Optional[str] = None) -> str:
    """What the fix does and, after the colon, what changes for the program."""
    if fills is not None:
        head = (f"Submit all tasks into a dict of refs, then fill `{fills}` with one `{spelling}`" if submits
                else f"Fill `{fills}` with one `{spelling}` on all refs")
    elif extends is not None:
        head = (f"Submit all tasks, then extend `{extends}` with one `{spelling}` on the list" if submits
                else f"Extend `{extends}` with one `{spelling}` on all refs")
    else:
        head = (f"Submit all tasks, then call `{spelling}` once on the list" if submits
                else f"Call `{spelling}` once on all refs")
    return f"{head}: {_CHANGES if submits else _REF_CHANGES}"


def _with_reasons(title: str, reasons: List[str]) -> str:
    if not reasons:
        return title
    return f"{title} (unsafe: {'; '.join(reasons)})"
