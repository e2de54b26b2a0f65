"""The validation harness without a cluster: result comparison, timing statistics, and every error path,
with programs that do not need Ray and a fake executor standing in for the cluster."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from raylint.cli import main
from raylint.validate.cluster import Cluster
from raylint.validate.compare import driver_lines, stdout_difference, value_difference, values_equal
from raylint.validate.harness import FIXED_SUFFIX, Options, validate_program
from raylint.validate.runner import Run, run_program
from raylint.validate.stats import Timing, speedup, verdict

# A program with one safe RAY003 fix; it never runs here, the fake executor stands in for it.
PROGRAM = textwrap.dedent(
    """\
    import ray


    @ray.remote
    def square(x):
        return x * x


    if __name__ == "__main__":
        ray.init()
        print(sum(ray.get([square.remote(i) for i in range(4)])))
    """
)


class FakeCluster(Cluster):
    def __init__(self, resources=None):
        super().__init__(address="fake:0")
        self._resources = resources or {"CPU": 2.0}

    def resources(self):
        return self._resources


def fake_executor(outputs):
    """Runs nothing: returns the next Run for the version asked for, and records what was run."""
    calls = []

    def execute(path: Path, cwd: Path) -> Run:
        version = "fixed" if path.name.endswith(FIXED_SUFFIX) else "original"
        calls.append((version, path.read_text(), cwd))
        return outputs[version].pop(0) if isinstance(outputs[version], list) else outputs[version]

    execute.calls = calls
    return execute


def ok(seconds, stdout="30\n"):
    return Run(seconds, 0, stdout, "")


@pytest.fixture
def program(tmp_path):
    path = tmp_path / "job.py"
    path.write_text(PROGRAM)
    return path


# -- comparison -----------------------------------------------------------------------------------


def test_driver_lines_leave_out_worker_and_ray_lines():
    stdout = (
        "(square pid=123) computing\n"
        "\x1b[36m(Actor pid=9, ip=10.0.0.2)\x1b[0m hello\n"
        "\x1b[33m(raylet)\x1b[0m WARNING: 8 PYTHON worker processes have been started\n"
        "2026-11-25 10:00:00,123\tINFO worker.py:1 -- Connecting to existing Ray cluster\n"
        "Running entrypoint for job raysubmit_AbC123: python job.py\n"
        "result: 42   \n"
        "(not a worker) line\n"
    )
    assert driver_lines(stdout) == ["result: 42", "(not a worker) line"]


def test_stdout_difference_is_none_when_only_worker_lines_differ():
    assert stdout_difference("(f pid=1) a\n42\n", "(f pid=2) b\n42\n") is None
    difference = stdout_difference("42\n", "43\n")
    assert "-42" in difference and "+43" in difference


def test_values_equal_understands_numpy_and_containers():
    numpy = pytest.importorskip("numpy")
    assert values_equal({"a": [numpy.arange(3)]}, {"a": [numpy.arange(3)]})
    assert not values_equal({"a": [numpy.arange(3)]}, {"a": [numpy.arange(4)]})
    assert not values_equal(1, 1.0)
    assert value_difference(1, 2) == "main() returned 1 originally and 2 after the fix"


# -- statistics ------------------------------------------------------------------------------------


def test_timing_speedup_and_verdicts():
    original, fixed = Timing.of([3.0, 1.0, 2.0]), Timing.of([0.5, 0.4, 0.6])
    assert (original.median, original.low, original.high) == (2.0, 1.0, 3.0)
    assert speedup(original, fixed) == 4.0
    assert verdict(original, fixed, ["RAY004"]) == "faster"
    assert verdict(fixed, original, ["RAY004"]) == "slower"
    assert verdict(fixed, original, ["RAY003"]) == "no change expected"
    assert verdict(Timing.of([1.0, 2.0]), Timing.of([1.5, 2.5]), ["RAY001"]) == "within noise"
    # apart, but by less than the noise of starting a process: not a regression
    assert verdict(Timing.of([1.50]), Timing.of([1.55]), ["RAY002"]) == "within noise"
    assert verdict(Timing.of([1.50]), Timing.of([1.80]), ["RAY002"]) == "slower"
    with pytest.raises(ValueError):
        Timing.of([])


# -- the harness with a fake cluster --------------------------------------------------------------


def test_equal_results_are_timed_alternately_after_a_warm_up(program):
    execute = fake_executor({"original": [ok(9), ok(2.0), ok(2.2)], "fixed": [ok(9), ok(1.0), ok(1.1)]})
    report = validate_program(program, FakeCluster(), Options(repeat=2), execute)
    assert [version for version, _, _ in execute.calls] == ["original", "fixed"] * 3
    assert all(cwd == program.parent for _, _, cwd in execute.calls)
    assert "@ray.remote(num_cpus=1)" in execute.calls[1][1]
    assert report.status == "ok" and report.equal is True
    assert report.codes == ["RAY003"]
    assert (report.original.median, report.fixed.median) == (2.1, 1.05)
    assert report.verdict == "faster"
    assert json.loads(json.dumps(report.as_json()))["original_range_s"] == [2.0, 2.2]
    assert not list(program.parent.glob(f"*{FIXED_SUFFIX}")), "the fixed copy must be removed"


def test_different_results_are_reported_with_a_diff(program):
    execute = fake_executor({"original": ok(1, "30\n"), "fixed": ok(1, "31\n")})
    report = validate_program(program, FakeCluster(), Options(repeat=1), execute)
    assert report.status == "different" and report.equal is False
    assert "-30" in report.detail and "+31" in report.detail
    assert not report.passed


def test_a_failing_run_and_a_timeout_are_reported(program):
    failing = fake_executor({"original": ok(1), "fixed": Run(1, 1, "", "Traceback...\nValueError: boom\n")})
    report = validate_program(program, FakeCluster(), Options(repeat=1), failing)
    assert report.status == "failed" and "ValueError: boom" in report.detail and "fixed" in report.detail
    slow = fake_executor({"original": Run(5, None, "", "", timed_out=True), "fixed": ok(1)})
    report = validate_program(program, FakeCluster(), Options(repeat=1, timeout=5), slow)
    assert report.status == "timeout" and "original" in report.detail
    assert not list(program.parent.glob(f"*{FIXED_SUFFIX}"))


def test_a_slower_fix_is_a_regression_unless_no_change_was_expected(tmp_path):
    program = tmp_path / "loop.py"
    program.write_text(
        "import ray\n\n@ray.remote(num_cpus=1)\ndef f(x):\n    return x\n\n"
        "print([ray.get(f.remote(x)) for x in range(3)])\n"
    )
    execute = fake_executor({"original": [ok(1), ok(1.0), ok(1.1)], "fixed": [ok(1), ok(3.0), ok(3.1)]})
    report = validate_program(program, FakeCluster(), Options(repeat=2), execute)
    assert report.codes == ["RAY001"]
    assert report.status == "regression" and report.verdict == "slower"


def test_nothing_to_fix_is_not_run(tmp_path):
    program = tmp_path / "clean.py"
    program.write_text("import ray\nprint(1)\n")
    execute = fake_executor({"original": ok(1), "fixed": ok(1)})
    report = validate_program(program, FakeCluster(), Options(), execute)
    assert report.status == "nothing to fix" and execute.calls == [] and report.passed


def test_a_fix_asking_for_a_gpu_cannot_run_on_a_cpu_cluster(tmp_path):
    program = tmp_path / "gpu.py"
    program.write_text("import ray\nimport torch\n\n@ray.remote(num_cpus=1)\ndef f(x):\n    return torch.ones(1).cuda()\n")
    execute = fake_executor({"original": ok(1), "fixed": ok(1)})
    report = validate_program(program, FakeCluster({"CPU": 2.0}), Options(), execute)
    assert report.status == "cannot run on this cluster" and execute.calls == []
    assert not list(tmp_path.glob(f"*{FIXED_SUFFIX}"))


# -- running real processes (no Ray needed) --------------------------------------------------------


def test_run_program_kills_a_run_over_its_timeout(tmp_path):
    script = tmp_path / "sleepy.py"
    script.write_text("import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\ntime.sleep(60)\n")
    run = run_program(script, cwd=tmp_path, address=None, timeout=1.0)
    assert run.timed_out and not run.ok
    assert run.seconds < 30


def test_run_program_uses_the_programs_directory_and_reads_main_return_value(tmp_path):
    (tmp_path / "data.txt").write_text("21")
    script = tmp_path / "prog.py"
    script.write_text("def main():\n    return {'twice': 2 * int(open('data.txt').read())}\n\nif __name__ == '__main__':\n    print('not run by --compare return')\n")
    run = run_program(script, cwd=tmp_path, address="127.0.0.1:1", timeout=60, compare="return")
    assert run.ok, run.stderr
    assert run.value == {"twice": 42}
    assert run.stdout == ""
    printed = run_program(script, cwd=tmp_path, address=None, timeout=60)
    assert printed.stdout == "not run by --compare return\n"


def test_validate_without_ray_is_a_one_line_error(monkeypatch, program):
    import raylint.cli

    monkeypatch.setattr(raylint.cli.importlib.util, "find_spec", lambda name: None if name == "ray" else object())
    result = CliRunner().invoke(main, ["validate", str(program)])
    assert result.exit_code == 2
    assert result.output.strip() == "raylint: validate needs Ray: pip install 'raylint[ray]'"


def test_validate_rejects_address_with_submit(program):
    result = CliRunner().invoke(main, ["validate", str(program), "--address", "auto", "--submit", "http://x"])
    assert result.exit_code == 2


def _reports_for_table():
    from raylint.validate.harness import ProgramReport

    ok = ProgramReport("/somewhere/deep/inside/a/project/ray004_tiny_task_fanout_with_a_long_name.py", "ok",
                       ["RAY004", "RAY004", "RAY003"], Timing.of([12.5, 12.7]), Timing.of([0.41, 0.43]))
    ok.equal, ok.verdict = True, "faster"
    failed = ProgramReport("b.py", "failed", ["RAY001"], detail="the fixed version exited with code 1:\nboom")
    return [ok, failed]


@pytest.mark.parametrize("terminal, width", [(False, 40), (False, 300), (True, 40), (True, 300)])
def test_the_validate_table_keeps_every_column_at_any_width(terminal, width):
    import io

    from rich.console import Console

    from raylint.validate.report import COLUMNS, print_table

    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=terminal, color_system=None)
    print_table(_reports_for_table(), console, "2 CPUs, Linux x86_64, Python 3.11, ray 2.60")
    text = out.getvalue()
    assert "…" not in text
    flat = "".join(text.split()).replace("│", "").replace("┃", "")
    for value in ("ray004_tiny_task_fanout_with_a_long_name.py", "RAY003,RAY004x2", "12.60(12.50-12.70)",
                  "0.42(0.41-0.43)", "30.00x", "yes", "faster", "failed", "boom",
                  *("".join(column.split()) for column in COLUMNS)):
        assert value in flat, (value, text)
    if not terminal or width < 100:
        header = next(line for line in text.splitlines() if line.startswith("program"))
        assert header.split() == "program fixed original s fixed s speedup equal result".split()


def test_a_node_that_misses_ray_s_start_up_timeout_is_started_once_more(monkeypatch):
    """Ray gives a node 30 s to start; on a loaded machine the head (as much as a worker) may miss it: it is
    discarded and started again on fresh ports, and a second miss is the error."""
    from raylint.validate.cluster import ClusterError, LocalCluster

    cluster = LocalCluster(address="")
    events, misses = [], [1]

    def wait(count):
        events.append(("wait", count))
        if misses[0]:
            misses[0] -= 1
            raise ClusterError("`ray start` exited with code 1: the current node timed out during startup")

    monkeypatch.setattr(cluster, "_wait_for_nodes", wait)
    monkeypatch.setattr(cluster, "_discard_last", lambda: events.append(("discard",)))
    cluster._start_node(lambda: events.append(("spawn",)), 1)
    assert events == [("spawn",), ("wait", 1), ("discard",), ("spawn",), ("wait", 1)]
    misses[0] = 2
    with pytest.raises(ClusterError):
        cluster._start_node(lambda: events.append(("spawn",)), 2)
