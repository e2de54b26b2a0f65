"""The `raylint check` and `raylint rule` commands, driven through click's runner and one real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner

from raylint.cli import main
from raylint.rule_docs import rule_page

REPO = Path(__file__).resolve().parent.parent

GET_IN_LOOP = textwrap.dedent(
    """\
    import ray


    @ray.remote(num_cpus=1)
    def square(x):
        return x * x


    results = [ray.get(square.remote(x)) for x in range(10)]
    """
)
CLEAN = textwrap.dedent(
    """\
    import ray


    @ray.remote(num_cpus=1)
    def square(x):
        return x * x


    results = ray.get([square.remote(x) for x in range(10)])
    """
)


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def json_findings(result):
    return [(Path(d["filename"]).name, d["code"], d["location"]["row"]) for d in json.loads(result.output)]


def test_findings_exit_1_and_clean_exit_0(project):
    write(project / "bad.py", GET_IN_LOOP)
    write(project / "good.py", CLEAN)
    result = invoke("check", "bad.py", "--output-format", "json")
    assert result.exit_code == 1
    assert json_findings(result) == [("bad.py", "RAY001", 9)]
    result = invoke("check", "good.py")
    assert result.exit_code == 0
    assert "All checks passed!" in result.output


def test_default_path_is_the_current_directory_and_recurses(project):
    write(project / "pkg" / "deep" / "bad.py", GET_IN_LOOP)
    result = invoke("check", "--output-format", "concise")
    assert result.exit_code == 1
    assert "pkg/deep/bad.py:9:" in result.output


def test_exit_zero(project):
    write(project / "bad.py", GET_IN_LOOP)
    assert invoke("check", "bad.py", "--exit-zero").exit_code == 0


def test_a_missing_path_is_a_finding_and_the_other_paths_are_checked(project):
    write(project / "bad.py", GET_IN_LOOP)
    result = invoke("check", "nope.py", "bad.py", "--output-format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    missing = [f for f in findings if f["code"] == "io-error"]
    assert [Path(f["filename"]).name for f in missing] == ["nope.py"]
    assert "No such file or directory" in missing[0]["message"]
    assert any(f["code"] == "RAY001" and Path(f["filename"]).name == "bad.py" for f in findings)
    concise = invoke("check", "nope.py", "--output-format", "concise")
    assert concise.exit_code == 1 and "nope.py:1:1: io-error: Failed to read" in concise.stdout


def test_no_python_files_found_is_a_warning(project):
    (project / "empty").mkdir()
    (project / "empty" / "notes.txt").write_text("x")
    result = invoke("check", "empty")
    assert result.exit_code == 0
    assert "warning: No Python files found under the given path(s)" in result.stderr
    write(project / "empty" / "a.py", "x = 1\n")
    assert "No Python files" not in invoke("check", "empty").stderr


def test_select_ignore_and_prefixes(project):
    write(project / "bad.py", GET_IN_LOOP.replace("@ray.remote(num_cpus=1)", "@ray.remote"))
    everything = {code for _, code, _ in json_findings(invoke("check", "bad.py", "--output-format", "json"))}
    assert everything == {"RAY001", "RAY003"}
    only = json_findings(invoke("check", "bad.py", "--output-format", "json", "--select", "RAY003"))
    assert [code for _, code, _ in only] == ["RAY003"]
    ignored = json_findings(invoke("check", "bad.py", "--output-format", "json", "--ignore", "RAY00"))
    assert ignored == []
    extended = json_findings(
        invoke("check", "bad.py", "--output-format", "json", "--select", "RAY001", "--extend-select", "RAY003")
    )
    assert {code for _, code, _ in extended} == {"RAY001", "RAY003"}


def test_unknown_selector_exits_2_with_one_line(project):
    write(project / "bad.py", GET_IN_LOOP)
    result = invoke("check", "bad.py", "--select", "RAY999")
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "RAY999" in result.output


def test_bad_config_exits_2_naming_file_and_key(project):
    write(project / "bad.py", GET_IN_LOOP)
    write(project / "pyproject.toml", '[tool.raylint.missing-resources]\nmode = "some"\n')
    result = invoke("check", "bad.py")
    assert result.exit_code == 2
    line = result.output.strip()
    assert "\n" not in line
    assert "pyproject.toml" in line and "mode" in line and "'needed'" in line


def test_config_select_and_per_file_ignores(project):
    write(project / "pkg" / "bad.py", GET_IN_LOOP)
    write(project / "tests" / "test_bad.py", GET_IN_LOOP)
    write(project / "pyproject.toml", '[tool.raylint]\nselect = ["RAY001"]\n[tool.raylint.per-file-ignores]\n"tests/**" = ["RAY001"]\n')
    result = invoke("check", "--output-format", "json")
    assert json_findings(result) == [("bad.py", "RAY001", 9)]


def test_rule_options_from_config(project):
    source = "import ray\nimport numpy as np\n\n@ray.remote(num_cpus=1)\ndef f(a, i):\n    return i\n\nsmall = np.zeros(1000)\nrefs = [f.remote(small, i) for i in range(4)]\n"
    write(project / "job.py", source)
    assert invoke("check", "job.py").exit_code == 0
    write(project / "pyproject.toml", "[tool.raylint.large-arg-without-put]\nmin-bytes = 1000\n")
    assert json_findings(invoke("check", "job.py", "--output-format", "json")) == [("job.py", "RAY002", 9)]


def test_noqa_suppresses_on_the_line_and_file_level(project):
    write(project / "line.py", GET_IN_LOOP.replace("for x in range(10)]", "for x in range(10)]  # noqa: RAY001"))
    write(project / "other_code.py", GET_IN_LOOP.replace("for x in range(10)]", "for x in range(10)]  # noqa: RAY003"))
    write(project / "whole.py", "# raylint: noqa\n" + GET_IN_LOOP)
    result = invoke("check", "--output-format", "json")
    assert json_findings(result) == [("other_code.py", "RAY001", 9)]


def test_syntax_error_is_a_finding_and_other_files_are_still_checked(project):
    write(project / "broken.py", "import ray\ndef f(:\n    return ray.get(x)\n")
    write(project / "bad.py", GET_IN_LOOP)
    result = invoke("check", "--output-format", "json")
    assert result.exit_code == 1
    findings = json_findings(result)
    assert ("broken.py", "invalid-syntax", 2) in findings
    assert ("bad.py", "RAY001", 9) in findings


def test_undecodable_file_is_an_io_error_finding(project):
    (project / "latin.py").write_bytes(b"import ray\nname = '\xe9t\xe9'\n")
    (project / "binary.py").write_bytes(b"\x00\x01\x02import ray")
    write(project / "bad.py", GET_IN_LOOP)
    result = invoke("check", "--output-format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.output)
    errors = {Path(d["filename"]).name: d["message"] for d in findings if d["code"] == "io-error"}
    assert set(errors) == {"latin.py", "binary.py"}
    assert "latin.py" in errors["latin.py"] and "binary" in errors["binary.py"]
    assert any(d["code"] == "RAY001" for d in findings)


def test_output_file_and_statistics(project):
    write(project / "bad.py", GET_IN_LOOP.replace("@ray.remote(num_cpus=1)", "@ray.remote"))
    result = invoke("check", "bad.py", "--output-format", "json", "-o", "report.json")
    assert result.exit_code == 1
    assert result.output == ""
    assert {d["code"] for d in json.loads((project / "report.json").read_text())} == {"RAY001", "RAY003"}
    stats = invoke("check", "bad.py", "--statistics")
    rows = [line.split() for line in stats.output.splitlines() if line.startswith("1")]
    assert sorted(row[1] for row in rows) == ["RAY001", "RAY003"]


def test_cache_is_reused_and_invalidated_by_content_and_by_imported_definitions(project):
    write(project / "tasks.py", "import ray\n\n@ray.remote(num_cpus=1)\ndef double(x):\n    return x * 2\n")
    write(
        project / "driver.py",
        "import ray\nfrom tasks import double\n\nrefs = [double.remote(i) for i in range(20000)]\nprint(sum(ray.get(refs)))\n",
    )
    first = json_findings(invoke("check", "--output-format", "json"))
    assert first == [("driver.py", "RAY004", 4)]
    assert (project / ".raylint_cache").is_dir()
    assert json_findings(invoke("check", "--output-format", "json")) == first
    # the callee becomes heavy: the cached driver.py result must not survive
    write(
        project / "tasks.py",
        "import ray\nimport time\n\n@ray.remote(num_cpus=1)\ndef double(x):\n    time.sleep(0.5)\n    return x * 2\n",
    )
    assert json_findings(invoke("check", "--output-format", "json")) == []
    write(project / "driver.py", "import ray\n")
    assert json_findings(invoke("check", "--output-format", "json", "--no-cache")) == []


def test_parallel_jobs_give_the_same_findings_as_one(project):
    for index in range(40):
        write(project / f"mod{index:02}.py", GET_IN_LOOP if index % 3 == 0 else CLEAN)
    serial = json_findings(invoke("check", "--output-format", "json", "--no-cache", "--jobs", "1"))
    parallel = json_findings(invoke("check", "--output-format", "json", "--no-cache", "--jobs", "2"))
    assert serial == parallel
    assert len(serial) == 14


def test_rule_prints_the_docs_page(project):
    result = invoke("rule", "RAY001")
    assert result.exit_code == 0
    assert result.output == rule_page("RAY001")
    assert invoke("rule", "ray-get-in-loop").output == result.output
    listing = invoke("rule", "--all").output.splitlines()
    assert listing[0].split() == ["code", "name", "fix", "default"]
    from raylint.registry import codes

    assert [line.split()[0] for line in listing[1:]] == codes()
    unknown = invoke("rule", "RAY999")
    assert unknown.exit_code == 2


def test_real_subprocess_on_the_bundled_examples():
    env = dict(os.environ, RAYLINT_CACHE_DIR=str(REPO / ".raylint_cache"))
    completed = subprocess.run(
        [sys.executable, "-m", "raylint", "check", "examples", "--output-format", "json", "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert completed.returncode == 1, completed.stderr
    findings = json.loads(completed.stdout)
    by_file = {}
    for finding in findings:
        by_file.setdefault(Path(finding["filename"]).name, set()).add(finding["code"])
    assert by_file == {
        "ray001_get_in_loop.py": {"RAY001"},
        "ray002_large_arg_without_put.py": {"RAY002"},
        "ray003_missing_resources.py": {"RAY003"},
        "ray004_tiny_task_fanout.py": {"RAY004"},
        "ray005_driver_side_loading.py": {"RAY005"},
        "ray101_blocking_get_in_async.py": {"RAY101"},
        "ray102_remote_redefined_in_loop.py": {"RAY102"},
        "ray105_unnecessary_get.py": {"RAY105"},
    }
    assert completed.stderr == ""
