"""What every fixer shares: the file's libcst tree (parsed lazily, only for files with findings), a way
to find the libcst node behind an `ast` node, and turning a rewritten module into minimal Edits.

A fixer transforms the libcst tree, so every byte it does not touch keeps its formatting and comments;
`build_fix` then checks that the result parses and diffs it into Ruff-style edits.
"""

from __future__ import annotations

import ast
import bisect
import difflib
import re
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Type, Union


from raylint.fixers.lazy_cst import cst, cst_metadata, libcst_class
from raylint.ftypes import Edit, Fix, Location

SAFE, UNSAFE, DISPLAY_ONLY = "safe", "unsafe", "display-only"
# libcst's parser takes time cubic in the nesting depth (a 3,000-term `a + b + ...`: 12 s, 10,000: minutes);
# code nested deeper than this is not rewritten.
MAX_CST_DEPTH = 1000
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


# What a fixer's plan returns when only building the fix can tell whether it exists (rules import
# fixers, never the other way round).
BUILD = object()


class FixError(Exception):
    """A fixer produced source that does not parse: the fix is dropped and reported, never written."""


class CstFile:
    """The libcst view of one file: the module, and lookup of the libcst node behind an `ast` node.

    Positions are computed per top-level statement, on demand: a full PositionProvider pass costs twice
    the parse, and a fix only ever looks inside the statements its finding sits in."""

    def __init__(self, source: str, tree: ast.Module, row_offset: int = 0):
        # a view of part of a file (one statement) sees file rows shifted by `row_offset`
        self.row_offset = row_offset
        self.source = source
        if _deeper_than(tree, MAX_CST_DEPTH):
            raise FixError(f"the code is nested more than {MAX_CST_DEPTH} levels deep, too deep to rewrite")
        self.module: cst.Module = cst.parse_module(source)
        self._ast_statements = tree.body
        self._first_lines = [_first_line(statement) for statement in tree.body]
        # ast statement index -> the top-level libcst statement holding it (`a; b` is one libcst line)
        self._cst_for_ast: List[cst.CSTNode] = []
        self._cst_first_line: Dict[int, int] = {}
        for statement in self.module.body:
            count = len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
            if len(self._cst_for_ast) < len(tree.body):
                # libcst, like ast, starts a decorated def at `def`: this line anchors the positions
                self._cst_first_line[id(statement)] = tree.body[len(self._cst_for_ast)].lineno
            self._cst_for_ast.extend([statement] * count)
        self._codes: Optional[List[str]] = None
        self._rows: Optional[List[int]] = None
        self._positioned: Dict[int, Dict[Tuple[int, int], List[Tuple[cst.CSTNode, Tuple[int, int]]]]] = {}

    def node_for(self, node: ast.AST, lines: Sequence[str],
                 kind: Optional[Union[Type[cst.CSTNode], Tuple[Type[cst.CSTNode], ...]]] = None,
                 ) -> Optional[cst.CSTNode]:
        """The libcst node of type `kind` (any node when None) spanning exactly what the `ast` node spans."""
        kind = cst.CSTNode if kind is None else kind
        shift = self.row_offset
        start = (node.lineno - shift, _column(lines, node.lineno, node.col_offset))
        end = (node.end_lineno - shift, _column(lines, node.end_lineno, node.end_col_offset))
        for candidate, candidate_end in self._starting_at(node.lineno - shift, start):
            if isinstance(candidate, kind) and candidate_end == end:
                return candidate
        return None

    def statement_for(self, node: ast.stmt, lines: Sequence[str]) -> Optional[cst.CSTNode]:
        """The libcst statement (simple statement line or compound statement) starting where `node` does."""
        start = (node.lineno - self.row_offset, _column(lines, node.lineno, node.col_offset))
        for candidate, _ in self._starting_at(node.lineno - self.row_offset, start):
            if isinstance(candidate, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                return candidate
        return None

    def top_level(self, node: ast.AST) -> Optional[cst.CSTNode]:
        """The module-level libcst statement that holds the line of `node`."""
        index = self._ast_index(node.lineno - self.row_offset)
        return self._cst_for_ast[index] if index is not None else None

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def edits_to(self, new_module: cst.Module) -> List[Edit]:
        """Edits from this file to `new_module`, generating code only for the top-level statements that
        changed: a transformed tree shares every untouched statement object with the original, so a fix
        costs the size of what it rewrites, not of the file."""
        old_body, new_body = list(self.module.body), list(new_module.body)
        if new_module.header is not self.module.header or new_module.footer is not self.module.footer:
            return [Edit(e.content, _shift(e.location, self.row_offset), _shift(e.end_location, self.row_offset))
                    for e in compute_edits(self.source, new_module.code)]
        rows = self._statement_rows()
        matcher = difflib.SequenceMatcher(None, [id(s) for s in old_body], [id(s) for s in new_body], autojunk=False)
        edits: List[Edit] = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            before = "".join(self._statement_code(i) for i in range(i1, i2))
            after = "".join(new_module.code_for_node(statement) for statement in new_body[j1:j2])
            first_row = rows[i1] + self.row_offset
            for edit in compute_edits(before, after):
                edits.append(Edit(edit.content, _shift(edit.location, first_row), _shift(edit.end_location, first_row)))
        return edits

    def _statement_code(self, index: int) -> str:
        if self._codes is None:
            self._codes = [self.module.code_for_node(statement) for statement in self.module.body]
        return self._codes[index]

    def _statement_rows(self) -> List[int]:
        """0-based row where each top-level statement's code (leading comments included) starts."""
        if self._rows is None:
            row = sum(len(_LINE.findall(self.module.code_for_node(line))) for line in self.module.header)
            self._rows = []
            for index in range(len(self.module.body)):
                self._rows.append(row)
                row += len(_LINE.findall(self._statement_code(index)))
            self._rows.append(row)
        return self._rows

    def _ast_index(self, row: int) -> Optional[int]:
        index = bisect.bisect_right(self._first_lines, row) - 1
        if index < 0 or index >= len(self._cst_for_ast):
            return None
        return index if row <= self._ast_statements[index].end_lineno else None

    def _starting_at(self, row: int, start: Tuple[int, int]):
        index = self._ast_index(row)
        if index is None:
            return ()
        statement = self._cst_for_ast[index]
        key = id(statement)
        if key not in self._positioned:
            self._positioned[key] = self._positions(self.module, statement, self._cst_first_line[key])
        return self._positioned[key].get(start, ())

    @staticmethod
    def _positions(module: cst.Module, statement: cst.CSTNode, first_line: int):
        """Positions of every node in one top-level statement, shifted to file lines. The one-statement
        module keeps the file's indentation and newline style, so columns match the file's."""
        alone = module.with_changes(body=[statement], header=[], footer=[])
        wrapper = cst_metadata.MetadataWrapper(alone, unsafe_skip_copy=True)
        positions = wrapper.resolve(cst_metadata.PositionProvider)
        shift = first_line - positions[statement].start.line
        found: Dict[Tuple[int, int], List[Tuple[cst.CSTNode, Tuple[int, int]]]] = {}
        for candidate, code_range in positions.items():
            key = (code_range.start.line + shift, code_range.start.column)
            found.setdefault(key, []).append((candidate, (code_range.end.line + shift, code_range.end.column)))
        return found


def build_expression_fix(context, node: ast.AST,
                         transform: Callable[[cst.BaseExpression, cst.Module], cst.BaseExpression],
                         applicability: str, title: str) -> Optional[Fix]:
    """A fix confined to one expression (a decorator, a call): libcst parses just that expression's
    text, however large the statement around it, and the edits are shifted to the file's positions."""
    start, end = context.span(node)
    lines = context.lines
    first = lines[start.row - 1][start.column - 1:]
    if start.row == end.row:
        segment = first[: end.column - start.column]
    else:
        middle = lines[start.row: end.row - 1]
        segment = "\n".join([first, *middle, lines[end.row - 1][: end.column - 1]])
    newline = _newline_of(context.source)
    segment = segment.replace("\n", newline) if newline != "\n" else segment
    style = cst.Module(body=[], default_newline=newline)
    try:
        expression = cst.parse_expression(segment)
    except cst.ParserSyntaxError:
        return None
    new_text = style.code_for_node(transform(expression, style))
    edits = []
    for edit in compute_edits(segment, new_text):
        edits.append(Edit(edit.content, _offset_location(edit.location, start), _offset_location(edit.end_location, start)))
    return Fix(applicability=applicability, message=title, edits=tuple(edits)) if edits else None


def _offset_location(location: Location, origin: Location) -> Location:
    """A position inside a text that starts at `origin` in the file."""
    if location.row == 1:
        return Location(origin.row, origin.column + location.column - 1)
    return Location(origin.row + location.row - 1, location.column)


def _newline_of(source: str) -> str:
    match = re.search(r"\r\n|\r|\n", source)
    return match.group(0) if match else "\n"


def statement_region(source: str, tree: ast.Module, node: ast.AST):
    """(index, text, first row) of the top-level statement holding `node`; None when that statement
    shares a line with another one."""
    firsts = [_first_line(statement) for statement in tree.body]
    index = bisect.bisect_right(firsts, node.lineno) - 1
    if index < 0 or node.lineno > tree.body[index].end_lineno:
        return None
    first, last = firsts[index], tree.body[index].end_lineno
    if any(i != index and s.lineno <= last and s.end_lineno >= first for i, s in enumerate(tree.body)):
        return None
    lines = _LINE.findall(source)
    return index, "".join(lines[first - 1: last]), first


def _first_line(statement: ast.stmt) -> int:
    """The first line of a statement as libcst sees it: decorators included."""
    decorators = getattr(statement, "decorator_list", None)
    if decorators:
        return min(min(d.lineno for d in decorators), statement.lineno)
    return statement.lineno


def _shift(location: Location, rows: int) -> Location:
    return Location(location.row + rows, location.column)


def _column(lines: Sequence[str], row: int, byte_offset: int) -> int:
    """libcst columns are 0-based code points; `ast` gives UTF-8 byte offsets."""
    line = lines[row - 1] if 0 < row <= len(lines) else ""
    if line.isascii():
        return byte_offset
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", "replace"))


def replace_node(module: cst.Module, old: cst.CSTNode, new: cst.CSTNode) -> cst.Module:
    return module.deep_replace(old, new)


@libcst_class("CSTTransformer")
class _InsertStatements:
    def __init__(self, anchor: cst.CSTNode, statements: Sequence[cst.BaseStatement], after: bool):
        self.anchor = anchor
        self.statements = list(statements)
        self.after = after
        self.done = False

    def _splice(self, original, updated):
        for index, statement in enumerate(original.body):
            if statement is self.anchor:
                self.done = True
                position = index + 1 if self.after else index
                body = list(updated.body)
                return updated.with_changes(body=body[:position] + self.statements + body[position:])
        return updated

    def leave_IndentedBlock(self, original, updated):
        return self._splice(original, updated)

    def leave_Module(self, original, updated):
        return self._splice(original, updated)


def insert_statements(module: cst.Module, anchor: cst.CSTNode, statements: Sequence[cst.BaseStatement],
                      *, after: bool) -> cst.Module:
    """Insert statements right before or after `anchor`, a statement of the module or of a block."""
    transformer = _InsertStatements(anchor, statements, after)
    result = module.visit(transformer)
    if not transformer.done:
        raise FixError("anchor statement not found")
    return result


def parse_statement(code: str, like: Optional[cst.Module] = None) -> cst.BaseStatement:
    """A statement written in the module's own style (indentation, line ending)."""
    config = like.config_for_parsing if like is not None else cst.PartialParserConfig()
    return cst.parse_statement(code, config=config)


def parse_expression(code: str, like: Optional[cst.Module] = None) -> cst.BaseExpression:
    config = like.config_for_parsing if like is not None else cst.PartialParserConfig()
    return cst.parse_expression(code, config=config)


def build_fix(files: "CstFile", new_module: cst.Module, applicability: str, title: str) -> Optional[Fix]:
    """Edits turning the file into `new_module`'s code, or None when nothing changes."""
    edits = files.edits_to(new_module)
    if not edits:
        return None
    # Whether the result parses is checked where fixes are applied (raylint.fixing), once for all the
    # fixes of a pass: a parse per fix would cost more than the whole check on files with many findings.
    return Fix(applicability=applicability, message=title, edits=tuple(edits))


def compute_edits(old: str, new: str) -> List[Edit]:
    """Minimal edits between two texts: line-level diff blocks, each trimmed to its changed characters."""
    old_lines = _LINE.findall(old)
    new_lines = _LINE.findall(new)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    edits = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before = "".join(old_lines[i1:i2])
        after = "".join(new_lines[j1:j2])
        prefix = _common_prefix(before, after)
        suffix = _common_suffix(before[prefix:], after[prefix:])
        start = _location(old_lines, i1, before[:prefix])
        end = _location(old_lines, i1, before[: len(before) - suffix])
        edits.append(_slid_up(Edit(after[prefix: len(after) - suffix], start, end), old_lines))
    return edits


def _slid_up(edit: Edit, lines: Sequence[str]) -> Edit:
    """A pure insertion of whole lines, moved to its earliest equivalent row. A definition inserted between
    blank lines diffs ambiguously; two fixes that add the same helper must insert at the same point, so
    that they overlap and the second waits for the next pass (and then finds the helper there)."""
    content = edit.content
    row = edit.location.row
    if edit.location != edit.end_location or edit.location.column != 1 or not content.endswith(("\n", "\r")):
        return edit
    inserted = _LINE.findall(content)
    while row > 1 and row - 2 < len(lines) and lines[row - 2] == inserted[-1]:
        inserted = [lines[row - 2]] + inserted[:-1]
        row -= 1
    return Edit("".join(inserted), Location(row, 1), Location(row, 1))


def apply_edits(source: str, edits: Sequence[Edit]) -> str:
    """Apply non-overlapping edits (positions refer to `source`)."""
    offsets = _line_offsets(source)
    pieces = []
    cursor = 0
    for edit in sorted(edits, key=lambda e: (e.location, e.end_location)):
        start = _offset(offsets, edit.location)
        end = _offset(offsets, edit.end_location)
        if start < cursor:
            raise FixError("overlapping edits")
        pieces.append(source[cursor:start])
        pieces.append(edit.content)
        cursor = end
    pieces.append(source[cursor:])
    return "".join(pieces)


def _line_offsets(source: str) -> List[int]:
    offsets = [0]
    for line in _LINE.findall(source):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _offset(offsets: List[int], location: Location) -> int:
    row = min(location.row, len(offsets)) - 1
    return offsets[row] + location.column - 1


def _location(lines: List[str], first_line: int, text: str) -> Location:
    """Location after `text`, which starts at the beginning of line `first_line` (0-based)."""
    row = first_line + 1
    pieces = _LINE.findall(text)
    if not pieces:
        return Location(row, 1)
    complete = [p for p in pieces if p.endswith(("\n", "\r"))]
    if len(complete) == len(pieces):
        return Location(row + len(pieces), 1)
    return Location(row + len(pieces) - 1, len(pieces[-1]) + 1)


def _common_prefix(a: str, b: str) -> int:
    limit = min(len(a), len(b))
    index = 0
    while index < limit and a[index] == b[index]:
        index += 1
    return index


def _common_suffix(a: str, b: str) -> int:
    limit = min(len(a), len(b))
    index = 0
    while index < limit and a[-1 - index] == b[-1 - index]:
        index += 1
    return index



def _deeper_than(tree: ast.AST, limit: int) -> bool:
    """Whether `tree` nests more than `limit` levels; iterative, so any depth can be measured."""
    stack = [(tree, 1)]
    push = stack.append
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        depth += 1
        # ast.iter_child_nodes inlined: this walks every node of the file
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        push((item, depth))
            elif isinstance(value, ast.AST):
                push((value, depth))
    return False
