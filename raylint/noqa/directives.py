"""Which findings `# noqa` and `# raylint: noqa` comments silence, read the way Ruff reads them.

Comments are found as `tokenize` finds them (comment_scan.py), so a `#` inside a string never counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Tuple

from raylint.ftypes import Diagnostic
from raylint.noqa.comment_scan import scan
from raylint.registry import PSEUDO_RULES

# The leftmost `#` followed by blanks and `noqa` in any case starts the directive (Ruff's lexer).
_INLINE = re.compile(r"#\s*[nN][oO][qQ][aA]")
_FILE = re.compile(r"#\s*raylint\s*:\s*[nN][oO][qQ][aA]")
_BLANKS = re.compile(r"\s*")
# Capitals then digits; an empty digit group marks a word that is not a code.
_CODE = re.compile(r"[A-Z]+([0-9]*)")

@dataclass(frozen=True)
class NoqaDirective:
    """A valid `noqa` directive: `codes` is None for a blanket one, else the codes it names."""

    codes: Optional[FrozenSet[str]] = None


@dataclass(frozen=True)
class Suppressions:
    """The `noqa` directives of one file, and the row each line's `# noqa` has to go on.

    `lines` maps a row to None (blanket) or its codes; `file_codes` is None when the whole file is
    exempt, else the codes exempt file-wide (empty: none); `row_targets` holds only rows that move.
    """

    lines: Mapping[int, Optional[FrozenSet[str]]] = field(default_factory=dict)
    file_codes: Optional[FrozenSet[str]] = frozenset()
    row_targets: Mapping[int, int] = field(default_factory=dict)

    def noqa_row(self, row: int) -> int:
        """The row a `# noqa` for a finding starting on `row` must be on."""
        return self.row_targets.get(row, row)

    def is_suppressed(self, code: str, noqa_row: int) -> bool:
        """Whether a file-level or line-level directive silences `code`; pseudo-rules never are."""
        if code in PSEUDO_RULES:
            return False
        if _names(self.file_codes, code):
            return True
        return noqa_row in self.lines and _names(self.lines[noqa_row], code)


def parse_noqa_comment(comment_text: str) -> Optional[NoqaDirective]:
    """The line-level directive in a comment, or None when it has none or it is malformed."""
    match = _INLINE.search(comment_text)
    return _lex_directive(comment_text, match.end()) if match else None


def parse_suppressions(source: str) -> Suppressions:
    """Read every directive in `source` and where each row's `# noqa` belongs."""
    comments, spans = scan(source[1:] if source.startswith("\ufeff") else source)
    return build_suppressions(comments, _row_targets(spans))


def build_suppressions(comments: Iterable[Tuple[int, str, bool]], row_targets: Mapping[int, int]) -> Suppressions:
    """Suppressions from (row, text from `#`, alone on its line) comments found by any reader (YAML and
    shell files have their own), and the rows whose `# noqa` goes on another row."""
    lines: Dict[int, Optional[FrozenSet[str]]] = {}
    exemptions: List[NoqaDirective] = []
    for row, text, own_line in comments:
        directive = parse_noqa_comment(text)
        if directive is not None:
            lines[row] = directive.codes
        # Ruff ignores a file-level directive that trails code: it must be on its own line.
        if own_line:
            match = _FILE.search(text)
            exemption = _lex_directive(text, match.end()) if match else None
            if exemption is not None:
                exemptions.append(exemption)
    return Suppressions(
        lines=MappingProxyType(lines),
        file_codes=_file_codes(exemptions),
        row_targets=MappingProxyType(dict(row_targets)),
    )


def apply_suppressions(diagnostics: Iterable[Diagnostic], source: str,
                       suppressions: Optional[Suppressions] = None) -> List[Diagnostic]:
    """The diagnostics no directive silences, in order, each with its `noqa_row` set."""
    diagnostics = list(diagnostics)
    if not diagnostics:
        return []
    if suppressions is None:
        suppressions = parse_suppressions(source)
    located = with_noqa_rows(diagnostics, suppressions)
    return [d for d in located if not suppressions.is_suppressed(d.code, d.noqa_row)]


def with_noqa_rows(diagnostics: Iterable[Diagnostic], suppressions: Suppressions) -> List[Diagnostic]:
    """Every diagnostic, suppressed or not, with `noqa_row` set to where its `# noqa` has to go."""
    located = []
    for diagnostic in diagnostics:
        row = suppressions.noqa_row(diagnostic.location.row)
        located.append(diagnostic if diagnostic.noqa_row == row else replace(diagnostic, noqa_row=row))
    return located


def comments(source: str) -> List[Tuple[int, str]]:
    """Every comment of `source` as (row, text from its `#`), found the way directives are."""
    found = scan(source[1:] if source.startswith("\ufeff") else source)
    return [(comment.row, comment.text) for comment in found.comments]


def _names(codes: Optional[FrozenSet[str]], code: str) -> bool:
    return codes is None or code in codes


def _lex_directive(text: str, pos: int) -> Optional[NoqaDirective]:
    """Read what follows `noqa`: end or `#` is blanket, `:` starts codes, a glued suffix is invalid."""
    following = text[pos : pos + 1]
    if following in ("", "#"):
        return NoqaDirective()
    if following == ":":
        return _lex_codes(text, pos + 1)
    if following.isspace():
        pos = _BLANKS.match(text, pos).end()
        # `# noqa is fine here` is blanket: only a colon introduces codes.
        return _lex_codes(text, pos + 1) if text[pos : pos + 1] == ":" else NoqaDirective()
    return None


def _lex_codes(text: str, pos: int) -> Optional[NoqaDirective]:
    """Read codes after `noqa:`; the list ends at the first word that is not a code, so reasons may follow."""
    codes = []
    glued = False
    while True:
        pos = _BLANKS.match(text, pos).end()
        if text[pos : pos + 1] == ",":
            pos += 1
            continue
        match = _CODE.match(text, pos)
        if match is None:
            break
        if not match.group(1):
            # Prose may follow a code, but not be glued to one (`RAY001RAYx`).
            if glued:
                return None
            break
        codes.append(match.group(0))
        pos = match.end()
        following = text[pos : pos + 1]
        if following == ",":
            pos += 1
            glued = False
        elif following in ("", "#") or following.isspace():
            glued = False
        elif "A" <= following <= "Z":
            glued = True
        else:
            return None
    return NoqaDirective(frozenset(codes)) if codes else None


def _file_codes(exemptions: List[NoqaDirective]) -> Optional[FrozenSet[str]]:
    """One blanket file directive exempts everything; otherwise the named codes add up."""
    codes: FrozenSet[str] = frozenset()
    for exemption in exemptions:
        if exemption.codes is None:
            return None
        codes |= exemption.codes
    return codes


def _row_targets(spans: Iterable[Tuple[int, int]]) -> Dict[int, int]:
    """Merge overlapping spans, as Ruff does, and send each row of a span to its last row."""
    targets: Dict[int, int] = {}
    merged: List[List[int]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    for first, last in merged:
        for row in range(first, last):
            targets[row] = last
    return targets
