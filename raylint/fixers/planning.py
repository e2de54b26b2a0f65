"""A fixer's plan: what building its fix would give minus the edits, decided on the `ast` (`raylint check`
needs no more). A fixer splits into a decision (is there a fix, how safe, what title), which its plan and
its builder both call, and the libcst work, which only the builder does. The plan answers BUILD for the
few questions only libcst can answer; this module asks them without libcst, cautiously.

What libcst can decide differently from the `ast`, and how a plan notices it:
- a whole-file fixer's libcst tree is refused for code nested more than MAX_CST_DEPTH levels deep;
- before Python 3.12, the `ast` positions of code inside an f-string can be off, so the builder may not
  find the libcst node behind such an `ast` node;
- a generator expression that is a call's sole argument shares the call's parentheses: the `ast` spans
  them, libcst does not, so the builder finds no libcst node there;
- a simple statement is a libcst statement line of its own only when nothing shares its line.
"""

from __future__ import annotations

import ast
import re
from typing import FrozenSet, Iterable, Sequence

from raylint.fixers.base import BUILD, MAX_CST_DEPTH, _column, _deeper_than
from raylint.fixers.rewrite import parents, taken_names
from raylint.ftypes import Fix

_CONTINUED = re.compile(r"\\\s*$")
# what every f-string starts with (`f"`, `rf'`, `F"""`): a file without it has none
_FSTRING_PREFIX = re.compile(r"(?i)(?:^|[^\w])(?:f|rf|fr)['\"]")


def planned(context, applicability: str, title: str, looked_up: Iterable[ast.AST] = ()):
    """The fix a whole-file builder gives (no edits), or BUILD when libcst may not see what the `ast` sees:
    the file is too deep for its libcst tree, or a node the builder looks up sits in an f-string."""
    if too_deep_for_cst(context) or any(in_fstring(context, node) for node in looked_up):
        return BUILD
    return Fix(applicability, title, ())


def planned_expression(context, node: ast.AST, applicability: str, title: str):
    """The fix `build_expression_fix` gives on `node` (no edits): libcst parses the text of every expression
    the `ast` parsed that raylint has met, so only an f-string around it (its text may be misplaced) or a
    depth that may overflow libcst's recursion leaves the answer to the builder."""
    if in_fstring(context, node) or _deeper_than(node, _EXPRESSION_DEPTH):
        return BUILD
    return Fix(applicability, title, ())


# build_expression_fix does not limit the depth of the expression it parses; below this, libcst's parser
# and codegen are known not to run out of recursion
_EXPRESSION_DEPTH = 100


def too_deep_for_cst(context) -> bool:
    """Whether `context.cst` would refuse the file (CstFile raises FixError), measured once per file."""
    deep = getattr(context, "_too_deep_for_cst", None)
    if deep is None:
        deep = context._too_deep_for_cst = _deeper_than(context.tree, MAX_CST_DEPTH)
    return deep


def module_names(context) -> FrozenSet[str]:
    """`taken_names` of the whole module, computed once per file: every plan that asks reads the same set."""
    names = getattr(context, "_module_names", None)
    if names is None:
        names = context._module_names = frozenset(taken_names(context.tree))
    return names


def in_fstring(context, node: ast.AST) -> bool:
    """Whether `node` is part of an f-string, where older Pythons give positions libcst does not match."""
    has_fstrings = getattr(context, "_has_fstrings", None)
    if has_fstrings is None:
        has_fstrings = context._has_fstrings = _FSTRING_PREFIX.search(context.source) is not None
    if not has_fstrings:
        return False  # the parent map costs a walk of the whole file: most files need none
    found = _in_fstring_near(context.tree, node)
    if found is not None:
        return found
    parent_of = parents(context.tree)
    current = parent_of.get(id(node))
    while current is not None:
        if isinstance(current, ast.JoinedStr):
            return True
        if isinstance(current, ast.stmt):
            return False
        current = parent_of.get(id(current))
    return False


def _in_fstring_near(tree: ast.Module, node: ast.AST):
    """Whether `node` is inside an f-string, found by walking only the top-level statement its row points to;
    None when it is not there (no row, or a row an f-string misplaced): the caller then asks the whole file."""
    row = getattr(node, "lineno", None)
    if row is None:
        return None
    for statement in tree.body:
        first = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", ())])
        if not first <= row <= (statement.end_lineno or statement.lineno):
            continue
        stack = [(statement, False)]
        while stack:
            current, inside = stack.pop()
            if current is node:
                return inside
            inside = inside or isinstance(current, ast.JoinedStr)
            stack.extend((child, inside) for child in ast.iter_child_nodes(current))
    return None


def shares_call_parentheses(node: ast.AST) -> bool:
    """A generator expression (possibly a call's sole argument, whose parentheses it then shares): the
    `ast` span and the libcst node's may then differ."""
    return isinstance(node, ast.GeneratorExp)


def alone_on_its_lines(context, statement: ast.stmt, siblings: Sequence[ast.stmt]):
    """True when `statement` is a libcst statement line of its own (it starts its line, no statement of
    `siblings`, its block, shares a line with it); False when another statement shares them; BUILD when
    a backslash joins its first line to the one above (libcst's line then starts there)."""
    line = context.lines[statement.lineno - 1]
    if line[: _column(context.lines, statement.lineno, statement.col_offset)].strip():
        return False
    index = next((i for i, sibling in enumerate(siblings) if sibling is statement), None)
    if index is None:
        return BUILD
    if index + 1 < len(siblings) and siblings[index + 1].lineno <= statement.end_lineno:
        return False
    if statement.lineno > 1 and _CONTINUED.search(context.lines[statement.lineno - 2]):
        return BUILD
    return True


def block_holding(context, statement: ast.stmt) -> Sequence[ast.stmt]:
    """The statement list `statement` belongs to (a module, function, loop or branch body)."""
    parent = parents(context.tree).get(id(statement))
    for field in ("body", "orelse", "finalbody", "handlers"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and any(item is statement for item in block):
            return block
    return ()

