"""Building blocks for fixers that restructure code: one-pass rewrites keyed by original nodes, fresh
names that shadow nothing, generated helper definitions that are reused rather than duplicated."""

from __future__ import annotations

import ast
import re
import sys
from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Set, Tuple


from raylint.fixers.lazy_cst import cst, libcst_class
from raylint.semantics.analysis import Scope
from raylint.fixers.base import parse_statement
from raylint.fixers.file_cache import per_file

_NOT_PLAIN = (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr, ast.Lambda, ast.ListComp, ast.SetComp,
              ast.DictComp, ast.GeneratorExp)

# `sys.stdlib_module_names` is new in 3.10; before it, the modules data scripts import most
_STDLIB = getattr(sys, "stdlib_module_names", frozenset({
    "abc", "argparse", "collections", "csv", "dataclasses", "functools", "glob", "gzip", "io", "itertools", "json",
    "logging", "math", "multiprocessing", "os", "pathlib", "pickle", "random", "re", "shutil", "subprocess", "sys",
    "tempfile", "time", "typing",
}))

# a node, or a function of the updated node (only ever in annotations: libcst is imported lazily)
Replacement = "Union[cst.CSTNode, Callable[[cst.CSTNode], cst.CSTNode]]"

# A comment that starts a cell: a notebook's cell boundary, or a `# %%` cell of a percent-format script.
# Code inserted before a statement goes below the marker above it, into that statement's cell.
CELL_MARKER = re.compile(r"^[ \t]*#\s*(%%|raylint-cell\b)", re.MULTILINE)


@libcst_class("CSTTransformer")
class Rewrite:
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
        inserted: Set[int] = set()
        carried: Sequence[cst.EmptyLine] = ()
        for old, new in zip(original.body, updated.body):
            before = list(self._before.get(id(old), ()))
            if before and hasattr(new, "leading_lines") and hasattr(before[0], "leading_lines"):
                before[0], new = _below_cell_marker(before[0], new)
            after = list(self._after.get(id(old), ()))
            inserted.update(id(statement) for statement in (*before, *after))
            body.extend(before)
            if id(old) in self._remove:
                # a removed statement's blank lines stay, so the code around it keeps its spacing
                carried = [line for line in old.leading_lines if line.comment is None]
            else:
                if carried and hasattr(new, "leading_lines"):
                    missing = len(carried) - _blank_prefix(new.leading_lines)
                    new = new.with_changes(leading_lines=[*blank_lines(missing), *new.leading_lines])
                carried = ()
                body.append(new)
            body.extend(after)
        if not body:
            body = [cst.SimpleStatementLine([cst.Pass()])]
        return updated.with_changes(body=_pep8_spaced(body, inserted, 2 if isinstance(original, cst.Module) else 1))


def _pep8_spaced(body: List[cst.BaseStatement], inserted: Set[int], gap: int) -> List[cst.BaseStatement]:
    """`gap` blank lines (two at module level, one in a block) before and after every inserted `def` or
    `class`, above any comment of the statement that follows, so nothing glues to it."""
    spaced: List[cst.BaseStatement] = []
    for index, statement in enumerate(body):
        after_definition = index > 0 and id(body[index - 1]) in inserted and _is_definition(body[index - 1])
        # blank lines above a cell marker would end the cell before it
        definition = id(statement) in inserted and _is_definition(statement) and not _has_cell_marker(statement)
        if index > 0 and (after_definition or definition) and hasattr(statement, "leading_lines"):
            missing = gap - _blank_prefix(statement.leading_lines)
            if missing > 0:
                statement = statement.with_changes(leading_lines=[*blank_lines(missing), *statement.leading_lines])
        spaced.append(statement)
    return spaced


def split_leading_lines(lines: Sequence[cst.EmptyLine]) -> Tuple[List[cst.EmptyLine], List[cst.EmptyLine]]:
    """A statement's leading lines split for a statement inserted right before it: the inserted one takes
    everything down to the last cell marker and the blank lines after it; the comments that describe the
    statement stay with it."""
    lines = list(lines)
    start = 0
    for index, line in enumerate(lines):
        if line.comment is not None and CELL_MARKER.match(line.comment.value):
            start = index + 1
    start += _blank_prefix(lines[start:])
    return lines[:start], lines[start:]


def _below_cell_marker(inserted: cst.BaseStatement, anchor: cst.BaseStatement):
    """(inserted, anchor) with the anchor's cell markers moved above the inserted statement, which then
    starts its cell without blank lines."""
    lines = list(anchor.leading_lines)
    markers = [i for i, line in enumerate(lines) if line.comment is not None and CELL_MARKER.match(line.comment.value)]
    if not markers:
        return inserted, anchor
    cut = markers[-1] + 1
    own = list(inserted.leading_lines)
    own = own[_blank_prefix(own):]
    return inserted.with_changes(leading_lines=[*lines[:cut], *own]), anchor.with_changes(leading_lines=lines[cut:])


def _has_cell_marker(statement: cst.CSTNode) -> bool:
    return any(line.comment is not None and CELL_MARKER.match(line.comment.value)
               for line in getattr(statement, "leading_lines", ()))


def _is_definition(statement: cst.CSTNode) -> bool:
    return isinstance(statement, (cst.FunctionDef, cst.ClassDef))


def _ancestors_of(module: cst.Module, keys: Set[int]) -> Set[int]:
    """Ids of the keyed nodes and of every node above them, from the module's parent map (built once per
    module: every fix of a file rewrites the same original tree, and a walk per fix made N fixes cost N
    passes over the file)."""
    parent_of = _cst_parents(module)
    found: Set[int] = set()
    for key in keys:
        if key != id(module) and key not in parent_of:
            continue  # not a node of this tree
        found.add(key)
        node = parent_of.get(key)
        while node is not None and id(node) not in found:
            found.add(id(node))
            node = parent_of.get(id(node))
    return found


@per_file
def _cst_parents(module: cst.Module) -> Dict[int, cst.CSTNode]:
    """id(node) -> parent node over the libcst module (kept, like the other per-file facts, until the
    file's lint ends)."""
    parent_of: Dict[int, cst.CSTNode] = {}
    stack: List[cst.CSTNode] = []

    @libcst_class("CSTVisitor")
    class _Parents:
        def on_visit(self, node) -> bool:
            if stack:
                parent_of[id(node)] = stack[-1]
            stack.append(node)
            return True

        def on_leave(self, original_node) -> None:
            stack.pop()

    module.visit(_Parents())
    return parent_of


@per_file
def parents(tree: ast.AST) -> Dict[int, ast.AST]:
    """id(node) -> parent node, for the whole tree (cached: every fix in a file asks for the same map)."""
    return parent_map(tree)


def parent_map(root: ast.AST) -> Dict[int, ast.AST]:
    """id(node) -> parent node under `root`: `ast.walk` and `ast.iter_child_nodes` inlined (half the time on a
    big tree), visiting in the same breadth-first order, so a node shared by several parents (a `Load`
    context) maps to the same one."""
    found: Dict[int, ast.AST] = {}
    todo = [root]
    for node in todo:  # the list grows while it is read: breadth-first
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        found[id(item)] = node
                        todo.append(item)
            elif isinstance(value, ast.AST):
                found[id(value)] = node
                todo.append(value)
    return found


@per_file
def occurrences(tree: ast.AST) -> Dict[str, List[ast.AST]]:
    """identifier -> every node naming it, in `ast.walk` order: names, definitions, parameters, imports
    (by the name they bind) and string constants. Built once per file, so a fix that asks where a name
    occurs costs its occurrences, not a walk of the file."""
    found: Dict[str, List[ast.AST]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            key = node.id
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            key = node.name
        elif isinstance(node, ast.arg):
            key = node.arg
        elif isinstance(node, ast.alias):
            key = (node.asname or node.name).split(".")[0]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            key = node.value
        else:
            continue
        found.setdefault(key, []).append(node)
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
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def scope_taken_names(tree: ast.Module, owner: ast.AST) -> Set[str]:
    """The names a new binding in `owner` (a function, or the module) must avoid: for a function, every
    name its body binds or reads; for the module, its own names and every name a function reads without
    binding it. A local of one function does not make a name taken in another, nor at module level."""
    if owner is not tree:
        return taken_names(owner)
    return set(_module_taken_names(tree))


@per_file
def _module_taken_names(tree: ast.Module) -> FrozenSet[str]:
    """`scope_taken_names` of the module itself, once per tree: every fix of a file asks for it, and
    computing it per fix makes a file with many findings quadratic."""
    names: Set[str] = set()
    stack: List[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if not isinstance(node, ast.Lambda):
                names.add(node.name)
                stack.extend(node.decorator_list)
            stack.extend(d for d in [*node.args.defaults, *node.args.kw_defaults] if d is not None)
            names |= _free_names(node)
            continue
        if isinstance(node, ast.ClassDef):
            names.add(node.name)
        names |= _own_names(node)
        stack.extend(ast.iter_child_nodes(node))
    return frozenset(names)


def _own_names(node: ast.AST) -> Set[str]:
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.alias):
        return {(node.asname or node.name).split(".")[0]}
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return set(node.names)
    if isinstance(node, ast.ExceptHandler) and node.name:
        return {node.name}
    return set()


def _free_names(function: ast.AST) -> Set[str]:
    """Names a function (nested ones included) reads or declares global without binding them itself."""
    every = taken_names(function)
    bound: Set[str] = set()
    declared: Set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node is not function:
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.Global):
            declared.update(node.names)
    return (every - bound) | declared


def fresh_name(base: str, taken: Set[str]) -> str:
    name = base
    counter = 2
    while name in taken:
        name = f"{base}_{counter}"
        counter += 1
    taken.add(name)
    return name


def sole_callers(tree: ast.Module, function: ast.AST, calls: Sequence[ast.Call]) -> bool:
    """Whether `calls` (submissions `f.remote(...)`, `f.options(...).remote(...)`) are every use of the
    remote function `function` that can exist: nothing else in the module names it or rebinds its name,
    and no other module can reach it (it is local to a function, private, or the module is a script)."""
    name = function.name
    callees = set()
    for call in calls:
        callee = call.func.value if isinstance(call.func, ast.Attribute) else None
        if isinstance(callee, ast.Call) and isinstance(callee.func, ast.Attribute):
            callee = callee.func.value
        if isinstance(callee, ast.Name):
            callees.add(id(callee))
    for node in occurrences(tree).get(name, ()):
        if isinstance(node, ast.Name) and id(node) not in callees:
            return False
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node is not function:
            return False
        if isinstance(node, (ast.arg, ast.alias, ast.Constant)):
            return False  # a parameter, an import, or a string: `__all__ = ["f"]`, `getattr(module, "f")`
    if function not in tree.body or name.startswith("_"):
        return True
    return is_script(tree)


def is_script(tree: ast.Module) -> bool:
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
    definition = context.walk.definition_of(node)
    return definition.scope if definition is not None else None


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
    """id(call) -> its CallSite; built once per file, as every fix of the file asks for it (one map per fix
    is quadratic in a file with many findings)."""
    return context.walk.sites_by_node()


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


def module_name_visible(module_name: str, scope: Scope) -> Optional[str]:
    """A name under which `module_name` is imported and visible from `scope`."""
    for name in [module_name] + sorted(scope.module().bindings):
        bindings = scope.lookup(name) or []
        if bindings and all(b.kind == "import" and b.qualname == module_name and isinstance(b.node, ast.Import)
                            for b in bindings):
            return name
    return None


def add_import(context, module_name: str, rewrite: Rewrite, taken: Set[str]) -> Optional[str]:
    """Insert `import <module_name>` among the module's top imports (standard library group, sorted)."""
    if not can_add_import(context.tree, module_name, taken):
        return None
    files = context.cst
    module = files.module
    imports = _top_imports(context.tree)
    statement = parse_statement(f"import {module_name}{module.default_newline}", module)
    stdlib = [s for s in imports if imported_module(s) in _STDLIB]
    if stdlib:
        later = [s for s in stdlib if imported_module(s) > module_name]
        anchor_ast, after = (later[0], False) if later else (stdlib[-1], True)
        anchor = files.top_level(anchor_ast)
        if anchor is None:
            return None
        if after:
            rewrite.insert(anchor, [statement], after=True)
        else:
            rewrite.insert_above(anchor, statement)
    else:
        anchor = files.top_level(imports[0])
        if anchor is None:
            return None
        rewrite.insert(anchor, [statement.with_changes(leading_lines=anchor.leading_lines)], after=False)
        rewrite.replace(anchor, lambda updated: updated.with_changes(leading_lines=[cst.EmptyLine()]))
    taken.add(module_name)
    return module_name


def can_add_import(tree: ast.Module, module_name: str, taken: Set[str]) -> bool:
    """Whether `add_import` can add `import <module_name>`: the name is free and the module has top imports
    to put it among."""
    return module_name not in taken and bool(_top_imports(tree))


def _top_imports(tree: ast.Module) -> List[ast.stmt]:
    return [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))
            and not (isinstance(s, ast.ImportFrom) and s.module == "__future__")]


def imported_module(statement: ast.stmt) -> str:
    if isinstance(statement, ast.Import):
        return statement.names[0].name.split(".")[0]
    return (statement.module or "").split(".")[0]


def with_keyword_argument(call: cst.Call, keyword: str, value: cst.BaseExpression) -> List[cst.Arg]:
    """The call's arguments plus `keyword=value`, laid out like the others: in a call with one argument per
    line the new one gets its own line at their indentation; a trailing comma stays trailing; a comment
    after the last argument stays on that argument's line; no line is left with trailing whitespace."""
    equal = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
    new_arg = cst.Arg(keyword=cst.Name(keyword), value=value, equal=equal)
    args = list(call.args)
    if not args:
        return [new_arg]
    last = args[-1]
    trailing_comma = isinstance(last.comma, cst.Comma)
    # what separates the last two arguments (or `(` from the only one) tells the call's layout
    separator = args[-2].comma.whitespace_after if len(args) > 1 and isinstance(args[-2].comma, cst.Comma) \
        else call.whitespace_before_args
    # what follows the last argument up to `)`
    closing = last.comma.whitespace_after if trailing_comma else last.whitespace_after_arg
    if isinstance(separator, cst.ParenthesizedWhitespace):
        line_end = closing.first_line if isinstance(closing, cst.ParenthesizedWhitespace) else cst.TrailingWhitespace()
        between = separator.with_changes(first_line=line_end, empty_lines=())
        if isinstance(closing, cst.ParenthesizedWhitespace):
            closing = closing.with_changes(first_line=cst.TrailingWhitespace())
    else:
        between = cst.SimpleWhitespace(" ")
    if trailing_comma:
        previous = last.with_changes(comma=last.comma.with_changes(whitespace_after=between))
        return [*args[:-1], previous, new_arg.with_changes(comma=last.comma.with_changes(whitespace_after=closing))]
    previous = last.with_changes(comma=cst.Comma(whitespace_after=between),
                                 whitespace_after_arg=cst.SimpleWhitespace(""))
    return [*args[:-1], previous, new_arg.with_changes(whitespace_after_arg=closing)]
