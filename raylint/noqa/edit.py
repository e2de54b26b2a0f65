"""Editing `# noqa` directives in source text: adding codes (`raylint check --add-noqa`) and removing
unused ones (RAY900's fix). Directives are found as `raylint.noqa.directives` finds them, so an edit always
lands on the comment that raylint and Ruff read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from raylint.ftypes import Edit, Location
from raylint.noqa.directives import comments, parse_noqa_comment

_INLINE = re.compile(r"#\s*[nN][oO][qQ][aA]")
# The code list of a valid directive: what Ruff's lexer reads before reasons or another comment.
_CODE_LIST = re.compile(r"\s*:\s*[A-Z]+[0-9]+(?:[\s,]*[A-Z]+[0-9]+)*,?")
_CODE = re.compile(r"[A-Z]+[0-9]+")
_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|$)")


@dataclass(frozen=True)
class Directive:
    """A line's `# noqa` directive: its 0-based column span in the line and its codes (None: blanket)."""

    row: int
    start: int
    end: int
    codes: Optional[Tuple[str, ...]]


def split_lines(source: str) -> List[Tuple[str, str]]:
    """(text, line ending) per row, rows numbered as the tokenizer numbers them."""
    lines = [(m.group(1), m.group(2)) for m in _LINE.finditer(source)]
    if lines and lines[-1] == ("", ""):
        lines.pop()
    return lines


def directives(source: str, lines: Sequence[Tuple[str, str]]) -> Dict[int, Optional[Directive]]:
    """Row -> its directive, for every row with a comment that mentions `noqa`; None when malformed."""
    found: Dict[int, Optional[Directive]] = {}
    for row, text in comments(source):
        match = _INLINE.search(text)
        if match is None or row > len(lines):
            continue
        parsed = parse_noqa_comment(text)
        if parsed is None:
            found[row] = None
            continue
        offset = len(lines[row - 1][0].rstrip("\r\n")) - len(text.rstrip("\r\n"))
        end = match.end()
        codes = None
        if parsed.codes is not None:
            listed = _CODE_LIST.match(text, end)
            end = listed.end()
            codes = tuple(dict.fromkeys(_CODE.findall(listed.group(0))))
        found[row] = Directive(row, offset + match.start(), offset + end, codes)
    return found


def removal_edit(line: str, row: int, directive: Directive, keep: Sequence[str]) -> Edit:
    """The edit that drops the directive's other codes, keeping `keep`; with none kept, the directive goes,
    as Ruff's unused-noqa fix removes it: the whole line when nothing else is on it, else the directive
    and its blanks, keeping a later comment or the reason as a comment of its own."""
    start, end = directive.start, directive.end
    if keep:
        return _replace(row, start, end, "# noqa: " + ", ".join(keep))
    before, after = line[:start], line[end:]
    leading = len(before) - len(before.rstrip())
    trailing = len(after) - len(after.lstrip())
    if not before.strip() and not after.strip():
        return Edit("", Location(row, 1), Location(row + 1, 1))
    if not after.strip():
        return _replace(row, start - leading, len(line), "")
    if after.lstrip().startswith("#"):
        return _replace(row, start, end + trailing, "")
    return _replace(row, start, end + trailing, "# ")


def add_codes(source: str, codes_by_row: Dict[int, Iterable[str]]) -> Tuple[str, int]:
    """`source` with each row's codes added to its `# noqa` (a new one two spaces after the code, or merged
    into a coded one); returns the text and how many directives were added or extended. A row whose
    directive is blanket or malformed is left alone."""
    lines = split_lines(source)
    found = directives(source, lines)
    changed = 0
    for row, wanted in sorted(codes_by_row.items()):
        if row > len(lines):
            continue
        text, ending = lines[row - 1]
        directive = found.get(row)
        if row not in found:
            lines[row - 1] = (f"{text.rstrip()}  # noqa: {', '.join(sorted(set(wanted)))}", ending)
        elif directive is None or directive.codes is None:
            continue
        else:
            merged = list(directive.codes) + sorted(set(wanted) - set(directive.codes))
            if len(merged) == len(directive.codes):
                continue
            lines[row - 1] = (text[: directive.start] + "# noqa: " + ", ".join(merged) + text[directive.end:], ending)
        changed += 1
    return "".join(text + ending for text, ending in lines), changed


def _replace(row: int, start: int, end: int, content: str) -> Edit:
    return Edit(content, Location(row, start + 1), Location(row, end + 1))
