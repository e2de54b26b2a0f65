"""`# noqa` and `# raylint: noqa` must silence exactly what Ruff's would, on the row Ruff reports."""

from __future__ import annotations

import sys
from typing import Dict, List, Optional, Tuple

import pytest

from raylint.ftypes import Diagnostic, Location
from raylint.noqa.directives import (
    NoqaDirective,
    Suppressions,
    apply_suppressions,
    parse_noqa_comment,
    parse_suppressions,
)

BLANKET = NoqaDirective()


def codes(*names: str) -> NoqaDirective:
    return NoqaDirective(frozenset(names))


# Every case of FORMATS.md section 5, then the corners of Ruff's lexer.
COMMENTS = [
    ("# noqa", BLANKET),
    ("# NOQA", BLANKET),
    ("#NoQa", BLANKET),
    ("#noqa:RAY001", codes("RAY001")),
    ("# noqa : RAY001", codes("RAY001")),
    ("# noqa\t:\tRAY001", codes("RAY001")),
    ("# NOQA: RAY001", codes("RAY001")),
    ("# noqa: RAY001,RAY002,", codes("RAY001", "RAY002")),
    ("# noqa: RAY001 RAY002", codes("RAY001", "RAY002")),
    ("# noqa: RAY001,  , RAY002", codes("RAY001", "RAY002")),
    ("# noqa:, RAY001", codes("RAY001")),
    ("# noqa: RAY001 re-exported", codes("RAY001")),
    ("# noqa: RAY001, unused-import", codes("RAY001")),
    ("# noqa: RAY001 RAYx", codes("RAY001")),
    ("# noqa: RAY001# why", codes("RAY001")),
    ("# noqa: RAY001RAY002", codes("RAY001", "RAY002")),
    ("# noqa is fine here", BLANKET),
    ("# noqa# trailing comment", BLANKET),
    ("# noqa   ", BLANKET),
    ("## noqa", BLANKET),
    ("# type: ignore  # noqa: RAY001", codes("RAY001")),
    ("# type: ignore  # noqa", BLANKET),
    ("#noqaRAY001", None),
    ("# noqa; RAY001", None),
    ("# noqanything", None),
    ("# noqa:", None),
    ("# noqa:   ", None),
    ("# noqa: ray001", None),
    ("# noqa: unused-import", None),
    ("# noqa: RAY001abc", None),
    ("# noqa: RAY001.", None),
    ("# noqa: RAY001RAYx", None),
    ("# noqa; RAY001  # noqa", None),
    ("# not noqa", None),
    ("# raylint: noqa", None),
    ("# a comment", None),
]


@pytest.mark.parametrize("comment, expected", COMMENTS)
def test_parse_noqa_comment(comment: str, expected: Optional[NoqaDirective]) -> None:
    assert parse_noqa_comment(comment) == expected


def diag(code: str, row: int, noqa_row: int = 0) -> Diagnostic:
    location = Location(row, 1)
    return Diagnostic(code, "rule-name", "message", "example.py", location, location, noqa_row)


def kept(source: str, findings: List[Tuple[str, int]]) -> List[Tuple[str, int, int]]:
    """(code, row, noqa_row) of the findings that survive suppression."""
    survivors = apply_suppressions([diag(code, row) for code, row in findings], source)
    return [(d.code, d.location.row, d.noqa_row) for d in survivors]


def test_line_directives_are_recorded_by_row_and_invalid_ones_dropped() -> None:
    source = (
        "a = 1  # noqa\n"
        "b = 2  # noqa: RAY001, RAY002\n"
        "c = 3  # noqa:\n"
        "d = 4  # noqa; RAY001\n"
        "e = 5  # ordinary comment\n"
    )
    assert dict(parse_suppressions(source).lines) == {1: None, 2: frozenset({"RAY001", "RAY002"})}


def test_blanket_and_coded_line_directives() -> None:
    source = "a = 1  # noqa\nb = 2  # noqa: RAY001\nc = 3\n"
    findings = [("RAY001", 1), ("RAY002", 1), ("RAY001", 2), ("RAY002", 2), ("RAY001", 3)]
    assert kept(source, findings) == [("RAY002", 2, 2), ("RAY001", 3, 3)]


def test_noqa_only_covers_its_own_row() -> None:
    source = "# noqa\nx = 1\n"
    assert kept(source, [("RAY001", 2)]) == [("RAY001", 2, 2)]


def test_invalid_directive_suppresses_nothing() -> None:
    source = "a = 1  # noqa:\nb = 2  # noqa: ray001\nc = 3  #noqaRAY001\n"
    findings = [("RAY001", 1), ("RAY001", 2), ("RAY001", 3)]
    assert kept(source, findings) == [("RAY001", 1, 1), ("RAY001", 2, 2), ("RAY001", 3, 3)]


def test_hash_inside_a_string_is_not_a_comment() -> None:
    source = 'a = "# noqa"\nb = "#"  # noqa: RAY001\nc = f"{x} # noqa"\n'
    assert dict(parse_suppressions(source).lines) == {2: frozenset({"RAY001"})}
    findings = [("RAY001", 1), ("RAY001", 2), ("RAY002", 2), ("RAY001", 3)]
    assert kept(source, findings) == [("RAY001", 1, 1), ("RAY002", 2, 2), ("RAY001", 3, 3)]


def test_multiline_string_maps_to_its_closing_line() -> None:
    source = (
        "x = f(\n"  # 1
        '    """\n'  # 2
        "    # noqa\n"  # 3: string content, not a comment
        '    """,  # noqa: RAY001\n'  # 4
        ")\n"  # 5
        'y = """a\n'  # 6
        'b"""\n'  # 7
    )
    suppressions = parse_suppressions(source)
    assert [suppressions.noqa_row(row) for row in range(1, 9)] == [1, 4, 4, 4, 5, 7, 7, 8]
    findings = [("RAY001", 1), ("RAY001", 2), ("RAY002", 3), ("RAY001", 6)]
    assert kept(source, findings) == [("RAY001", 1, 1), ("RAY002", 3, 4), ("RAY001", 6, 7)]


def test_triple_quoted_fstring_maps_to_its_closing_line() -> None:
    source = 'x = f"""{a}\n{ray.get(b)}\n"""  # noqa: RAY001\n'
    assert kept(source, [("RAY001", 1), ("RAY001", 2), ("RAY002", 2)]) == [("RAY002", 2, 3)]


@pytest.mark.skipif(sys.version_info < (3, 12), reason="single-quoted f-strings span lines only from 3.12")
def test_single_quoted_fstring_over_lines_maps_to_its_closing_line() -> None:
    source = "x = f'{\nray.get(a)\n}'  # noqa\ny = 1\n"
    suppressions = parse_suppressions(source)
    assert [suppressions.noqa_row(row) for row in range(1, 5)] == [3, 3, 3, 4]


def test_backslash_continuation_maps_to_the_last_line() -> None:
    source = (
        "x = ray.get(a) + \\\n"  # 1
        "    \\\n"  # 2
        "    ray.get(b)  # noqa: RAY001\n"  # 3
        "y = (1 +\n"  # 4: parentheses are not a continuation
        "     2)\n"  # 5
    )
    suppressions = parse_suppressions(source)
    assert [suppressions.noqa_row(row) for row in range(1, 6)] == [3, 3, 3, 4, 5]
    findings = [("RAY001", 1), ("RAY002", 1), ("RAY001", 2), ("RAY001", 4)]
    assert kept(source, findings) == [("RAY002", 1, 3), ("RAY001", 4, 4)]


def test_continuation_and_string_join_into_one_logical_line() -> None:
    source = (
        "assert ready, \\\n"  # 1
        '    """not\n'  # 2
        '    ready"""  # noqa\n'  # 3
        'z = """a\n'  # 4
        'b""" + \\\n'  # 5
        "    c\n"  # 6
    )
    suppressions = parse_suppressions(source)
    assert [suppressions.noqa_row(row) for row in range(1, 7)] == [3, 3, 3, 6, 6, 6]
    assert kept(source, [("RAY001", 1), ("RAY001", 4)]) == [("RAY001", 4, 6)]


def test_backslash_inside_a_single_quoted_string_maps_to_its_closing_line() -> None:
    # Ruff maps only triple-quoted strings, leaving a row that cannot hold a comment.
    source = "s = 'ray.get \\\nin a loop'  # noqa\n"
    assert kept(source, [("RAY001", 1)]) == []


FILE_LEVEL: List[Tuple[str, Optional[frozenset]]] = [
    ("# raylint: noqa\n", None),
    ("#raylint:NOQA\n", None),
    ("# raylint : noqa\n", None),
    ("# raylint: noqa RAY001\n", None),
    ("# raylint: noqa: RAY001, RAY003\n", frozenset({"RAY001", "RAY003"})),
    ("# raylint: noqa: RAY001\n# raylint: noqa: RAY002\n", frozenset({"RAY001", "RAY002"})),
    ("# raylint: noqa: RAY001\n# raylint: noqa\n", None),
    ("def f():\n    # raylint: noqa: RAY002\n    pass\n", frozenset({"RAY002"})),
    ("# lint first  # raylint: noqa\n", None),
    ("# raylint: noqa:\n", frozenset()),
    ("# raylint: noqa: ray001\n", frozenset()),
    ("# raylint: noqa;\n", frozenset()),
    ("# Raylint: noqa\n", frozenset()),
    ("# ruff: noqa\n", frozenset()),
    ("x = 1  # raylint: noqa\n", frozenset()),
    ('s = "# raylint: noqa"\n', frozenset()),
    ('s = """\n# raylint: noqa\n"""\n', frozenset()),
]


@pytest.mark.parametrize("source, expected", FILE_LEVEL)
def test_file_level_directive(source: str, expected: Optional[frozenset]) -> None:
    assert parse_suppressions(source).file_codes == expected


def test_file_level_directive_applies_to_every_row() -> None:
    source = "x = 1\n# raylint: noqa: RAY001\ny = 2  # noqa: RAY002\nz = 3\n"
    findings = [("RAY001", 1), ("RAY001", 4), ("RAY002", 3), ("RAY002", 4), ("RAY003", 3)]
    assert kept(source, findings) == [("RAY002", 4, 4), ("RAY003", 3, 3)]
    assert kept("# raylint: noqa\nx = 1\n", [("RAY001", 2), ("RAY005", 2)]) == []


def test_trailing_file_level_directive_is_neither_file_nor_line_level() -> None:
    assert kept("x = 1  # raylint: noqa\n", [("RAY001", 1)]) == [("RAY001", 1, 1)]


@pytest.mark.parametrize("pseudo", ["invalid-syntax", "io-error"])
def test_pseudo_codes_are_never_suppressed(pseudo: str) -> None:
    source = "# raylint: noqa\nx = (  # noqa\n"
    assert kept(source, [(pseudo, 2), ("RAY001", 2)]) == [(pseudo, 2, 2)]


def test_crlf_source() -> None:
    source = 'x = 1  # noqa: RAY001\r\ny = """a\r\nb"""  # noqa\r\nz = 2 + \\\r\n    3  # noqa\r\n'
    suppressions = parse_suppressions(source)
    assert dict(suppressions.lines) == {1: frozenset({"RAY001"}), 3: None, 5: None}
    assert [suppressions.noqa_row(row) for row in range(1, 6)] == [1, 3, 3, 5, 5]
    assert kept(source, [("RAY001", 1), ("RAY002", 1), ("RAY001", 2), ("RAY001", 4)]) == [("RAY002", 1, 1)]


def test_cr_only_line_endings_count_as_rows() -> None:
    source = "x = 1\ry = 2  # noqa\r"
    assert dict(parse_suppressions(source).lines) == {2: None}


def test_byte_order_mark_does_not_hide_a_file_level_directive() -> None:
    assert parse_suppressions("\ufeff# raylint: noqa\nx = 1\n").file_codes is None


UNTOKENIZABLE: List[Tuple[str, Dict[int, Optional[frozenset]]]] = [
    # Unterminated triple-quoted string: rows after its start are read line by line, quotes ignored.
    ("a = 1  # noqa: RAY001\nb = '''\n# noqa\n", {1: frozenset({"RAY001"}), 3: None}),
    # Inconsistent dedent: the tokenizer stops at row 2, the rest is read line by line.
    ("  a = 1  # noqa: RAY002\n b = 2  # noqa: RAY001\n", {1: frozenset({"RAY002"}), 2: frozenset({"RAY001"})}),
    # Unterminated single-quoted string.
    ("x = 'abc  # noqa\n", {1: None}),
    # Unclosed bracket at end of file.
    ("x = (1,  # noqa\n", {1: None}),
    # NUL bytes.
    ("x\0 = 1  # noqa\ny = 2\0  # noqa: RAY001\n", {1: None, 2: frozenset({"RAY001"})}),
]


@pytest.mark.parametrize("source, lines", UNTOKENIZABLE)
def test_untokenizable_source_falls_back_to_a_line_scan(source: str, lines: Dict[int, Optional[frozenset]]) -> None:
    assert dict(parse_suppressions(source).lines) == lines


def test_untokenizable_source_still_suppresses() -> None:
    source = "def f(:\n    x = '''\n    ray.get(a)  # noqa: RAY001\n"
    assert kept(source, [("RAY001", 3), ("RAY002", 3), ("invalid-syntax", 1)]) == [
        ("RAY002", 3, 3),
        ("invalid-syntax", 1, 1),
    ]


def test_apply_keeps_order_and_fixes_stale_noqa_rows() -> None:
    source = 'x = """a\nb"""\ny = 1\n'
    findings = [diag("RAY002", 3, noqa_row=3), diag("RAY001", 1, noqa_row=1)]
    survivors = apply_suppressions(findings, source)
    assert [(d.code, d.noqa_row) for d in survivors] == [("RAY002", 3), ("RAY001", 2)]
    assert survivors[0] is findings[0]


def test_apply_with_no_findings() -> None:
    assert apply_suppressions([], "x = (\n") == []


def test_suppressions_built_directly() -> None:
    suppressions = Suppressions(lines={4: None, 5: frozenset({"RAY001"})}, file_codes=frozenset({"RAY003"}))
    assert suppressions.noqa_row(4) == 4
    assert suppressions.is_suppressed("RAY002", 4)
    assert suppressions.is_suppressed("RAY001", 5)
    assert not suppressions.is_suppressed("RAY002", 5)
    assert suppressions.is_suppressed("RAY003", 1)
    assert not suppressions.is_suppressed("RAY001", 1)
    assert not Suppressions(file_codes=None).is_suppressed("invalid-syntax", 1)
    assert Suppressions(file_codes=None).is_suppressed("RAY004", 1)
