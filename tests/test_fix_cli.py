"""`raylint fix` and `raylint check --fix/--diff`: what is written, when, and how files are kept intact."""

from __future__ import annotations

import codecs
import json
import os
import stat
import textwrap

from click.testing import CliRunner

from raylint.cli import main

SOURCE = textwrap.dedent(
    """\
    import ray


    # a plain task
    @ray.remote
    def square(x):
        return x * x


    @ray.remote
    class Counter:
        def __init__(self):
            self.n = 0
    """
)
SAFE = SOURCE.replace("@ray.remote\ndef", "@ray.remote(num_cpus=1)\ndef")
# a counter actor coordinates: `num_cpus=0` (unsafe), never a CPU held for life
UNSAFE = SAFE.replace("@ray.remote\nclass", "@ray.remote(num_cpus=0)\nclass")


def invoke(*args):
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2 mixes stderr into stdout unless told
    except TypeError:
        runner = CliRunner()
    return runner.invoke(main, list(args), catch_exceptions=False)


def test_fix_without_apply_shows_a_diff_and_writes_nothing(project):
    path = project / "job.py"
    path.write_text(SOURCE)
    result = invoke("fix", "job.py")
    assert result.exit_code == 1
    assert "-@ray.remote\n+@ray.remote(num_cpus=1)\n" in result.stdout
    assert "--- job.py" in result.stdout
    assert path.read_text() == SOURCE
    assert "Would fix 1 finding, 1 remaining. 1 more fix is available with `--unsafe-fixes`." in result.stderr


def test_apply_writes_safe_fixes_only_and_is_idempotent(project):
    path = project / "job.py"
    path.write_text(SOURCE)
    first = invoke("fix", "--apply", "job.py")
    assert path.read_text() == SAFE
    assert first.exit_code == 1  # the actor's finding remains
    assert "Fixed 1 finding, 1 remaining." in first.stderr
    second = invoke("fix", "--apply", "job.py")
    assert path.read_text() == SAFE
    assert "Fixed 0 findings, 1 remaining." in second.stderr


def test_unsafe_fixes_flag_and_config(project):
    path = project / "job.py"
    path.write_text(SOURCE)
    assert invoke("fix", "--apply", "--unsafe-fixes", "job.py").exit_code == 0
    assert path.read_text() == UNSAFE
    path.write_text(SOURCE)
    (project / "pyproject.toml").write_text("[tool.raylint]\nunsafe-fixes = true\n")
    invoke("fix", "--apply", "job.py")
    assert path.read_text() == UNSAFE


def test_unfixable_config_keeps_a_rule_unfixed(project):
    path = project / "job.py"
    path.write_text(SOURCE)
    (project / "pyproject.toml").write_text('[tool.raylint]\nunfixable = ["RAY003"]\n')
    invoke("fix", "--apply", "--unsafe-fixes", "job.py")
    assert path.read_text() == SOURCE


def test_check_fix_reports_fixed_and_remaining(project):
    path = project / "job.py"
    path.write_text(SOURCE)
    result = invoke("check", "--fix", "--output-format", "concise", "job.py")
    assert path.read_text() == SAFE
    assert result.exit_code == 1
    assert "Found 2 errors (1 fixed, 1 remaining)." in result.stdout
    assert "1 hidden fix can be enabled with the `--unsafe-fixes` option" in result.stdout


def test_check_fix_exit_codes(project):
    path = project / "job.py"
    path.write_text(SOURCE)
    assert invoke("check", "--fix", "--unsafe-fixes", "job.py").exit_code == 0
    path.write_text(SOURCE)
    assert invoke("check", "--fix", "--unsafe-fixes", "--exit-non-zero-on-fix", "job.py").exit_code == 1


def test_check_diff_writes_nothing_and_exits_1_when_there_is_a_diff(project):
    path = project / "job.py"
    path.write_text(SOURCE)
    result = invoke("check", "--diff", "job.py")
    assert result.exit_code == 1
    assert "+@ray.remote(num_cpus=1)" in result.stdout
    assert path.read_text() == SOURCE
    path.write_text(SAFE)
    assert invoke("check", "--diff", "job.py").exit_code == 0


def test_json_output_carries_each_fix(project):
    (project / "job.py").write_text(SOURCE)
    findings = json.loads(invoke("check", "--output-format", "json", "job.py").stdout)
    by_row = {f["location"]["row"]: f["fix"] for f in findings}
    assert by_row[5]["applicability"] == "safe"
    assert by_row[5]["edits"] == [
        {"content": "(num_cpus=1)", "end_location": {"column": 12, "row": 5}, "location": {"column": 12, "row": 5}}
    ]
    assert by_row[10]["applicability"] == "unsafe"
    assert "[*]" in invoke("check", "--output-format", "concise", "job.py").stdout.splitlines()[0]


def test_crlf_bom_tabs_and_comments_are_kept(project):
    source = "import ray\r\n\r\n\r\n@ray.remote  # keep me\r\ndef f(x):\r\n\treturn x  # tab-indented\r\n"
    path = project / "crlf.py"
    path.write_bytes(codecs.BOM_UTF8 + source.encode("utf-8"))
    invoke("fix", "--apply", "crlf.py")
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    text = data[len(codecs.BOM_UTF8):].decode("utf-8")
    assert text == source.replace("@ray.remote  #", "@ray.remote(num_cpus=1)  #")
    assert "\n" not in text.replace("\r\n", "")


def test_declared_encoding_is_kept(project):
    source = "# -*- coding: latin-1 -*-\nimport ray\n\nNAME = 'caf\xe9'\n\n\n@ray.remote\ndef f(x):\n    return x\n"
    path = project / "latin.py"
    path.write_bytes(source.encode("latin-1"))
    invoke("fix", "--apply", "latin.py")
    assert path.read_bytes() == source.replace("@ray.remote\n", "@ray.remote(num_cpus=1)\n").encode("latin-1")


def test_permissions_are_kept(project):
    path = project / "job.py"
    path.write_text(SOURCE)
    os.chmod(path, 0o640)
    invoke("fix", "--apply", "job.py")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert path.read_text() == SAFE
    assert not [p.name for p in project.iterdir() if p.name.endswith(".raylint")]


def test_read_only_file_is_an_error_and_left_untouched(project):
    path = project / "job.py"
    path.write_text(SOURCE)
    os.chmod(path, 0o444)
    result = invoke("fix", "--apply", "job.py")
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("raylint:")]
    assert len(errors) == 1 and "job.py" in errors[0] and "read-only" in errors[0]
    assert path.read_text() == SOURCE
    assert sorted(p.name for p in project.iterdir() if p.is_file()) == ["job.py"]
