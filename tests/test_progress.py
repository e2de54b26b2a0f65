"""The end-of-run summary of the text formats, and the progress the api reports for a terminal's bar."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from raylint import api, cli
from raylint.config import load_settings
from raylint.ftypes import Diagnostic, Edit, Fix, Location
from raylint.reporters import ReportContext, render
from tests.test_cli import CLEAN, GET_IN_LOOP, write


def finding(code: str, name: str, applicability=None) -> Diagnostic:
    fix = Fix(applicability, "Do it", (Edit("x", Location(1, 1), Location(1, 2)),)) if applicability else None
    return Diagnostic(code, name, "m", "/repo/a.py", Location(1, 1), Location(1, 2), 1, fix=fix)


def summary_context(**overrides) -> ReportContext:
    values = dict(cwd=Path("/repo"), version="0", read_source=lambda _name: None, files_checked=3, elapsed=0.25,
                  run_summary=True)
    values.update(overrides)
    return ReportContext(**values)


def test_summary_counts_findings_by_rule_after_the_footer():
    diagnostics = [
        finding("RAY001", "ray-get-in-loop", "safe"),
        finding("RAY002", "large-arg-without-put", "unsafe"),
        finding("RAY001", "ray-get-in-loop"),
        finding("invalid-syntax", "invalid-syntax"),
    ]
    assert render("concise", diagnostics, summary_context()).splitlines()[4:] == [
        "Found 4 errors.",
        "[*] 1 fixable with the `--fix` option (1 hidden fix can be enabled with the `--unsafe-fixes` option).",
        "",
        "Findings by rule:",
        "  2  RAY001  ray-get-in-loop        (1 fixable)",
        "  1  RAY002  large-arg-without-put",
        "  1          invalid-syntax",
        "Checked 3 files in 0.25s.",
    ]


def test_summary_of_a_clean_run_and_of_a_long_one():
    assert render("full", [], summary_context(files_checked=1)) == "All checks passed!\nChecked 1 file in 0.25s.\n"
    assert render("full", [], summary_context(elapsed=125.4)).endswith("Checked 3 files in 2m 05s.\n")


def test_summary_is_left_out_when_quiet_or_not_asked_for():
    diagnostics = [finding("RAY001", "ray-get-in-loop")]
    assert "Checked" not in render("full", diagnostics, summary_context(quiet=True))
    assert "Checked" not in render("full", diagnostics, summary_context(run_summary=False))


def test_cli_text_formats_end_with_the_summary_and_machine_formats_do_not(project):
    write(project / "bad.py", GET_IN_LOOP)
    write(project / "good.py", CLEAN)
    runner = CliRunner()
    for fmt in ("full", "concise"):
        output = runner.invoke(cli.main, ["check", "--no-cache", "--output-format", fmt]).stdout
        assert "  1  RAY001  ray-get-in-loop  (1 fixable)\n" in output
        assert output.splitlines()[-1].startswith("Checked 2 files in ")
    assert "Checked" not in runner.invoke(cli.main, ["check", "--output-format", "json"]).stdout
    assert "Checked" not in runner.invoke(cli.main, ["check", "--quiet"]).stdout


def test_api_reports_each_file_done(project):
    for index in range(30):
        write(project / f"job{index}.py", GET_IN_LOOP if index % 2 else CLEAN)
    settings = load_settings()
    for jobs, use_cache in ((1, True), (2, False), (1, True)):  # the last run is answered from the cache
        calls = []
        api.check([], settings, jobs=jobs, use_cache=use_cache, progress=lambda *call: calls.append(call))
        assert calls == [(done, 30) for done in range(1, 31)]


def test_progress_bar_is_never_drawn_on_a_pipe(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert cli._progress_bar(True) is None


def test_progress_bar_only_for_long_runs_in_text_formats(project, monkeypatch):
    write(project / "bad.py", GET_IN_LOOP)
    asked = []
    monkeypatch.setattr(cli, "_progress_bar", lambda wanted: asked.append(wanted))
    runner = CliRunner()
    for args in (["--output-format", "full"], ["--output-format", "concise"], ["--output-format", "json"],
                 ["--output-format", "sarif"], ["--quiet"]):
        runner.invoke(cli.main, ["check", *args])
    runner.invoke(cli.main, ["check", "--stdin-filename", "x.py"], input=GET_IN_LOOP)
    assert asked == [True, True, False, False, False, False]
    bar = cli._ProgressBar()
    bar(1, cli.PROGRESS_THRESHOLD)
    assert bar.bar is None
    bar.close()


@pytest.mark.parametrize("quiet", [False, True])
def test_progress_bar_draws_past_the_threshold_on_a_terminal(quiet, monkeypatch):
    terminal = io.StringIO()
    terminal.isatty = lambda: True
    monkeypatch.setattr(sys, "stderr", terminal)
    bar = cli._progress_bar(not quiet)
    if quiet:
        assert bar is None
        return
    total = cli.PROGRESS_THRESHOLD + 1
    for done in range(1, total + 1):
        bar(done, total)
    assert bar.bar.tasks[0].completed == total
    bar.close()
