"""The decisive checks of docs/fix-safety.md, in one place: a fix is safe only when the analysis sees
everything that could change the outcome. Each fixer asks these questions instead of re-deriving them.

- `ref_count` / `element_ref_count`: is a ref one object, or the list a `num_returns=k` task gives?
- `known_submission`: is the callee of a `.remote(...)` seen to be a Ray remote function or actor?
- `concurrent_actor`: may an actor run its calls concurrently, so submitting them all reorders them?
- `in_handler`: does moved code sit in a `try` (or a `with`, which may swallow errors)?
- `lazy_ancestor`: is an expression evaluated later than its statement (a generator, a lambda)?
- `interleaving_state`: does a coroutine use state shared between calls after a point that becomes an
  `await` (the read-before, write-after race, and any reordering of updates)?
- `driver_effects_before_barrier`: does the driver do anything observable after a removed `ray.get` and
  before it next waits for the work that depended on it?
- `rebound_in_functions` / `attributes_stored`: which module globals can change after their definition?
- `downgrade`: a safe fix turned unsafe, with the reason in its message.
"""

from __future__ import annotations

import ast
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Set

from raylint.semantics.analysis import keyword_value
from raylint.fixers.base import SAFE, UNSAFE
from raylint.ftypes import Fix
from raylint.fixers.file_cache import per_file

ONE, MANY, UNKNOWN = "one", "many", "unknown"
_DEPTH = 8
_GUARDS = (ast.Try, ast.With, ast.AsyncWith) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
# Builtins that consume a generator right away, so nothing can run between its creation and its use.
_EAGER_CONSUMERS = frozenset({"list", "tuple", "set", "frozenset", "sorted", "sum", "min", "max", "dict"})
# Builtins that neither do I/O nor call back into user code (for the values a Ray program passes them).
_PURE_BUILTINS = frozenset({
    "len", "range", "list", "tuple", "dict", "set", "frozenset", "sorted", "reversed", "enumerate", "zip",
    "min", "max", "sum", "abs", "round", "int", "float", "str", "bool", "isinstance", "divmod", "any", "all",
})
# Methods that only add to or read a local container: the driver's own bookkeeping of refs.
_BOOKKEEPING_METHODS = frozenset({"append", "extend", "add", "update", "insert", "setdefault", "get", "items",
                                  "keys", "values", "copy"})
_RAY_WAITS = ("get", "wait")


def downgrade(fix: Optional[Fix], reason: Optional[str]) -> Optional[Fix]:
    """The fix as an unsafe one when `reason` says what the analysis cannot see; unchanged otherwise."""
    if fix is None or reason is None or fix.applicability != SAFE:
        return fix
    return Fix(applicability=UNSAFE, message=f"{fix.message} (unsafe: {reason})", edits=fix.edits)


# -- num_returns ---------------------------------------------------------------------------------------


def submission_returns(names, call: ast.Call, scope) -> str:
    """ONE when `X.remote(...)` gives one ref, MANY when it gives a list (`num_returns` other than one, or
    a streaming generator), UNKNOWN when the callee is not seen (imported, inherited, `**options`)."""
    target = names.submission_target(call.func.value, scope) if isinstance(call.func, ast.Attribute) else None
    if target is None:
        return UNKNOWN
    remote, method, options = target
    if options is not None:
        if any(keyword.arg is None for keyword in options.keywords):
            return UNKNOWN
        stated = keyword_value(options, "num_returns")
        if stated is not None:
            return _count(stated)
    if remote is None:
        return UNKNOWN
    if method is None:
        if remote.is_actor:
            return ONE  # `Actor.remote()` gives one handle
        if remote.summary is None and remote.node is None:
            return UNKNOWN
        if remote.has_starstar:
            return UNKNOWN
        if "num_returns" not in remote.option_keys:
            return ONE
        return _count(remote.options.get("num_returns")) if remote.summary is None else MANY
    if remote.node is None:
        return UNKNOWN
    for item in remote.node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == method:
            for decorator in item.decorator_list:
                if isinstance(decorator, ast.Call):
                    if any(keyword.arg is None for keyword in decorator.keywords):
                        return UNKNOWN
                    stated = keyword_value(decorator, "num_returns")
                    if stated is not None:
                        return _count(stated)
            return ONE
    return UNKNOWN  # inherited or generated: not seen


def known_submission(names, call: ast.Call, scope) -> bool:
    """`X.remote(...)` where raylint sees that X is a Ray remote function or actor (defined in this module
    or known to the project index), not just a name imported from an unindexed module whose `.remote` may
    be anything: such a callee receives refs as refs."""
    target = names.submission_target(call.func.value, scope) if isinstance(call.func, ast.Attribute) else None
    if target is None or target[0] is None:
        return False
    remote = target[0]
    return remote.node is not None or remote.summary is not None


def concurrent_actor(names, call: ast.Call, scope) -> Optional[str]:
    """Why the calls of this actor method may run concurrently, or None when they run one at a time in
    submission order (a synchronous actor with the default `max_concurrency=1`, created where it is seen).
    Submitting all calls before waiting is then the same as waiting for each in turn."""
    target = names.submission_target(call.func.value, scope) if isinstance(call.func, ast.Attribute) else None
    if target is None or target[1] is None:
        return None  # not an actor method call
    remote = target[0]
    if remote is None or remote.node is None or remote.has_starstar:
        return "raylint cannot see the actor's class, whose calls may run concurrently"
    if any(isinstance(item, ast.AsyncFunctionDef) for item in remote.node.body):
        return "the actor is async, so its calls may interleave"
    if _concurrency_option(remote.options):
        return "the actor runs several calls at once (`max_concurrency`)"
    handle = call.func.value.value if isinstance(call.func.value, ast.Attribute) else None
    creation = _creation(handle, scope)
    if creation is None:
        return "raylint cannot see how the actor was created (`max_concurrency` runs calls at once)"
    options = creation.func.value if isinstance(creation.func, ast.Attribute) else None
    if isinstance(options, ast.Call):
        if any(k.arg is None for k in options.keywords) or _concurrency_option({k.arg: k.value for k in options.keywords}):
            return "the actor runs several calls at once (`max_concurrency`)"
    return None


def _concurrency_option(options: Dict[str, ast.AST]) -> bool:
    value = options.get("max_concurrency")
    several = value is not None and not (isinstance(value, ast.Constant) and value.value == 1)
    return several or "concurrency_groups" in options


def _creation(handle: Optional[ast.AST], scope) -> Optional[ast.Call]:
    """The `Actor.remote()` or `Actor.options(...).remote()` call a handle name was bound to once."""
    if not isinstance(handle, ast.Name):
        return None
    bindings = scope.lookup(handle.id) or []
    if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].path:
        return None
    value = bindings[0].value
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "remote":
        return value
    return None


def _count(value: Optional[ast.AST]) -> str:
    if value is None:
        return ONE
    if isinstance(value, ast.Constant) and value.value == 1 and not isinstance(value.value, bool):
        return ONE
    if isinstance(value, ast.Constant):
        return MANY
    return UNKNOWN


def ref_count(names, walk, expr: ast.AST, scope, loops: Sequence = (), depth: int = 0) -> str:
    """Whether `expr`, something passed to `ray.get`, is one object ref (ONE), a list of refs from a
    multi-return task (MANY), or not traced (UNKNOWN). Follows names bound once, loop targets and
    subscripts back to the submissions."""
    if depth > _DEPTH:
        return UNKNOWN
    if isinstance(expr, ast.Call):
        if isinstance(expr.func, ast.Attribute) and expr.func.attr == "remote":
            return submission_returns(names, expr, scope)
        if names.is_ray(expr.func, scope, "put"):
            return ONE
        return UNKNOWN
    if isinstance(expr, ast.Subscript) and not isinstance(expr.slice, ast.Slice):
        return element_ref_count(names, walk, expr.value, scope, loops, depth + 1)
    if isinstance(expr, ast.Name):
        for loop in reversed(tuple(loops)):
            if loop.target is not None and _is_target(loop.target, expr.id):
                if not isinstance(loop.target, ast.Name):
                    return UNKNOWN
                return element_ref_count(names, walk, loop.iter, scope, (), depth + 1)
        bindings = scope.lookup(expr.id) or []
        if not bindings:
            return UNKNOWN
        counts = []
        for binding in bindings:
            if binding.path or binding.value is None:
                return UNKNOWN
            if binding.kind == "assign":
                counts.append(ref_count(names, walk, binding.value, binding.scope, (), depth + 1))
            elif binding.kind == "for" and isinstance(binding.node, ast.Name):
                counts.append(element_ref_count(names, walk, binding.value, binding.scope, (), depth + 1))
            else:
                return UNKNOWN
        return _combine(counts)
    return UNKNOWN


def element_ref_count(names, walk, expr: ast.AST, scope, loops: Sequence = (), depth: int = 0) -> str:
    """Like `ref_count`, for each element of the container `expr` (a list of refs)."""
    if depth > _DEPTH:
        return UNKNOWN
    if isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        inner = walk.scopes.get(id(expr), scope)
        return ref_count(names, walk, expr.elt, inner, (), depth + 1)
    if isinstance(expr, (ast.List, ast.Tuple)):
        if any(isinstance(element, ast.Starred) for element in expr.elts):
            return UNKNOWN
        return _combine([ref_count(names, walk, e, scope, loops, depth + 1) for e in expr.elts])
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and len(expr.args) == 1 \
            and expr.func.id in ("list", "tuple", "sorted", "reversed") and not scope.lookup(expr.func.id):
        return element_ref_count(names, walk, expr.args[0], scope, loops, depth + 1)
    if isinstance(expr, ast.Name):
        bindings = scope.lookup(expr.id) or []
        if not bindings:
            return UNKNOWN
        counts = []
        for binding in bindings:
            if binding.kind == "augassign" and binding.value is not None:
                counts.append(element_ref_count(names, walk, binding.value, binding.scope, (), depth + 1))
                continue
            if binding.kind != "assign" or binding.path or binding.value is None:
                return UNKNOWN
            counts.append(element_ref_count(names, walk, binding.value, binding.scope, (), depth + 1))
            added = binding.scope.appends.get(expr.id, [])
            counts.extend(ref_count(names, walk, value, binding.scope, (), depth + 1) for value in added)
        return _combine(counts)
    return UNKNOWN


def _combine(counts: Iterable[str]) -> str:
    found = set(counts)
    if MANY in found:
        return MANY
    if UNKNOWN in found:
        return UNKNOWN
    return ONE  # every element is one ref (or an empty container: nothing to say)


def _is_target(target: ast.AST, name: str) -> bool:
    return any(isinstance(node, ast.Name) and node.id == name for node in ast.walk(target))


# -- where the moved code runs -------------------------------------------------------------------------


def ancestors(parents: Dict[int, ast.AST], node: ast.AST, stop: Optional[ast.AST] = None):
    """The nodes holding `node`, innermost first, up to (not including) `stop`."""
    current = parents.get(id(node))
    while current is not None and current is not stop:
        yield current
        current = parents.get(id(current))


def in_handler(parents: Dict[int, ast.AST], node: ast.AST, stop: Optional[ast.AST] = None) -> bool:
    """`node` runs inside a `try` or `with` (below `stop`): an error moved elsewhere by the fix would
    escape the handler that caught it, or be caught by one that did not."""
    return any(isinstance(ancestor, _GUARDS) for ancestor in ancestors(parents, node, stop))


def lazy_ancestor(parents: Dict[int, ast.AST], node: ast.AST, scope, stop: Optional[ast.AST] = None) -> bool:
    """`node` is evaluated later than the statement that holds it: in a lambda, or in a generator
    expression that is not consumed at once by a builtin such as `list(...)`."""
    for ancestor in ancestors(parents, node, stop):
        if isinstance(ancestor, ast.stmt):
            return False
        if isinstance(ancestor, ast.Lambda):
            return True
        if isinstance(ancestor, ast.GeneratorExp):
            consumer = parents.get(id(ancestor))
            eager = (
                isinstance(consumer, ast.Call)
                and isinstance(consumer.func, ast.Name)
                and consumer.func.id in _EAGER_CONSUMERS
                and not scope.lookup(consumer.func.id)
                and ancestor in consumer.args
            )
            if not eager:
                return True
    return False


# -- state shared across an await ----------------------------------------------------------------------


def interleaving_state(function: ast.AST, point: ast.AST, loops: Sequence = (),
                       class_node: Optional[ast.ClassDef] = None, module_state: Iterable[str] = ()) -> Optional[str]:
    """Why turning `point` (a blocking wait in a coroutine) into an `await` lets other calls change what
    this one computes, or None. While the wait blocks the event loop, the actor's other calls cannot run;
    at an `await` they can, so state shared between calls (`self.x`, a `global` or `nonlocal` name) that
    this coroutine writes after the await ends up in another order or loses updates (`cur = self.total`
    ... `self.total = cur + v`), and state it reads after the await may have been changed by another
    call in between. Inside a loop of the coroutine, everything in it comes after some await."""
    in_loop = any(loop.kind in ("for", "while") for loop in loops)
    end = (point.end_lineno, point.end_col_offset)
    touched = _shared_uses(function, module_state)
    after = [(name, write) for where, name, write in touched if in_loop or where > end]
    written = [name for name, write in after if write]
    if written:
        return f"`{written[0]}` is written after the await, while other calls can interleave"
    if after and (_writers(class_node, function) or any(write for _, _, write in touched)):
        return f"`{after[0][0]}` is read after the await, when another call may have changed it"
    return None


def _shared_uses(function: ast.AST, module_state: Iterable[str] = ()) -> List[tuple]:
    """(position, `self.x` or global name, is a write) for each use of shared state in the coroutine:
    the instance's attributes, names declared `global`/`nonlocal`, and `module_state`, the module's
    variables (a list that coroutines append to needs no `global`)."""
    declared: Set[str] = set(module_state)
    local: Set[str] = {a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)}
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            local.add(node.id)
    declared -= local  # a local of the same name shadows the module's
    for node in ast.walk(function):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
    owner = _self_name(function)
    parents = {id(child): parent for parent in ast.walk(function) for child in ast.iter_child_nodes(parent)}
    found = []
    for node in _own_nodes(function):
        shared = _shared_root(node, owner, declared)
        if shared is not None:
            found.append(((node.lineno, node.col_offset), shared, _is_write(node, parents)))
    return found


def module_variables(scope) -> Set[str]:
    """Names the module binds by assignment: state its coroutines may share (imports, defs and classes
    are not state)."""
    bindings = scope.module().bindings
    return {name for name, found in bindings.items() if any(b.kind in ("assign", "augassign") for b in found)}


def _writers(class_node: Optional[ast.ClassDef], function: ast.AST) -> bool:
    """Another method of the class (not `__init__`) changes the instance's state."""
    if class_node is None:
        return False
    for item in class_node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item is not function \
                and item.name != "__init__" and any(write for _, _, write in _shared_uses(item)):
            return True
    return False


def _self_name(function: ast.AST) -> Optional[str]:
    arguments = function.args.posonlyargs + function.args.args
    if not arguments or any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list):
        return None
    return arguments[0].arg


def _own_nodes(function: ast.AST):
    """The nodes of the coroutine's own body, not of functions nested in it."""
    stack = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, _FUNCTIONS):
                stack.append(child)


def _shared_root(node: ast.AST, owner: Optional[str], declared: Set[str]) -> Optional[str]:
    """`self.x` (the outermost attribute on the instance) or a name declared global/nonlocal."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == owner:
        return f"{owner}.{node.attr}"
    if isinstance(node, ast.Name) and node.id in declared:
        return node.id
    return None


def _is_write(node: ast.AST, parents: Dict[int, ast.AST]) -> bool:
    """A store, or a use of the state as the object of a store or a call (`self.items.append(v)`, and
    `self.update(v)`, whose body is not looked into)."""
    if not isinstance(node.ctx, ast.Load):
        return True
    current, parent = node, parents.get(id(node))
    while isinstance(parent, (ast.Attribute, ast.Subscript)) and parent.value is current:
        if not isinstance(parent.ctx, ast.Load):
            return True
        current, parent = parent, parents.get(id(parent))
    if isinstance(parent, ast.AugAssign) and parent.target is current:
        return True
    return isinstance(parent, ast.Call) and parent.func is current


# -- a removed ray.get is a barrier --------------------------------------------------------------------


def driver_effects_before_barrier(names, parents: Dict[int, ast.AST], function: ast.AST, statement: ast.stmt,
                                  consumers: Sequence[ast.AST], scope) -> Optional[str]:
    """What the driver does after `statement` (whose `ray.get` the fix removes) that could observe the
    producer's side effects or the order of its error, before it waits again on one of `consumers` (the
    submissions that now receive the ref). None when nothing: only submissions, waits and bookkeeping."""
    consumer_ids = {id(node) for node in consumers}
    results: Set[str] = set()
    for consumer in consumers:
        holder = _statement_of(parents, consumer)
        results |= _bound_by(holder)
    for later in _statements_after(parents, function, statement):
        effect = _effect(names, later, scope, results, consumer_ids)
        if effect == "barrier":
            return None
        if effect is not None:
            return effect
        results |= _bound_by(later) if _mentions_any(later, results) else set()
    return "the caller continues before the producer has finished"


def _statement_of(parents: Dict[int, ast.AST], node: ast.AST) -> Optional[ast.stmt]:
    current: Optional[ast.AST] = node
    while current is not None and not isinstance(current, ast.stmt):
        current = parents.get(id(current))
    return current


def _bound_by(statement: Optional[ast.stmt]) -> Set[str]:
    """Names a statement stores the consumer's result in: targets, and containers it appends to."""
    found: Set[str] = set()
    if statement is None:
        return found
    targets: List[ast.AST] = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
        targets = [statement.target]
    for target in targets:
        found |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    for node in ast.walk(statement):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            if node.func.attr in _BOOKKEEPING_METHODS:
                found.add(node.func.value.id)
    return found


def _statements_after(parents: Dict[int, ast.AST], function: ast.AST, statement: ast.stmt):
    """The statements the driver runs after `statement` in `function`: the rest of each enclosing block,
    and the whole body of each enclosing loop (its next iteration)."""
    child: ast.AST = statement
    for ancestor in ancestors(parents, statement):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(ancestor, field, None)
            if isinstance(block, list) and any(s is child for s in block):
                index = next(i for i, s in enumerate(block) if s is child)
                yield from block[index + 1:]
                if isinstance(ancestor, (ast.For, ast.AsyncFor, ast.While)) and field == "body":
                    yield from block[:index + 1]
        if ancestor is function:
            return
        child = ancestor


def _effect(names, statement: ast.stmt, scope, results: Set[str], consumer_ids: Set[int]) -> Optional[str]:
    """"barrier" when the statement first waits on a consumer's result, a description when it does
    something the driver's order makes visible, None when it is bookkeeping."""
    if isinstance(statement, (ast.Return, ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign)):
        if isinstance(statement, ast.Return) and statement.value is None:
            return "the function returns before the producer has finished"
        for node in ast.walk(statement):
            if not isinstance(node, ast.Call):
                continue
            if _waits_on(names, node, scope, results, consumer_ids):
                return "barrier"
        for node in ast.walk(statement):
            if isinstance(node, ast.Call) and not _bookkeeping(names, node, scope):
                return f"`{ast.unparse(node.func)}(...)` runs before the producer has finished"
        if isinstance(statement, ast.Return):
            return "the function returns before the producer has finished"
        return None
    if isinstance(statement, (ast.Pass, ast.Global, ast.Nonlocal)):
        return None
    return f"a `{type(statement).__name__.lower()}` statement runs before the producer has finished"


def _waits_on(names, call: ast.Call, scope, results: Set[str], consumer_ids: Set[int]) -> bool:
    if not names.is_ray(call.func, scope, *_RAY_WAITS) or not call.args:
        return False
    argument = call.args[0]
    return any(id(node) in consumer_ids or (isinstance(node, ast.Name) and node.id in results)
               for node in ast.walk(argument))


def _bookkeeping(names, call: ast.Call, scope) -> bool:
    """Submissions, Ray's own calls, pure builtins and a local container's own methods."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "remote":
        return True
    if names.is_ray(func, scope, "get", "wait", "put"):
        return True
    if isinstance(func, ast.Name):
        return func.id in _PURE_BUILTINS and not scope.lookup(func.id)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.attr in _BOOKKEEPING_METHODS:
        bindings = scope.lookup(func.value.id) or []
        return bool(bindings) and all(b.kind in ("assign", "augassign") and b.scope is scope for b in bindings)
    # `f.options(...)` before `.remote`: part of the submission
    return isinstance(func, ast.Attribute) and func.attr == "options"


def _mentions_any(statement: ast.stmt, wanted: Set[str]) -> bool:
    return any(isinstance(node, ast.Name) and node.id in wanted for node in ast.walk(statement))


# -- globals -------------------------------------------------------------------------------------------


@per_file
def rebound_in_functions(tree: ast.Module) -> FrozenSet[str]:
    """Module globals that some function rebinds through a `global` declaration."""
    found: Set[str] = set()
    if not any(isinstance(node, ast.Global) for node in ast.walk(tree)):
        return frozenset()  # the usual module: one walk instead of one per function
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        declared: Set[str] = set()
        for inner in ast.walk(node):
            if isinstance(inner, ast.Global):
                declared.update(inner.names)
        if not declared:
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and inner.id in declared and not isinstance(inner.ctx, ast.Load):
                found.add(inner.id)
            elif isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and inner.name in declared:
                found.add(inner.name)
    return frozenset(found)


@per_file
def attributes_stored(tree: ast.Module) -> FrozenSet[str]:
    """Names whose attributes or items are assigned anywhere (`Config.factor = 2`, `TABLE[k] = v`)."""
    found: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Attribute, ast.Subscript)) and not isinstance(node.ctx, ast.Load):
            root = node.value
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            if isinstance(root, ast.Name):
                found.add(root.id)
    return frozenset(found)
