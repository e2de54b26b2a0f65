"""What a fix's plan checks on the `ast` to know, without libcst, that building the fix goes as planned:
the text libcst prints for a node, statements that libcst finds where `ast` puts them, the names a
generated definition gets, and code too deep for libcst. Each answers False/None/BUILD when in doubt,
so that the plan then leaves the question to the builder."""

from __future__ import annotations

import ast
from typing import List, Optional, Sequence, Set

from raylint.fixers.base import BUILD, MAX_CST_DEPTH, _deeper_than
from raylint.fixers.rewrite import parents


def code_of(context, node: ast.AST, holder: ast.AST) -> Optional[str]:
    """The code libcst prints for `node` (`CstFile.code`), which is its source text unless it has
    parentheses of its own (`ast` leaves them out of the node, libcst keeps them in it) or spans lines
    (libcst keeps the file's line endings). `holder` is the node that starts with `node` (a call with its
    callee, an attribute or a subscript with its object): it starts with those parentheses when there are
    any. None when the text may differ."""
    text, start = source_segment(context, node), source_segment(context, holder)
    if "\n" in text or "\\" in text or "#" in text or not start.startswith(text):
        return None
    return text


def starts_line(context, statement: ast.stmt) -> bool:
    """Only indentation before the statement on its line, no backslash joining it to the line above, and
    it is no `elif`: libcst then has a statement (a statement line or a compound statement) that starts
    exactly there, in a block of statements."""
    row = statement.lineno
    line = context.lines[row - 1].encode("utf-8")
    before, rest = line[: statement.col_offset], line[statement.col_offset:]
    joined = row > 1 and context.lines[row - 2].endswith("\\")
    return not before.strip() and not joined and not rest.startswith(b"elif")


def alone_on_its_lines(context, statement: ast.stmt) -> bool:
    """A simple statement that starts its line and ends it (a comment may follow): libcst makes it a
    statement line of its own, with no `;` neighbour."""
    line = context.lines[statement.end_lineno - 1].encode("utf-8")
    after = line[statement.end_col_offset:].strip()
    return starts_line(context, statement) and (not after or after.startswith(b"#"))


def too_deep_for_cst(context) -> bool:
    """Whether libcst would refuse the file as nested too deeply (a fix built then reports why it is
    dropped; the plan leaves that to the builder). The file's depth bounds every statement's, so this
    also answers for the per-statement views of `FileContext.cst_for`. Computed once per file."""
    deep = getattr(context, "_too_deep_for_cst", None)
    if deep is None:
        deep = context._too_deep_for_cst = _deeper_than(context.tree, MAX_CST_DEPTH)
    return deep


def block_holding(tree: ast.Module, statement: ast.stmt) -> Optional[List[ast.stmt]]:
    """The list of statements (a body, an `else`, a `finally`...) that holds `statement`."""
    parent = parents(tree).get(id(statement))
    for _, value in ast.iter_fields(parent) if parent is not None else ():
        if isinstance(value, list) and any(item is statement for item in value):
            return value
    return None


def generated_name(context, base: str, block: Sequence[ast.stmt], taken: Set[str]):
    """The name `rewrite.generated` gives a new definition in `block`, taking it in `taken` as that does;
    BUILD when a candidate is already defined there: whether that definition is the very one a fix would
    generate (and is reused) is a comparison of libcst code."""
    cache = getattr(context, "_defined_names", None)
    if cache is None:
        cache = context._defined_names = {}
    if id(block) not in cache:
        cache[id(block)] = _defined_names(block)  # every fix beside the same block asks: once per file
    defined = cache[id(block)]
    candidate, counter = base, 2
    while True:
        if candidate in defined:
            return BUILD
        if candidate not in taken:
            taken.add(candidate)
            return candidate
        candidate = f"{base}_{counter}"
        counter += 1


def _defined_names(block: Sequence[ast.stmt]) -> Set[str]:
    """Every name that `rewrite.defined_name` may find defined in the block (and a few more: an annotated
    or `;`-joined assignment), so that a name missing here is missing there."""
    names = set()
    for statement in block:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names.update(target.id for target in targets if isinstance(target, ast.Name))
    return names


def source_segment(context, node: ast.AST) -> str:
    """The source text of `node`, its lines joined with newlines."""
    start, end = context.span(node)
    lines = context.lines
    if start.row == end.row:
        return lines[start.row - 1][start.column - 1: end.column - 1]
    middle = lines[start.row: end.row - 1]
    return "\n".join([lines[start.row - 1][start.column - 1:], *middle, lines[end.row - 1][: end.column - 1]])
