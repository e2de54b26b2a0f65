"""`raylint validate` end to end on a real local Ray cluster that the harness starts and stops.

The shipped examples (the five core anti-patterns, and RAY101, RAY102 and RAY105 whose fixes run),
shrunk to small sizes, are fixed with every fix (unsafe ones included), run before
and after on the cluster, and must print the same result; the tiny-task example must get faster (the one
timing assertion in the tests: its expected speedup is tens of times, far beyond noise). No Ray process
started by the test may survive it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="needs the ray extra")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SMALL_SIZES = {
    "ray001_get_in_loop.py": {"NUM_TASKS": "20"},
    "ray002_large_arg_without_put.py": {"ROWS": "256", "COLS": "512", "NUM_CALLS": "6"},
    "ray003_missing_resources.py": {"NUM_TASKS": "8"},
    # RAY004 fires from 10,000 submissions: the smallest fan-out it reports
    "ray004_tiny_task_fanout.py": {"NUM_TASKS": "10_000"},
    "ray005_driver_side_loading.py": {"NUM_VALUES": "400_000"},
    "ray101_blocking_get_in_async.py": {"NUM_REQUESTS": "4", "TASK_SECONDS": "0.05"},
    "ray102_remote_redefined_in_loop.py": {"NUM_BATCHES": "4", "BATCH_SIZE": "10_000"},
    "ray105_unnecessary_get.py": {"ROWS": "1024", "COLS": "2048"},
}
EXPECTED_CODES = {
    "ray001_get_in_loop.py": ["RAY001"],
    "ray002_large_arg_without_put.py": ["RAY002"],
    "ray003_missing_resources.py": ["RAY003"],
    "ray004_tiny_task_fanout.py": ["RAY004"],
    "ray005_driver_side_loading.py": ["RAY005"],
    "ray101_blocking_get_in_async.py": ["RAY101"],
    "ray102_remote_redefined_in_loop.py": ["RAY102"],
    "ray105_unnecessary_get.py": ["RAY105"],
}
MARK_VARIABLE = "RAYLINT_TEST_PROCESS_MARK"
RAY_PROCESS = re.compile(r"raylet|gcs_server|ray start|ray::|dashboard/agent.py|runtime_env/agent")


def shrink(name: str, directory: Path) -> Path:
    """A copy of a shipped example with its size constants made small."""
    source = (EXAMPLES / name).read_text()
    for constant, value in SMALL_SIZES[name].items():
        source, count = re.subn(rf"^{constant} = .*$", f"{constant} = {value}", source, flags=re.M)
        assert count == 1, f"{name}: {constant} not found"
    path = directory / name
    path.write_text(source)
    return path


def own_ray_processes(mark: str):
    """Live Ray processes started for this test (pid -> command line): those carrying its `mark` in their
    environment, which every process of its cluster inherits (`ray start`, raylet, workers, agents, job
    drivers). Ray processes of other users or other tests on the machine are never counted."""
    needle = f"{MARK_VARIABLE}={mark}".encode()
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                if needle not in handle.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry}/stat", "rb") as handle:
                state = handle.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in (b"Z", b"X") and RAY_PROCESS.search(command):
            found[int(entry)] = command
    return found


@pytest.fixture
def mark(monkeypatch):
    """A mark for the processes this test starts; whatever of them survives is reported, then killed."""
    value = uuid.uuid4().hex
    monkeypatch.setenv(MARK_VARIABLE, value)
    yield value
    for pid in own_ray_processes(value):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def validate(*args, timeout=900):
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    return subprocess.run([sys.executable, "-m", "raylint", "validate", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_shipped_examples_fixed_run_equal_on_a_local_cluster_and_tiny_tasks_get_faster(tmp_path, mark):
    programs = [shrink(name, tmp_path) for name in SMALL_SIZES]
    completed = validate(*map(str, programs), "--workers", "1", "--repeat", "2", "--timeout", "120",
                         "--output-format", "json")
    # exit 1 may only mean a timing regression: at these sizes most programs are all start-up, and
    # timing is asserted for one program only (below), whose margin is wide
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    reports = {Path(report["program"]).name: report for report in json.loads(completed.stdout)}
    assert set(reports) == set(SMALL_SIZES)
    for name, report in reports.items():
        assert report["equal"] is True, (name, report)
        assert report["status"] in ("ok", "regression"), (name, report)
        assert sorted(set(report["codes"])) == EXPECTED_CODES[name]
        assert report["findings_fixed"] >= 1
        assert report["original_s"] > 0 and report["fixed_s"] > 0
    assert reports["ray003_missing_resources.py"]["verdict"] == "no change expected"
    assert reports["ray004_tiny_task_fanout.py"]["speedup"] > 1
    assert completed.returncode == (0 if all(r["status"] == "ok" for r in reports.values()) else 1)
    assert not list(tmp_path.glob(".*.raylint-fixed.py"))
    assert own_ray_processes(mark) == {}


def test_jobs_api_submission_through_a_local_dashboard(tmp_path, mark):
    pytest.importorskip("ray.job_submission")
    from raylint.validate.cluster import LocalCluster

    program = shrink("ray001_get_in_loop.py", tmp_path)
    cluster = LocalCluster.start(workers=1, cpus_per_worker=1, dashboard=True)
    try:
        # the mark reaches the cluster's processes, so the check for leftovers below can fail
        assert any("raylet" in command for command in own_ray_processes(mark).values())
        completed = validate(str(program), "--submit", cluster.dashboard_url, "--repeat", "1", "--timeout", "300",
                             "--output-format", "json")
    finally:
        cluster.stop()
    # exit 1 may only mean a timing regression: one worker with one CPU cannot run the batched gets any
    # faster, and each run is mostly the job's start-up, so which run is slower is noise
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    [report] = json.loads(completed.stdout)
    assert report["equal"] is True and report["codes"] == ["RAY001"]
    assert report["status"] in ("ok", "regression"), report
    assert completed.returncode == (0 if report["status"] == "ok" else 1)
    assert own_ray_processes(mark) == {}
