"""RAY102's rewrite: move a `@ray.remote` def or class out of its loop or task to module level, just above
the top-level statement that held it, so it is defined (and exported by Ray) once."""

from __future__ import annotations

import ast
import symtable
from typing import Dict, List, Optional, Set, Tuple

from raylint.semantics.analysis import Scope
from raylint.fixers.base import SAFE, UNSAFE, build_fix
from raylint.fixers.planning import planned
from raylint.fixers.rewrite import Rewrite, blank_lines, block_of, definition_scope, is_plain
from raylint.fixers.safety import attributes_stored, rebound_in_functions
from raylint.ftypes import Fix
from raylint.semantics.loops import names_read
from raylint.semantics.ray_names import BUILTIN_NAMES
from raylint.fixers.file_cache import per_file

_CONSTANT_NODES = (ast.Constant, ast.UnaryOp, ast.BinOp, ast.Tuple, ast.unaryop, ast.operator, ast.Load)


def hoist_definition(context, remote) -> Optional[Fix]:
    """The fix for one RAY102 finding on a decorated definition, or None when moving it could change
    what it reads."""
    decided = _hoisting(context, remote)
    if decided is None:
        return None
    applicability, title = decided
    node = remote.node
    files = context.cst
    anchor = files.top_level(node)
    statement = files.statement_for(node, context.lines)
    if anchor is None or statement is None or statement is anchor:
        return None
    rewrite = Rewrite()
    comments = [line for line in statement.leading_lines if line.comment is not None]
    rewrite.insert(anchor, [statement.with_changes(leading_lines=[*blank_lines(2), *comments])], after=False)
    rewrite.remove(statement)
    block = block_of(files.module, statement)
    if block is not None and block[0] is statement and len(block) > 1:
        rewrite.replace(block[1], lambda updated: updated.with_changes(
            leading_lines=[line for line in updated.leading_lines if line.comment is not None]))
    return build_fix(files, rewrite.apply(files.module), applicability, title)


def plan_hoist_definition(context, remote):
    """What `hoist_definition` gives, without its edits, decided on the `ast` alone."""
    decided = _hoisting(context, remote)
    if decided is None:
        return None
    applicability, title = decided
    return planned(context, applicability, title, [remote.node])


def _hoisting(context, remote) -> Optional[Tuple[str, str]]:
    """(applicability, title) of the move, or None when there is none."""
    node = remote.node
    if any(statement is node for statement in context.tree.body):
        return None  # already at module level
    scope = definition_scope(context, node)
    if scope is None or scope.kind == "class" or node.name in scope.globals or node.name in BUILTIN_NAMES:
        return None
    bindings = scope.bindings.get(node.name, [])
    if len(bindings) != 1 or bindings[0].node is not node:
        return None
    if scope.kind != "module" and context.walk.module_scope.bindings.get(node.name):
        return None
    locals_ = _enclosing_locals(context, node, scope) - {node.name}
    table = _table_of(context.source, node)
    if table is None or _frees(table) - {node.name}:
        return None
    if scope.kind == "module" and names_read(node) & locals_:
        return None
    evaluated = _evaluated_at_definition(node)
    if not all(is_plain(expr) for expr in evaluated):
        return None
    first_row = _first_row(context.tree, node)
    early: Set[str] = set()
    for expr in evaluated:
        early |= names_read(expr)
    if early & locals_ or not all(_bound_before(context, name, first_row) for name in early):
        return None
    stable = all(_stable_global(context, name, set()) for name in (early | _globals_read(table)) - {node.name})
    title = f"Move `{node.name}` to module level, so it is defined once"
    if not stable:
        title += " (it then sees the globals it reads as they are when Ray first exports it)"
    return SAFE if stable else UNSAFE, title


def _enclosing_locals(context, node: ast.AST, scope: Scope) -> Set[str]:
    """Names local to the enclosing functions, or (at module level) rebound by the enclosing loops; class
    bodies are not visible from the functions nested in them."""
    names: Set[str] = set()
    while scope.parent is not None:
        if scope.kind != "class":
            names |= set(scope.bindings)
        scope = scope.parent
    definition = context.walk.definition_of(node)
    for loop in definition.loops if definition is not None else ():
        names |= context.loops.bound(loop)
    return names


def _table_of(source: str, node: ast.AST) -> Optional[symtable.SymbolTable]:
    """The symbol table of the def or class `node`: Python's own account of what it reads from where."""
    kind = "class" if isinstance(node, ast.ClassDef) else "function"
    return _tables_by_place(source).get((kind, node.name, node.lineno))


@per_file
def _tables_by_place(source: str) -> Dict[Tuple[str, str, int], symtable.SymbolTable]:
    """(kind, name, line) -> the symbol table of that def or class, the first in a depth-first walk of the
    module's tables; indexed once per file, since every definition a hoisted one reads asks for its own."""
    found: Dict[Tuple[str, str, int], symtable.SymbolTable] = {}
    stack = [symtable.symtable(source, "<raylint>", "exec")]
    while stack:
        table = stack.pop()
        for kind in ("class", "function"):
            if table.get_type() == kind:
                found.setdefault((kind, table.get_name(), table.get_lineno()), table)
        stack.extend(table.get_children())
    return found


def _frees(table: symtable.SymbolTable) -> Set[str]:
    """Locals of enclosing functions that the definition (or anything nested in it) reads."""
    return {symbol.get_name() for symbol in table.get_symbols() if symbol.is_free()}


def _globals_read(table: symtable.SymbolTable) -> Set[str]:
    """Global names read anywhere in the definition, its methods and nested functions."""
    found: Set[str] = set()
    stack = [table]
    while stack:
        current = stack.pop()
        found |= {s.get_name() for s in current.get_symbols() if s.is_global() and s.is_referenced()}
        stack.extend(current.get_children())
    return found


def _evaluated_at_definition(node: ast.AST) -> List[ast.AST]:
    """What runs when the `def` or `class` statement runs: decorator arguments, defaults, annotations,
    bases (the decorator's callee itself is a plain name or attribute)."""
    found: List[ast.AST] = []
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call):
            found.append(decorator.func)
            found.extend(decorator.args)
            found.extend(keyword.value for keyword in decorator.keywords)
        else:
            found.append(decorator)
    if isinstance(node, ast.ClassDef):
        found.extend(node.bases)
        found.extend(keyword.value for keyword in node.keywords)
        return found
    arguments = node.args
    found.extend(arguments.defaults)
    found.extend(default for default in arguments.kw_defaults if default is not None)
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
    found.extend(arg.annotation for arg in every if arg is not None and arg.annotation is not None)
    if node.returns is not None:
        found.append(node.returns)
    return found


def _first_row(tree: ast.Module, node: ast.AST) -> int:
    """The first row of the top-level statement holding `node`."""
    for statement in tree.body:
        if statement.lineno <= node.lineno <= statement.end_lineno:
            decorators = getattr(statement, "decorator_list", [])
            return min([statement.lineno] + [d.lineno for d in decorators])
    return node.lineno


def _bound_before(context, name: str, row: int) -> bool:
    """`name` is a builtin, or bound at module level only above `row`, where the definition moves."""
    bindings = context.walk.module_scope.bindings.get(name)
    if not bindings:
        return name in BUILTIN_NAMES
    return all(binding.node.lineno < row for binding in bindings)


def _stable_global(context, name: str, seen: Set[str]) -> bool:
    """A global whose value cannot change between definitions: a builtin, an import, a name assigned
    once, outside any loop, to a constant, or a module-level `def` or `class` that nothing changes and
    whose own globals are stable (Ray exports a function together with the globals it reads, as they are
    when it is first exported). No function may rebind it through `global`."""
    if name in seen:
        return True
    seen.add(name)
    bindings = context.walk.module_scope.bindings.get(name)
    if not bindings:
        return name in BUILTIN_NAMES
    if name in rebound_in_functions(context.tree):
        return False
    if all(binding.kind == "import" for binding in bindings):
        return True
    if all(binding.kind in ("def", "class") for binding in bindings):
        if len(bindings) != 1 or name in attributes_stored(context.tree):
            return False
        table = _table_of(context.source, bindings[0].node)
        return table is not None and all(_stable_global(context, read, seen) for read in _globals_read(table))
    if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].loops or bindings[0].value is None:
        return False
    return all(isinstance(part, _CONSTANT_NODES) for part in ast.walk(bindings[0].value))

