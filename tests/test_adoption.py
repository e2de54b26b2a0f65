"""Adopting raylint on an existing codebase: `check --add-noqa`, `--ignore-noqa`, RAY900 unused-noqa and
`raylint init` (with Ruff's `lint.external`)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from raylint.cli import main
from raylint.config import load_settings
from raylint.init import add_external, raylint_table

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

SOURCE = '''\
import ray


@ray.remote
def square(x):
    return x * x


refs = [square.remote(i) for i in range(10)]
for ref in refs:
    print(ray.get(ref))  # noqa: F401
for ref in refs:
    print(ray.get(ref))  # keep this comment
'''

WITH_NOQA = '''\
import ray


@ray.remote  # noqa: RAY003
def square(x):
    return x * x


refs = [square.remote(i) for i in range(10)]
for ref in refs:
    print(ray.get(ref))  # noqa: F401, RAY001
for ref in refs:
    print(ray.get(ref))  # keep this comment  # noqa: RAY001
'''


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def code(project: Path) -> Path:
    path = project / "job.py"
    path.write_text(SOURCE, encoding="utf-8")
    return path


def test_add_noqa_writes_one_directive_per_row_and_merges(code):
    result = run("check", "--add-noqa", "--no-cache", ".")
    assert result.exit_code == 0
    assert "Added 3 noqa directives." in result.output
    assert code.read_text(encoding="utf-8") == WITH_NOQA


def test_add_noqa_twice_adds_nothing_and_the_check_passes(code):
    run("check", "--add-noqa", "--no-cache", ".")
    again = run("check", "--add-noqa", "--no-cache", ".")
    assert "Added 0 noqa directives." in again.output
    assert code.read_text(encoding="utf-8") == WITH_NOQA
    assert run("check", "--no-cache", ".").exit_code == 0


def test_add_noqa_keeps_crlf_line_endings(code):
    code.write_bytes(SOURCE.replace("\n", "\r\n").encode())
    assert run("check", "--add-noqa", "--no-cache", ".").exit_code == 0
    assert code.read_bytes() == WITH_NOQA.replace("\n", "\r\n").encode()


def test_add_noqa_merges_several_codes_on_one_row(project):
    path = project / "one.py"
    path.write_text("import ray\n\nray.get([ray.remote(lambda: 1).remote() for _ in range(3)])\n"
                    "@ray.remote\ndef f():\n    return [ray.get(r) for r in refs]\n", encoding="utf-8")
    run("check", "--add-noqa", "--no-cache", ".")
    assert run("check", "--no-cache", ".").exit_code == 0
    for line in path.read_text(encoding="utf-8").splitlines():
        assert line.count("# noqa") <= 1


def test_add_noqa_skips_syntax_errors(project):
    broken = project / "broken.py"
    broken.write_text("import ray\ndef (:\n", encoding="utf-8")
    result = run("check", "--add-noqa", "--no-cache", ".")
    assert "Added 0 noqa directives." in result.output
    assert broken.read_text(encoding="utf-8") == "import ray\ndef (:\n"


def test_add_noqa_refuses_fix(code):
    assert run("check", "--add-noqa", "--fix", ".").exit_code == 2


def test_ignore_noqa_reports_suppressed_findings_with_their_noqa_row(code):
    code.write_text(WITH_NOQA, encoding="utf-8")
    assert run("check", "--no-cache", ".").exit_code == 0
    result = run("check", "--ignore-noqa", "--output-format", "json", ".")
    assert result.exit_code == 1
    assert result.output.count('"code": "RAY001"') == 2
    assert result.output.count('"code": "RAY003"') == 1
    assert '"noqa_row": 13' in result.output
    # the cache keeps the two runs apart
    assert run("check", ".").exit_code == 0


STALE = '''\
import ray


@ray.remote(num_cpus=1)
def square(x):
    return x * x


refs = [square.remote(i) for i in range(10)]
print(ray.get(refs))  # noqa: F401, RAY001
print(len(refs))  # noqa: RAY001  # count them
value = 1  # noqa: RAY003
'''


def test_unused_noqa_is_off_by_default(project):
    (project / "stale.py").write_text(STALE, encoding="utf-8")
    assert run("check", "--no-cache", ".").exit_code == 0


def test_unused_noqa_reports_only_codes_of_enabled_rules(project):
    (project / "stale.py").write_text(STALE, encoding="utf-8")
    result = run("check", "--no-cache", "--select", "RAY001,RAY900", "--output-format", "concise", ".")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("stale.py") and "RAY900" in line]
    assert lines == [
        "stale.py:10:23: RAY900 [*] Unused `noqa` directive (unused: `RAY001`)",
        "stale.py:11:19: RAY900 [*] Unused `noqa` directive (unused: `RAY001`)",
    ]


def test_unused_noqa_from_config(project):
    (project / "stale.py").write_text(STALE, encoding="utf-8")
    (project / "pyproject.toml").write_text('[tool.raylint]\nextend-select = ["RAY900"]\n', encoding="utf-8")
    result = run("check", "--no-cache", "--output-format", "concise", ".")
    assert [line.split()[1] for line in result.output.splitlines() if line.startswith("stale.py")] == ["RAY900"] * 3


def test_unused_noqa_fix_removes_the_codes(project):
    path = project / "stale.py"
    path.write_text(STALE, encoding="utf-8")
    result = run("check", "--no-cache", "--extend-select", "RAY900", "--fix", ".")
    assert result.exit_code == 0
    assert path.read_text(encoding="utf-8") == STALE.replace(
        "# noqa: F401, RAY001", "# noqa: F401"
    ).replace("  # noqa: RAY001  # count them", "  # count them").replace("value = 1  # noqa: RAY003", "value = 1")


def test_ignore_noqa_reports_no_unused_noqa(project):
    (project / "stale.py").write_text(STALE, encoding="utf-8")
    result = run("check", "--no-cache", "--extend-select", "RAY900", "--ignore-noqa", ".")
    assert "RAY900" not in result.output


# --- raylint init ------------------------------------------------------------------------------------


def init(directory: Path):
    result = run("init", str(directory))
    assert result.exit_code == 0, result.output
    return result.output


def test_init_in_an_empty_directory_writes_a_config_check_accepts(project):
    output = init(project)
    assert "Created pyproject.toml" in output
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert text == raylint_table()
    table = tomllib.loads(text)["tool"]["raylint"]
    assert table["select"] == ["RAY"]
    assert table["tiny-task-fanout"] == {"min-tasks": 10000}
    settings = load_settings()
    assert settings.rule_options["RAY002"] == {"min-bytes": 102400, "unknown-size": False, "extra-large-calls": []}
    (project / "job.py").write_text("import ray\n", encoding="utf-8")
    assert run("check", ".").exit_code == 0


def test_init_commented_keys_are_valid_when_uncommented(project):
    uncommented = "\n".join(
        line[2:] if line.startswith(("# extend-select", "# ignore", "# unsafe-fixes", "# [tool", '# "tests'))
        else line
        for line in raylint_table().splitlines()
    )
    (project / "pyproject.toml").write_text(uncommented, encoding="utf-8")
    settings = load_settings()
    assert settings.extend_select == ("RAY900",)
    assert settings.per_file_ignores == (("tests/**", ("RAY001",)),)


def test_init_appends_to_an_existing_pyproject(project):
    before = '[project]\nname = "demo"  # keep me\n'
    (project / "pyproject.toml").write_text(before, encoding="utf-8")
    assert "Updated pyproject.toml" in init(project)
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert text == before + "\n" + raylint_table()
    assert tomllib.loads(text)["project"] == {"name": "demo"}


def test_init_keeps_crlf(project):
    (project / "pyproject.toml").write_bytes(b'[project]\r\nname = "demo"\r\n')
    init(project)
    data = (project / "pyproject.toml").read_bytes()
    assert b"\r\n[tool.raylint]\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


def test_init_leaves_an_existing_raylint_table_alone(project):
    before = '[tool.raylint]\nignore = ["RAY003"]\n\n[tool.ruff.lint]\nselect = ["F"]\n'
    (project / "pyproject.toml").write_text(before, encoding="utf-8")
    output = init(project)
    assert "already configures raylint; nothing changed" in output
    assert 'add "RAY"' in output
    assert (project / "pyproject.toml").read_text(encoding="utf-8") == before


def test_init_adds_ray_to_an_existing_external_list(project):
    before = ('[tool.ruff]\nline-length = 100  # wide\n\n[tool.ruff.lint]\nselect = ["E", "F"]\n'
              'external = [\n    "V",  # vulture\n    "X"\n]\n\n[tool.ruff.lint.per-file-ignores]\n"t.py" = ["F401"]\n')
    (project / "pyproject.toml").write_text(before, encoding="utf-8")
    output = init(project)
    assert 'Added "RAY" to Ruff\'s lint.external in pyproject.toml' in output
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert text.startswith(before.replace('    "X"\n]', '    "X",\n    "RAY",\n]'))
    document = tomllib.loads(text)
    assert document["tool"]["ruff"]["lint"]["external"] == ["V", "X", "RAY"]
    assert document["tool"]["ruff"]["lint"]["per-file-ignores"] == {"t.py": ["F401"]}
    load_settings()


def test_init_creates_external_under_tool_ruff_lint(project):
    (project / "pyproject.toml").write_text('[tool.ruff.lint]\nselect = ["F"]\n', encoding="utf-8")
    init(project)
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert text.startswith('[tool.ruff.lint]\nexternal = ["RAY"]\nselect = ["F"]\n')
    assert tomllib.loads(text)["tool"]["ruff"]["lint"] == {"external": ["RAY"], "select": ["F"]}


def test_init_edits_ruff_toml_rather_than_pyproject(project):
    (project / "ruff.toml").write_text("line-length = 100\n", encoding="utf-8")
    output = init(project)
    assert "ruff.toml" in output
    ruff = (project / "ruff.toml").read_text(encoding="utf-8")
    assert tomllib.loads(ruff) == {"line-length": 100, "lint": {"external": ["RAY"]}}
    assert ruff.startswith("line-length = 100\n")
    assert "ruff" not in tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    # a second run changes nothing
    assert "nothing changed" in init(project)
    assert (project / "ruff.toml").read_text(encoding="utf-8") == ruff


@pytest.mark.parametrize("before,after", [
    ('[lint]\nexternal = []\n', '[lint]\nexternal = ["RAY"]\n'),
    ('[lint]\nexternal = ["V"]\n', '[lint]\nexternal = ["V", "RAY"]\n'),
    ('[lint]\nexternal = ["V",]  # x\n', '[lint]\nexternal = ["V", "RAY"]  # x\n'),
    ('lint.external = ["V"]\n', 'lint.external = ["V", "RAY"]\n'),
    ('external = ["V"]\n', 'external = ["V", "RAY"]\n'),
    ('[lint]\nselect = ["F"]\n', '[lint]\nexternal = ["RAY"]\nselect = ["F"]\n'),
    ('[format]\nquote-style = "single"\n', 'lint.external = ["RAY"]\n[format]\nquote-style = "single"\n'),
])
def test_add_external_in_ruff_toml(before, after):
    assert add_external(before, "", Path("ruff.toml")) == after


def test_add_external_leaves_a_list_that_has_ray():
    assert add_external('[tool.ruff.lint]\nexternal = ["RAY"]\n', "tool.ruff", Path("pyproject.toml")) is None
