"""The Ray-token prefilter loses nothing: every rule's findings are the same with it and without it
(RAYLINT_NO_PREFILTER=1), on the fixtures, the golden fix files, the examples and a sample of Ray's own
source. Also the documented choice: files the filter skips are not parsed, so their syntax errors are
left to Python and Ruff."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import List, Optional

import pytest

from raylint import api, prefilter
from raylint.config import Settings
from raylint.engine import LintOptions, lint_source
from raylint.registry import SYNTAX_ERROR, rule_classes

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_EVERY = 25  # one file in 25 of ray's source (about 100 files) keeps the test short


def _ray_sample() -> List[str]:
    spec = importlib.util.find_spec("ray")
    if spec is None or not spec.submodule_search_locations:
        return []
    files = sorted(Path(list(spec.submodule_search_locations)[0]).rglob("*.py"))
    return [str(path) for path in files[::SAMPLE_EVERY]]


def _findings(paths: List[str], tmp_path: Path, monkeypatch, prefiltered: bool):
    if prefiltered:
        monkeypatch.delenv(prefilter.ENV_SWITCH, raising=False)
    else:
        monkeypatch.setenv(prefilter.ENV_SWITCH, "1")
    assert prefilter.enabled() is prefiltered
    settings = Settings(root=tmp_path, cache_dir=tmp_path / "cache")
    result = api.check(paths, settings, select=["ALL"], preview=True, jobs=1, use_cache=False)
    return ([(d.filename, d.location, d.end_location, d.code, d.message, d.fix) for d in result.diagnostics]
            + sorted(result.noqa_warnings))


@pytest.mark.parametrize("corpus", ["fixtures", "ray-sample"])
def test_findings_are_identical_with_and_without_the_prefilter(corpus, tmp_path, monkeypatch):
    if corpus == "fixtures":
        paths = [str(ROOT / "tests" / "fixtures"), str(ROOT / "tests" / "fix_fixtures"), str(ROOT / "examples")]
    else:
        paths = _ray_sample()
        if not paths:
            pytest.skip("ray is not installed")
    without = _findings(paths, tmp_path, monkeypatch, prefiltered=False)
    with_filter = _findings(paths, tmp_path, monkeypatch, prefiltered=True)
    assert with_filter == without
    assert any(finding[3] not in (SYNTAX_ERROR, None) for finding in without if len(finding) == 6)  # rules fire


def _options() -> LintOptions:
    return LintOptions(enabled=frozenset(rule_classes()))


def test_a_file_without_ray_content_is_not_parsed(monkeypatch):
    broken = "def f(:\n    return 1\n"
    monkeypatch.delenv(prefilter.ENV_SWITCH, raising=False)
    assert lint_source(broken, "x.py", _options()).diagnostics == []
    monkeypatch.setenv(prefilter.ENV_SWITCH, "1")
    assert [d.code for d in lint_source(broken, "x.py", _options()).diagnostics] == [SYNTAX_ERROR]


def test_a_syntax_error_in_a_file_with_ray_calls_is_reported(monkeypatch):
    monkeypatch.delenv(prefilter.ENV_SWITCH, raising=False)
    broken = "import ray\nrefs = [f.remote(i) for i in range(3)]\nray.get(refs\n"
    findings = lint_source(broken, "x.py", _options()).diagnostics
    assert [d.code for d in findings] == [SYNTAX_ERROR]


@pytest.mark.parametrize("source, expected", [
    ("import os\nx = {}.get(1)\n", set()),  # no `ray` at all
    ("import ray\nray.init()\n", set()),  # RAY110 also needs a call that forks (below)
    ("import ray\nray.get(x)\n", {"RAY001", "RAY101", "RAY105", "RAY106", "RAY112"}),
    ("import ray\n@ray.remote\ndef f(): pass\n", {"RAY002", "RAY003", "RAY004", "RAY005", "RAY102", "RAY103",
                                                  "RAY104", "RAY107", "RAY108", "RAY109", "RAY111", "RAY113"}),
    # identifiers are compared after NFKC normalization, as Python does: `ｒａｙ` is `ray`
    ("import \uff52\uff41\uff59\n\uff52\uff41\uff59.put(1)\n", {"RAY005", "RAY109"}),
    # Ray's functions count only as `ray.get`, unless `ray` may be bound to another name
    # `ray` in prose, in a string, a path or a URL binds nothing: the filter stays closed
    ("import ray\nd.get(1)  # a plain ray word is prose\nlog('ray')\nurl = 'github.com/ray-project/ray/issues'\n",
     set()),
    # but a `ray` that may be a value keeps it open: `x = ray`, `ray if ...`, `(ray)`, `[ray, 1]`
    ("import ray\nd.get(1)\nx = ray  # alias\n", {"RAY001", "RAY101", "RAY105", "RAY106", "RAY112"}),
    ("import ray\nd.get(1)\nx = ray if ok else None\n", {"RAY001", "RAY101", "RAY105", "RAY106", "RAY112"}),
    ("import ray\nd.get(1)\nmods = [ray, os]\n", {"RAY001", "RAY101", "RAY105", "RAY106", "RAY112"}),
    # `from ray import a, b as c` reads `a` and `b` from ray; `*` reads everything
    ("from ray import put, wait as w\nd.get(1)\n", {"RAY005", "RAY101", "RAY109"}),
    ("from ray import (\n    get,\n    put,\n)\n", {"RAY001", "RAY101", "RAY105", "RAY106", "RAY112", "RAY005", "RAY109"}),
    ("from ray import os_helpers, \\\r\n    get\r\n", {"RAY001", "RAY101", "RAY105", "RAY106", "RAY112"}),
    ("from ray import *\nd.get(1)\n", {"RAY001", "RAY101", "RAY105", "RAY106", "RAY112"}),
    # docstrings and comments are not code: an example in them makes nothing reportable
    ('import ray\n"""Use it as `ray.get(f.remote(1))`."""\n# ray.get(refs)\nx = "ray.put(1)"\n', set()),
    # but an f-string holds code, and a file Python cannot tokenize is searched whole
    ('import ray\nprint(f"{ray.get(ref)}")\n', {"RAY001", "RAY101", "RAY105", "RAY106", "RAY112"}),
    ("import ray\nx = 'unterminated\nray.get(ref)\n", {"RAY001", "RAY101", "RAY105", "RAY106", "RAY112"}),
    # `remote` counts as an attribute or an import from ray, not in prose
    ("import ray\n# runs on a remote worker\n", set()),
    ("import ray\nf.options(num_cpus=1).remote(1)\n", {"RAY002", "RAY003", "RAY004", "RAY005", "RAY102", "RAY103",
                                                       "RAY104", "RAY107", "RAY108", "RAY109", "RAY111",
                                                       "RAY113"}),
    ("import ray\nx = (f.  # a dot and the name on two lines\n     remote(1))\n", {"RAY002", "RAY003", "RAY004", "RAY005", "RAY102", "RAY103",
                                                          "RAY104", "RAY107", "RAY108", "RAY109", "RAY111",
                                                          "RAY113"}),
    # RAY110 also needs a call that forks to be named somewhere
    ("import ray\nfrom multiprocessing import Pool as P\nray.init()\n", {"RAY002", "RAY110"}),
    ("import ray, os\n@ray.remote\ndef f():\n    os.fork()\n", {"RAY002", "RAY003", "RAY004", "RAY005", "RAY102",
                                                             "RAY103", "RAY104", "RAY107", "RAY108", "RAY109",
                                                             "RAY110", "RAY111", "RAY113"}),
    ("import ray\nd.get(1)\nx = foo.ray.get\n", set()),
    ("import ray as r\nr.get(x)\n", {"RAY001", "RAY101", "RAY105", "RAY106", "RAY112"}),
    ("from ray import get\n", {"RAY001", "RAY101", "RAY105", "RAY106", "RAY112"}),
    ("import ray\nfetch = ray\nfetch.get(x)\n", {"RAY001", "RAY101", "RAY105", "RAY106", "RAY112"}),
    ("import ray\nray . \\\n  get(x)\n", {"RAY001", "RAY101", "RAY105", "RAY106", "RAY112"}),
    # a word inside a longer identifier is not that identifier
    ("import ray\nremote_get = rayx.remoteness\n", set()),
])
def test_rules_that_may_report(source, expected):
    codes = frozenset(prefilter.RULE_WORDS)
    assert prefilter.rules_that_may_report(source, codes)[0] == expected


@pytest.mark.parametrize("text, code", [
    ('x = "a # b"  # c\ny\n', 'x = ""   \ny\n'),
    ("s = '''doc\n f.remote() '''\nz\n", 's = ""\nz\n'),
    ("rb'\\x' + 'it\\'s'", 'rb"" + ""'),
    ('f"{ray.get(x)}" + F\'{y}\'', 'f"{ray.get(x)}" + F\'{y}\''),
    ("if'a' in x: pass", "if'a' in x: pass"),  # a quote glued to a keyword stays
    ("x = 'unterminated\n", None),
    ("x = 'a\r'\r", None),  # a bare CR ends the line, and with it the string
    ('x = "a"  # c\r\ny\r\n', 'x = ""   \n y\n '),
    ("'a' + b", '"" + b'),  # a string at the start, plain code after the last one
    ("x = 'a'", 'x = ""'),  # a string at the very end
    ("x  # c", "x   "),  # a comment at the very end
    ("", ""),
    ("x = 1  #\ny\n", "x = 1   \ny\n"),  # a bare `#` comment goes like any other
    ("x1'a' + _'b' + é'c'", "x1'a' + _'b' + é'c'"),  # glued to a digit, an underscore or a letter: kept
    ("xrb'a' + (rb'b')", 'xrb\'a\' + (rb"")'),  # `rb` ending a longer name is no prefix
])
def test_code_only_drops_comments_and_plain_strings(text, code):
    if prefilter._NESTED_FSTRINGS:
        pytest.skip("Python 3.12+ keeps the whole text (f-strings may nest their own quotes)")
    assert prefilter.code_only(text) == code


_TRICKY_TEXTS = [
    "'''a'' ' # \\\n''' # x\n\"\"\"\\\"\"\"\"\n# '\n'#'\"#\"",
    "ray rayray _ray ray_ ray1 éray rayé ray٣ x.ray ray",
    "remote.remote(remote)remote",
    "",
    "'",
    "a # b",
]


def _scanned_texts() -> List[str]:
    return _TRICKY_TEXTS + [Path(path).read_text(encoding="utf-8") for path in _ray_sample()]


def test_the_string_scan_skipping_plain_text_finds_what_the_plain_alternation_finds():
    """Each scan skips the text that cannot start a string or comment in one run: the strings, comments and
    lone quotes it finds are those that the alternation alone, tried at every character, finds."""
    plain = re.compile(r"#[^\n]*|" + prefilter.STRING + r"|['\"]", re.DOTALL)
    for text in _scanned_texts():
        text = text.replace("\r\n", "\n ").replace("\r", "\n")
        expected = [found.span() for found in plain.finditer(text)]
        spans = [found.span(found.lastindex) for found in prefilter._CODE_AND_NEXT.finditer(text)
                 if found.lastindex is not None and found.lastindex > 1]
        assert spans == expected


# The scan `code_only` had before it split the text in one call: a loop over the matches that judges each
# string's prefix in Python. Kept as the model the regular expression must agree with.
_ONE_BY_ONE = re.compile(r"[^#'\"]*(?:(#[^\n]*)|(" + prefilter.STRING + r")|(['\"])|\Z)", re.DOTALL)
_LETTERS_BEFORE = re.compile(r"[A-Za-z]{0,2}$")


def _code_only_one_by_one(text: str) -> Optional[str]:
    if "#" not in text and "'" not in text and '"' not in text:
        return text
    pieces, last = [], 0
    text = text.replace("\r\n", "\n ").replace("\r", "\n")
    for match in _ONE_BY_ONE.finditer(text):
        group = match.lastindex
        if group is None:
            break
        start, end = match.span(group)
        if group == 3:
            return None
        if group == 2 and start and _identifier_char(text[start - 1]):
            prefix = _LETTERS_BEFORE.search(text, max(0, start - 2), start).group(0)
            if prefix and start - len(prefix) > 0 and _identifier_char(text[start - len(prefix) - 1]):
                prefix = ""
            if "f" in prefix.lower() or "t" in prefix.lower() or not prefix:
                continue
        pieces.append(text[last:start])
        pieces.append(" " if group == 1 else '""')
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


_PREFIXED = [
    f"{before}{prefix}{quote}x{quote}"
    for before in ("", " ", "(", "a", "_", "1", "é", "ab", "x_")
    for prefix in ("", "r", "b", "u", "f", "t", "R", "F", "T", "rb", "Rb", "br", "fr", "rf", "tr", "Rt", "bf", "ub",
                   "é", "_r", "1b")
    for quote in ("'", '"', "'" * 3, '"' * 3)
]


def test_code_only_splits_the_text_as_the_match_by_match_scan_did():
    if prefilter._NESTED_FSTRINGS:
        pytest.skip("Python 3.12+ keeps the whole text (f-strings may nest their own quotes)")
    texts = _scanned_texts() + _PREFIXED + [" + ".join(_PREFIXED) + "  # end"]
    for text in texts:
        assert prefilter.code_only(text) == _code_only_one_by_one(text), text[:200]


def _identifier_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def test_whole_words_are_found_where_no_identifier_character_touches_them():
    for text in _scanned_texts():
        for word in ("ray", "remote", "get"):
            expected = [
                start for start in range(len(text))
                if text.startswith(word, start)
                and not (start and _identifier_char(text[start - 1]))
                and not (start + len(word) < len(text) and _identifier_char(text[start + len(word)]))
            ]
            assert list(prefilter._word_starts(text, word)) == expected
            assert prefilter.has_word(text, word) is bool(expected)
    assert list(prefilter._word_starts(_TRICKY_TEXTS[1], "ray")) == [0, 43, 47]


@pytest.mark.parametrize("text, uses", [
    ("import ray\nray.get(x)\nray .  put(y)\n", (False, frozenset({"get", "put"}))),
    ("ray \\\n  # note\n  .wait(refs)\n", (False, frozenset({"wait"}))),  # gaps around the dot
    # the attribute is looked for ahead of `ray` without consuming the gap: the `ray` in its comment is
    # judged too (`ray if` cannot be prose), so the module may be bound to another name
    ("x = ray  # ray if\n.get(y)\n", (True, frozenset({"get"}))),
    ("x.ray.get(y)\nr = ray\n", (True, frozenset())),
])
def test_ray_uses_reads_attributes_and_aliases(text, uses):
    assert prefilter._ray_uses(text) == uses


def test_malformed_noqa_is_warned_about_only_in_files_with_ray_content(tmp_path, monkeypatch):
    """A malformed directive in a file without Ray content can only be meant for another linter, which
    warns about it itself; in a file with Ray content it may have been meant to silence raylint."""
    (tmp_path / "plain.py").write_text("import os  # noqa F401\n")
    (tmp_path / "job.py").write_text("import ray\nout = [ray.get(r) for r in refs]  # noqa RAY001\n")
    for prefiltered in (True, False):
        warned = {Path(path).name for path, _, _ in _check(tmp_path, monkeypatch, prefiltered).noqa_warnings}
        assert warned == {"job.py"}


def _check(tmp_path: Path, monkeypatch, prefiltered: bool):
    if prefiltered:
        monkeypatch.delenv(prefilter.ENV_SWITCH, raising=False)
    else:
        monkeypatch.setenv(prefilter.ENV_SWITCH, "1")
    settings = Settings(root=tmp_path, cache_dir=tmp_path / "cache")
    return api.check([str(tmp_path)], settings, jobs=1, use_cache=False)


def test_the_words_ray110_also_needs_are_the_calls_it_looks_at():
    from raylint.rules import fork_in_ray_process

    assert set(prefilter.RULE_ALSO_WORDS["RAY110"]) == fork_in_ray_process._FORKING_CALLS
