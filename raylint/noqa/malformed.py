"""Warnings for `# noqa` directives that do not do what they look like, in Ruff's words: Ruff prints
`warning: Invalid `# noqa` directive on PATH:ROW: REASON` on stderr, once per directive.

Suppression itself is unchanged (suppression.py reads directives exactly as Ruff does): `# noqa RAY001`
stays a blanket directive and `# noqa:` stays none; these warnings only say so.
"""

from __future__ import annotations

import re
from typing import List, Tuple

from raylint.registry import all_rules
from raylint.noqa.directives import comments, parse_noqa_comment

_INLINE = re.compile(r"#\s*[nN][oO][qQ][aA]")
_CODE = re.compile(r"[A-Z]+[0-9]+")
_CODE_WORD = re.compile(r"[A-Z]+[0-9]+(?=[\s,#]|$)")

# Ruff's messages (crates/ruff_linter/src/noqa.rs, ParseError), with raylint's codes in the examples.
MISSING_CODES = "expected a comma-separated list of codes (e.g., `# noqa: RAY001, RAY003`)."
MISSING_COLON = "expected `:` followed by a comma-separated list of codes (e.g., `# noqa: RAY001, RAY003`)."
BAD_CODE = "expected code to consist of uppercase letters followed by digits only (e.g. `RAY001`)"
OWN_PREFIX = "RAY"


def noqa_warnings(source: str) -> List[Tuple[int, str]]:
    """(row, reason) for each malformed or misleading `# noqa` directive in `source`."""
    if not _may_warn(source):
        return []
    found = []
    for row, text in comments(source):
        reason = _reason(text)
        if reason is not None:
            found.append((row, reason))
    return found


def _may_warn(source: str) -> bool:
    """False when no comment of `source` can get a warning, decided without finding its comments. A comment's
    reason depends only on its text from its first `# noqa` to the end of its line, so judging that text
    after every `# noqa` of the source (in comments, strings or code alike) covers every comment; most files
    only have well-formed directives, and tokenizing them is what costs."""
    for match in _INLINE.finditer(source):
        end = len(source)
        for line_break in ("\n", "\r"):
            found = source.find(line_break, match.start(), end)
            if found != -1:
                end = found
        if _reason(source[match.start():end]) is not None:
            return True
    return False


def format_warning(display_path: str, row: int, reason: str) -> str:
    return f"warning: Invalid `# noqa` directive on {display_path}:{row}: {reason}"


def _reason(text: str):
    match = _INLINE.search(text)
    if match is None:
        return None
    directive = parse_noqa_comment(text)
    tail = text[match.end():]
    if directive is None:
        stripped = tail.lstrip()
        if stripped.startswith(":"):
            codes = stripped[1:].strip()
            # a bare `noqa:` with nothing (or nothing that is a code) after it silences nothing
            return BAD_CODE if _CODE.match(codes) else MISSING_CODES
        return MISSING_COLON
    if directive.codes is None:
        # `# noqa RAY001`: a blanket directive that looks like a specific one
        following = tail.lstrip()
        if tail[:1].isspace() and _CODE_WORD.match(following):
            return MISSING_COLON
        return None
    unknown = sorted(code for code in directive.codes if code.startswith(OWN_PREFIX) and code not in all_rules())
    if unknown:
        return f"unknown rule code{'s' if len(unknown) > 1 else ''} {', '.join(f'`{c}`' for c in unknown)}"
    return None
