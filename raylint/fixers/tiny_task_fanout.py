"""RAY004's rewrite: one task per chunk of elements instead of one per element, results flattened back
into the original order.

Also home of the helpers the RAY005 fixer shares: a one-pass libcst rewrite keyed by original nodes,
fresh names, and generated definitions that are reused when an identical one is already there.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from raylint.analysis import Scope, node_contains
from raylint.fixers.base import UNSAFE, build_fix, parse_expression, parse_statement
from raylint.ftypes import Edit, Fix, Location
from raylint.loops import names_read

# Elements per batched task. A trivial element costs about a microsecond in the worker and a task about a
# millisecond of Ray overhead, so 10,000 elements give each task ~10 ms of work: overhead stays near 10%,
# and fan-outs big enough to be reported (10,000+ elements) still make a few tasks per CPU on small clusters.
DEFAULT_CHUNK_SIZE = 10_000
_CHUNK_COMMENT = "# Elements per `{batch}` task: a judgement; aim for 10-100 ms of work per task."
_UNSAFE_IN_FLATTEN = (ast.Lambda, ast.IfExp, ast.BoolOp, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
                      ast.Await)
_NOT_PLAIN = (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr, ast.Lambda, ast.ListComp, ast.SetComp,
              ast.DictComp, ast.GeneratorExp)

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")  # the lines edits count, as in fixers.base

Replacement = Union[cst.CSTNode, Callable[[cst.CSTNode], cst.CSTNode]]


class Rewrite(cst.CSTTransformer):
    """Replacements, insertions and removals keyed by nodes of the original tree, applied in one pass
    (a libcst transform rebuilds every node, so edits made in separate passes cannot find their anchors)."""

    def __init__(self):
        super().__init__()
        self._replace: Dict[int, Replacement] = {}
        self._before: Dict[int, List[cst.BaseStatement]] = {}
        self._after: Dict[int, List[cst.BaseStatement]] = {}
        self._remove: Set[int] = set()
        self._pinned: List[cst.CSTNode] = []  # keeps the keyed nodes alive, so their ids stay theirs
        self._relevant: Set[int] = set()

    def replace(self, node: cst.CSTNode, new: Replacement) -> None:
        """`new` is a node, or a function of the updated node (when edits inside `node` must survive)."""
        self._pinned.append(node)
        self._replace[id(node)] = new

    def insert(self, anchor: cst.CSTNode, statements: Sequence[cst.BaseStatement], *, after: bool) -> None:
        self._pinned.append(anchor)
        (self._after if after else self._before).setdefault(id(anchor), []).extend(statements)

    def insert_above(self, anchor: cst.CSTNode, statement: cst.BaseStatement) -> None:
        """Insert right before `anchor`; the first statement inserted there takes over the comments above it."""
        first = id(anchor) not in self._before
        self.insert(anchor, [statement.with_changes(leading_lines=anchor.leading_lines if first else ())], after=False)
        if first:
            self.replace(anchor, lambda updated: updated.with_changes(leading_lines=()))

    def remove(self, statement: cst.CSTNode) -> None:
        self._pinned.append(statement)
        self._remove.add(id(statement))

    def apply(self, module: cst.Module) -> cst.Module:
        keys = set(self._replace) | set(self._before) | set(self._after) | self._remove
        self._relevant = _ancestors_of(module, keys)
        return module.visit(self)

    def on_visit(self, node) -> bool:
        # subtrees without edits are left alone, so untouched statements stay the very same objects
        return id(node) in self._relevant

    def on_leave(self, original_node, updated_node):
        new = self._replace.get(id(original_node))
        if new is not None:
            return new(updated_node) if callable(new) else new
        if isinstance(original_node, (cst.Module, cst.IndentedBlock)):
            return self._splice(original_node, updated_node)
        return updated_node

    def _splice(self, original, updated):
        body: List[cst.BaseStatement] = []
        carried: Sequence[cst.EmptyLine] = ()
        for old, new in zip(original.body, updated.body):
            body.extend(self._before.get(id(old), ()))
            if id(old) in self._remove:
                # a removed statement's blank lines stay, so the code around it keeps its spacing
                carried = [line for line in old.leading_lines if line.comment is None]
            else:
                if carried and hasattr(new, "leading_lines"):
                    missing = len(carried) - _blank_prefix(new.leading_lines)
                    new = new.with_changes(leading_lines=[*blank_lines(missing), *new.leading_lines])
                carried = ()
                body.append(new)
            body.extend(self._after.get(id(old), ()))
        if not body:
            body = [cst.SimpleStatementLine([cst.Pass()])]
        return updated.with_changes(body=body)


def _ancestors_of(module: cst.Module, keys: Set[int]) -> Set[int]:
    """Ids of the keyed nodes and of every node above them."""
    found: Set[int] = set()
    stack: List[cst.CSTNode] = []

    class _Mark(cst.CSTVisitor):
        def on_visit(self, node) -> bool:
            stack.append(node)
            if id(node) in keys:
                found.update(id(n) for n in stack)
            return True

        def on_leave(self, original_node) -> None:
            stack.pop()

    module.visit(_Mark())
    return found


# -- shared helpers -------------------------------------------------------------------------------


def finish(source: str, module: cst.Module, applicability: str, title: str) -> Optional[Fix]:
    """`build_fix`, with every inserted block moved to its earliest equivalent position. A block of definitions
    inserted between blank lines diffs ambiguously; two fixes adding the same helpers must insert at the same
    point, so that they overlap and the second waits for the next pass (and then reuses the helpers)."""
    fix = build_fix(source, module, applicability, title)
    if fix is None:
        return None
    lines = _LINES.findall(source)
    return Fix(fix.applicability, fix.message, tuple(_slid_up(edit, lines) for edit in fix.edits))


def _slid_up(edit: Edit, lines: Sequence[str]) -> Edit:
    content = edit.content
    row = edit.location.row
    if edit.location != edit.end_location or edit.location.column != 1 or not content.endswith(("\n", "\r")):
        return edit
    inserted = _LINES.findall(content)
    while row > 1 and row - 2 < len(lines) and lines[row - 2] == inserted[-1]:
        inserted = [lines[row - 2]] + inserted[:-1]
        row -= 1
    return Edit("".join(inserted), Location(row, 1), Location(row, 1))


def parents(tree: ast.AST) -> Dict[int, ast.AST]:
    """id(node) -> parent node, for the whole tree."""
    found = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            found[id(child)] = node
    return found


def taken_names(tree: ast.AST) -> Set[str]:
    """Every identifier the module binds or reads, so generated names never shadow or collide."""
    names: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
    return names


def fresh_name(base: str, taken: Set[str]) -> str:
    name = base
    counter = 2
    while name in taken:
        name = f"{base}_{counter}"
        counter += 1
    taken.add(name)
    return name


def block_of(module: cst.Module, statement: cst.CSTNode) -> Optional[Sequence[cst.CSTNode]]:
    """The statement list (module body or indented block) holding `statement`."""
    if any(s is statement for s in module.body):
        return module.body
    found: List[Sequence[cst.CSTNode]] = []

    class _Find(cst.CSTVisitor):
        def visit_IndentedBlock(self, node):
            if any(s is statement for s in node.body):
                found.append(node.body)
            return not found

    module.visit(_Find())
    return found[0] if found else None


def blank_lines(count: int) -> List[cst.EmptyLine]:
    return [cst.EmptyLine(indent=False) for _ in range(count)]


def _blank_prefix(lines: Sequence[cst.EmptyLine]) -> int:
    count = 0
    while count < len(lines) and lines[count].comment is None:
        count += 1
    return count


def without_leading_lines(node: cst.CSTNode) -> cst.CSTNode:
    return node.with_changes(leading_lines=()) if hasattr(node, "leading_lines") else node


def defined_name(statement: cst.CSTNode) -> Optional[str]:
    """The name a `def`, a `class` or a one-target assignment statement binds."""
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        return statement.name.value
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
            return small.targets[0].target.value
    return None


def generated(base: str, make: Callable[[str], cst.BaseStatement], block: Sequence[cst.CSTNode],
              taken: Set[str], module: cst.Module,
              reuse: Optional[Callable[[cst.CSTNode], bool]] = None) -> Tuple[str, Optional[cst.BaseStatement]]:
    """A name for a generated definition and the statement to insert, or (name, None) when the block already
    holds that very definition (a previous fix of another call site made it)."""
    existing = {defined_name(s): s for s in block if defined_name(s) is not None}
    candidate = base
    counter = 2
    while True:
        statement = make(candidate)
        if candidate in existing:
            present = existing[candidate]
            same = _comparable(present, module) == _comparable(statement, module)
            if same or (reuse is not None and reuse(present)):
                taken.add(candidate)
                return candidate, None
        if candidate not in taken:
            taken.add(candidate)
            return candidate, statement
        candidate = f"{base}_{counter}"
        counter += 1


def _comparable(statement: cst.CSTNode, module: cst.Module) -> str:
    """Code to tell a generated definition from another: decorators aside, since another rule's fix
    (RAY003's `num_cpus=1`) may have changed them since."""
    if isinstance(statement, cst.FunctionDef):
        statement = statement.with_changes(decorators=(), lines_after_decorators=())
    return module.code_for_node(without_leading_lines(statement))


def plain_copy(definition: cst.FunctionDef, name: str, blank: int) -> cst.FunctionDef:
    """The function without its decorators, under a new name."""
    return definition.with_changes(
        name=cst.Name(name), decorators=(), lines_after_decorators=(), leading_lines=blank_lines(blank))


def is_plain(expr: ast.AST) -> bool:
    """No calls, awaits, walruses, lambdas or comprehensions: evaluating it once or many times is the same."""
    return not any(isinstance(node, _NOT_PLAIN) for node in ast.walk(expr))


def definition_scope(context, node: ast.AST) -> Optional[Scope]:
    for definition in context.walk.definitions:
        if definition.node is node:
            return definition.scope
    return None


def only_ray_remote_decorator(remote) -> bool:
    """Decorated by `@ray.remote` alone: a plain copy without decorators then behaves like the task body."""
    node = remote.node
    return (
        isinstance(node, ast.FunctionDef)
        and len(node.decorator_list) == 1
        and node.decorator_list[0] is remote.report_node
        and not remote.has_starstar
    )


def rename_callee(callee: cst.BaseExpression, name: str) -> Optional[cst.BaseExpression]:
    """`f` -> `name`, `f.options(...)` -> `name.options(...)`."""
    if isinstance(callee, cst.Name):
        return cst.Name(name, lpar=callee.lpar, rpar=callee.rpar)
    if isinstance(callee, cst.Call) and isinstance(callee.func, cst.Attribute) and isinstance(callee.func.value, cst.Name):
        return callee.with_changes(func=callee.func.with_changes(value=cst.Name(name)))
    return None


def call_sites_by_node(context) -> Dict[int, object]:
    return {id(site.node): site for site in context.walk.calls}


def plain_options(callee: ast.AST, function_name: str) -> Optional[bool]:
    """For the `X` of `X.remote(...)`: True for `f.options(...)`, False for `f`, None for anything else
    (options whose keywords cannot be read, or that change how many results a call returns)."""
    if isinstance(callee, ast.Name):
        return False if callee.id == function_name else None
    if (
        isinstance(callee, ast.Call)
        and isinstance(callee.func, ast.Attribute)
        and callee.func.attr == "options"
        and isinstance(callee.func.value, ast.Name)
        and callee.func.value.id == function_name
        and not callee.args
        and all(k.arg is not None and k.arg != "num_returns" for k in callee.keywords)
    ):
        return True
    return None


# -- the RAY004 rewrite ---------------------------------------------------------------------------


@dataclass
class _Plan:
    kind: str  # assign (`refs = [...]`) | loop (`for x in xs: refs.append(...)`) | direct (`ray.get([...])`)
    function: ast.FunctionDef
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
        get_call = _single_get(statement.targets[0].id, owner, statement, [statement.targets[0]], names, sites)
    elif kind == "loop":
        refs_name = statement.body[0].value.func.value.id
        start = _empty_list_before(statement, refs_name, family)
        if start is None or not _only_inside(target.id, owner, statement):
            return None
        get_call = _single_get(refs_name, owner, statement, [start.targets[0], statement.body[0].value.func.value],
                               names, sites)
    else:
        get_call = family.get(id(comprehension))
    if get_call is None:
        return None
    inputs, materialise = _sequence(loop.iter, outer, names)
    return _Plan(kind, function, call, comprehension, target, loop.iter, statement, get_call, inputs, materialise,
                 extras=bool(call.args[1:] or call.keywords))


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


def _single_get(name: str, owner: ast.AST, statement: ast.stmt, expected: List[ast.Name], names, sites):
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
    for site in sites.values():
        call = site.node
        if call.args and call.args[0] is found and _is_get_of(call, found, names, sites):
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
    taken = taken_names(context.tree)
    function = plan.function.name
    newline, indent = module.default_newline, module.default_indent

    py_name, py_def = generated(f"{function}_py", lambda n: plain_copy(definition, n, blank), block, taken, module)
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
    rewrite = Rewrite()
    rewrite.insert(definition, [s for s in (py_def, chunk_def, batch_def) if s is not None], after=True)

    inputs = plan.inputs
    if inputs is None:
        inputs = fresh_name(f"{function}_inputs", taken)
        if not _bind_inputs(files, lines, plan, inputs, rewrite):
            return None
    # comprehension variables are local: they only need to differ from what the comprehension reads
    start = "start" if "start" not in names_read(plan.call) | {inputs, chunk_name, batch_name} else fresh_name(
        "start", taken)

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
        refs = fresh_name(f"{function}_refs", taken)
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

    title = (f"Submit `{function}` in chunks of `{chunk_name}` elements, one `{batch_name}` task per chunk "
             f"(a failing element then fails its whole chunk)")
    return finish(context.source, rewrite.apply(module), UNSAFE, title)


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
