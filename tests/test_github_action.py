"""The GitHub integration: the composite action's shape, and the job summary written by `--output-format github`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from raylint.cli import main
from raylint.ftypes import Diagnostic, Edit, Fix, Location
from raylint.reporters import render
from raylint.reporters.common import ReportContext

ROOT = Path(__file__).resolve().parent.parent


# -- action.yml ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def action():
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def test_action_inputs(action):
    inputs = action["inputs"]
    assert set(inputs) == {"paths", "args", "version", "sarif-file"}
    assert inputs["paths"]["default"] == "."
    assert all(inputs[name]["default"] == "" for name in ("args", "version", "sarif-file"))
    assert not any(spec.get("required") for spec in inputs.values())


def test_action_is_composite_and_installs_then_checks(action):
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert all(step["shell"] == "bash" for step in steps)
    install, sarif, check = steps
    assert "github.action_path" in install["env"]["ACTION_PATH"]
    assert "inputs.version" in install["env"]["RAYLINT_VERSION"]
    assert '"raylint==$RAYLINT_VERSION"' in install["run"] and '"$ACTION_PATH"' in install["run"]
    assert sarif["if"] == "${{ inputs.sarif-file != '' }}"
    assert "--output-format sarif -o \"$SARIF_FILE\"" in sarif["run"] and sarif["run"].rstrip().endswith("|| true")
    assert check["run"].startswith("raylint check $RAYLINT_PATHS $RAYLINT_ARGS")
    assert check["run"].endswith("--output-format github")
    # Inputs reach the shell through env, never spliced into the script, so they cannot inject commands.
    for step in steps:
        assert "${{" not in step["run"]


def test_readme_workflow_uses_the_action_and_uploads_sarif():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "sarif-file:" in readme
    assert "github/codeql-action/upload-sarif" in readme
    assert "security-events: write" in readme


# -- $GITHUB_STEP_SUMMARY --------------------------------------------------------------------------


def _diagnostic(code, name, row, fixable=False, message="m"):
    fix = Fix("safe", "Do it", (Edit("x", Location(row, 1), Location(row, 2)),)) if fixable else None
    return Diagnostic(code, name, message, "/repo/pkg/a.py", Location(row, 3), Location(row, 9), row, fix=fix)


@pytest.fixture
def context():
    return ReportContext(cwd=Path("/repo"), version="0.0.0", read_source=lambda _: None, files_checked=2)


def test_summary_is_appended_and_stdout_is_unchanged(context, tmp_path, monkeypatch):
    diagnostics = [
        _diagnostic("RAY001", "ray-get-in-loop", 4, message="`ray.get` in a loop"),
        _diagnostic("RAY003", "missing-resources", 7, fixable=True),
        _diagnostic("RAY003", "missing-resources", 9),
    ]
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    without = render("github", diagnostics, context)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert render("github", diagnostics, context) == without
    assert summary.read_text(encoding="utf-8") == (
        "earlier step\n"
        "## raylint\n"
        "\n"
        "Found 3 findings in 2 files.\n"
        "\n"
        "| code | name | count | fixable |\n"
        "|---|---|---:|---:|\n"
        "| RAY003 | missing-resources | 2 | 1 |\n"
        "| RAY001 | ray-get-in-loop | 1 | 0 |\n"
        "\n"
        "### Findings\n"
        "\n"
        "- `pkg/a.py:4:3` RAY001 `ray.get` in a loop\n"
        "- `pkg/a.py:7:3` RAY003 m\n"
        "- `pkg/a.py:9:3` RAY003 m\n"
        "\n"
    )


def test_summary_lists_only_the_first_fifty(context, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    render("github", [_diagnostic("RAY001", "ray-get-in-loop", row) for row in range(1, 61)], context)
    text = summary.read_text(encoding="utf-8")
    assert "| RAY001 | ray-get-in-loop | 60 | 0 |" in text
    assert "### First 50 of 60 findings" in text
    assert "`pkg/a.py:50:3`" in text and "`pkg/a.py:51:3`" not in text


def test_summary_of_a_clean_run(context, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert render("github", [], context) == ""
    assert summary.read_text(encoding="utf-8") == "## raylint\n\nAll checks passed in 2 files.\n\n"


def test_other_formats_write_no_summary(context, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    render("concise", [_diagnostic("RAY001", "ray-get-in-loop", 1)], context)
    assert not summary.exists()


def test_check_writes_the_summary(project, monkeypatch):
    (project / "job.py").write_text("import ray\n\n@ray.remote\ndef f():\n    return 1\n", encoding="utf-8")
    summary = project / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = CliRunner().invoke(main, ["check", "--no-cache", "--output-format", "github", "job.py"])
    assert result.exit_code == 1
    assert result.output.startswith("::")
    assert "| RAY003 | missing-resources | 1 | 1 |" in summary.read_text(encoding="utf-8")


def test_summary_names_the_notebook_cell(context, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    diagnostic = Diagnostic("RAY001", "ray-get-in-loop", "m", "/repo/nb.ipynb", Location(2, 5), Location(2, 9), 2, cell=3)
    render("github", [diagnostic], context)
    assert "- `nb.ipynb:cell 3:2:5` RAY001 m\n" in summary.read_text(encoding="utf-8")
