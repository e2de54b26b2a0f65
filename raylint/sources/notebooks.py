"""Jupyter notebooks: the code cells become one Python program, findings are mapped back to cells, and
fixes are written into the cells' `source` without touching the rest of the notebook's JSON.

The program is the code cells in order, each followed by a newline and separated by a boundary comment
naming the next cell. IPython magics and shell lines become placeholders (`pass` or a comment) on the same
rows, so rows map one to one onto cell lines, and a fixed program splits back into cells with the magics
restored. A fix is kept only when all its edits stay inside one cell and leave the magics alone.
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from dataclasses import dataclass, field, replace
from json.decoder import scanstring
from typing import Dict, List, Optional, Tuple

from raylint import deep
from raylint.engine import FileResult, LintOptions, lint_source, pseudo_finding, syntax_finding
from raylint.fixing import FixPolicy, fix_text
from raylint.ftypes import Diagnostic, Edit, Fix, Location
from raylint.semantics.project_index import ProjectIndex
from raylint.registry import IO_ERROR, SYNTAX_ERROR

# Cell magics whose body is Python (Ruff lints these too); any other cell magic makes the cell opaque.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "python", "python3", "pypy"})

_HELP = re.compile(r"[A-Za-z_][\w.]*\s*\?{1,2}\s*$")  # `obj?`, `obj.attr??`
_ASSIGNED_MAGIC = re.compile(r"[A-Za-z_][\w.]*(\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[%!]")  # `files = !ls`
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class NotebookError(Exception):
    """A notebook that cannot be read or written back; the message is one line."""


@dataclass(frozen=True)
class Cell:
    """One code cell: its 1-based number among all cells, its text, and where its `source` is in the JSON."""

    number: int
    text: str
    as_string: bool
    span: Tuple[int, int]


@dataclass(frozen=True)
class CellChange:
    number: int
    before: str
    after: str


@dataclass
class Notebook:
    """A parsed notebook and the Python program made of its code cells."""

    json_text: str
    bom: bool
    cells: List[Cell]
    source: str
    magics: List[str]
    boundary: str  # comment prefix of the boundary lines
    placeholder: str  # comment prefix of the magic placeholders
    _rows: Optional["_RowMap"] = field(default=None, repr=False, compare=False)

    def rows(self, source: str) -> "_RowMap":
        """Rows of `source` against cells; kept for the last program, since `fix_text` asks about every
        fix of one pass on the same text."""
        if self._rows is None or self._rows.source is not source:
            self._rows = _RowMap(self, source)
        return self._rows

    def to_cells(self, diagnostic: Diagnostic, source: Optional[str] = None) -> Diagnostic:
        """`diagnostic` with `cell` set and rows relative to that cell; a fix it cannot apply is dropped."""
        rows = self.rows(source if source is not None else self.source)
        cell, start = rows.locate(diagnostic.location)
        end_cell, end = rows.locate(diagnostic.end_location)
        if end_cell != cell:
            end = rows.cell_end(cell)
        noqa_cell, noqa = rows.locate(Location(diagnostic.noqa_row, 1))
        fix = diagnostic.fix
        if fix is not None:
            if rows.keeps(fix):
                edits = tuple(Edit(e.content, rows.locate(e.location)[1], rows.locate(e.end_location)[1])
                              for e in fix.edits)
                fix = replace(fix, edits=edits)
            else:
                fix = None
        return replace(diagnostic, cell=cell, location=start, end_location=end,
                       noqa_row=noqa.row if noqa_cell == cell else start.row, fix=fix)

    def keeps_fix(self, source: str, diagnostic: Diagnostic) -> bool:
        """Whether the fix of `diagnostic` on `source` can be written back into cells (for `fix_text`)."""
        return diagnostic.fix is not None and self.rows(source).keeps(diagnostic.fix)

    def cell_texts(self, source: str) -> Dict[int, str]:
        """Split a (fixed) program back into cell texts, magics restored. Raises NotebookError when a fix
        broke the layout, which `keeps_fix` is there to prevent."""
        parts = re.split(rf"^{re.escape(self.boundary)} (\d+)\n", source, flags=re.M)
        numbers = [self.cells[0].number] + [int(n) for n in parts[1::2]] if self.cells else []
        if numbers != [cell.number for cell in self.cells]:
            raise NotebookError("the fixes would move code across cells")
        restored: Dict[int, str] = {}
        placeholder = re.compile(rf"^[ \t]*(?:pass  )?{re.escape(self.placeholder)} (\d+)$")
        used: List[int] = []
        for number, segment in zip(numbers, parts[0::2]):
            lines = (segment[:-1] if segment.endswith("\n") else segment).split("\n")
            for i, line in enumerate(lines):
                match = placeholder.match(line)
                if match:
                    used.append(int(match.group(1)))
                    lines[i] = self.magics[used[-1]]
            restored[number] = "\n".join(lines)
        if sorted(used) != list(range(len(self.magics))):
            raise NotebookError("the fixes would change IPython magic lines")
        return restored

    def rebuild(self, texts: Dict[int, str]) -> Tuple[str, List[CellChange]]:
        """The notebook JSON with the changed cells' `source` replaced, everything else byte for byte."""
        out = self.json_text
        changes = []
        for cell in reversed(self.cells):
            after = texts.get(cell.number, cell.text)
            if after == cell.text:
                continue
            start, end = cell.span
            out = out[:start] + self._render(cell, after) + out[end:]
            changes.append(CellChange(cell.number, cell.text, after))
        return out, changes[::-1]

    def _render(self, cell: Cell, text: str) -> str:
        """The JSON of a new `source`, in the representation and layout the cell already used."""
        ascii_only = self.json_text.isascii() and "\\u" in self.json_text
        if cell.as_string:
            return json.dumps(text, ensure_ascii=ascii_only)
        lines = re.findall(r"[^\n]*\n|[^\n]+", text)
        if not lines:
            return "[]"
        old = self.json_text[cell.span[0]:cell.span[1]]
        if "\n" not in self.json_text:
            return json.dumps(lines, ensure_ascii=ascii_only)
        if "\n" in old:
            item_indent = re.match(r"\[\n([ \t]*)", old)
            close_indent = re.search(r"\n([ \t]*)\]$", old)
        else:
            item_indent = close_indent = None
        if item_indent and close_indent:
            inner, outer = item_indent.group(1), close_indent.group(1)
        else:
            line_start = self.json_text.rfind("\n", 0, cell.span[0]) + 1
            outer = re.match(r"[ \t]*", self.json_text[line_start:]).group(0)
            unit = re.match(r"[^\n]*\n([ \t]+)", self.json_text)
            inner = outer + (unit.group(1) if unit else " ")
        items = ",\n".join(inner + json.dumps(line, ensure_ascii=ascii_only) for line in lines)
        return f"[\n{items}\n{outer}]"

    def encoded(self, text: str) -> bytes:
        return ("\ufeff" if self.bom else "").encode("utf-8") + text.encode("utf-8")


def parse_notebook(data: bytes) -> Notebook:
    """Read notebook JSON (nbformat 4) into cells and one Python program. Raises NotebookError."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotebookError(f"notebook is not UTF-8: {error.reason}") from None
    bom = text.startswith("\ufeff")
    text = text[1:] if bom else text
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise NotebookError(f"invalid notebook JSON: {error}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise NotebookError("not a Jupyter notebook (no `cells` list)")
    if raw.get("nbformat") != 4:
        raise NotebookError(f"expected Jupyter notebook format 4, found {raw.get('nbformat')!r}")
    spans = _source_spans(text)
    cells = []
    if _is_python(raw):
        for index, cell in enumerate(raw["cells"]):
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            source = cell.get("source")
            if isinstance(source, list) and all(isinstance(line, str) for line in source):
                cells.append(Cell(index + 1, "".join(source), False, spans[index]))
            elif isinstance(source, str):
                cells.append(Cell(index + 1, source, True, spans[index]))
            else:
                raise NotebookError(f"cell {index + 1}: `source` is neither a string nor a list of strings")
    boundary = _unused(text, "# raylint-cell")
    placeholder = _unused(text, "# raylint-magic")
    magics: List[str] = []
    pieces = []
    for position, cell in enumerate(cells):
        if position:
            pieces.append(f"{boundary} {cell.number}\n")
        pieces.append("\n".join(_mask(cell.text.split("\n"), magics, placeholder)) + "\n")
    return Notebook(text, bom, cells, "".join(pieces), magics, boundary, placeholder)


def _parse(text: str) -> None:
    """Parse like the engine does: warnings hidden, deep code on the deep stack."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        deep.call(ast.parse, text)


def _without_broken_cells(notebook: Notebook, path: str) -> Tuple[str, List[Diagnostic]]:
    """The program with every cell that does not parse on its own blanked (rows kept), and one
    `invalid-syntax` finding per such cell, in program rows. The program itself when it parses."""
    try:
        _parse(notebook.source)
        return notebook.source, []
    except (SyntaxError, ValueError, deep.TooDeep, MemoryError):
        pass
    parts = re.split(rf"^({re.escape(notebook.boundary)} \d+\n)", notebook.source, flags=re.M)
    row = 1
    findings: List[Diagnostic] = []
    for position, part in enumerate(parts):
        if position % 2 == 0 and part:
            try:
                _parse(part)
            except SyntaxError as error:
                finding = syntax_finding(path, part, error)
                location = Location(finding.location.row + row - 1, finding.location.column)
                findings.append(replace(finding, location=location, end_location=location, noqa_row=location.row))
                parts[position] = "\n" * part.count("\n")
            except (ValueError, deep.TooDeep, MemoryError) as error:
                findings.append(pseudo_finding(SYNTAX_ERROR, path, f"SyntaxError: {error}", row))
                parts[position] = "\n" * part.count("\n")
        row += part.count("\n")
    return "".join(parts), findings


def lint_notebook(data: bytes, path: str, options: LintOptions, module_name: str = "",
                  index: Optional[ProjectIndex] = None) -> FileResult:
    """Lint a notebook's bytes as one program; unreadable notebooks give one `io-error` finding."""
    try:
        notebook = parse_notebook(data)
    except NotebookError as error:
        return FileResult(path, [pseudo_finding(IO_ERROR, path, f"Failed to read {path}: {error}")])
    source, broken = _without_broken_cells(notebook, path)
    result = lint_source(source, path, options, module_name, index)
    if broken:
        # Findings of the other cells stand; each broken cell gets its own `invalid-syntax` (as in Ruff).
        kept = [d for d in result.diagnostics if d.code != SYNTAX_ERROR]
        result = replace(result, diagnostics=sorted(kept + broken, key=Diagnostic.sort_key))
    # A notebook cannot be imported, so it defines nothing for the project index.
    return replace(result, diagnostics=[notebook.to_cells(d) for d in result.diagnostics], summaries=[])


@dataclass
class NotebookFix:
    """A fixed notebook: its new JSON text, the changed cells, and the findings left, mapped to cells."""

    notebook: Notebook
    text: str
    changes: List[CellChange]
    fixed: int
    result: FileResult
    errors: List[str]


def fix_notebook(data: bytes, path: str, options: LintOptions, policy: FixPolicy, module_name: str = "",
                 index: Optional[ProjectIndex] = None) -> NotebookFix:
    """Apply the fixes that stay inside cells. Raises NotebookError when the notebook cannot be read or
    the result would not be a valid notebook (nothing is written then)."""
    notebook = parse_notebook(data)
    fixed = fix_text(notebook.source, path, options, policy, module_name, index, keep=notebook.keeps_fix)
    result = replace(fixed.result, summaries=[],
                     diagnostics=[notebook.to_cells(d, fixed.source) for d in fixed.result.diagnostics])
    if fixed.source == notebook.source:
        return NotebookFix(notebook, notebook.json_text, [], 0, result, fixed.errors)
    text, changes = notebook.rebuild(notebook.cell_texts(fixed.source))
    for change in changes:
        # Jupyter runs each cell on its own: a cell that compiled alone must still do so.
        if _compiles(change.before, notebook.placeholder) and not _compiles(change.after, notebook.placeholder):
            raise NotebookError(f"the fixes would leave cell {change.number} unable to run on its own")
    try:
        parse_notebook(text.encode("utf-8"))
    except NotebookError as error:
        raise NotebookError(f"the fixed notebook would be invalid ({error})") from None
    return NotebookFix(notebook, text, changes, fixed.fixed, result, fixed.errors)


def cell_lines(json_text: str) -> Dict[int, List[str]]:
    """The lines of each code cell by number, for reporters that show source; empty if unreadable."""
    try:
        notebook = parse_notebook(json_text.encode("utf-8"))
    except NotebookError:
        return {}
    return {cell.number: cell.text.split("\n") for cell in notebook.cells}


class _RowMap:
    """Rows of one program (original or fixed) against cells, found from its boundary lines."""

    def __init__(self, notebook: Notebook, source: str):
        self.source = source
        self.lines = source.split("\n")
        self.cells: List[Optional[int]] = []  # per row: cell number, None on a boundary row
        self.rows: List[int] = []  # per row: row in cell
        self.magic: List[bool] = []
        number = notebook.cells[0].number if notebook.cells else 1
        row = 0
        for line in self.lines:
            if line.startswith(notebook.boundary + " ") and line[len(notebook.boundary) + 1:].isdigit():
                number, row = int(line[len(notebook.boundary) + 1:]), 0
                self.cells.append(None)
                self.rows.append(0)
                self.magic.append(False)
                continue
            row += 1
            self.cells.append(number)
            self.rows.append(row)
            self.magic.append(notebook.placeholder in line)
        self.tokens = (notebook.boundary, notebook.placeholder)

    def locate(self, location: Location) -> Tuple[int, Location]:
        index = min(max(location.row, 1), len(self.lines)) - 1
        column = location.column
        while index > 0 and self.cells[index] is None:
            # On a boundary row (an error at the end of a cell): the end of the cell before it.
            index -= 1
            column = len(self.lines[index]) + 1
        if self.cells[index] is None:
            return 1, Location(1, 1)
        return self.cells[index], Location(self.rows[index], column)

    def cell_end(self, cell: int) -> Location:
        last = max(i for i, number in enumerate(self.cells) if number == cell)
        return Location(self.rows[last], len(self.lines[last]) + 1)

    def keeps(self, fix: Fix) -> bool:
        """All edits stay inside one cell, away from magic placeholders."""
        cells = set()
        for edit in fix.edits:
            if any(token in edit.content for token in self.tokens):
                return False
            start, end = edit.location.row, edit.end_location.row
            if not 1 <= start <= end <= len(self.lines):
                return False
            if end > start and edit.end_location.column == 1:
                end -= 1  # the range stops at the start of that row
            if edit.location == edit.end_location and edit.location.column == 1 and edit.content.endswith("\n"):
                # Whole lines inserted before a row: before a boundary, they end the cell above it.
                cells.add(self.cells[start - 1] if self.cells[start - 1] is not None else self.cells[start - 2])
                continue
            for row in range(start, end + 1):
                if self.cells[row - 1] is None or self.magic[row - 1]:
                    return False
                cells.add(self.cells[row - 1])
        return len(cells) <= 1


def _mask(lines: List[str], magics: List[str], placeholder: str) -> List[str]:
    """The cell's lines with IPython syntax replaced by placeholders that parse, row for row."""
    def hide(i: int, statement: bool) -> None:
        magics.append(lines[i])
        indent = re.match(r"[ \t]*", lines[i]).group(0) if statement else ""
        out[i] = f"{indent}{'pass  ' if statement else ''}{placeholder} {len(magics) - 1}"

    out = list(lines)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        name = lines[first].lstrip()[2:].split(maxsplit=1)
        python_body = bool(name) and name[0] in PYTHON_CELL_MAGICS
        for i in range(len(lines)) if not python_body else [first]:
            hide(i, False)
        if not python_body:
            return out
    depth, quote, continued, in_magic = 0, None, False, False
    for i, line in enumerate(lines):
        if out[i] is not lines[i]:
            continue
        if in_magic:
            hide(i, False)
            in_magic = line.rstrip().endswith("\\")
            continue
        if depth == 0 and quote is None and not continued and _is_magic(line):
            hide(i, True)
            in_magic = line.rstrip().endswith("\\")
            continue
        depth, quote, continued = _scan(line, depth, quote)
    return out


def _compiles(text: str, placeholder: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse("\n".join(_mask(text.split("\n"), [], placeholder)))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _is_magic(line: str) -> bool:
    text = line.lstrip()
    return text.startswith(("%", "!", "?")) or bool(_HELP.match(text) or _ASSIGNED_MAGIC.match(text))


def _scan(line: str, depth: int, quote: Optional[str]) -> Tuple[int, Optional[str], bool]:
    """Bracket depth, open string and backslash continuation after `line`: enough to tell whether the
    next line starts a statement, where IPython syntax can appear."""
    i, n = 0, len(line)
    comment = False
    while i < n:
        char = line[i]
        if quote is not None:
            if char == "\\":
                i += 2
                continue
            if line.startswith(quote, i):
                i += len(quote)
                quote = None
                continue
            i += 1
            continue
        if char == "#":
            comment = True
            break
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif char in "'\"":
            quote = line[i:i + 3] if line[i:i + 3] in ('"""', "'''") else char
            i += len(quote)
            continue
        i += 1
    continued = not comment and line.rstrip("\r").endswith("\\")
    if quote is not None and len(quote) == 1 and not continued:
        quote = None  # an unterminated one-line string ends with its line
    return depth, quote, continued


def _source_spans(text: str) -> Dict[int, Tuple[int, int]]:
    """Character spans of each cell's `source` value in the notebook JSON, so a fix can replace just it."""
    spans: Dict[int, Tuple[int, int]] = {}
    for key, start, end in _members(text, _skip(text, 0)):
        if key == "cells":
            for index, (cell_start, _) in enumerate(_elements(text, start)):
                if text[cell_start] != "{":
                    continue
                for cell_key, value_start, value_end in _members(text, cell_start):
                    if cell_key == "source":
                        spans[index] = (value_start, value_end)
    return spans


def _skip(text: str, pos: int) -> int:
    return _WHITESPACE.match(text, pos).end()


def _members(text: str, pos: int):
    """(key, value start, value end) of each member of the JSON object at `pos`."""
    pos = _skip(text, pos + 1)
    while text[pos] != "}":
        key, pos = scanstring(text, pos + 1)
        pos = _skip(text, _skip(text, pos) + 1)  # past the colon
        _, end = _DECODER.raw_decode(text, pos)
        yield key, pos, end
        pos = _skip(text, end)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)


def _elements(text: str, pos: int):
    """(start, end) of each element of the JSON array at `pos`."""
    pos = _skip(text, pos + 1)
    while text[pos] != "]":
        _, end = _DECODER.raw_decode(text, pos)
        yield pos, end
        pos = _skip(text, end)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)


def _is_python(raw: dict) -> bool:
    """Notebooks of another kernel language (R, Julia) have no Python to lint, as in Ruff."""
    metadata = raw.get("metadata")
    language = metadata.get("language_info") if isinstance(metadata, dict) else None
    name = language.get("name") if isinstance(language, dict) else None
    return name is None or name == "python"


def _unused(text: str, token: str) -> str:
    """`token`, lengthened until it does not occur in the notebook, so user code cannot fake it."""
    while token in text:
        token += "-"
    return token


