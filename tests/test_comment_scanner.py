"""The fast comment scanner reads exactly what `tokenize` reads (the reference it falls back to): the same
comments (row, text, alone on the line) and the same spans, and it never claims a text that tokenize
fails on. Checked on the repository's Python files, a sample of Ray's source, generated corner cases and
truncated real files. Also: normal files take the fast path, and one lint scans a file at most once."""

from __future__ import annotations

import ast
import importlib.util
import itertools
import random
import sys
from pathlib import Path
from typing import List

import pytest

from raylint.engine import LintOptions, lint_source
from raylint.noqa import comment_scan
from raylint.noqa.comment_scan import Scan, fast_scan, read_tokens, reference_scan, scan
from raylint.registry import rule_classes
from raylint.sources.paths import lint_path

ROOT = Path(__file__).resolve().parent.parent
RAY_SAMPLE_EVERY = 6  # a sixth of ray's files: tokenize, the reference, is the slow side of the comparison

needs_pure_tokenize = pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="from Python 3.12 tokenize is the C tokenizer and the fast scan is not used"
)


@pytest.fixture(autouse=True)
def _fresh_scan_cache():
    scan.cache_clear()
    yield
    scan.cache_clear()


def fast_path_agrees(source: str) -> bool:
    """Assert the fast scan agrees with tokenize, or declines; True when it read the text itself."""
    fast = fast_scan(source)
    assert scan(source) == reference_scan(source)
    if "\0" in source:
        assert fast is None
        return False
    if fast is None:
        return False
    comments, spans, read_rows = read_tokens(source)
    assert read_rows is None, f"tokenize fails on {source!r} where the fast scan read it all"
    assert fast == Scan(tuple(comments), tuple(spans)), source
    return True


def _python_files(*directories: str) -> List[Path]:
    return sorted(path for directory in directories for path in (ROOT / directory).rglob("*.py"))


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


@needs_pure_tokenize
def test_repository_files_agree_and_valid_ones_take_the_fast_path():
    files = _python_files("tests", "examples")
    assert len(files) > 100
    for path in files:
        source = path.read_text(encoding="utf-8")
        took_fast_path = fast_path_agrees(source)
        if _parses(source):
            assert took_fast_path, f"{path} is valid Python but fell back to tokenize"


@needs_pure_tokenize
def test_a_sample_of_ray_source_agrees():
    spec = importlib.util.find_spec("ray")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("ray is not installed: its source is the large real-world corpus")
    files = sorted(Path(list(spec.submodule_search_locations)[0]).rglob("*.py"))[::RAY_SAMPLE_EVERY]
    assert len(files) > 100
    fell_back = [str(path) for path in files if not fast_path_agrees(path.read_text(encoding="utf-8"))]
    assert fell_back == []


def _string_literals() -> List[str]:
    prefixes = ["", "r", "u", "R", "U", "b", "B", "f", "F", "br", "rb", "Br", "bR", "RB", "fr", "rf", "Rf", "fR", "FR"]
    bodies = ["", "a", "#", "# noqa", "'", '"', "\\'", '\\"', "\\\\", "\\n", "{x}", "{x!r:>{w}}", "a\\\nb", "é"]
    literals = []
    for prefix, quote, body in itertools.product(prefixes, ["'", '"', "'''", '"""'], bodies):
        if quote[0] in body.replace("\\" + quote[0], ""):
            continue  # the body would end the literal
        literals.append(prefix + quote + body + quote)
        if len(quote) == 3:
            literals.append(prefix + quote + body + "\n" + body + "\n" + quote)
    return literals


@needs_pure_tokenize
def test_every_string_prefix_and_quote():
    for literal in _string_literals():
        for source in (
            f"x = {literal}  # noqa: RAY001\n",
            f"call(\n    {literal},  # after\n)\n",
            f"{literal} \\\n    .strip()  # joined\n",
            f"# {' '.join(literal.splitlines())}\nx = 1\n",
        ):
            assert fast_path_agrees(source), f"valid {source!r} fell back to tokenize"


CORNERS = [
    "",
    "\n",
    "# only a comment",
    "x = 1",
    "x = 1  # no newline at the end",
    "x = '#'  # real\ny = \"# not\"\n",
    "# a 'quote' and a \"quote\"\nx = 1  # it's\n",
    "x = (1,\n     [2, {3: 4}],  # inside\n     # own line\n     5)\n",
    "x = 1 + \\\n    2 + \\\n    3  # noqa\n",
    "x = 1 + \\\n    \\\n    2\n",
    "x = 1 + \\\n\ny = 2\n",
    "x = 1 + \\\n# comment\ny = 2\n",
    "\\\nx = 1\n",
    "x = 1\n\\\ny = 2\n",
    "x = '''a\nb''' + \\\n    c\n",
    "x = 'a\\\nb'  # continued single-quoted string\n",
    "x = f'''{a}\n{b!r}'''  # noqa\n",
    "if x:\n    y = 1\n  # odd comment\nz = 2\n",
    "if x:\n\tif y:\n\t\tz = 1\n\tw = 2\n",
    "if x:\n        y = 1\n\tz = 2\n",
    "if x:\n  \tif y:\n\t  z = 1\n",
    "\fif x:\n    y = 1\n\f\nz = 2\n",
    "x = 1\n\f# after a form feed\n    \fy = 2\n",
    "x = 1\r\ny = 2  # crlf\r\nz = '''a\r\nb'''\r\n",
    "x = 1\ry = 2  # cr\rz = (\r  3)\r",
    "x = 1\r\r\ny = 2\n",
    "名前 = 'é'  # ünïcödé\n",
    "x = 1\xa0# after a no-break space\n",
    "x = 1 # a\x0bvertical tab\n",
    "x = '\u2028'  # line separator in a string\n\u2028# outside one\n",
    "x = '\udcff'  # \udcff undecodable bytes, kept as surrogates\n\udcff # in code\n",
    "if x:\n\ty = 1\n        z = 2  # a tab is eight columns\n",
    "x = $ # error token\n",
    "x = ` # backtick\n",
    "    x = 1\ny = 2\n",
    "  a = 1  # noqa: RAY002\n b = 2  # noqa: RAY001\n",
    "if x:\n    y = 1\n  z = 2  # bad dedent\n",
    "x = 'abc  # noqa\n",
    "x = \"abc\ny = 2\n",
    "x = '''abc\n# noqa\n",
    "x = 'a\\\n",
    "x = 'a\\",
    "x = (1,  # noqa\n",
    "x = (1,\n",
    "x = 1)\n",
    "x = )(\n",
    "x = 1 \\\n",
    "x = 1 \\",
    "x = 1 \\\n   ",
    "x = 1 \\ # stray backslash\n",
    "x\0 = 1  # noqa\n",
]


@needs_pure_tokenize
@pytest.mark.parametrize("source", CORNERS)
def test_corner_cases(source):
    fast_path_agrees(source)


# Pieces that make and break every construct the scanner models; random runs of them hit the seams.
PIECES = [
    "x", "1", " ", "  ", "\t", "\f", "\n", "\n", "\n", "\r\n", "\r", "#", "# c'\"", "'", '"', "'''", '"""',
    "\\", "\\\n", "(", ")", "[", "]", "{", "}", "f", "rb", "u", ":", "=", "if x:", "    ", "pass", "é",
    "\xa0", "\x0b", "$", "{x!r}", "'a'", '"#"', "'''a\nb'''", "\n    ", "\n        ", "\n\t",
]


@needs_pure_tokenize
def test_random_runs_of_pieces():
    rng = random.Random(12)
    fast = 0
    for _ in range(6000):
        source = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 25)))
        fast += fast_path_agrees(source)
    assert fast > 600  # the fast path itself was exercised, not only the fallback


@needs_pure_tokenize
def test_truncated_real_files():
    cuts = 0
    for name in ("raylint/noqa/directives.py", "raylint/engine.py", "tests/test_suppression.py"):
        source = (ROOT / name).read_text(encoding="utf-8")
        for variant in (source, source.replace("\n", "\r\n")):
            step = max(1, len(variant) // 60)
            for end in range(0, len(variant), step):
                fast_path_agrees(variant[:end])
                cuts += 1
    assert cuts > 300


@needs_pure_tokenize
def test_normal_files_take_the_fast_path(monkeypatch, tmp_path):
    def no_tokenize(source):
        raise AssertionError("tokenize was used")

    monkeypatch.setattr(comment_scan, "read_tokens", no_tokenize)
    path = tmp_path / "job.py"
    path.write_text(
        "import ray\n\n@ray.remote(num_cpus=1)\ndef f(x):\n    return x\n\n"
        "for i in range(3):\n"
        "    ray.get(f.remote(i))  # noqa: RAY001\n"
        "    ray.get(f.remote(i))  # noqa RAY001\n",
        encoding="utf-8",
    )
    result = lint_path(str(path), LintOptions(enabled=frozenset(rule_classes())), "job")
    assert [d.code for d in result.diagnostics] == []  # a blanket and a coded directive silence both
    assert [row for row, _ in result.noqa_warnings] == [9]


def test_one_lint_scans_a_file_once(tmp_path):
    path = tmp_path / "job.py"
    path.write_text(
        "import ray\n\n@ray.remote(num_cpus=1)\ndef f(x):\n    return x\n\n"
        "for i in range(3):\n"
        "    ray.get(f.remote(i))\n"
        "x = 1  # noqa: RAY002\n"  # unused (RAY900)
        "y = 2  # noqa RAY001\n",  # malformed (a warning)
        encoding="utf-8",
    )
    result = lint_path(str(path), LintOptions(enabled=frozenset(rule_classes())), "job")
    assert sorted(d.code for d in result.diagnostics) == ["RAY001", "RAY900"]
    assert [row for row, _ in result.noqa_warnings] == [10]
    # read for suppressions, for RAY900 and for the malformed directive, scanned once
    assert (scan.cache_info().misses, scan.cache_info().hits) == (1, 2)


def test_a_file_without_findings_or_noqa_is_not_scanned():
    source = "import ray\n\nx = ray.put(1)  # a comment\n"
    result = lint_source(source, "clean.py", LintOptions(enabled=frozenset(rule_classes())), "clean")
    assert result.diagnostics == []
    assert scan.cache_info().misses == 0


def test_findings_without_noqa_still_get_their_noqa_row():
    source = (
        "import ray\n\n@ray.remote(num_cpus=1)\ndef f(x):\n    return x\n\n"
        "for i in range(3):\n"
        "    ray.get(f.remote(i)) + \\\n"
        "        0\n"
    )
    result = lint_source(source, "job.py", LintOptions(enabled=frozenset(rule_classes())), "job")
    assert [(d.code, d.location.row, d.noqa_row) for d in result.diagnostics] == [("RAY001", 8, 9)]
    assert scan.cache_info().misses == 1
