"""`--stdin-filename`: the source comes from standard input and is linted as if it were the named file,
which is never read nor written."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from raylint.cli import main
from tests.test_cli import CLEAN, GET_IN_LOOP, write

FIXED = GET_IN_LOOP.replace("[ray.get(square.remote(x)) for x in range(10)]",
                            "ray.get([square.remote(x) for x in range(10)])")


def run(*args, source=GET_IN_LOOP):
    return CliRunner().invoke(main, list(args), input=source, catch_exceptions=False)


def codes(result):
    return [(d["filename"], d["code"], d["location"]["row"]) for d in json.loads(result.stdout)]


def test_check_reports_the_source_under_the_given_name(project):
    result = run("check", "--stdin-filename", "jobs/train.py", "--output-format", "json")
    assert result.exit_code == 1
    assert codes(result) == [(str(project / "jobs" / "train.py"), "RAY001", 9)]
    assert not (project / "jobs").exists()


def test_full_format_shows_the_stdin_source(project):
    result = run("check", "--stdin-filename", "train.py")
    assert " --> train.py:9:12" in result.stdout
    assert "9 | results = [ray.get(square.remote(x)) for x in range(10)]" in result.stdout
    assert "Checked 1 file in " in result.stdout


def test_clean_source_passes(project):
    result = run("check", "--stdin-filename", "train.py", source=CLEAN)
    assert result.exit_code == 0
    assert "All checks passed!" in result.stdout


def test_fix_apply_prints_the_fixed_source_and_leaves_the_file_alone(project):
    on_disk = write(project / "train.py", GET_IN_LOOP)
    result = run("fix", "--apply", "--stdin-filename", "train.py")
    assert result.stdout == FIXED
    assert result.exit_code == 0
    assert "Fixed 1 finding, 0 remaining." in result.stderr
    assert on_disk.read_text(encoding="utf-8") == GET_IN_LOOP


def test_fix_apply_prints_unfixable_source_unchanged(project):
    result = run("fix", "--apply", "--stdin-filename", "train.py", source=CLEAN)
    assert result.stdout == CLEAN


def test_fix_without_apply_prints_a_diff(project):
    result = run("fix", "--stdin-filename", "train.py")
    assert result.exit_code == 1
    assert result.stdout.startswith("--- train.py\n+++ train.py\n")
    assert "+results = ray.get([square.remote(x) for x in range(10)])" in result.stdout


def test_check_fix_prints_source_on_stdout_and_report_on_stderr(project):
    result = run("check", "--fix", "--stdin-filename", "train.py")
    assert result.stdout == FIXED
    assert "Found 1 error (1 fixed, 0 remaining)." in result.stderr
    assert result.exit_code == 0


def test_config_is_found_from_the_named_files_directory(project):
    write(project / "legacy" / ".raylint.toml", "ignore = ['RAY001']\n")
    args = ("check", "--output-format", "json", "--stdin-filename")
    assert codes(run(*args, "legacy/train.py")) == []
    assert [code for _, code, _ in codes(run(*args, "current/train.py"))] == ["RAY001"]


def test_per_file_ignores_apply_to_the_name(project):
    write(project / "pyproject.toml", "[tool.raylint.per-file-ignores]\n'scripts/*' = ['RAY001']\n")
    args = ("check", "--output-format", "json", "--stdin-filename")
    assert codes(run(*args, "scripts/train.py")) == []
    assert len(codes(run(*args, "src/train.py"))) == 1


def test_force_exclude_silences_an_excluded_name(project):
    write(project / "pyproject.toml", "[tool.raylint]\nextend-exclude = ['generated']\n")
    args = ("check", "--output-format", "json", "--stdin-filename", "generated/train.py")
    assert len(codes(run(*args))) == 1  # named explicitly: linted, as a path argument would be
    excluded = run(*args, "--force-exclude")
    assert excluded.exit_code == 0
    assert codes(excluded) == []
    unchanged = run("fix", "--apply", "--force-exclude", "--stdin-filename", "generated/train.py")
    assert unchanged.stdout == GET_IN_LOOP


def test_paths_are_ignored_in_favour_of_stdin(project):
    write(project / "other.py", CLEAN)
    result = run("check", "other.py", "--stdin-filename", "train.py", "--output-format", "json")
    assert "ignoring other.py in favour of standard input" in result.stderr
    assert [Path(name).name for name, _, _ in codes(result)] == ["train.py"]
