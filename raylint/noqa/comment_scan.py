"""The comments of Python source, and the row spans whose `# noqa` belongs on the span's last row.

`tokenize` is the reference reader, but in pure Python (before 3.12) it costs more than the rest of a
lint, so the usual source is read by one regular-expression pass that follows the same lexical rules;
whenever the text holds something that pass does not model exactly (an unterminated string or bracket,
a stray backslash, a dedent tokenize rejects, a NUL byte, the f-string tokens of Python 3.12), the
source goes through `tokenize` instead. Source that fails to tokenize keeps what the tokenizer read
before failing; the lines it never reached are scanned one by one, reading everything from the first
`#` as a comment whatever the quoting. One file's reading is cached, since suppressions, unused and
malformed directives all read the same comments.
"""

from __future__ import annotations

import functools
import io
import re
import sys
import tokenize
from typing import List, NamedTuple, Optional, Tuple

_FSTRING_START = frozenset(
    getattr(tokenize, name) for name in ("FSTRING_START", "TSTRING_START") if hasattr(tokenize, name)
)
_FSTRING_END = frozenset(
    getattr(tokenize, name) for name in ("FSTRING_END", "TSTRING_END") if hasattr(tokenize, name)
)
_LINE_ENDS = (tokenize.NL, tokenize.NEWLINE)

# From 3.12 tokenize wraps the C tokenizer: it splits f-strings into tokens and rejects far more text,
# none of which the fast pass models, so it reads everything there.
_FAST = sys.version_info < (3, 12)

# tokenize's string grammar (Lib/tokenize.py; the prefilter uses it too), over the whole text instead of line by line: a prefix never
# changes where a string ends, so the scan starts at the quote. DOTALL lets `\\.` take a backslash-newline.
# Three quotes always open a triple-quoted string, as in tokenize, even one that never ends.
STRING = (
    r"'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"
    r'|"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
    r"|(?!''')'[^\n'\\]*(?:\\.[^\n'\\]*)*'"
    r'|(?!""")"[^\n"\\]*(?:\\.[^\n"\\]*)*"'
)
# Everything else (names, numbers, operators, blanks) cannot hide a quote or a `#`: each match skips it in one
# run before its event. A quote or backslash left over starts a string that never ends, or is a backslash
# tokenize rejects. The most frequent events come first.
_EVENT = re.compile(
    r"[^\n#'\"\\()\[\]{}]*"
    r"(?:(?P<blank>\n[ \t\f]*(?=[\n#]|\Z))"
    r"|(?P<newline>\n[ \t\f]*)"
    r"|(?P<open>[(\[{])"
    r"|(?P<close>[)\]}])"
    r"|(?P<comment>#[^\n]*)"
    rf"|(?P<string>{STRING})"
    r"|(?P<continuation>\\\n)"
    r"|(?P<unsure>['\"\\])"
    r"|\Z)",
    re.DOTALL,
)
_BLANKS = re.compile(r"[ \t\f]*")
_TAB_SIZE = 8


class Comment(NamedTuple):
    row: int
    text: str
    own_line: bool


class Scan(NamedTuple):
    """A file's comments in order, and the (first, last) rows of each multi-row string or backslash-joined line."""

    comments: Tuple[Comment, ...]
    spans: Tuple[Tuple[int, int], ...]


@functools.lru_cache(maxsize=4)
def scan(source: str) -> Scan:
    """The comments and spans of `source` (without a byte order mark); the last few files' are kept."""
    if _FAST:
        fast = fast_scan(source)
        if fast is not None:
            return fast
    return reference_scan(source)


def reference_scan(source: str) -> Scan:
    """What `tokenize` reads, completed line by line past the point where it fails."""
    # A NUL byte is never valid Python, and Python 3.12's tokenizer fails on it with SystemError.
    if "\0" in source:
        comments, spans, read_rows = [], [], 0
    else:
        comments, spans, read_rows = read_tokens(source)
    if read_rows is None:
        return Scan(tuple(comments), tuple(spans))
    unread = io.StringIO(source, newline=None).readlines()[read_rows:]
    kept = [comment for comment in comments if comment.row <= read_rows]
    return Scan(tuple(kept + _scan_lines(unread, read_rows + 1)), tuple(spans))


def read_tokens(source: str) -> Tuple[List[Comment], List[Tuple[int, int]], Optional[int]]:
    """One tokenize pass, also returning how many rows were read when tokenizing fails (else None).

    A span is a string token over several rows, or rows joined by backslashes up to the row
    that ends the logical line (Ruff's `noqa_line_for`).
    """
    comments: List[Comment] = []
    spans: List[Tuple[int, int]] = []
    fstring_rows: List[int] = []
    prev_kind, prev_end_row = tokenize.NEWLINE, 0
    read_rows = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source, newline=None).readline):
            kind, start_row, end_row = tok.type, tok.start[0], tok.end[0]
            if kind in (tokenize.INDENT, tokenize.DEDENT):
                continue
            # Tokens never cross a line break silently except at a backslash continuation.
            if not fstring_rows and start_row > prev_end_row and prev_kind not in _LINE_ENDS:
                spans.append((prev_end_row, start_row))
            if kind == tokenize.COMMENT:
                comments.append(Comment(start_row, tok.string, prev_end_row < start_row))
            # Unlike Ruff, which maps only triple-quoted strings, this also covers a single-quoted
            # string continued by a backslash: its first row cannot hold a comment either.
            elif kind == tokenize.STRING and end_row > start_row:
                spans.append((start_row, end_row))
            elif kind in _FSTRING_START:
                fstring_rows.append(start_row)
            elif kind in _FSTRING_END:
                first_row = fstring_rows.pop()
                if end_row > first_row:
                    spans.append((first_row, end_row))
            elif kind in _LINE_ENDS:
                read_rows = end_row
            prev_kind, prev_end_row = kind, end_row
    except (tokenize.TokenError, SyntaxError):
        return comments, spans, read_rows
    return comments, spans, None


def fast_scan(source: str) -> Optional[Scan]:
    """What `read_tokens` reads from `source`, or None when the text is outside what this pass models.

    It keeps only the state that decides comments and spans or makes tokenize fail: the row, the bracket
    depth, the indentation stack of statement lines, and where a backslash continuation started.
    """
    if "\0" in source:
        return None
    # tokenize reads lines with universal newlines
    text = source.replace("\r\n", "\n").replace("\r", "\n") if "\r" in source else source
    plain_indents = "\t" not in text and "\f" not in text
    comments: List[Comment] = []
    spans: List[Tuple[int, int]] = []
    indents = [0]
    row, depth = 1, 0
    # the row of the last token before a backslash continuation, None when that token ended its line
    joined_from: Optional[int] = None
    more_joined = False  # the continuation's next row holds only another continuation
    continued_at = -1  # where the last row began that continues a string or a backslash-joined line
    # the first line is a statement line unless blank: anything it indents to is on the stack
    first_indent = _BLANKS.match(text).end()
    first_column = first_indent if plain_indents else _column(text[:first_indent])
    if first_column and text[first_indent : first_indent + 1] not in ("", "\n", "#"):
        indents.append(first_column)
    for match in _EVENT.finditer(text):
        kind = match.lastgroup
        if kind == "newline":
            row += 1
            if depth == 0:
                start = match.start(kind) + 1
                column = match.end() - start if plain_indents else _column(text[start : match.end()])
                if column != indents[-1] and not _indent(indents, column):
                    return None
        elif kind == "blank":
            row += 1
        elif kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1  # below zero too: tokenize then reads lines as continued until it is back at zero
        elif kind == "comment":
            start = match.start(kind)
            line_start = text.rfind("\n", 0, start) + 1
            comments.append(Comment(row, match.group(kind), not text[line_start:start].strip(" \t\f")))
        elif kind == "string":
            rows = text.count("\n", match.start(kind), match.end())
            if rows:
                spans.append((row, row + rows))
                continued_at = match.end()
                row += rows
        elif kind == "continuation":
            start = match.start(kind)
            line_start = text.rfind("\n", 0, start) + 1
            if text[line_start:start].strip(" \t\f"):
                joined_from = row
            elif not more_joined:
                joined_from = None
            row += 1
            continued_at = match.end()
            next_token = _BLANKS.match(text, match.end()).end()
            if next_token == len(text):
                return None  # tokenize: EOF in multi-line statement
            more_joined = text.startswith("\\\n", next_token)
            if not more_joined and joined_from is not None:
                spans.append((joined_from, row))
        elif kind == "unsure":
            return None
    if depth:
        return None
    if _ends_after_a_token(text, continued_at):
        spans.append((row, row + 1))
    return Scan(tuple(comments), tuple(spans))


def _ends_after_a_token(text: str, continued_at: int) -> bool:
    """Whether tokenize's end marker, on the row after the last, follows a token that did not end its line:
    tokenize adds a NEWLINE to a last line without a line break unless that line, stripped, starts with
    `#`; and it ends the line with NL itself only where the line is a statement line holding a comment
    alone (blanks before it)."""
    if not text or text.endswith("\n"):
        return False
    line_start = text.rfind("\n") + 1
    last_line = text[line_start:]
    if not last_line.strip().startswith("#"):
        return False
    statement_line = continued_at < line_start
    return not (statement_line and last_line.lstrip(" \t\f").startswith("#"))


def _indent(indents: List[int], column: int) -> bool:
    """Push or pop the indentation stack for a statement line starting at `column`, as tokenize does;
    False where tokenize raises IndentationError (a dedent to a column never indented to)."""
    if column > indents[-1]:
        indents.append(column)
    elif column not in indents:
        return False
    else:
        del indents[indents.index(column) + 1 :]
    return True


def _column(blanks: str) -> int:
    column = 0
    for char in blanks:
        if char == " ":
            column += 1
        elif char == "\t":
            column = (column // _TAB_SIZE + 1) * _TAB_SIZE
        else:  # a form feed resets the column
            column = 0
    return column


def _scan_lines(lines: List[str], first_row: int) -> List[Comment]:
    """Fallback for untokenizable text: everything from a line's first `#` is its comment."""
    comments = []
    for row, line in enumerate(lines, first_row):
        hash_at = line.find("#")
        if hash_at >= 0:
            comments.append(Comment(row, line[hash_at:].rstrip("\n"), not line[:hash_at].strip()))
    return comments
