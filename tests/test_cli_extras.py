"""Smaller command-line behaviours users rely on from Ruff: `--statistics` in JSON and `raylint check -`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from raylint.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def invoke(*args, stdin=None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def test_statistics_honour_the_json_output_format(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text((EXAMPLES / "ray003_missing_resources.py").read_text())
    (tmp_path / "b.py").write_text((EXAMPLES / "ray003_missing_resources.py").read_text())
    (tmp_path / "broken.py").write_text("import ray\nray.get(x for\n")
    result = invoke("check", "--no-cache", "--statistics", "--output-format", "json", ".")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {"code": "RAY003", "name": "missing-resources", "count": 2, "fixable": True, "fixable_count": 2},
        {"code": None, "name": "invalid-syntax", "count": 1, "fixable": False, "fixable_count": 0},
    ]
    assert list(json.loads(result.stdout)[0]) == ["code", "name", "count", "fixable", "fixable_count"]
    (tmp_path / "broken.py").unlink()
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text("x = 1\n")
    clean = invoke("check", "--no-cache", "--statistics", "--output-format", "json", ".")
    assert (clean.exit_code, json.loads(clean.stdout)) == (0, [])
    text = invoke("check", "--no-cache", "--statistics", ".")
    assert not text.stdout.lstrip().startswith("[")


def test_a_dash_reads_standard_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = (EXAMPLES / "ray001_get_in_loop.py").read_text()
    result = invoke("check", "--output-format", "json", "-", stdin=source)
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)
    assert finding["code"] == "RAY001" and Path(finding["filename"]).name == "-"
    assert invoke("check", "--output-format", "concise", "-", stdin=source).stdout.startswith("-:")
    named = invoke("check", "--output-format", "json", "--stdin-filename", "job.py", "-", stdin=source)
    assert Path(json.loads(named.stdout)[0]["filename"]).name == "job.py" and named.stderr == ""
    fixed = invoke("fix", "--apply", "-", stdin=(EXAMPLES / "ray003_missing_resources.py").read_text())
    assert fixed.exit_code == 0 and "@ray.remote(num_cpus=1)" in fixed.stdout
    assert list(tmp_path.iterdir()) == []  # nothing read from or written to disk
