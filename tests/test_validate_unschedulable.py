"""`raylint validate` on a fixed program that can never be scheduled: it is reported as "unschedulable
after fix" with the missing resource, early, instead of running into the time limit.

One real local cluster (a 0-CPU head and one 1-CPU worker) for the module, stopped exactly afterwards.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest

from raylint.validate import harness
from raylint.validate.harness import FixedProgram, Options, validate_program
from raylint.validate.runner import run_program
from raylint.validate.schedulability import SchedulingWatch, wait_for_no_pending

pytestmark = pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="needs the ray extra")

TIMEOUT_S = 240

ORIGINAL = """\
import ray

ray.init()


@ray.remote
class Logger:
    def log(self, message):
        return message


@ray.remote(num_cpus=1)
def work(logger, i):
    return ray.get(logger.log.remote(i))


logger = Logger.remote()
print(ray.get([work.remote(logger, i) for i in range(2)]))
"""
# an actor that holds the only CPU for life: the tasks wait for it forever
STARVED = ORIGINAL.replace("@ray.remote\nclass Logger", "@ray.remote(num_cpus=1)\nclass Logger")
# a resource no node has
INFEASIBLE = ORIGINAL.replace("@ray.remote(num_cpus=1)\ndef work", "@ray.remote(num_cpus=1, resources={'TPU': 1})\ndef work")


@pytest.fixture(scope="module")
def cluster():
    from raylint.validate.cluster import LocalCluster

    started = LocalCluster.start(workers=1, cpus_per_worker=1)
    try:
        yield started
    finally:
        started.stop()


def test_a_fixed_program_asking_for_a_resource_no_node_has_is_unschedulable_not_a_timeout(cluster, tmp_path,
                                                                                            monkeypatch):
    program = tmp_path / "logger.py"
    program.write_text(ORIGINAL)

    def prepare(path: Path, safe_only: bool):
        # the fix under test is a stand-in: what matters is what the harness makes of its fixed version
        fixed = path.with_name(f".{path.stem}{harness.FIXED_SUFFIX}")
        fixed.write_text(INFEASIBLE)
        return FixedProgram(fixed, ["RAY003"], needs_gpu=False)

    monkeypatch.setattr(harness, "prepare_fixed", prepare)
    started = time.monotonic()
    report = validate_program(program, cluster, Options(repeat=1, timeout=TIMEOUT_S))
    assert time.monotonic() - started < TIMEOUT_S / 2
    assert report.status == "unschedulable after fix"
    assert not report.passed
    assert "TPU: 1 (the largest node has 0)" in report.detail
    assert report.detail.startswith("the fixed version: ")
    assert not list(tmp_path.glob(".*.raylint-fixed.py"))


def test_tasks_waiting_for_cpus_an_actor_holds_for_life_are_reported_with_the_resource(cluster, tmp_path):
    program = tmp_path / "starved.py"
    program.write_text(STARVED)
    original = tmp_path / "original.py"
    original.write_text(ORIGINAL)
    # the original, watched as the harness watches a fixed version, is not stopped
    fine = run_program(original, cwd=tmp_path, address=cluster.address, timeout=TIMEOUT_S, extra_env=cluster.env,
                       watch=SchedulingWatch(cluster.address, stall_seconds=harness.STALL_FLOOR_S).check)
    assert fine.ok and fine.stdout.strip() == "[0, 1]", fine.stderr
    run = run_program(program, cwd=tmp_path, address=cluster.address, timeout=TIMEOUT_S, extra_env=cluster.env,
                      watch=SchedulingWatch(cluster.address, stall_seconds=5).check)
    wait_for_no_pending(cluster.address)
    assert not run.ok and not run.timed_out
    assert run.seconds < TIMEOUT_S / 2
    assert "waits for CPU: 1 (all 1 held)" in run.unschedulable
